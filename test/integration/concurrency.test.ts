// Concurrency and load, against Azurite and the local worker: two bulk actions on overlapping
// sets, reading the list while a purge runs, the worker completing instances while they are being
// terminated, and a soak of start → terminate → purge cycles through the CLI that must end with
// the hub empty and memory flat. Final states must be consistent and every error reported.
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BulkItemResult, TaskHub } from '../../src/core';
import { countInstancesByStatus, createStorageClients, iterateInstances, openTaskHub, purgeInstances, readHistory, runBulkAction, startNew, waitForStatus } from '../../src/core';
import { controlQueueName } from '../../src/core/format/names';
import { HubWriter } from '../../tools/seed/hubWriter';
import { writeCompletedSequence } from '../../tools/seed/sampleHubs';
import { startWorker } from '../../tools/worker/worker';
import type { Worker } from '../../tools/worker/worker';
import { runCli } from '../support/cli';
import { sharedAzurite } from './setup';

const HUB = 'ConcurrencyHub';
const SOAK_HUB = 'SoakHub';
/** Cycles in `npm test`; SOAK_CYCLES=10000 for the full soak. */
const SOAK_CYCLES = Number(process.env.SOAK_CYCLES ?? 200);
const SOAK_LANES = 16;
const WORKER_VISIBILITY_SECONDS = 60;

function cs(): string {
  return sharedAzurite().connectionString;
}

async function hub(name = HUB): Promise<TaskHub> {
  return openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString: cs() }), name });
}

async function startRunning(h: TaskHub, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await startNew(h, { name: 'ApprovalWorkflow', instanceId: id, input: '{"timeoutSeconds": 3600}' });
  }
  for (const id of ids) {
    const r = await waitForStatus(h, { instanceId: id, until: (s) => s.runtimeStatus === 'Running', timeoutMs: 60_000, intervalMs: 100 });
    assert.ok(!r.timedOut, `${id} did not start`);
  }
}

