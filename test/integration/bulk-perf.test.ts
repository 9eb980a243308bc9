// Bulk control actions read each instance's status once, cheaply: a query's listing carries
// RuntimeStatus (no point read per instance), and an explicit id list is read a batch at a time
// by key range. Same outcomes as the point reads: finished instances skipped, unknown ids skipped
// with the not-found message, every id reported once. Requests are counted on the wire.
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import type { BulkActionOptions, BulkItemResult, TaskHub } from '../../src/core';
import { createStorageClients, openTaskHub, runBulkAction } from '../../src/core';
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';
import { sharedAzurite } from './setup';

const HUB = 'BulkPerf';
const NOW = new Date('2026-11-20T12:00:00.000Z');

/** Requests to the hub's Instances table and control queues while `fn` runs. */
async function countRequests(fn: () => Promise<void>): Promise<{ pointReads: number; queries: number; sends: number }> {
  const counts = { pointReads: 0, queries: 0, sends: 0 };
  const onRequest = (m: unknown): void => {
    const r = (m as { request: { method: string; path: string } }).request;
    const path = decodeURIComponent(r.path.split('?')[0]);
    if (r.method === 'GET' && path.includes(`${HUB}Instances(PartitionKey=`)) {
      counts.pointReads++;
    } else if (r.method === 'GET' && path.includes(`${HUB}Instances()`)) {
      counts.queries++;
    } else if (r.method === 'POST' && path.includes(`${HUB.toLowerCase()}-control-`)) {
      counts.sends++;
    }
  };
  dc.subscribe('http.client.request.start', onRequest);
  try {
    await fn();
  } finally {
    dc.unsubscribe('http.client.request.start', onRequest);
  }
  return counts;
}

describe('bulk control actions: one status read per batch (integration)', function () {
  this.timeout(120_000);
  let hub: TaskHub;
  const running = Array.from({ length: 150 }, (_, i) => `perf-run-${String(i).padStart(3, '0')}`);
  const done = Array.from({ length: 20 }, (_, i) => `perf-done-${String(i).padStart(3, '0')}`);

  before(async () => {
    const cs = sharedAzurite().connectionString;
    const w = await HubWriter.create({ connectionString: cs, hubName: HUB, now: NOW });
    for (const id of running) {
      await w.writeInstance({ instanceId: id, name: 'Work', enqueueStartMessage: false, runtimeStatus: 'Running' });
    }
    for (const id of done) {
      const h = new HistoryBuilder(new Date(NOW.getTime() - 3600_000));
      h.orchestratorStarted();
      h.executionStarted({ name: 'Work', input: '"x"' });
      h.executionCompleted('Completed', '"done"');
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: id, history: h });
    }
    const clients = await createStorageClients({ kind: 'connectionString', connectionString: cs });
    hub = await openTaskHub({ clients, name: HUB });
  });

  async function run(o: BulkActionOptions): Promise<BulkItemResult[]> {
    const items: BulkItemResult[] = [];
    await runBulkAction(hub, { ...o, onItem: (i) => items.push(i) });
    return items;
  }

  it('an explicit id list: statuses read by key range, not one point read per id; outcomes as before', async () => {
    // Shuffled, with a duplicate, finished instances and unknown ids in and beyond the range.
    const targets = [...done.slice(0, 5), ...running.slice(0, 120).reverse(), 'perf-run-0005x', running[7], 'zzz-unknown'];
    let items: BulkItemResult[] = [];
    const counts = await countRequests(async () => {
      items = await run({ action: { kind: 'suspend', reason: 'perf' }, target: { kind: 'ids', instanceIds: targets }, concurrency: 16 });
    });
    assert.equal(items.length, 127, 'each distinct id reported once');
    const by = new Map(items.map((i) => [i.instanceId, i]));
    for (const id of running.slice(0, 120)) {
      assert.deepEqual(by.get(id), { instanceId: id, outcome: 'succeeded', message: 'Suspend message sent', previousStatus: 'Running' });
    }
    for (const id of done.slice(0, 5)) {
      assert.equal(by.get(id)?.outcome, 'skipped');
      assert.match(by.get(id)!.message, new RegExp(`Cannot suspend instance '${id}': it is Completed`));
    }
    for (const id of ['perf-run-0005x', 'zzz-unknown']) {
      assert.equal(by.get(id)?.outcome, 'skipped');
      assert.match(by.get(id)!.message, new RegExp(`Could not find an orchestration instance with id '${id}'`));
    }
    assert.equal(counts.sends, 120, 'a message for each active instance only');
    // 127 ids → 2 batches (2 range queries); only the ids no range row settled are read on their own.
    assert.equal(counts.queries, 2);
    assert.ok(counts.pointReads <= 2 * 2, `${counts.pointReads} point reads (only the two unknown ids, escaped and raw key at most)`);
  });

  it('a query target: the listing carries RuntimeStatus, no point reads', async () => {
    let items: BulkItemResult[] = [];
    const counts = await countRequests(async () => {
      items = await run({ action: { kind: 'terminate', reason: 'perf' }, target: { kind: 'query', query: { instanceIdPrefix: 'perf-' } }, concurrency: 16 });
    });
    assert.equal(items.length, 170);
    assert.equal(items.filter((i) => i.outcome === 'succeeded').length, 150);
    // Suspended by the previous test? No: the row still says Running (no worker ran); finished ones are skipped.
    for (const i of items.filter((x) => done.includes(x.instanceId))) {
      assert.equal(i.outcome, 'skipped');
      assert.match(i.message, /it is Completed/);
    }
    assert.equal(counts.pointReads, 0);
    assert.equal(counts.sends, 150);
  });

  it('a sparse id list falls back to point reads for what the range did not settle, with the same outcomes', async () => {
    // Two ids far apart with 150 rows between them: the range's first rows (2 × batch) do not reach the second.
    const targets = [done[0], running[0], running[149]];
    const items = await run({ action: { kind: 'terminate' }, target: { kind: 'ids', instanceIds: targets } });
    assert.deepEqual(
      items.map((i) => [i.instanceId, i.outcome]).sort(),
      [
        [done[0], 'skipped'],
        [running[0], 'succeeded'],
        [running[149], 'succeeded'],
      ].sort(),
    );
  });
});
