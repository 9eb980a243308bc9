// Bulk actions and stuck-instance diagnostics against the suite's real Azurite, with storage read
// back through the raw SDKs: the messages a runtime would dequeue, the rows and blobs left behind.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import type { BulkActionOptions, BulkActionResult, BulkItemResult, TaskHub } from '../../src/core';
import {
  UnreachableError,
  ValidationError,
  countMatchingInstances,
  createStorageClients,
  findStuckInstances,
  openTaskHub,
  readQueueDepths,
  runBulkAction,
} from '../../src/core';
import { escapePartitionKey } from '../../src/core/format/keys';
import { controlQueueFor } from '../../src/core/format/partition';
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';
import type { DateTimeInput, WrittenInstance } from '../../tools/seed/hubWriter';
import { writeFailedActivity } from '../../tools/seed/sampleHubs';
import { sharedAzurite } from './setup';
import { belongsTo, hubSnapshot } from '../support/storageSnapshot';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// ---------------------------------------------------------------------------------------------
// Raw storage access for the assertions

function cs(): string {
  return sharedAzurite().connectionString;
}
function table(name: string): TableClient {
  return TableClient.fromConnectionString(cs(), name, { allowInsecureConnection: true });
}
function queues(): QueueServiceClient {
  return QueueServiceClient.fromConnectionString(cs());
}

interface QueueMessage {
  queue: string;
  json: {
    TaskMessage: {
      Event: Record<string, unknown> & { $type: string; EventType: number };
      OrchestrationInstance: { InstanceId: string; ExecutionId: string | null };
    } | null;
  };
}

/** Every message on every control queue of the hub, Base64-decoded as the runtime reads them. */
async function controlMessages(hub: string, partitions: number): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (let i = 0; i < partitions; i++) {
    const queue = `${hub.toLowerCase()}-control-${String(i).padStart(2, '0')}`;
    // Peek returns at most 32; read the count first so a larger queue fails loudly instead of hiding messages.
    const client = queues().getQueueClient(queue);
    const count = (await client.getProperties()).approximateMessagesCount ?? 0;
    assert.ok(count <= 32, `${queue} has ${count} messages, more than one peek shows`);
    const r = await client.peekMessages({ numberOfMessages: 32 });
    for (const m of r.peekedMessageItems) {
      out.push({ queue, json: JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as QueueMessage['json'] });
    }
  }
  return out;
}

async function clearQueues(hub: string, partitions: number): Promise<void> {
  for (let i = 0; i < partitions; i++) {
    await queues().getQueueClient(`${hub.toLowerCase()}-control-${String(i).padStart(2, '0')}`).clearMessages();
  }
}

function snapshot(hub: string): Promise<string[]> {
  return hubSnapshot(cs(), hub);
}