/** Forces a full garbage collection (exposing gc for this process if it is not). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('concurrency and load (Azurite + worker)', function () {
  this.timeout(600_000);
  let worker: Worker | undefined;
  const workerLog: string[] = [];

  before(async () => {
    for (const name of [HUB, SOAK_HUB]) {
      await HubWriter.create({ connectionString: cs(), hubName: name, partitionCount: 4 });
    }
    worker = startWorker({
      connectionString: cs(),
      taskHubNames: [HUB, SOAK_HUB],
      pollIntervalMs: 100,
      // The runtime hides a received control message for 5 minutes; a receive whose answer is lost
      // (a timeout on a loaded machine) delays its messages that long. Shorter here, same semantics.
      visibilityTimeoutSeconds: WORKER_VISIBILITY_SECONDS,
      // Kept (the last 500 lines) to explain a failure; the worker logs only problems.
      log: (line) => {
        workerLog.push(line);
        workerLog.splice(0, workerLog.length - 500);
      },
    });
  });

  after(async () => {
    await worker?.stop();
  });

  it('two bulk actions on overlapping sets: each reports every instance once; the final states follow the runtime rules', async () => {
    const h = await hub();
    const ids = Array.from({ length: 40 }, (_, i) => `overlap-${String(i).padStart(2, '0')}`);
    await startRunning(h, ids);
    const terminateIds = ids.slice(0, 30);
    const suspendIds = ids.slice(10);
    const reported = { terminate: [] as BulkItemResult[], suspend: [] as BulkItemResult[] };
    const [terminated, suspended] = await Promise.all([
      runBulkAction(h, { action: { kind: 'terminate', reason: 'overlap' }, target: { kind: 'ids', instanceIds: terminateIds }, concurrency: 8, onItem: (r) => reported.terminate.push(r) }),
      runBulkAction(h, { action: { kind: 'suspend', reason: 'overlap' }, target: { kind: 'ids', instanceIds: suspendIds }, concurrency: 8, onItem: (r) => reported.suspend.push(r) }),
    ]);
    assert.deepEqual(reported.terminate.map((r) => r.instanceId).sort(), terminateIds);
    assert.deepEqual(reported.suspend.map((r) => r.instanceId).sort(), suspendIds);
    assert.equal(terminated.failed + suspended.failed, 0, JSON.stringify([...reported.terminate, ...reported.suspend].filter((r) => r.outcome === 'failed')));
    assert.equal(terminated.succeeded, 30, 'every terminate is sent: Running and Suspended instances both take it');
    // A suspend is skipped only when its instance was already terminated when it was checked.
    for (const r of reported.suspend.filter((x) => x.outcome === 'skipped')) {
      assert.match(r.message, /Terminated/, r.message);
    }
    // Terminate wins over suspend (a suspended instance can still be terminated); the rest stay suspended.
    for (const id of ids) {
      const expected = terminateIds.includes(id) ? 'Terminated' : 'Suspended';
      const r = await waitForStatus(h, { instanceId: id, until: (s) => s.runtimeStatus === expected, timeoutMs: 60_000, intervalMs: 100 });
      assert.ok(!r.timedOut, `${id} is ${r.status.runtimeStatus}, expected ${expected}`);
    }
  });

  it('reading the list and the counts while a purge runs: no read fails, and the purge deletes exactly its instances', async () => {
    const w = await HubWriter.create({ connectionString: cs(), hubName: 'ReadDuringPurge', partitionCount: 4 });
    const created = new Date(Date.now() - 3600_000);
    for (let i = 0; i < 120; i++) {
      await writeCompletedSequence(w, `${i % 2 ? 'purge' : 'keep'}-${String(i).padStart(3, '0')}`, created);
    }
    const h = await hub('ReadDuringPurge');
    let reads = 0;
    let purging = true;
    const reader = (async () => {
      while (purging) {
        const seen = new Set<string>();
        for await (const s of iterateInstances(h, { pageSize: 17 })) {
          assert.ok(!seen.has(s.instanceId), `${s.instanceId} listed twice in one pass`);
          seen.add(s.instanceId);
        }
        assert.ok([...seen].filter((id) => id.startsWith('keep-')).length === 60, 'a kept instance went missing from a listing');
        await countInstancesByStatus(h, {});
        reads++;
      }
    })();
    try {
      const result = await purgeInstances(h, { instanceIdPrefix: 'purge-', concurrency: 4 });
      assert.deepEqual({ deleted: result.instancesDeleted, failures: result.failures }, { deleted: 60, failures: [] });
    } finally {
      purging = false;
      await reader;
    }
    assert.ok(reads >= 1);
    const left: string[] = [];
    for await (const s of iterateInstances(h, {})) {
      left.push(s.instanceId);
    }
    assert.equal(left.length, 60);
    assert.ok(left.every((id) => id.startsWith('keep-')));
  });

  it('the worker completing instances while they are being terminated: each ends Completed or Terminated, and says which', async () => {
    const h = await hub();
    const ids = Array.from({ length: 30 }, (_, i) => `race-${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      await startNew(h, { name: 'HelloCities', instanceId: id, input: '["Tokyo"]' });
    }
    const reported: BulkItemResult[] = [];
    const result = await runBulkAction(h, { action: { kind: 'terminate', reason: 'race' }, target: { kind: 'ids', instanceIds: ids }, concurrency: 4, onItem: (r) => reported.push(r) });
    assert.equal(result.failed, 0, JSON.stringify(reported.filter((r) => r.outcome === 'failed')));
    assert.equal(reported.length, ids.length);
    for (const r of reported) {
      const final = await waitForStatus(h, { instanceId: r.instanceId, until: (s) => s.runtimeStatus === 'Completed' || s.runtimeStatus === 'Terminated', timeoutMs: 60_000, intervalMs: 100 });
      assert.ok(!final.timedOut, `${r.instanceId} is still ${final.status.runtimeStatus}`);
      if (r.outcome === 'skipped') {
        // Refused because it had already completed: the message says so, and it stays Completed.
        assert.match(r.message, /it is Completed/);
        assert.equal(final.status.runtimeStatus, 'Completed');
      }
    }
  });

  it(`soak: ${SOAK_CYCLES} start → terminate → purge cycles through the CLI end with the hub empty and memory flat`, async function () {
    // The full soak (SOAK_CYCLES=10000) runs far past the suite's 10 minutes.
    this.timeout(Math.max(600_000, SOAK_CYCLES * 600));
    const h = await hub(SOAK_HUB);
    const env = { AzureWebJobsStorage: cs() };
    const cli = async (args: string[]): Promise<void> => {
      const r = await runCli([...args, '--task-hub-name', SOAK_HUB], { env });
      assert.equal(r.code, 0, `durable ${args.join(' ')}: ${r.stderr}`);
    };
    const heap: number[] = [];
    const late: string[] = [];
    const lateReport = async (th: TaskHub, id: string): Promise<string> => {
      const rows = await readHistory(th, id).then((p) => p.events.map((e) => e.EventType), (e: Error) => e.message);
      const queues: string[] = [];
      for (let p = 0; p < th.partitionCount; p++) {
        const q = th.clients.queue(controlQueueName(th.name, p));
        const props = await q.getProperties();
        const peeked = (await q.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.filter((m) => m.messageText.includes(`"${id}"`));
        queues.push(`control-0${p}: ${props.approximateMessagesCount ?? '?'} messages, ${peeked.length} of them visible for ${id}`);
      }
      const log = workerLog.filter((l) => l.includes(`${id} `) || !l.includes('soak-')).slice(-20);
      return `history ${JSON.stringify(rows)}; ${queues.join('; ')}; worker log ${JSON.stringify(log)}`;
    };
    let next = 0;
    let finished = 0;
    const started = Date.now();
    const lane = async (): Promise<void> => {
      while (next < SOAK_CYCLES) {
        const id = `soak-${next++}`;
        const t0 = Date.now();
        await cli(['start-new', '--function-name', 'ApprovalWorkflow', '--id', id, '--input', '{"timeoutSeconds": 3600}']);
        // Terminate takes Pending and Running alike; the worker then records it.
        await cli(['terminate', '--id', id, '--reason', 'soak']);
        const terminated = (s: { runtimeStatus: string }): boolean => s.runtimeStatus === 'Terminated';
        let done = await waitForStatus(h, { instanceId: id, until: terminated, timeoutMs: 60_000, intervalMs: 100 });
        if (done.timedOut) {
          // Late: say why (where its messages are), then give it past the worker's visibility timeout.
          const why = await lateReport(h, id);
          done = await waitForStatus(h, { instanceId: id, until: terminated, timeoutMs: (WORKER_VISIBILITY_SECONDS + 60) * 1000, intervalMs: 250 });
          late.push(`${id} (${done.timedOut ? 'never' : `after ${((Date.now() - t0) / 1000).toFixed(0)} s`}): ${why}`);
          assert.ok(!done.timedOut, `${id} is ${done.status.runtimeStatus}; ${late.at(-1)}`);
        }
        await cli(['purge-history', '--id', id, '--yes']);
        finished++;
        if (finished % Math.max(1, Math.floor(SOAK_CYCLES / 10)) === 0) {
          collectGarbage();
          heap.push(process.memoryUsage().heapUsed);
        }
      }
    };
    await Promise.all(Array.from({ length: SOAK_LANES }, lane));
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(await countInstancesByStatus(h, {}), {}, 'the soak hub is empty');
    collectGarbage();
    heap.push(process.memoryUsage().heapUsed);
    const mb = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
    // Flat: the heap at the end is within 64 MB of its level after the first tenth (Azurite, in this
    // process, keeps its own bookkeeping; a leak per cycle would grow with the cycles instead).
    const growth = heap[heap.length - 1] - heap[0];
    console.log(
      `      soak: ${SOAK_CYCLES} cycles (${SOAK_CYCLES * 3} CLI runs) in ${seconds.toFixed(0)} s; heap ${heap.map(mb).join(' → ')} MB (growth ${mb(growth)} MB); ` +
        `${late.length} terminated later than 60 s${late.map((l) => `\n        ${l}`).join('')}`,
    );
    assert.ok(growth < 64 * 2 ** 20, `heap grew ${mb(growth)} MB`);
  });
});
