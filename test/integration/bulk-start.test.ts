// Bulk start-new (runBulkAction { kind: 'start' }) against the suite's real Azurite: existing
// instances are found by key-range reads, an active one is skipped, a finished one is started
// over with the next generation, new ones get their message and Pending row — read back raw.
import assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import type { BulkItemResult, TaskHub } from '../../src/core';
import { ValidationError, createStorageClients, openTaskHub, runBulkAction } from '../../src/core';
import { escapePartitionKey } from '../../src/core/format/keys';
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';
import { sharedAzurite } from './setup';

const HUB = 'BulkStart';
const PARTITIONS = 4;

function cs(): string {
  return sharedAzurite().connectionString;
}

async function openHub(): Promise<TaskHub> {
  return openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString: cs() }), name: HUB });
}

async function instanceRow(id: string): Promise<Record<string, unknown>> {
  return TableClient.fromConnectionString(cs(), `${HUB}Instances`, { allowInsecureConnection: true }).getEntity(escapePartitionKey(id), '');
}

async function controlMessageCount(): Promise<number> {
  let n = 0;
  for (let i = 0; i < PARTITIONS; i++) {
    const q = QueueServiceClient.fromConnectionString(cs()).getQueueClient(`${HUB.toLowerCase()}-control-${String(i).padStart(2, '0')}`);
    n += (await q.getProperties()).approximateMessagesCount ?? 0;
  }
  return n;
}

describe('bulk start-new (integration)', function () {
  this.timeout(120_000);
  const running = ['bs-running-1', 'bs-running-2'];
  const finished = ['bs-done-1', 'bs-done-2', 'bs-done-3'];
  // Keys that sort among the others, a key needing escapes, and many new ids (several batches of 100).
  const fresh = [...Array.from({ length: 240 }, (_, i) => `bs-new-${String(i).padStart(3, '0')}`), 'bs-new ^ caret', 'bs-élan'];

  before(async () => {
    const w = await HubWriter.create({ connectionString: cs(), hubName: HUB, partitionCount: PARTITIONS });
    for (const id of [...running, ...finished]) {
      const h = new HistoryBuilder(new Date('2026-11-20T10:00:00Z'));
      h.orchestratorStarted();
      h.executionStarted({ name: 'Work', input: '"x"' });
      if (finished.includes(id)) {
        h.executionCompleted('Completed', '"done"');
      }
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: id, history: h, enqueueStartMessage: false });
    }
  });

  it('starts the new and the finished, skips the running, one message per start', async () => {
    const hub = await openHub();
    const before = await controlMessageCount();
    const items: BulkItemResult[] = [];
    const ids = [...fresh, ...running, ...finished].reverse();
    const r = await runBulkAction(hub, { action: { kind: 'start', name: 'Batch', input: '{"n":1}' }, target: { kind: 'ids', instanceIds: ids }, onItem: (i) => items.push(i) });
    assert.equal(r.total, ids.length);
    assert.equal(r.succeeded, fresh.length + finished.length);
    assert.equal(r.skipped, running.length);
    assert.equal(r.failed, 0);
    for (const id of running) {
      const item = items.find((i) => i.instanceId === id);
      assert.equal(item?.outcome, 'skipped');
      assert.match(item?.message ?? '', /already exists and is Running/);
      assert.equal((await instanceRow(id)).RuntimeStatus, 'Running');
    }
    for (const id of finished) {
      const row = await instanceRow(id);
      assert.equal(row.RuntimeStatus, 'Pending');
      assert.equal(row.Name, 'Batch');
      assert.equal(row.Generation, 1, 'started over: the next generation');
      assert.equal(items.find((i) => i.instanceId === id)?.previousStatus, 'Completed');
    }
    for (const id of [fresh[0], fresh[239], 'bs-new ^ caret', 'bs-élan']) {
      const row = await instanceRow(id);
      assert.equal(row.RuntimeStatus, 'Pending');
      assert.equal(row.Generation, 0);
      assert.equal(row.Input, '{"n":1}');
    }
    assert.equal((await controlMessageCount()) - before, fresh.length + finished.length);
  });

  it('refuses a query target and a bad id before anything is sent', async () => {
    const hub = await openHub();
    const before = await controlMessageCount();
    await assert.rejects(runBulkAction(hub, { action: { kind: 'start', name: 'Batch', input: null }, target: { kind: 'query', query: {} } }), ValidationError);
    await assert.rejects(
      runBulkAction(hub, { action: { kind: 'start', name: 'Batch', input: null }, target: { kind: 'ids', instanceIds: ['bs-ok-1', 'bad/id'] } }),
      (e: unknown) => e instanceof ValidationError && /'\/'/.test(e.message),
    );
    await assert.rejects(runBulkAction(hub, { action: { kind: 'start', name: ' ', input: null }, target: { kind: 'ids', instanceIds: ['bs-ok-2'] } }), ValidationError);
    await assert.rejects(runBulkAction(hub, { action: { kind: 'start', name: 'Batch', input: '{oops' }, target: { kind: 'ids', instanceIds: ['bs-ok-3'] } }), ValidationError);
    assert.equal(await controlMessageCount(), before);
  });
});