async function instanceExists(hub: string, id: string): Promise<boolean> {
  try {
    await table(`${hub}Instances`).getEntity(escapePartitionKey(id), '');
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) {
      return false;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding

interface Seed {
  name?: string;
  created?: Date;
  lastUpdated?: DateTimeInput;
  /** Input large enough to be offloaded to a blob. */
  large?: boolean;
}

function started(o: Seed): HistoryBuilder {
  const h = new HistoryBuilder(o.created ?? new Date(NOW.getTime() - HOUR));
  h.orchestratorStarted();
  h.executionStarted({ name: o.name ?? 'Work', input: o.large ? JSON.stringify('x'.repeat(40_000)) : '"small"' });
  return h;
}

function writeRunning(w: HubWriter, instanceId: string, o: Seed = {}): Promise<WrittenInstance> {
  const h = started(o);
  h.orchestratorCompleted();
  return w.writeInstance({ instanceId, history: h, lastUpdatedTime: o.lastUpdated });
}

function writeCompleted(w: HubWriter, instanceId: string, o: Seed = {}): Promise<WrittenInstance> {
  const h = started(o);
  h.executionCompleted('Completed', '"done"');
  h.orchestratorCompleted();
  return w.writeInstance({ instanceId, history: h, lastUpdatedTime: o.lastUpdated });
}

function writeSuspended(w: HubWriter, instanceId: string, o: Seed = {}): Promise<WrittenInstance> {
  const h = started(o);
  h.orchestratorCompleted();
  h.orchestratorStarted();
  h.executionSuspended('paused');
  h.orchestratorCompleted();
  return w.writeInstance({ instanceId, history: h, lastUpdatedTime: o.lastUpdated });
}

/** Pending with no history; no start message, so the control queues hold only what the test sends. */
function writePending(w: HubWriter, instanceId: string, o: Seed = {}): Promise<WrittenInstance> {
  return w.writeInstance({ instanceId, name: o.name ?? 'Work', createdTime: o.created, lastUpdatedTime: o.lastUpdated, enqueueStartMessage: false });
}

async function openHub(name: string): Promise<TaskHub> {
  const clients = await createStorageClients({ kind: 'connectionString', connectionString: cs() });
  return openTaskHub({ clients, name });
}

/** Runs the action, collecting every reported item. */
async function bulk(hub: TaskHub, o: BulkActionOptions): Promise<{ result: BulkActionResult; items: BulkItemResult[] }> {
  const items: BulkItemResult[] = [];
  const result = await runBulkAction(hub, {
    ...o,
    onItem: (item) => {
      items.push(item);
      o.onItem?.(item);
    },
  });
  return { result, items };
}

function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
}

// ---------------------------------------------------------------------------------------------

describe('bulk actions (integration)', function () {
  this.timeout(120_000);

  describe('by ids', () => {
    const HUB = 'BulkIds';
    let hub: TaskHub;
    let w: HubWriter;
    const running = ids('run-', 10);
    const done = ids('done-', 3);
    before(async () => {
      w = await HubWriter.create({ connectionString: cs(), hubName: HUB, now: NOW });
      for (const id of running) {
        await writeRunning(w, id);
      }
      for (const id of done) {
        await writeCompleted(w, id);
      }
      await writeFailedActivity(w, 'failed-0', new Date(NOW.getTime() - HOUR));
      hub = await openHub(HUB);
    });
    beforeEach(() => clearQueues(HUB, 4));

    it('terminates each active instance once, on its own control queue; completed and unknown ids are skipped', async () => {
      const progress: { done?: number; total?: number }[] = [];
      const { result, items } = await bulk(hub, {
        action: { kind: 'terminate', reason: 'bulk stop' },
        target: { kind: 'ids', instanceIds: [...running, running[0], ...done, 'nope', running[3]] },
        concurrency: 4,
        onProgress: (p) => progress.push(p),
      });
      assert.deepEqual(result, { total: 14, succeeded: 10, failed: 0, skipped: 4, cancelled: false, rowsDeleted: 0, blobsDeleted: 0 });
      assert.equal(items.length, 14, 'duplicates are acted on once');
      assert.deepEqual(new Set(items.map((i) => i.instanceId)).size, 14);
      for (const item of items) {
        if (running.includes(item.instanceId)) {
          assert.deepEqual(item, { instanceId: item.instanceId, outcome: 'succeeded', message: 'Terminate message sent', previousStatus: 'Running' });
        } else if (item.instanceId === 'nope') {
          assert.equal(item.outcome, 'skipped');
          assert.match(item.message, /Could not find an orchestration instance with id 'nope'/);
        } else {
          assert.equal(item.outcome, 'skipped');
          assert.match(item.message, /it is Completed/);
        }
      }
      assert.deepEqual({ done: progress.at(-1)?.done, total: progress.at(-1)?.total }, { done: 14, total: 14 });
      assert.deepEqual(progress.map((p) => p.done), Array.from({ length: 14 }, (_, i) => i + 1));

      const messages = await controlMessages(HUB, 4);
      assert.equal(messages.length, 10);
      assert.deepEqual(messages.map((m) => m.json.TaskMessage!.OrchestrationInstance.InstanceId).sort(), running);
      for (const m of messages) {
        const target = m.json.TaskMessage!.OrchestrationInstance;
        assert.equal(m.queue, controlQueueFor(HUB, target.InstanceId, 4), `${target.InstanceId} routed to its partition`);
        assert.equal(target.ExecutionId, null);
        const e = m.json.TaskMessage!.Event;
        assert.equal(e.$type, 'DurableTask.Core.History.ExecutionTerminatedEvent');
        assert.equal(e.EventType, 3);
        assert.equal(e.EventId, -1);
        assert.equal(e.Input, 'bulk stop');
      }
      assert.ok(new Set(messages.map((m) => m.queue)).size > 1, 'the ids spread over several partitions');
    });

    it('rewinds the failed instance and skips the others', async () => {
      const { result, items } = await bulk(hub, { action: { kind: 'rewind', reason: 'retry' }, target: { kind: 'ids', instanceIds: ['failed-0', done[0]] } });
      assert.equal(result.succeeded, 1);
      assert.equal(result.skipped, 1);
      const rewound = items.find((i) => i.instanceId === 'failed-0')!;
      assert.equal(rewound.previousStatus, 'Failed');
      assert.match(rewound.message, /^Rewound: \d+ history rows rewritten$/);
      assert.match(items.find((i) => i.instanceId === done[0])!.message, /only Failed instances can be rewound/);
      const messages = await controlMessages(HUB, 4);
      assert.deepEqual(
        messages.map((m) => [m.json.TaskMessage!.OrchestrationInstance.InstanceId, m.json.TaskMessage!.Event.$type]),
        [['failed-0', 'DurableTask.Core.History.GenericEvent']],
      );
    });

    it('raiseEvent with malformed JSON is a ValidationError and writes nothing', async () => {
      const before = await snapshot(HUB);
      let reported = 0;
      await assert.rejects(
        runBulkAction(hub, {
          action: { kind: 'raiseEvent', eventName: 'Approve', eventData: '{"ok": tru' },
          target: { kind: 'ids', instanceIds: running },
          onItem: () => reported++,
        }),
        (e: unknown) => e instanceof ValidationError && e.field === 'event-data',
      );
      assert.equal(reported, 0);
      assert.deepEqual(await controlMessages(HUB, 4), []);
      assert.deepEqual(await snapshot(HUB), before);
    });

    it('raiseEvent with valid JSON sends EventRaised to each instance', async () => {
      const { result } = await bulk(hub, { action: { kind: 'raiseEvent', eventName: 'Approve', eventData: '{"ok":true}' }, target: { kind: 'ids', instanceIds: running.slice(0, 3) } });
      assert.equal(result.succeeded, 3);
      const messages = await controlMessages(HUB, 4);
      assert.deepEqual(messages.map((m) => m.json.TaskMessage!.OrchestrationInstance.InstanceId).sort(), running.slice(0, 3));
      for (const m of messages) {
        assert.equal(m.json.TaskMessage!.Event.$type, 'DurableTask.Core.History.EventRaisedEvent');
        assert.equal(m.json.TaskMessage!.Event.Name, 'Approve');
        assert.equal(m.json.TaskMessage!.Event.Input, '{"ok":true}');
      }
    });
  });

  describe('by query', () => {
    const HUB = 'BulkQuery';
    let hub: TaskHub;
    const aRunning = ids('a-run-', 5);
    const aSuspended = ids('a-sus-', 2);
    const aDone = ids('a-done-', 2);
    const bRunning = ids('b-run-', 3);
    before(async () => {
      const w = await HubWriter.create({ connectionString: cs(), hubName: HUB, now: NOW });
      for (const id of [...aRunning, ...bRunning]) {
        await writeRunning(w, id);
      }
      for (const id of aSuspended) {
        await writeSuspended(w, id);
      }
      for (const id of aDone) {
        await writeCompleted(w, id);
      }
      hub = await openHub(HUB);
    });
    beforeEach(() => clearQueues(HUB, 4));

    it('counts and acts on exactly the instances matching statuses + prefix', async () => {
      const query = { statuses: ['Running'] as const, instanceIdPrefix: 'a-' };
      assert.equal(await countMatchingInstances(hub, query), aRunning.length);
      assert.equal(await countMatchingInstances(hub, { instanceIdPrefix: 'a-' }), 9);
      assert.equal(await countMatchingInstances(hub, {}), 12);

      const progress: { done?: number; total?: number }[] = [];
      const { result, items } = await bulk(hub, { action: { kind: 'suspend', reason: 'ops' }, target: { kind: 'query', query }, concurrency: 2, onProgress: (p) => progress.push(p) });
      assert.deepEqual(result, { total: 5, succeeded: 5, failed: 0, skipped: 0, cancelled: false, rowsDeleted: 0, blobsDeleted: 0 });
      assert.deepEqual(items.map((i) => i.instanceId).sort(), aRunning);
      assert.ok(progress.every((p) => p.total === undefined), 'no total for a query');
      const messages = await controlMessages(HUB, 4);
      assert.deepEqual(messages.map((m) => m.json.TaskMessage!.OrchestrationInstance.InstanceId).sort(), aRunning);
      for (const m of messages) {
        assert.equal(m.json.TaskMessage!.Event.$type, 'DurableTask.Core.History.ExecutionSuspendedEvent');
        assert.equal(m.json.TaskMessage!.Event.Reason, 'ops');
        assert.equal(m.queue, controlQueueFor(HUB, m.json.TaskMessage!.OrchestrationInstance.InstanceId, 4));
      }
    });

    it('a prefix-only query visits every a- instance and skips those whose status does not allow the action', async () => {
      const { result, items } = await bulk(hub, { action: { kind: 'resume' }, target: { kind: 'query', query: { instanceIdPrefix: 'a-' } } });
      assert.deepEqual(result, { total: 9, succeeded: 2, failed: 0, skipped: 7, cancelled: false, rowsDeleted: 0, blobsDeleted: 0 });
      assert.deepEqual(items.filter((i) => i.outcome === 'succeeded').map((i) => i.instanceId).sort(), aSuspended);
      assert.ok(items.filter((i) => i.outcome === 'skipped').every((i) => /only Suspended/.test(i.message)));
      const messages = await controlMessages(HUB, 4);
      assert.deepEqual(messages.map((m) => m.json.TaskMessage!.OrchestrationInstance.InstanceId).sort(), aSuspended);
      assert.ok(messages.every((m) => m.json.TaskMessage!.Event.$type === 'DurableTask.Core.History.ExecutionResumedEvent'));
    });
  });

  describe('purge', () => {
    it('by query with prefix and name deletes exactly the matching instances, leaving other rows and blobs intact', async () => {
      const HUB = 'BulkPurgeQuery';
      const w = await HubWriter.create({ connectionString: cs(), hubName: HUB, now: NOW });
      const match = ids('p-x-', 6);
      for (const id of match) {
        await writeCompleted(w, id, { name: 'Alpha', large: id === match[0] });
      }
      for (const id of ids('p-y-', 3)) {
        await writeCompleted(w, id, { name: 'Beta', large: id.endsWith('0') });
      }
      for (const id of ids('q-x-', 2)) {
        await writeCompleted(w, id, { name: 'Alpha', large: true });
      }
      await writeRunning(w, 'p-run-00', { name: 'Alpha' });
      const hub = await openHub(HUB);
      const before = await snapshot(HUB);
      const isBlobOf = (l: string, id: string): boolean => l.startsWith('blob|') && belongsTo(l, id);
      assert.ok(before.some((l) => isBlobOf(l, 'p-x-00')) && before.some((l) => isBlobOf(l, 'q-x-00')), 'blobs to delete and to keep');

      // An active status in the query is refused before anything is deleted.
      await assert.rejects(
        runBulkAction(hub, { action: { kind: 'purge' }, target: { kind: 'query', query: { statuses: ['Completed', 'Running'], instanceIdPrefix: 'p-' } } }),
        (e: unknown) => e instanceof ValidationError && /refused: Running/.test(e.message),
      );
      assert.deepEqual(await snapshot(HUB), before);

      const { result, items } = await bulk(hub, { action: { kind: 'purge' }, target: { kind: 'query', query: { instanceIdPrefix: 'p-', name: 'Alpha' } }, concurrency: 3 });
      assert.equal(result.succeeded, 6);
      assert.equal(result.total, 6);
      assert.equal(result.failed + result.skipped, 0);
      assert.equal(result.cancelled, false);
      const expectedRows = before.filter((l) => !l.startsWith('blob|') && match.some((id) => belongsTo(l, id))).length;
      const expectedBlobs = before.filter((l) => l.startsWith('blob|') && match.some((id) => belongsTo(l, id))).length;
      assert.equal(result.rowsDeleted + 6, expectedRows, 'history rows deleted (plus one Instances row each)');
      assert.equal(result.blobsDeleted, expectedBlobs);
      assert.deepEqual(items.map((i) => i.instanceId).sort(), match);
      assert.ok(items.every((i) => /^Purged: \d+ rows?, \d+ blobs?$/.test(i.message)));

      const after = await snapshot(HUB);
      assert.deepEqual(after, before.filter((l) => !match.some((id) => belongsTo(l, id))));
    });

    it('by ids: terminal instances are purged, active and unknown ones skipped unless forced', async () => {
      const HUB = 'BulkPurgeIds';
      const w = await HubWriter.create({ connectionString: cs(), hubName: HUB, now: NOW });
      const done = ids('done-', 3);
      for (const id of done) {
        await writeCompleted(w, id, { large: id === done[0] });
      }
      await writeRunning(w, 'run-00');
      const hub = await openHub(HUB);
      const before = await snapshot(HUB);

      const { result, items } = await bulk(hub, { action: { kind: 'purge' }, target: { kind: 'ids', instanceIds: [done[0], done[1], 'run-00', 'ghost'] } });
      assert.equal(result.succeeded, 2);
      assert.equal(result.skipped, 2);
      assert.equal(result.blobsDeleted, 1);
      assert.ok(result.rowsDeleted > 0);
      assert.match(items.find((i) => i.instanceId === 'run-00')!.message, /is Running/);
      assert.match(items.find((i) => i.instanceId === 'ghost')!.message, /Could not find/);
      assert.deepEqual(await snapshot(HUB), before.filter((l) => !belongsTo(l, done[0]) && !belongsTo(l, done[1])));

      const forced = await bulk(hub, { action: { kind: 'purge', force: true }, target: { kind: 'ids', instanceIds: ['run-00'] } });
      assert.equal(forced.result.succeeded, 1);
      assert.equal(await instanceExists(HUB, 'run-00'), false);
      assert.equal(await instanceExists(HUB, done[2]), true);
    });
  });

  describe('cancellation', () => {
    it('a purge by query aborted after a few items reports cancelled; running it again finishes the job', async () => {
      const HUB = 'BulkCancelPurge';
      const w = await HubWriter.create({ connectionString: cs(), hubName: HUB, now: NOW });
      const all = ids('c-', 40);
      for (const id of all) {
        await writeCompleted(w, id);
      }
      await writeCompleted(w, 'keep-00');
      const hub = await openHub(HUB);
      const keep = (await snapshot(HUB)).filter((l) => belongsTo(l, 'keep-00'));

      const controller = new AbortController();
      let reported = 0;
      const first = await bulk(hub, {
        action: { kind: 'purge' },
        target: { kind: 'query', query: { instanceIdPrefix: 'c-' } },
        concurrency: 2,
        signal: controller.signal,
        onItem: (item) => {
          assert.equal(item.outcome, 'succeeded');
          if (++reported === 5) {
            controller.abort();
          }
        },
      });
      assert.equal(first.result.cancelled, true);
      assert.ok(first.result.succeeded >= 5 && first.result.succeeded < 40, `stopped early (${first.result.succeeded})`);
      let left = 0;
      for (const id of all) {
        left += (await instanceExists(HUB, id)) ? 1 : 0;
      }
      assert.ok(left > 0 && left <= 40 - first.result.succeeded, `${left} left`);

      const second = await bulk(hub, { action: { kind: 'purge' }, target: { kind: 'query', query: { instanceIdPrefix: 'c-' } } });
      assert.equal(second.result.cancelled, false);
      assert.equal(second.result.succeeded, left);
      assert.deepEqual(await snapshot(HUB), keep, 'only the instance outside the query is left');
    });

    it('terminate by ids aborted after N items: nothing new starts, in-flight items finish and are counted', async () => {
      const HUB = 'BulkCancelIds';
      const w = await HubWriter.create({ connectionString: cs(), hubName: HUB, now: NOW });
      const all = ids('t-', 30);
      for (const id of all) {
        await writeRunning(w, id);
      }
      await clearQueues(HUB, 4);
      const hub = await openHub(HUB);
      const controller = new AbortController();
      let reported = 0;
      const { result, items } = await bulk(hub, {
        action: { kind: 'terminate' },
        target: { kind: 'ids', instanceIds: all },
        concurrency: 3,
        signal: controller.signal,
        onItem: () => {
          if (++reported === 5) {
            controller.abort();
          }
        },
      });
      assert.equal(result.cancelled, true);
      assert.ok(result.succeeded >= 5 && result.succeeded <= 5 + 2, `at most the other in-flight items finished (${result.succeeded})`);
      assert.equal(result.total, items.length);
      const messages = await controlMessages(HUB, 4);
      assert.equal(messages.length, result.succeeded, 'every message sent was reported, and only those');
      assert.deepEqual(messages.map((m) => m.json.TaskMessage!.OrchestrationInstance.InstanceId).sort(), items.map((i) => i.instanceId).sort());
    });
  });

  describe('unreachable storage', () => {
    let hub: TaskHub;
    before(async () => {
      // A port that was just free and is now closed: connections are refused at once.
      const port = await new Promise<number>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
      });
      const connectionString = cs().replace(/127\.0\.0\.1:\d+/g, `127.0.0.1:${port}`);
      const clients = await createStorageClients({ kind: 'connectionString', connectionString });
      // Built by hand: openTaskHub would itself fail on the unreachable endpoint.
      hub = { clients, name: 'BulkDown', partitionCount: 4, partitionCountSource: 'default' };
    });

    const cases: [string, BulkActionOptions][] = [
      ['terminate by ids', { action: { kind: 'terminate' }, target: { kind: 'ids', instanceIds: ids('x-', 40) }, concurrency: 8 }],
      ['suspend by query', { action: { kind: 'suspend' }, target: { kind: 'query', query: { statuses: ['Running'] } } }],
      ['purge by ids', { action: { kind: 'purge' }, target: { kind: 'ids', instanceIds: ids('x-', 20) }, concurrency: 4 }],
      ['purge by query', { action: { kind: 'purge' }, target: { kind: 'query', query: {} } }],
    ];
    for (const [label, o] of cases) {
      it(`${label}: throws UnreachableError once, reporting no per-instance failures`, async () => {
        const items: BulkItemResult[] = [];
        await assert.rejects(
          runBulkAction(hub, { ...o, onItem: (item) => items.push(item) }),
          (e: unknown) => e instanceof UnreachableError && /unreachable/.test(e.message),
        );
        assert.deepEqual(items, []);
      });
    }
  });
});

