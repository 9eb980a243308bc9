// The fixture writer must write what the runtime writes (reference: durable-azure-storage-format.md).
// Everything is read back with the raw SDKs, with `disableTypeConversion` so each property comes
// back as `{ value, type }` and the Edm types are checked too.
import assert from 'node:assert/strict';
import { TableClient, TableServiceClient, odata } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { BlobServiceClient } from '@azure/storage-blob';
import { escapePartitionKey, unescapePartitionKey } from '../../src/core/format/keys';
import { gunzip } from '../../src/core/format/payload';
import { controlQueueFor } from '../../src/core/format/partition';
import { startAzurite } from '../../tools/azurite';
import type { RunningAzurite } from '../../tools/azurite';
import { HistoryBuilder, HubWriter, dotnetDateTime, historyRowKey } from '../../tools/seed/hubWriter';
import type { FixtureHubOptions } from '../../tools/seed/hubWriter';
import {
  largeJson,
  writeContinueAsNewWithLeftovers,
  writeLargePayloads,
  writeParentWithFailedChild,
  writeRewound,
  writeStandardHub,
} from '../../tools/seed/sampleHubs';

interface Cell {
  value: string;
  type: string;
}
type Raw = Record<string, unknown>;

const NOW = new Date('2025-06-01T08:00:00.000Z');
const DATETIME_7 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

function cell(r: Raw, name: string): Cell | undefined {
  const c = r[name];
  return c !== null && typeof c === 'object' && 'type' in c ? (c as Cell) : undefined;
}

function val(r: Raw, name: string): string | undefined {
  return cell(r, name)?.value;
}

function typed(r: Raw, name: string, type: string, value?: string): void {
  const c = cell(r, name);
  assert.ok(c, `column ${name} is missing`);
  assert.equal(c.type, type, `column ${name} has type ${c.type}`);
  if (value !== undefined) {
    assert.equal(c.value, value, `column ${name}`);
  }
}

function absent(r: Raw, ...names: string[]): void {
  for (const n of names) {
    assert.ok(!(n in r), `column ${n} should be absent, is ${JSON.stringify(r[n])}`);
  }
}

describe('HubWriter fixture (against Azurite)', function () {
  let az: RunningAzurite;
  let hubCount = 0;
  const table = (name: string): TableClient => TableClient.fromConnectionString(az.connectionString, name, { allowInsecureConnection: true });
  const blobs = (): BlobServiceClient => BlobServiceClient.fromConnectionString(az.connectionString);
  const queues = (): QueueServiceClient => QueueServiceClient.fromConnectionString(az.connectionString);

  before(async () => {
    az = await startAzurite();
  });
  after(() => az.stop());

  async function hub(o: Partial<FixtureHubOptions> = {}): Promise<HubWriter> {
    return HubWriter.create({ connectionString: az.connectionString, hubName: `Fixture${++hubCount}`, now: NOW, ...o });
  }

  async function getRow(tableName: string, pk: string, rk: string): Promise<Raw> {
    return (await table(tableName).getEntity(pk, rk, { disableTypeConversion: true })) as unknown as Raw;
  }

  async function partition(tableName: string, pk: string): Promise<Raw[]> {
    const out: Raw[] = [];
    for await (const e of table(tableName).listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}` }, disableTypeConversion: true })) {
      out.push(e as unknown as Raw);
    }
    return out;
  }

  async function historyOf(w: HubWriter, pk: string): Promise<{ events: Raw[]; sentinel: Raw | undefined }> {
    const rows = await partition(w.names.historyTable, pk);
    return { events: rows.filter((r) => r.rowKey !== 'sentinel'), sentinel: rows.find((r) => r.rowKey === 'sentinel') };
  }

  async function gunzipBlob(w: HubWriter, blobName: string): Promise<string> {
    const buffer = await w.largeMessages.getBlobClient(blobName).downloadToBuffer();
    return (await gunzip(buffer)).toString('utf8');
  }

  async function tableNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const t of TableServiceClient.fromConnectionString(az.connectionString, { allowInsecureConnection: true }).listTables()) {
      names.push(t.name ?? '');
    }
    return names;
  }

  async function containerNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const c of blobs().listContainers({ prefix })) {
      names.push(c.name);
    }
    return names.sort();
  }

  async function queueNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const q of queues().listQueues({ prefix })) {
      names.push(q.name);
    }
    return names.sort();
  }

  async function blobList(w: HubWriter, container: string): Promise<string[]> {
    const names: string[] = [];
    for await (const b of w.container(container).listBlobsFlat()) {
      names.push(b.name);
    }
    return names.sort();
  }

  /** A completed 3-activity chain with a timer: 20 events, so RowKeys …000A to …0013 appear. */
  function chain(start: Date | string): HistoryBuilder {
    const h = new HistoryBuilder(start);
    h.orchestratorStarted();
    h.executionStarted();
    let t = h.taskScheduled('SayHello', '"Tokyo"');
    h.orchestratorCompleted();
    for (const city of ['Seattle', 'London']) {
      h.advance(1000).orchestratorStarted();
      h.taskCompleted(t.eventId, '"ok"');
      t = h.taskScheduled('SayHello', JSON.stringify(city));
      h.orchestratorCompleted();
    }
    h.advance(1000).orchestratorStarted();
    h.taskCompleted(t.eventId, '"ok"');
    const timer = h.timerCreated('2025-06-01T09:00:00Z');
    h.orchestratorCompleted();
    h.orchestratorStarted();
    h.timerFired(timer.eventId, '2025-06-01T09:00:00Z');
    h.executionCompleted('Completed', '["done"]');
    h.orchestratorCompleted();
    return h;
  }

  describe('hub resources and partition metadata', () => {
    it('table layout: tables, queues, containers and one {H}Partitions row per control queue', async () => {
      const w = await hub({ partitionCount: 6 });
      const H = w.hubName;
      const h = H.toLowerCase();
      const tables = await tableNames();
      for (const t of [`${H}Instances`, `${H}History`, `${H}Partitions`]) {
        assert.ok(tables.includes(t), `table ${t}`);
      }
      assert.deepEqual(await queueNames(`${h}-`), [0, 1, 2, 3, 4, 5].map((i) => `${h}-control-0${i}`).concat(`${h}-workitems`));
      assert.deepEqual(await containerNames(`${h}-`), [`${h}-applease`, `${h}-largemessages`]);

      const rows = await partition(`${H}Partitions`, '');
      assert.equal(rows.length, 6);
      assert.deepEqual(rows.map((r) => r.rowKey).sort(), w.controlQueues);
      for (const r of rows) {
        assert.equal(r.partitionKey, '');
        typed(r, 'CurrentOwner', 'String', 'FIXTURE-WORKER');
        typed(r, 'IsDraining', 'Boolean', 'false');
        for (const c of ['OwnedSince', 'LastRenewal', 'ExpiresAt']) {
          typed(r, c, 'DateTime');
          assert.match(val(r, c) ?? '', DATETIME_7);
        }
        absent(r, 'NextOwner');
      }
    });

    it('table layout with unowned partitions writes only IsDraining', async () => {
      const w = await hub({ partitionCount: 2, partitionOwner: null });
      const rows = await partition(w.names.partitionsTable, '');
      assert.equal(rows.length, 2);
      for (const r of rows) {
        typed(r, 'IsDraining', 'Boolean', 'false');
        absent(r, 'CurrentOwner', 'NextOwner', 'OwnedSince', 'LastRenewal', 'ExpiresAt');
      }
    });

    it('blob layout: {h}-leases/taskhub.json and intent/ + ownership/ lease blobs, no Partitions table', async () => {
      const w = await hub({ partitionCount: 3, layout: 'blob' });
      const H = w.hubName;
      const h = H.toLowerCase();
      assert.ok(!(await tableNames()).includes(`${H}Partitions`));
      assert.deepEqual(await containerNames(`${h}-`), [`${h}-applease`, `${h}-largemessages`, `${h}-leases`]);

      const text = (await w.leases.getBlobClient('taskhub.json').downloadToBuffer()).toString('utf8');
      const info = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(info), ['TaskHubName', 'CreatedAt', 'PartitionCount']);
      assert.equal(info.TaskHubName, H);
      assert.equal(info.PartitionCount, 3);
      assert.match(String(info.CreatedAt), DATETIME_7);

      const names = await blobList(w, w.names.leasesContainer);
      assert.deepEqual(names, ['intent', 'ownership'].flatMap((d) => w.controlQueues.map((q) => `${d}/${q}`)).concat('taskhub.json').sort());
      const lease = JSON.parse((await w.leases.getBlobClient(`ownership/${h}-control-01`).downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(lease), ['PartitionId', 'Owner', 'Token', 'Epoch']);
      assert.equal(lease.PartitionId, `${h}-control-01`);
      assert.equal(lease.Owner, 'FIXTURE-WORKER');
    });

    it('blob layout with the legacy lease manager writes default/<queue>', async () => {
      const w = await hub({ partitionCount: 2, layout: 'blob', leaseBlobs: 'default', partitionOwner: null });
      assert.deepEqual(await blobList(w, w.names.leasesContainer), [...w.controlQueues.map((q) => `default/${q}`), 'taskhub.json']);
      const lease = JSON.parse((await w.leases.getBlobClient(`default/${w.controlQueues[0]}`).downloadToBuffer()).toString('utf8')) as unknown;
      assert.deepEqual(lease, { PartitionId: w.controlQueues[0], Owner: null, Token: null, Epoch: 0 });
    });

    it('is idempotent', async () => {
      const w = await hub();
      await HubWriter.create({ connectionString: az.connectionString, hubName: w.hubName, now: NOW });
      assert.equal((await partition(w.names.partitionsTable, '')).length, 4);
    });
  });

  describe('history rows', () => {
    it('RowKeys are 16 upper-case hex digits, with EventType/EventId/IsPlayed/_Timestamp/ExecutionId and a sentinel', async () => {
      const w = await hub();
      const h = chain('2025-06-01T07:00:00Z');
      const written = await w.writeInstance({ instanceId: 'chain-1', name: 'HelloCities', input: '["Tokyo"]', history: h });
      const { events, sentinel } = await historyOf(w, 'chain-1');
      assert.equal(events.length, h.events.length);
      assert.deepEqual(events.map((r) => r.rowKey), h.events.map((_, i) => historyRowKey(i)));
      assert.ok(events.some((r) => r.rowKey === '000000000000000A'));
      assert.deepEqual(
        events.map((r) => val(r, 'EventType')),
        h.events.map((e) => e.eventType),
      );
      for (const [i, r] of events.entries()) {
        typed(r, 'EventType', 'String');
        typed(r, 'EventId', 'Int32', String(h.events[i].eventId));
        typed(r, 'IsPlayed', 'Boolean', 'false');
        typed(r, '_Timestamp', 'DateTime', h.events[i].timestamp);
        assert.match(val(r, '_Timestamp') ?? '', DATETIME_7);
        typed(r, 'ExecutionId', 'String', written.executionId);
      }
      assert.match(written.executionId, /^[0-9a-f]{32}$/);
      // Row 0 is OrchestratorStarted, row 1 ExecutionStarted; action ids 0,1,2 (tasks), 3 (timer), 4 (completion).
      assert.equal(val(events[0], 'EventType'), 'OrchestratorStarted');
      assert.deepEqual(
        events.filter((r) => val(r, 'EventType') === 'TaskScheduled').map((r) => val(r, 'EventId')),
        ['0', '1', '2'],
      );
      const completions = events.filter((r) => val(r, 'EventType') === 'TaskCompleted');
      assert.deepEqual(completions.map((r) => [val(r, 'EventId'), val(r, 'TaskScheduledId')]), [['-1', '0'], ['-1', '1'], ['-1', '2']]);
      completions.forEach((r) => typed(r, 'TaskScheduledId', 'Int32'));
      const timer = events.find((r) => val(r, 'EventType') === 'TimerCreated') as Raw;
      typed(timer, 'EventId', 'Int32', '3');
      typed(timer, 'FireAt', 'DateTime', '2025-06-01T09:00:00.0000000Z');
      const fired = events.find((r) => val(r, 'EventType') === 'TimerFired') as Raw;
      typed(fired, 'TimerId', 'Int32', '3');
      typed(fired, 'EventId', 'Int32', '-1');

      assert.ok(sentinel);
      typed(sentinel, 'ExecutionId', 'String', written.executionId);
      typed(sentinel, 'IsCheckpointComplete', 'Boolean', 'true');
      typed(sentinel, 'CheckpointCompletedTimestamp', 'DateTime', h.events[h.events.length - 1].timestamp);
    });

    it('per-type columns: JSON members as JSON strings, "null" for null in v2 rows', async () => {
      const w = await hub();
      const h = chain(NOW);
      const written = await w.writeInstance({ instanceId: 'cols-1', name: 'HelloCities', input: '["Tokyo"]', tags: { env: 'test' }, history: h });
      const { events } = await historyOf(w, 'cols-1');
      const started = events[1];
      typed(started, 'EventType', 'String', 'ExecutionStarted');
      typed(started, 'EventId', 'Int32', '-1');
      assert.deepEqual(JSON.parse(val(started, 'OrchestrationInstance') ?? ''), { InstanceId: 'cols-1', ExecutionId: written.executionId });
      typed(started, 'ParentInstance', 'String', 'null');
      typed(started, 'Name', 'String', 'HelloCities');
      typed(started, 'Version', 'String', '');
      typed(started, 'Input', 'String', '["Tokyo"]');
      typed(started, 'Tags', 'String', '{"env":"test"}');
      typed(started, 'ParentTraceContext', 'String', 'null');
      typed(started, 'Generation', 'Int32', '0');
      typed(started, 'GenerateNewTrace', 'Boolean', 'false');
      absent(started, 'Correlation', 'ScheduledStartTime');

      const scheduled = events[2];
      typed(scheduled, 'Name', 'String', 'SayHello');
      typed(scheduled, 'Input', 'String', '"Tokyo"');
      typed(scheduled, 'Tags', 'String', 'null');
      typed(scheduled, 'ParentTraceContext', 'String', 'null');

      const completed = events.find((r) => val(r, 'EventType') === 'ExecutionCompleted') as Raw;
      typed(completed, 'OrchestrationStatus', 'String', 'Completed');
      typed(completed, 'Result', 'String', '["done"]');
      typed(completed, 'FailureDetails', 'String', 'null');
      typed(completed, 'EventId', 'Int32', '4');
    });

    it('writes histories over 99 events in several transactions', async () => {
      const w = await hub();
      const h = new HistoryBuilder(NOW);
      h.orchestratorStarted();
      h.executionStarted();
      for (let i = 0; i < 124; i++) {
        h.taskScheduled('Step', String(i));
        h.taskCompleted(i, String(i));
      }
      h.executionCompleted('Completed', 'null');
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: 'long-1', name: 'Long', history: h });
      const { events, sentinel } = await historyOf(w, 'long-1');
      assert.equal(events.length, 252);
      assert.equal(events[251].rowKey, '00000000000000FB');
      typed(sentinel as Raw, 'IsCheckpointComplete', 'Boolean', 'true');
    });

    it('can leave an incomplete checkpoint or no sentinel at all', async () => {
      const w = await hub();
      await w.writeInstance({ instanceId: 'ckpt-incomplete', name: 'X', history: chain(NOW), sentinel: 'incomplete' });
      await w.writeInstance({ instanceId: 'ckpt-none', name: 'X', history: chain(NOW), sentinel: 'none' });
      const s = (await historyOf(w, 'ckpt-incomplete')).sentinel as Raw;
      typed(s, 'IsCheckpointComplete', 'Boolean', 'false');
      absent(s, 'CheckpointCompletedTimestamp');
      assert.equal((await historyOf(w, 'ckpt-none')).sentinel, undefined);
    });

    it('escapes the PartitionKey of History and Instances rows (§2.1)', async () => {
      const w = await hub();
      const ids = ['a/b', 'x#y?z', 'back\\slash', 'caret^', 'ctl\u0001char', 'del\u007f'];
      const expected = ['a^0b', 'x^2y^3z', 'back^1slash', 'caret^^', 'ctl^\u00c1char', 'del^\u013f'];
      for (const [i, id] of ids.entries()) {
        const written = await w.writeInstance({ instanceId: id, name: 'Echo', history: chain(NOW) });
        assert.equal(written.partitionKey, expected[i]);
        assert.equal(escapePartitionKey(id), expected[i]);
        assert.equal(unescapePartitionKey(written.partitionKey), id);
        const row = await getRow(w.names.instancesTable, expected[i], '');
        typed(row, 'Name', 'String', 'Echo');
        const { events, sentinel } = await historyOf(w, expected[i]);
        assert.equal(events.length, 20);
        assert.ok(sentinel);
        assert.equal(JSON.parse(val(events[1], 'OrchestrationInstance') ?? '').InstanceId, id, 'the JSON keeps the raw id');
      }
    });
  });

  describe('Instances rows', () => {
    it('a completed instance has the columns and Edm types the worker writes', async () => {
      const w = await hub();
      const h = chain('2025-06-01T07:00:00.1234567Z');
      const written = await w.writeInstance({
        instanceId: 'done-1',
        name: 'HelloCities',
        input: '["Tokyo"]',
        customStatus: '{"step":3}',
        history: h,
      });
      const r = await getRow(w.names.instancesTable, 'done-1', '');
      typed(r, 'Name', 'String', 'HelloCities');
      typed(r, 'Version', 'String', '');
      typed(r, 'RuntimeStatus', 'String', 'Completed');
      typed(r, 'CreatedTime', 'DateTime', h.events[1].timestamp);
      typed(r, 'LastUpdatedTime', 'DateTime', h.events[h.events.length - 1].timestamp);
      typed(r, 'CompletedTime', 'DateTime');
      typed(r, 'Input', 'String', '["Tokyo"]');
      typed(r, 'Output', 'String', '["done"]');
      typed(r, 'CustomStatus', 'String', '{"step":3}');
      typed(r, 'ExecutionId', 'String', written.executionId);
      typed(r, 'Generation', 'Int32', '0');
      typed(r, 'Tags', 'String', 'null');
      typed(r, 'TaskHubName', 'String', w.hubName);
      absent(r, 'ScheduledStartTime', 'InputBlobName');
      const started = (await historyOf(w, 'done-1')).events[1];
      assert.equal(val(r, 'CreatedTime'), val(started, '_Timestamp'), 'CreatedTime = ExecutionStarted timestamp');
      assert.doesNotMatch(val(r, 'CreatedTime') ?? '', /0000Z$/, '100-ns digits are kept');
    });

    it('CustomStatus is the string "null" when there is none; Output follows terminate/suspend', async () => {
      const w = await hub();
      const h = new HistoryBuilder(NOW);
      h.orchestratorStarted();
      h.executionStarted();
      h.orchestratorCompleted();
      h.orchestratorStarted();
      h.executionSuspended('maintenance');
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: 'susp-1', name: 'Monitor', history: h });
      const r = await getRow(w.names.instancesTable, 'susp-1', '');
      typed(r, 'RuntimeStatus', 'String', 'Suspended');
      typed(r, 'Output', 'String', 'maintenance');
      typed(r, 'CustomStatus', 'String', 'null');
      absent(r, 'CompletedTime', 'Input');

      const t = new HistoryBuilder(NOW);
      t.orchestratorStarted();
      t.executionStarted();
      t.orchestratorCompleted();
      t.orchestratorStarted();
      t.executionTerminated('stop');
      t.executionCompleted('Terminated', 'stop');
      t.orchestratorCompleted();
      await w.writeInstance({ instanceId: 'term-1', name: 'Monitor', input: '{}', history: t });
      const tr = await getRow(w.names.instancesTable, 'term-1', '');
      typed(tr, 'RuntimeStatus', 'String', 'Terminated');
      typed(tr, 'Output', 'String', 'stop');
      typed(tr, 'CompletedTime', 'DateTime');
    });

    it('Pending: only the Instances row a client writes, and a Base64 ExecutionStarted message on its control queue', async () => {
      const w = await hub();
      const created = new Date('2025-06-01T07:59:00.123Z');
      const written = await w.writeInstance({ instanceId: 'pend-1', name: 'HelloCities', input: '["Paris"]', createdTime: created });
      assert.deepEqual((await historyOf(w, 'pend-1')).events, []);
      assert.equal((await historyOf(w, 'pend-1')).sentinel, undefined);

      const r = await getRow(w.names.instancesTable, 'pend-1', '');
      typed(r, 'RuntimeStatus', 'String', 'Pending');
      typed(r, 'Name', 'String', 'HelloCities');
      typed(r, 'Version', 'String', '');
      typed(r, 'Input', 'String', '["Paris"]');
      typed(r, 'CreatedTime', 'DateTime', '2025-06-01T07:59:00.1230000Z');
      typed(r, 'LastUpdatedTime', 'DateTime');
      typed(r, 'ExecutionId', 'String', written.executionId);
      typed(r, 'Generation', 'Int32', '0');
      typed(r, 'Tags', 'String', 'null');
      typed(r, 'TaskHubName', 'String', w.hubName);
      absent(r, 'CustomStatus', 'Output', 'CompletedTime', 'ScheduledStartTime');

      const queue = controlQueueFor(w.hubName, 'pend-1', 4);
      assert.equal(written.startMessage?.queue, queue);
      const peeked = await w.queue(queue).peekMessages({ numberOfMessages: 32 });
      assert.equal(peeked.peekedMessageItems.length, 1);
      const body = peeked.peekedMessageItems[0].messageText;
      assert.ok(!body.startsWith('{'), 'Base64, not raw JSON');
      const message = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as {
        $type: string;
        TaskMessage: { Event: Record<string, unknown>; OrchestrationInstance: { InstanceId: string; ExecutionId: string } };
      };
      assert.equal(message.$type, 'DurableTask.AzureStorage.MessageData');
      assert.equal(message.TaskMessage.Event.$type, 'DurableTask.Core.History.ExecutionStartedEvent');
      assert.equal(message.TaskMessage.Event.Input, '["Paris"]');
      assert.equal(message.TaskMessage.Event.Generation, 0);
      assert.equal(message.TaskMessage.OrchestrationInstance.ExecutionId, written.executionId);
      assert.equal(dotnetDateTime(String(message.TaskMessage.Event.Timestamp)), val(r, 'CreatedTime'), 'message Timestamp = CreatedTime');
    });

    it('Pending with a ScheduledStartTime stores it as DateTime', async () => {
      const w = await hub();
      await w.writeInstance({ instanceId: 'pend-sched', name: 'Nightly', createdTime: NOW, scheduledStartTime: '2025-06-01T09:00:00Z', enqueueStartMessage: false });
      const r = await getRow(w.names.instancesTable, 'pend-sched', '');
      typed(r, 'ScheduledStartTime', 'DateTime', '2025-06-01T09:00:00.0000000Z');
      absent(r, 'Input');
    });

    it('a sub-orchestration has ParentInstance JSON and no Generation on its row', async () => {
      const w = await hub();
      const { parent, child } = await writeParentWithFailedChild(w, 'par-1', 'par-1:0', NOW);
      const started = (await historyOf(w, 'par-1:0')).events[1];
      assert.deepEqual(JSON.parse(val(started, 'ParentInstance') ?? ''), {
        Name: 'ProcessBatch',
        OrchestrationInstance: { InstanceId: 'par-1', ExecutionId: parent.executionId },
        TaskScheduleId: 0,
        Version: '',
      });
      absent(started, 'Generation');
      const childRow = await getRow(w.names.instancesTable, 'par-1:0', '');
      typed(childRow, 'RuntimeStatus', 'String', 'Failed');
      absent(childRow, 'Generation');
      typed(childRow, 'ExecutionId', 'String', child.executionId);
      const parentEvents = (await historyOf(w, 'par-1')).events;
      const created = parentEvents.find((r) => val(r, 'EventType') === 'SubOrchestrationInstanceCreated') as Raw;
      typed(created, 'InstanceId', 'String', 'par-1:0');
      typed(created, 'EventId', 'Int32', '0');
      const failed = parentEvents.find((r) => val(r, 'EventType') === 'SubOrchestrationInstanceFailed') as Raw;
      typed(failed, 'TaskScheduledId', 'Int32', '0');
      typed(failed, 'FailureDetails', 'String', 'null');
      assert.match(val(failed, 'Details') ?? '', /StackTraceString/);
      typed(await getRow(w.names.instancesTable, 'par-1', ''), 'RuntimeStatus', 'String', 'Failed');
    });

    it('an entity: Name = the entity id, SchedulerState input, EntityStatus custom status', async () => {
      const w = await hub();
      const written = await w.writeEntity({ name: 'Counter', key: 'k1', state: '5', lastModified: NOW });
      assert.equal(written.instanceId, '@counter@k1');
      const r = await getRow(w.names.instancesTable, '@counter@k1', '');
      typed(r, 'Name', 'String', '@counter@k1');
      typed(r, 'RuntimeStatus', 'String', 'Running');
      typed(r, 'CustomStatus', 'String', '{"entityExists":true}');
      assert.deepEqual(JSON.parse(val(r, 'Input') ?? ''), { state: '5', sorter: {} });
      absent(r, 'Generation');
      const { events } = await historyOf(w, '@counter@k1');
      assert.deepEqual(events.map((e) => val(e, 'EventType')), ['OrchestratorStarted', 'ExecutionStarted', 'OrchestratorCompleted']);
    });
  });

  describe('large values', () => {
    it('history properties over 60 KB go to gzip blobs named by a *BlobName column; Instances holds their URLs', async () => {
      const w = await hub();
      const written = await writeLargePayloads(w, 'big/1', NOW);
      const pk = 'big^01';
      const { events } = await historyOf(w, pk);
      const started = events[1];
      typed(started, 'Input', 'String', '');
      const inputBlob = val(started, 'InputBlobName') ?? '';
      assert.match(inputBlob, /^big\^01\/history-0000000000000001-ExecutionStarted-[0-9A-F]{8}-Input\.json\.gz$/);
      assert.equal(await gunzipBlob(w, inputBlob), written.input);

      const taskCompleted = events.find((r) => val(r, 'EventType') === 'TaskCompleted') as Raw;
      assert.match(val(taskCompleted, 'ResultBlobName') ?? '', /-TaskCompleted-[0-9A-F]{8}-Result\.json\.gz$/);
      const completed = events.find((r) => val(r, 'EventType') === 'ExecutionCompleted') as Raw;
      typed(completed, 'Result', 'String', '');
      const resultBlob = val(completed, 'ResultBlobName') ?? '';
      assert.equal(await gunzipBlob(w, resultBlob), written.output);
      absent(events[0], 'InputBlobName', 'ResultBlobName');

      const r = await getRow(w.names.instancesTable, pk, '');
      typed(r, 'Input', 'String', w.blobUrl(inputBlob));
      typed(r, 'Output', 'String', w.blobUrl(resultBlob));
      assert.ok(val(r, 'Input')?.startsWith(`${az.blobEndpoint}/${w.names.largeMessagesContainer}/big%5E01/history-`));
      absent(r, 'InputBlobName', 'OutputBlobName');
    });

    it('Pending with a start message over 45 KB: Input is the URL of the offloaded message blob', async () => {
      const w = await hub();
      const input = largeJson('start', 50_000);
      const written = await w.writeInstance({ instanceId: 'big-start', name: 'BigData', input, createdTime: NOW });
      const blobName = written.startMessage?.blobName ?? '';
      assert.match(blobName, /^big-start\/message-[0-9a-f]{32}-ExecutionStarted\.json\.gz$/);
      const r = await getRow(w.names.instancesTable, 'big-start', '');
      typed(r, 'Input', 'String', w.blobUrl(blobName));
      const message = JSON.parse(await gunzipBlob(w, blobName)) as { CompressedBlobName: null; TaskMessage: { Event: { Input: string } } };
      assert.equal(message.CompressedBlobName, null);
      assert.equal(message.TaskMessage.Event.Input, input);
      const peeked = await w.queue(written.controlQueue).peekMessages();
      const wrapper = JSON.parse(Buffer.from(peeked.peekedMessageItems[0].messageText, 'base64').toString('utf8')) as Record<string, unknown>;
      assert.equal(wrapper.CompressedBlobName, blobName);
      assert.equal(wrapper.TaskMessage, null);
    });

    it('Pending with an inline message whose input exceeds the table limit gets Input "" and InputBlobName', async () => {
      const w = await hub();
      const input = largeJson('mid', 35_000);
      const written = await w.writeInstance({ instanceId: 'mid-start', name: 'BigData', input, createdTime: NOW });
      assert.equal(written.startMessage?.blobName, undefined);
      const r = await getRow(w.names.instancesTable, 'mid-start', '');
      typed(r, 'Input', 'String', '');
      const blobName = val(r, 'InputBlobName') ?? '';
      assert.match(blobName, /^mid-start\/history--Input-[0-9A-F]{8}-Input\.json\.gz$/);
      assert.equal(await gunzipBlob(w, blobName), input);
    });
  });

  describe('runtime generations: v2, v1 and legacy rows', () => {
    async function writeStyles(w: HubWriter): Promise<Record<'v2' | 'v1' | 'legacy', string>> {
      const ids = { v2: 'style-v2^1', v1: 'style-v1^1', legacy: 'style-legacy^1' };
      for (const style of ['v2', 'v1', 'legacy'] as const) {
        await w.writeInstance({ instanceId: ids[style], name: 'HelloCities', input: '["x"]', history: chain(NOW), style });
      }
      return ids;
    }

    it('"null" JSON members in v2, absent in v1 and legacy; legacy rows lack the newer columns', async () => {
      const w = await hub();
      const ids = await writeStyles(w);
      const v2 = (await historyOf(w, escapePartitionKey(ids.v2))).events;
      const v1 = (await historyOf(w, escapePartitionKey(ids.v1))).events;
      const legacy = (await historyOf(w, ids.legacy)).events;
      assert.equal(legacy.length, 20, 'legacy rows use the raw id as PartitionKey');
      assert.equal((await historyOf(w, escapePartitionKey(ids.legacy))).events.length, 0);

      typed(v2[1], 'ParentInstance', 'String', 'null');
      typed(v2[2], 'Tags', 'String', 'null');
      absent(v1[1], 'ParentInstance', 'Tags', 'ParentTraceContext');
      absent(v1[2], 'Tags', 'ParentTraceContext');
      typed(v1[1], 'Generation', 'Int32', '0');
      absent(legacy[1], 'ParentInstance', 'Tags', 'ParentTraceContext', 'Generation', 'GenerateNewTrace');
      typed(legacy[1], 'OrchestrationInstance', 'String');
      const legacyCompleted = legacy.find((r) => val(r, 'EventType') === 'ExecutionCompleted') as Raw;
      absent(legacyCompleted, 'FailureDetails');
      typed(legacyCompleted, 'OrchestrationStatus', 'String', 'Completed');

      const s2 = (await historyOf(w, escapePartitionKey(ids.v2))).sentinel as Raw;
      const s1 = (await historyOf(w, escapePartitionKey(ids.v1))).sentinel as Raw;
      const sl = (await historyOf(w, ids.legacy)).sentinel as Raw;
      typed(s2, 'IsCheckpointComplete', 'Boolean', 'true');
      typed(s1, 'IsCheckpointComplete', 'Boolean', 'true');
      assert.deepEqual(Object.keys(sl).filter((k) => /^[A-Z_]/.test(k)), ['ExecutionId']);

      const i1 = await getRow(w.names.instancesTable, escapePartitionKey(ids.v1), '');
      for (const c of ['CustomStatus', 'Tags']) {
        typed(i1, c, 'String', 'null');
      }
      typed(i1, 'Generation', 'Int32', '0');
      typed(i1, 'TaskHubName', 'String', w.hubName);
      typed(i1, 'CompletedTime', 'DateTime');
      const il = await getRow(w.names.instancesTable, ids.legacy, '');
      absent(il, 'Generation', 'TaskHubName', 'CompletedTime', 'Tags', 'CustomStatus');
      typed(il, 'RuntimeStatus', 'String', 'Completed');
      typed(il, 'Output', 'String', '["done"]');
    });

    it('legacy Pending rows have only the 1.4.x start columns', async () => {
      const w = await hub();
      await w.writeInstance({ instanceId: 'legacy-pending', name: 'Old', input: '1', createdTime: NOW, style: 'legacy' });
      const r = await getRow(w.names.instancesTable, 'legacy-pending', '');
      assert.deepEqual(
        Object.keys(r).filter((k) => /^[A-Z]/.test(k)).sort(),
        ['CreatedTime', 'Input', 'LastUpdatedTime', 'Name', 'RuntimeStatus', 'Version'],
      );
    });

    it('legacy large values use lower-cased 1.4.x blob names', async () => {
      const w = await hub();
      const output = largeJson('legacy', 40_000);
      const h = new HistoryBuilder(NOW);
      h.orchestratorStarted();
      h.executionStarted();
      h.executionCompleted('Completed', output);
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: 'Legacy-Big', name: 'Old', history: h, style: 'legacy' });
      const completed = (await historyOf(w, 'Legacy-Big')).events[2];
      const blobName = val(completed, 'ResultBlobName');
      assert.equal(blobName, 'legacy-big/history-0000000000000002-executioncompleted-result.json.gz');
      assert.equal(await gunzipBlob(w, blobName ?? ''), output);
      typed(await getRow(w.names.instancesTable, 'Legacy-Big', ''), 'Output', 'String', w.blobUrl(blobName ?? ''));
    });

    it('the blob layout hub writes v1 rows by default', async () => {
      const w = await hub({ layout: 'blob' });
      assert.equal(w.style, 'v1');
      await w.writeInstance({ instanceId: 'v1-default', name: 'X', history: chain(NOW) });
      absent((await historyOf(w, 'v1-default')).events[1], 'ParentInstance');
    });
  });

  describe('ContinueAsNew leftovers and rewind', () => {
    it('a shorter new execution leaves the older execution\'s higher rows in place', async () => {
      const w = await hub();
      const written = await writeContinueAsNewWithLeftovers(w, 'eternal-1', NOW);
      const { events, sentinel } = await historyOf(w, 'eternal-1');
      assert.equal(events.length, 8);
      assert.deepEqual(
        events.map((r) => val(r, 'ExecutionId')),
        [0, 1, 2, 3].map(() => written.executionId).concat([4, 5, 6, 7].map(() => written.previousExecutionId)),
      );
      assert.deepEqual(events.slice(4).map((r) => r.rowKey), written.leftoverRowKeys);
      typed(sentinel as Raw, 'ExecutionId', 'String', written.executionId);
      absent(events[1], 'Generation');
      assert.equal(JSON.parse(val(events[1], 'Input') ?? '').iteration, 2);
      const r = await getRow(w.names.instancesTable, 'eternal-1', '');
      typed(r, 'ExecutionId', 'String', written.executionId);
      typed(r, 'RuntimeStatus', 'String', 'Running');
      typed(r, 'Generation', 'Int32', '0');
    });

    it('writeInstance over an existing longer history overwrites from RowKey 0 without deleting', async () => {
      const w = await hub();
      const first = await w.writeInstance({ instanceId: 'restart-1', name: 'X', history: chain(NOW) });
      const h = new HistoryBuilder(NOW);
      h.orchestratorStarted();
      h.executionStarted();
      h.orchestratorCompleted();
      const second = await w.writeInstance({ instanceId: 'restart-1', name: 'X', history: h, generation: 1 });
      const { events, sentinel } = await historyOf(w, 'restart-1');
      assert.equal(events.length, 20);
      assert.equal(events.filter((r) => val(r, 'ExecutionId') === second.executionId).length, 3);
      assert.equal(events.filter((r) => val(r, 'ExecutionId') === first.executionId).length, 17);
      typed(sentinel as Raw, 'ExecutionId', 'String', second.executionId);
      typed(events[1], 'Generation', 'Int32', '1');
      typed(await getRow(w.names.instancesTable, 'restart-1', ''), 'Generation', 'Int32', '1');
    });

    it('rewound rows are GenericEvent rows with Reason "Rewound: <type>" that keep their old columns', async () => {
      const w = await hub();
      await writeRewound(w, 'rew-1', NOW);
      const { events } = await historyOf(w, 'rew-1');
      const types = events.map((r) => val(r, 'EventType'));
      assert.deepEqual(types, [
        'OrchestratorStarted', 'ExecutionStarted', 'GenericEvent', 'OrchestratorCompleted',
        'OrchestratorStarted', 'GenericEvent', 'GenericEvent', 'OrchestratorCompleted',
        'OrchestratorStarted', 'GenericEvent', 'TaskScheduled', 'OrchestratorCompleted',
        'OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted',
      ]);
      typed(events[2], 'Reason', 'String', 'Rewound: TaskScheduled');
      typed(events[2], 'Name', 'String', 'ChargeCard');
      typed(events[2], 'EventId', 'Int32', '0');
      typed(events[5], 'Reason', 'String', 'Rewound: TaskFailed');
      typed(events[5], 'TaskScheduledId', 'Int32', '0');
      assert.match(val(events[5], 'Details') ?? '', /StackTraceString/);
      typed(events[6], 'Reason', 'String', 'Rewound: ExecutionCompleted');
      typed(events[6], 'OrchestrationStatus', 'String', 'Failed');
      typed(events[9], 'Data', 'String', 'Retry after gateway fix');
      absent(events[9], 'Reason');
      typed(events[10], 'EventId', 'Int32', '0');
      typed(events[14], 'EventId', 'Int32', '1');
      typed(await getRow(w.names.instancesTable, 'rew-1', ''), 'RuntimeStatus', 'String', 'Completed');
    });

    it('a rewound SubOrchestrationInstanceCreated keeps its EventType and gets the Reason', async () => {
      const w = await hub();
      const h = new HistoryBuilder(NOW);
      h.orchestratorStarted();
      h.executionStarted();
      h.rewind(h.subOrchestrationCreated('Child', 'rew-child'));
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: 'rew-parent', name: 'P', history: h, runtimeStatus: 'Pending' });
      const row = (await historyOf(w, 'rew-parent')).events[2];
      typed(row, 'EventType', 'String', 'SubOrchestrationInstanceCreated');
      typed(row, 'Reason', 'String', 'Rewound: SubOrchestrationInstanceCreated');
      typed(await getRow(w.names.instancesTable, 'rew-parent', ''), 'RuntimeStatus', 'String', 'Pending');
    });
  });

  describe('queues', () => {
    it('enqueue sends Base64 bodies by default and raw JSON on request', async () => {
      const w = await hub();
      const q = w.controlQueues[2];
      await w.enqueue(q, '{"a":1}');
      await w.enqueue(q, '{"b":2}', { encoding: 'raw' });
      const texts = (await w.queue(q).peekMessages({ numberOfMessages: 2 })).peekedMessageItems.map((m) => m.messageText);
      assert.deepEqual(texts, [Buffer.from('{"a":1}').toString('base64'), '{"b":2}']);
    });
  });

  describe('the standard sample hub', () => {
    it('writes one instance per scenario and returns their ids', async () => {
      const w = await hub();
      const index = await writeStandardHub(w, { now: NOW });
      assert.deepEqual(Object.keys(index.byStatus).sort(), ['Canceled', 'Completed', 'ContinuedAsNew', 'Failed', 'Pending', 'Running', 'Suspended', 'Terminated']);
      assert.deepEqual(index.byStatus.Pending.sort(), [index.pending, index.pendingLargeInput, index.scheduled].sort());
      assert.equal(index.all.length, new Set(index.all).size);
      for (const id of index.all) {
        const key = id === index.legacy ? id : escapePartitionKey(id);
        const row = await getRow(w.names.instancesTable, key, '');
        assert.equal(val(row, 'RuntimeStatus'), index.written[id].runtimeStatus, id);
        const { events } = await historyOf(w, key);
        if (val(row, 'RuntimeStatus') === 'Pending') {
          assert.equal(events.length, 0, `${id} (Pending) has no history`);
        } else {
          assert.ok(events.length >= 3, `${id} has history`);
          assert.equal(val(row, 'CreatedTime'), val(events[1], '_Timestamp'), `${id}: CreatedTime = ExecutionStarted timestamp`);
        }
      }
      assert.equal(val(await getRow(w.names.instancesTable, index.failed, ''), 'RuntimeStatus'), 'Failed');
      const failedEvents = (await historyOf(w, index.failed)).events;
      assert.match(val(failedEvents.find((r) => val(r, 'EventType') === 'TaskFailed') as Raw, 'Details') ?? '', /at Contoso\.Orders\.Activities\.ChargeCard/);
      const isolated = await getRow(w.names.instancesTable, index.failedWithFailureDetails, '');
      assert.match(val(isolated, 'Output') ?? '', /^Microsoft\.DurableTask\.TaskFailedException: Task 'ChargeCard'/);
      const child = (await historyOf(w, escapePartitionKey(index.child))).events[1];
      assert.equal(JSON.parse(val(child, 'ParentInstance') ?? '').OrchestrationInstance.InstanceId, index.parent);
      const legacy = await getRow(w.names.instancesTable, index.legacy, '');
      absent(legacy, 'TaskHubName');
      const entity = await getRow(w.names.instancesTable, index.entity, '');
      typed(entity, 'Name', 'String', '@counter@sample');
      const pendingLarge = await getRow(w.names.instancesTable, index.pendingLargeInput, '');
      assert.match(val(pendingLarge, 'Input') ?? '', /\/message-[0-9a-f]{32}-ExecutionStarted\.json\.gz$/);
      typed(await getRow(w.names.instancesTable, index.scheduled, ''), 'ScheduledStartTime', 'DateTime', '2025-06-01T09:00:00.0000000Z');
      const leftovers = (await historyOf(w, index.continueAsNewLeftovers)).events;
      assert.equal(new Set(leftovers.map((r) => val(r, 'ExecutionId'))).size, 2);
    });

    it('is deterministic for a given now', async () => {
      const a = await writeStandardHub(await hub(), { now: NOW });
      const b = await writeStandardHub(await hub(), { now: NOW });
      for (const id of a.all) {
        const ra = a.written[id].instanceRow;
        const rb = b.written[id].instanceRow;
        for (const c of ['CreatedTime', 'LastUpdatedTime', 'CompletedTime', 'ExecutionId', 'RuntimeStatus', 'CustomStatus']) {
          assert.deepEqual(ra[c], rb[c], `${id}.${c}`);
        }
      }
    });
  });
});