describe('stuck instances and queue depths (integration)', function () {
  this.timeout(120_000);
  const HUB = 'BulkStuck';
  let hub: TaskHub;
  let w: HubWriter;
  const t = (msAgo: number): Date => new Date(NOW.getTime() - msAgo);
  before(async () => {
    w = await HubWriter.create({ connectionString: cs(), hubName: HUB, partitionCount: 6, now: NOW });
    const created = t(10 * HOUR);
    await writeRunning(w, 'old-run-a', { created, lastUpdated: t(3 * HOUR) });
    await writeRunning(w, 'old-run-b', { created, lastUpdated: t(5 * HOUR) });
    // Same millisecond, different 100-ns ticks: the order must still follow the stored time.
    await writeRunning(w, 'tick-late', { created, lastUpdated: '2026-11-20T08:00:00.1230009Z' });
    await writeRunning(w, 'tick-early', { created, lastUpdated: '2026-11-20T08:00:00.1230001Z' });
    await writePending(w, 'old-pending', { created: t(2 * HOUR), lastUpdated: t(2 * HOUR) });
    await writeRunning(w, 'recent-run', { created, lastUpdated: t(10 * MINUTE) });
    await writePending(w, 'recent-pending', { created: t(5 * MINUTE), lastUpdated: t(5 * MINUTE) });
    await writeCompleted(w, 'old-done', { created, lastUpdated: t(6 * HOUR) });
    await writeSuspended(w, 'old-suspended', { created, lastUpdated: t(4 * HOUR) });
    hub = await openHub(HUB);
    assert.equal(hub.partitionCount, 6);
  });

  it('finds only old Running/Pending instances, oldest first, with their control queues', async () => {
    const r = await findStuckInstances(hub, { lastUpdatedBefore: t(HOUR) });
    assert.equal(r.truncated, false);
    const expected = ['old-run-b', 'tick-early', 'tick-late', 'old-run-a', 'old-pending'];
    assert.deepEqual(r.instances.map((i) => i.status.instanceId), expected);
    for (const i of r.instances) {
      assert.equal(i.controlQueue, controlQueueFor(HUB, i.status.instanceId, 6));
      assert.match(i.controlQueue, /^bulkstuck-control-0[0-5]$/);
    }
    assert.equal(r.instances.find((i) => i.status.instanceId === 'old-pending')!.status.runtimeStatus, 'Pending');
    assert.match(r.instances[1].status.lastUpdatedTime!, /^2026-11-20T08:00:00\.1230001Z$/);
  });

  it('honours the limit (keeping the oldest) and other statuses', async () => {
    const limited = await findStuckInstances(hub, { lastUpdatedBefore: t(HOUR), limit: 2 });
    assert.equal(limited.truncated, true);
    assert.deepEqual(limited.instances.map((i) => i.status.instanceId), ['old-run-b', 'tick-early']);

    const suspended = await findStuckInstances(hub, { lastUpdatedBefore: t(HOUR), statuses: ['Suspended', 'Completed'] });
    assert.deepEqual(suspended.instances.map((i) => i.status.instanceId), ['old-done', 'old-suspended']);

    const none = await findStuckInstances(hub, { lastUpdatedBefore: t(20 * HOUR) });
    assert.deepEqual(none, { instances: [], truncated: false });

    await assert.rejects(findStuckInstances(hub, { lastUpdatedBefore: t(HOUR), limit: 0 }), ValidationError);
    await assert.rejects(findStuckInstances(hub, { lastUpdatedBefore: t(HOUR), limit: 5001 }), ValidationError);
    await assert.rejects(findStuckInstances(hub, { lastUpdatedBefore: new Date('nope') }), ValidationError);
  });

  it('reads the approximate message count of each control queue then the work-item queue', async () => {
    await clearQueues(HUB, 6);
    await w.queue(w.names.workItemQueue).clearMessages();
    for (let i = 0; i < 3; i++) {
      await w.enqueue('bulkstuck-control-02', JSON.stringify({ n: i }));
    }
    await w.enqueue('bulkstuck-control-05', '{}');
    await w.enqueue(w.names.workItemQueue, '{}');
    await w.enqueue(w.names.workItemQueue, '{}');

    const depths = await readQueueDepths(hub);
    assert.deepEqual(depths, [
      { queue: 'bulkstuck-control-00', approximateMessages: 0 },
      { queue: 'bulkstuck-control-01', approximateMessages: 0 },
      { queue: 'bulkstuck-control-02', approximateMessages: 3 },
      { queue: 'bulkstuck-control-03', approximateMessages: 0 },
      { queue: 'bulkstuck-control-04', approximateMessages: 0 },
      { queue: 'bulkstuck-control-05', approximateMessages: 1 },
      { queue: 'bulkstuck-workitems', approximateMessages: 2 },
    ]);

    await w.queue('bulkstuck-control-04').delete();
    const after = await readQueueDepths(hub);
    assert.deepEqual(after[4], { queue: 'bulkstuck-control-04', approximateMessages: null });
    assert.equal(after[2].approximateMessages, 3);
  });
});
