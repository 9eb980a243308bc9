// Every writing command, run through the CLI against a real Azurite, with storage read back:
// the queue message a real runtime would dequeue, the table rows, the blobs — and that nothing
// else was touched.
import assert from 'node:assert/strict';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TaskHub } from '../../src/core';
import { CancelledError, createStorageClients, openTaskHub, purgeInstances } from '../../src/core';
import { escapePartitionKey } from '../../src/core/format/keys';
import { controlQueueFor } from '../../src/core/format/partition';
import { hubResourceNames } from '../../src/core/format/names';
import { gunzip } from '../../src/core/format/payload';
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';
import { writeStandardHub } from '../../tools/seed/sampleHubs';
import type { StandardHubIndex } from '../../tools/seed/sampleHubs';
import { sharedAzurite } from './setup';
import { jsonOf, runCli } from '../support/cli';
import type { CliResult } from '../support/cli';

interface CliRun extends CliResult {
  json: <T = Record<string, unknown>>() => T;
}

/** The CLI, in-process, against the shared Azurite through AzureWebJobsStorage. */
async function durable(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const r = await runCli(args, { env: { AzureWebJobsStorage: sharedAzurite().connectionString, ...env } });
  return { ...r, json: <T>() => jsonOf<T>(r) };
}

function table(name: string): TableClient {
  return TableClient.fromConnectionString(sharedAzurite().connectionString, name, { allowInsecureConnection: true });
}
function queues(): QueueServiceClient {
  return QueueServiceClient.fromConnectionString(sharedAzurite().connectionString);
}
function blobs(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(sharedAzurite().connectionString);
}

interface DecodedMessage {
  body: string;
  json: {
    $type: string;
    ActivityId: string;
    CompressedBlobName: string | null;
    Sender: { InstanceId: string; ExecutionId: string };
    TaskMessage: {
      Event: Record<string, unknown> & { $type: string; EventType: number };
      OrchestrationInstance: { InstanceId: string; ExecutionId: string | null };
    } | null;
  };
  expiresOn?: Date;
}

/** Every message on the queue, Base64-decoded (what the runtime's queue client reads). */
async function peekAll(queue: string): Promise<DecodedMessage[]> {
  const r = await queues().getQueueClient(queue).peekMessages({ numberOfMessages: 32 });
  return r.peekedMessageItems.map((m) => {
    const body = Buffer.from(m.messageText, 'base64').toString('utf8');
    return { body, json: JSON.parse(body) as DecodedMessage['json'], expiresOn: m.expiresOn };
  });
}

async function clearQueues(hub: string, partitions = 4): Promise<void> {
  for (let i = 0; i < partitions; i++) {
    await queues().getQueueClient(`${hub.toLowerCase()}-control-${String(i).padStart(2, '0')}`).clearMessages();
  }
}

async function instanceRow(hub: string, id: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await table(`${hub}Instances`).getEntity(escapePartitionKey(id), '', { disableTypeConversion: true })) as Record<string, unknown>;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) {
      return undefined;
    }
    throw e;
  }
}

function cell(row: Record<string, unknown> | undefined, column: string): unknown {
  const v = row?.[column] as { value?: unknown } | undefined;
  return v && typeof v === 'object' && 'value' in v ? v.value : v;
}

async function historyRows(hub: string, id: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const r of table(`${hub}History`).listEntities({ queryOptions: { filter: `PartitionKey eq '${escapePartitionKey(id).replace(/'/g, "''")}'` } })) {
    rows.push(r as Record<string, unknown>);
  }
  return rows;
}

async function blobNames(hub: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of blobs().getContainerClient(hubResourceNames(hub).largeMessagesContainer).listBlobsFlat()) {
    names.push(b.name);
  }
  return names.sort();
}

/** Everything in a hub's tables and large-message blobs, for before/after comparisons. */
async function snapshot(hub: string): Promise<string[]> {
  const out: string[] = [];
  for (const t of [`${hub}Instances`, `${hub}History`]) {
    for await (const r of table(t).listEntities()) {
      const { etag: _etag, timestamp: _ts, ...rest } = r as Record<string, unknown>;
      out.push(`${t}|${JSON.stringify(rest)}`);
    }
  }
  for (const b of await blobNames(hub)) {
    out.push(`blob|${b}`);
  }
  return out.sort();
}

const NOW = new Date('2026-11-20T12:00:00.000Z');

describe('CLI writes (integration)', function () {
  this.timeout(60_000);

  describe('start-new', () => {
    const HUB = 'WriteStart';
    before(async () => {
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: NOW });
      await writeStandardHub(w, { now: NOW });
      await clearQueues(HUB);
    });

    it('enqueues the ExecutionStarted message the runtime dedupes against, then writes a matching Pending row', async () => {
      const r = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Hello', '--id', 'start-1', '--input', '{"city":"Paris"}', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json().instanceId, 'start-1');

      const queue = controlQueueFor(HUB, 'start-1', 4);
      const messages = await peekAll(queue);
      assert.equal(messages.length, 1);
      const { json, expiresOn } = messages[0];
      assert.equal(json.$type, 'DurableTask.AzureStorage.MessageData');
      assert.deepEqual(json.Sender, { InstanceId: '', ExecutionId: '' });
      assert.ok(expiresOn && expiresOn.getUTCFullYear() >= 9999, 'TTL -1: never expires');
      const event = json.TaskMessage!.Event;
      assert.equal(event.$type, 'DurableTask.Core.History.ExecutionStartedEvent');
      assert.equal(event.EventType, 0);
      assert.equal(event.Name, 'Hello');
      assert.equal(event.Input, '{"city":"Paris"}');
      assert.equal(event.Generation, 0);

      const row = await instanceRow(HUB, 'start-1');
      assert.equal(cell(row, 'RuntimeStatus'), 'Pending');
      assert.equal(cell(row, 'Name'), 'Hello');
      assert.equal(cell(row, 'Input'), '{"city":"Paris"}');
      assert.equal(cell(row, 'ExecutionId'), json.TaskMessage!.OrchestrationInstance.ExecutionId);
      assert.equal(cell(row, 'Generation'), '0');
      assert.equal(cell(row, 'TaskHubName'), HUB);
      assert.equal(cell(row, 'Tags'), 'null');
      assert.equal(cell(row, 'Version'), '');
      assert.equal(new Date(String(cell(row, 'CreatedTime'))).getTime(), new Date(String(event.Timestamp)).getTime(), 'CreatedTime = event Timestamp');
      assert.equal((row?.CreatedTime as { type: string }).type, 'DateTime');
      assert.equal((row?.Generation as { type: string }).type, 'Int32');
    });

    it('generates a 32-hex id and routes by FNV-1a', async () => {
      const r = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Hello', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const id = r.json<{ instanceId: string }>().instanceId;
      assert.match(id, /^[0-9a-f]{32}$/);
      const messages = await peekAll(controlQueueFor(HUB, id, 4));
      assert.ok(messages.some((m) => m.json.TaskMessage?.OrchestrationInstance.InstanceId === id));
    });

    it('refuses to overwrite a running instance and sends nothing; --force overwrites with the next Generation', async (): Promise<void> => {
      const id = 'sample-running';
      await clearQueues(HUB);
      const refused = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Hello', '--id', id]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /already exists and is Running/);
      assert.equal((await peekAll(controlQueueFor(HUB, id, 4))).length, 0, 'nothing enqueued');
      assert.equal(cell(await instanceRow(HUB, id), 'RuntimeStatus'), 'Running');

      const forced = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Hello', '--id', id, '--force', '--yes']);
      assert.equal(forced.code, 0, forced.stderr);
      const row = await instanceRow(HUB, id);
      assert.equal(cell(row, 'RuntimeStatus'), 'Pending');
      assert.equal(cell(row, 'Generation'), '1');
      assert.equal(cell(row, 'CustomStatus'), undefined, 'Replace drops the old execution columns');
    });

    it('restarts a completed id without --force (the runtime would too)', async () => {
      const r = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Again', '--id', 'sample-completed', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(cell(await instanceRow(HUB, 'sample-completed'), 'Name'), 'Again');
    });

    it('offloads a start message over 45 KB to a gzip blob and stores its URL as Input', async () => {
      const input = JSON.stringify({ blob: 'x'.repeat(50_000) });
      const r = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Big', '--id', 'big-start', '--input', input]);
      assert.equal(r.code, 0, r.stderr);
      const [message] = (await peekAll(controlQueueFor(HUB, 'big-start', 4))).filter((m) => m.json.CompressedBlobName?.startsWith('big-start/'));
      assert.ok(message, 'wrapper message on the control queue');
      assert.equal(message.json.TaskMessage, null);
      assert.match(message.json.CompressedBlobName!, /^big-start\/message-[0-9a-f]{32}-ExecutionStarted\.json\.gz$/);
      const blob = await blobs().getContainerClient('writestart-largemessages').getBlobClient(message.json.CompressedBlobName!).downloadToBuffer();
      const full = JSON.parse((await gunzip(blob)).toString('utf8'));
      assert.equal(full.TaskMessage.Event.Input, input);
      const row = await instanceRow(HUB, 'big-start');
      assert.match(String(cell(row, 'Input')), /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/writestart-largemessages\/big-start\/message-/);

      const status = await durable(['get-runtime-status', '--task-hub-name', HUB, '--id', 'big-start', '--show-input', '--json']);
      assert.deepEqual(status.json().input, JSON.parse(input), 'the input reads back from the blob');
    });

    it('moves an input that fits the queue but not a table property to InputBlobName', async () => {
      const input = JSON.stringify('y'.repeat(35_000)); // > 60 KB as UTF-16, < 45 KB as UTF-8
      const r = await durable(['start-new', '--task-hub-name', HUB, '--function-name', 'Mid', '--id', 'mid-start', '--input', input]);
      assert.equal(r.code, 0, r.stderr);
      const row = await instanceRow(HUB, 'mid-start');
      assert.equal(cell(row, 'Input'), '');
      assert.match(String(cell(row, 'InputBlobName')), /^mid-start\/history--Input-[0-9A-F]{8}-Input\.json\.gz$/);
      const status = await durable(['get-runtime-status', '--task-hub-name', HUB, '--id', 'mid-start', '--show-input', '--json']);
      assert.equal(status.json().input, 'y'.repeat(35_000));
    });

    it('rejects bad input without writing anything', async () => {
      const before = await snapshot(HUB);
      const cases: [string[], RegExp][] = [
        [['--function-name', 'X', '--id', 'bad/id'], /must not contain/],
        [['--function-name', 'X', '--id', '@entity@id'], /must not start with '@'/],
        [['--function-name', 'X', '--input', '@/does/not/exist.json'], /does\/not\/exist\.json/],
        [['--id', 'no-name'], /function-name/],
      ];
      for (const [args, message] of cases) {
        const r = await durable(['start-new', '--task-hub-name', HUB, ...args]);
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, message);
      }
      assert.deepEqual(await snapshot(HUB), before);
    });
  });

  describe('raise-event, terminate, suspend, resume', () => {
    const HUB = 'WriteControl';
    let index: StandardHubIndex;
    before(async () => {
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: NOW });
      index = await writeStandardHub(w, { now: NOW });
    });
    beforeEach(() => clearQueues(HUB));

    async function onlyMessage(id: string): Promise<DecodedMessage['json']> {
      const messages = (await peekAll(controlQueueFor(HUB, id, 4))).filter((m) => m.json.TaskMessage?.OrchestrationInstance.InstanceId === id);
      assert.equal(messages.length, 1);
      return messages[0].json;
    }

    it('raise-event sends EventRaised with JSON data to any execution', async () => {
      const r = await durable(['raise-event', '--task-hub-name', HUB, '--id', index.running, '--event-name', 'Approval', '--event-data', '{"ok":true}']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Raised event 'Approval' to instance 'sample-running'/);
      const m = await onlyMessage(index.running);
      assert.equal(m.TaskMessage!.Event.$type, 'DurableTask.Core.History.EventRaisedEvent');
      assert.equal(m.TaskMessage!.Event.EventType, 15);
      assert.equal(m.TaskMessage!.Event.Name, 'Approval');
      assert.equal(m.TaskMessage!.Event.Input, '{"ok":true}');
      assert.equal(m.TaskMessage!.OrchestrationInstance.ExecutionId, null);
      assert.deepEqual(m.Sender, { InstanceId: '', ExecutionId: '' });
    });

    it('raise-event takes non-JSON text as a JSON string', async () => {
      const r = await durable(['raise-event', '--task-hub-name', HUB, '--id', index.running, '--event-name', 'Note', '--event-data', 'hello']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await onlyMessage(index.running)).TaskMessage!.Event.Input, '"hello"');
    });

    it('raise-event to a completed instance is refused and sends nothing, unless --force', async () => {
      const refused = await durable(['raise-event', '--task-hub-name', HUB, '--id', index.completed, '--event-name', 'E']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /is Completed/);
      assert.equal((await peekAll(controlQueueFor(HUB, index.completed, 4))).length, 0);
      const forced = await durable(['raise-event', '--task-hub-name', HUB, '--id', index.completed, '--event-name', 'E', '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      await onlyMessage(index.completed);
    });

    it('terminate sends ExecutionTerminated with the raw reason', async () => {
      const r = await durable(['terminate', '--task-hub-name', HUB, '--id', index.running, '--reason', 'stopped by user']);
      assert.equal(r.code, 0, r.stderr);
      const e = (await onlyMessage(index.running)).TaskMessage!.Event;
      assert.equal(e.$type, 'DurableTask.Core.History.ExecutionTerminatedEvent');
      assert.equal(e.EventType, 3);
      assert.equal(e.Input, 'stopped by user');
      assert.equal(e.EventId, -1);
    });

    it('terminate with --wait times out clearly when no host processes the message', async () => {
      const r = await durable(['terminate', '--task-hub-name', HUB, '--id', index.pending, '--wait', '1']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /did not terminate within 1 second/);
    });

    it('suspend and resume send their events; resume of a running instance is refused', async () => {
      const s = await durable(['suspend', '--task-hub-name', HUB, '--id', index.running, '--reason', 'maintenance']);
      assert.equal(s.code, 0, s.stderr);
      const se = (await onlyMessage(index.running)).TaskMessage!.Event;
      assert.equal(se.$type, 'DurableTask.Core.History.ExecutionSuspendedEvent');
      assert.equal(se.EventType, 19);
      assert.equal(se.Reason, 'maintenance');

      const r = await durable(['resume', '--task-hub-name', HUB, '--id', index.suspended]);
      assert.equal(r.code, 0, r.stderr);
      const re = (await onlyMessage(index.suspended)).TaskMessage!.Event;
      assert.equal(re.$type, 'DurableTask.Core.History.ExecutionResumedEvent');
      assert.equal(re.EventType, 20);
      assert.equal(re.Reason, null);

      const refused = await durable(['resume', '--task-hub-name', HUB, '--id', index.running]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /only Suspended/);
    });

    it('an unknown instance is an error and sends nothing', async () => {
      for (const command of ['terminate', 'suspend', 'resume', 'raise-event', 'rewind', 'restart']) {
        const r = await durable([command, '--task-hub-name', HUB, '--id', 'nope', ...(command === 'raise-event' ? ['--event-name', 'E'] : [])]);
        assert.equal(r.code, 1, command);
        assert.match(r.stderr, /^error: Could not find an orchestration instance with id 'nope'/, command);
      }
      for (let i = 0; i < 4; i++) {
        assert.equal((await peekAll(`writecontrol-control-0${i}`)).length, 0);
      }
    });

    it('routes to the partition count stored in a blob-layout hub', async () => {
      const hub = 'WriteSix';
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: hub, partitionCount: 6, layout: 'blob', now: NOW });
      const h = new HistoryBuilder(NOW);
      h.orchestratorStarted();
      h.executionStarted({ name: 'Six', input: null });
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: 'abc', history: h });
      const r = await durable(['terminate', '--task-hub-name', hub, '--id', 'abc']);
      assert.equal(r.code, 0, r.stderr);
      // FNV-1a("abc") = 440920331; % 6 = 5 (and % 4 would have been 3).
      assert.equal((await peekAll('writesix-control-05')).length, 1);
      assert.equal((await peekAll('writesix-control-03')).length, 0);
    });
  });

  describe('rewind', () => {
    const HUB = 'WriteRewind';
    let index: StandardHubIndex;
    before(async () => {
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: NOW });
      index = await writeStandardHub(w, { now: NOW });
      await clearQueues(HUB);
    });

    it('rewrites the failure rows, sets Pending and wakes the failed instance', async () => {
      const before = await historyRows(HUB, index.failed);
      const failedTask = before.find((r) => r.EventType === 'TaskFailed')!;
      const scheduled = before.find((r) => r.EventType === 'TaskScheduled' && r.EventId === failedTask.TaskScheduledId)!;
      const r = await durable(['rewind', '--task-hub-name', HUB, '--id', index.failed, '--reason', 'fixed', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.json().messagedInstanceIds, [index.failed]);

      const after = new Map((await historyRows(HUB, index.failed)).map((row) => [row.rowKey as string, row]));
      assert.equal(after.get(failedTask.rowKey as string)!.EventType, 'GenericEvent');
      assert.equal(after.get(failedTask.rowKey as string)!.Reason, 'Rewound: TaskFailed');
      assert.equal(after.get(scheduled.rowKey as string)!.EventType, 'GenericEvent');
      assert.equal(after.get(scheduled.rowKey as string)!.Reason, 'Rewound: TaskScheduled');
      assert.equal(after.get(scheduled.rowKey as string)!.Name, scheduled.Name, 'other columns kept');
      const completed = [...after.values()].find((row) => row.Reason === 'Rewound: ExecutionCompleted');
      assert.ok(completed, 'the failed ExecutionCompleted row is rewritten');
      assert.equal(completed.EventType, 'GenericEvent');
      assert.equal(after.get('sentinel')!.ExecutionId, before.find((x) => x.rowKey === 'sentinel')!.ExecutionId, 'sentinel untouched');
      assert.equal(cell(await instanceRow(HUB, index.failed), 'RuntimeStatus'), 'Pending');

      const messages = await peekAll(controlQueueFor(HUB, index.failed, 4));
      const wake = messages.find((m) => m.json.TaskMessage?.OrchestrationInstance.InstanceId === index.failed);
      assert.ok(wake);
      assert.equal(wake.json.TaskMessage!.Event.$type, 'DurableTask.Core.History.GenericEvent');
      assert.equal(wake.json.TaskMessage!.Event.EventType, 17);
      assert.equal(wake.json.TaskMessage!.Event.Data, 'fixed');
    });

    it('recurses into a failed sub-orchestration and wakes only the failed leaf', async () => {
      const r = await durable(['rewind', '--task-hub-name', HUB, '--id', index.parent, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const result = r.json<{ rewoundInstanceIds: string[]; messagedInstanceIds: string[] }>();
      assert.deepEqual([...result.rewoundInstanceIds].sort(), [index.child, index.parent].sort());
      assert.deepEqual(result.messagedInstanceIds, [index.child]);

      const parentRows = await historyRows(HUB, index.parent);
      const created = parentRows.find((row) => row.Reason === 'Rewound: SubOrchestrationInstanceCreated');
      assert.ok(created);
      assert.equal(created.EventType, 'SubOrchestrationInstanceCreated', 'the parent keeps the child it created');
      assert.ok(parentRows.some((row) => row.Reason === 'Rewound: SubOrchestrationInstanceFailed' && row.EventType === 'GenericEvent'));
      assert.equal(cell(await instanceRow(HUB, index.parent), 'RuntimeStatus'), 'Pending');
      assert.equal(cell(await instanceRow(HUB, index.child), 'RuntimeStatus'), 'Pending');
      const parentMessages = (await peekAll(controlQueueFor(HUB, index.parent, 4))).filter((m) => m.json.TaskMessage?.OrchestrationInstance.InstanceId === index.parent);
      assert.equal(parentMessages.length, 0, 'the parent resumes when its child completes');
    });

    it('refuses to rewind an instance that is not Failed', async () => {
      const before = await snapshot(HUB);
      const r = await durable(['rewind', '--task-hub-name', HUB, '--id', index.completed]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /only Failed instances can be rewound/);
      assert.deepEqual(await snapshot(HUB), before);
    });
  });

  describe('restart', () => {
    const HUB = 'WriteRestart';
    let index: StandardHubIndex;
    before(async () => {
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: NOW });
      index = await writeStandardHub(w, { now: NOW });
      await clearQueues(HUB);
    });

    it('starts the same orchestrator with the same input under a new id', async () => {
      const original = await instanceRow(HUB, index.completed);
      const r = await durable(['restart', '--task-hub-name', HUB, '--id', index.completed, '--new-id', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const id = r.json<{ instanceId: string }>().instanceId;
      assert.notEqual(id, index.completed);
      const row = await instanceRow(HUB, id);
      assert.equal(cell(row, 'Name'), cell(original, 'Name'));
      assert.equal(cell(row, 'Input'), cell(original, 'Input'));
      assert.equal(cell(row, 'RuntimeStatus'), 'Pending');
      assert.equal(cell(await instanceRow(HUB, index.completed), 'RuntimeStatus'), 'Completed', 'the original is untouched');
    });

    it('restarts a large-input instance under its own id with the input from the blob', async () => {
      const r = await durable(['restart', '--task-hub-name', HUB, '--id', index.largePayloads, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const status = await durable(['get-runtime-status', '--task-hub-name', HUB, '--id', index.largePayloads, '--show-input', '--json']);
      const written = index.written[index.largePayloads];
      const startRow = written.historyRows.find((row) => row.EventType === 'ExecutionStarted')!;
      assert.equal(status.json().runtimeStatus, 'Pending');
      assert.equal(cell(await instanceRow(HUB, index.largePayloads), 'Generation'), '1');
      assert.ok(JSON.stringify(status.json().input).length > 30_000, 'the large input was carried over');
      assert.ok(startRow);
    });

    it('refuses to restart a running instance under its own id without --force', async () => {
      const r = await durable(['restart', '--task-hub-name', HUB, '--id', index.running]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /already exists and is Running/);
    });
  });

  describe('purge-history', () => {
    const HUB = 'WritePurge';
    let index: StandardHubIndex;
    let writer: HubWriter;
    before(async () => {
      writer = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: NOW });
      index = await writeStandardHub(writer, { now: NOW });
    });

    it('purges one instance: every history row, its blobs and its row, and not a longer id sharing its prefix', async () => {
      const big = 'z'.repeat(40_000);
      for (const id of ['order1', 'order10']) {
        const h = new HistoryBuilder(NOW);
        h.orchestratorStarted();
        h.executionStarted({ name: 'Order', input: JSON.stringify(big) });
        h.executionCompleted('Completed', JSON.stringify(big));
        h.orchestratorCompleted();
        await writer.writeInstance({ instanceId: id, history: h });
      }
      const blobsBefore = await blobNames(HUB);
      assert.ok(blobsBefore.some((b) => b.startsWith('order1/')) && blobsBefore.some((b) => b.startsWith('order10/')));

      const r = await durable(['purge-history', '--task-hub-name', HUB, '--id', 'order1', '--yes', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const result = r.json<{ instancesDeleted: number; rowsDeleted: number; blobsDeleted: number }>();
      assert.equal(result.instancesDeleted, 1);
      assert.equal(result.rowsDeleted, 5, '4 events + sentinel');
      assert.ok(result.blobsDeleted >= 2);
      assert.equal(await instanceRow(HUB, 'order1'), undefined);
      assert.equal((await historyRows(HUB, 'order1')).length, 0);
      const blobsAfter = await blobNames(HUB);
      assert.ok(!blobsAfter.some((b) => b.startsWith('order1/')));
      assert.deepEqual(blobsAfter.filter((b) => b.startsWith('order10/')), blobsBefore.filter((b) => b.startsWith('order10/')));
      assert.equal(cell(await instanceRow(HUB, 'order10'), 'RuntimeStatus'), 'Completed');
      assert.equal((await historyRows(HUB, 'order10')).length, 5);
    });

    it('purges the rows of every execution, ContinueAsNew leftovers included', async () => {
      const id = index.continueAsNewLeftovers;
      assert.ok((await historyRows(HUB, id)).length > index.written[id].historyRows.length + 1, 'fixture has leftovers');
      const refused = await durable(['purge-history', '--task-hub-name', HUB, '--id', id, '--yes']);
      assert.equal(refused.code, 1, 'it is Running');
      assert.match(refused.stderr, /--force/);
      const r = await durable(['purge-history', '--task-hub-name', HUB, '--id', id, '--force', '--yes']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await historyRows(HUB, id)).length, 0);
      assert.equal(await instanceRow(HUB, id), undefined);
    });

    it('purges a legacy instance stored under its raw key', async () => {
      const r = await durable(['purge-history', '--task-hub-name', HUB, '--id', index.legacy, '--yes', '--json']);
      assert.equal(r.code, 0, r.stderr);
      let left = 0;
      for await (const _ of table(`${HUB}History`).listEntities({ queryOptions: { filter: `PartitionKey eq '${index.legacy}'` } })) {
        left++;
      }
      assert.equal(left, 0);
      assert.equal((await durable(['get-runtime-status', '--task-hub-name', HUB, '--id', index.legacy])).code, 1);
    });
  });

  describe('purge-history by filter', () => {
    const HUB = 'WritePurgeAll';
    let index: StandardHubIndex;
    before(async () => {
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: NOW });
      index = await writeStandardHub(w, { now: NOW });
      for (let i = 0; i < 40; i++) {
        const h = new HistoryBuilder(new Date(NOW.getTime() - (i + 1) * 60_000));
        h.orchestratorStarted();
        h.executionStarted({ name: 'Bulk', input: String(i) });
        h.executionCompleted(i % 2 ? 'Completed' : 'Failed', null);
        h.orchestratorCompleted();
        await w.writeInstance({ instanceId: `bulk-${String(i).padStart(2, '0')}`, history: h });
      }
    });

    it('refuses non-terminal statuses and writes nothing', async () => {
      const before = await snapshot(HUB);
      for (const status of ['Running', 'Pending', 'Suspended']) {
        const r = await durable(['purge-history', '--task-hub-name', HUB, '--runtime-status', 'Completed', status, '--yes']);
        assert.equal(r.code, 2, status);
        assert.match(r.stderr, new RegExp(`refused: ${status}`));
      }
      assert.deepEqual(await snapshot(HUB), before);
    });

    it('refuses to run unattended without --yes', async () => {
      const r = await durable(['purge-history', '--task-hub-name', HUB]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /--yes/);
    });

    it('--dry-run counts the matching instances and deletes nothing', async () => {
      const before = await snapshot(HUB);
      const r = await durable(['purge-history', '--task-hub-name', HUB, '--dry-run', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const terminal = ['Completed', 'Failed', 'Canceled', 'Terminated'].flatMap((s) => index.byStatus[s] ?? []).length + 40;
      assert.equal(r.json().matched, terminal);
      assert.deepEqual(await snapshot(HUB), before);
    });

    it('an interrupted purge, re-run, ends with exactly the matching instances gone and the rest intact', async () => {
      const clients = await createStorageClients({ kind: 'connectionString', connectionString: sharedAzurite().connectionString });
      const hub: TaskHub = await openTaskHub({ clients, name: HUB });
      const createdAfter = new Date(NOW.getTime() - 30.5 * 60_000);
      const keep = (await snapshot(HUB)).filter((line) => !/"partitionKey":"bulk-[0-2]\d"/.test(line));

      const controller = new AbortController();
      let progressCalls = 0;
      await assert.rejects(
        purgeInstances(hub, {
          createdAfter,
          statuses: ['Completed', 'Failed'],
          concurrency: 2,
          signal: controller.signal,
          onProgress: () => {
            if (++progressCalls === 5) {
              controller.abort();
            }
          },
        }),
        (e: unknown) => e instanceof CancelledError && (e.partial as { instancesDeleted: number }).instancesDeleted >= 5,
      );
      const partial = await snapshot(HUB);
      assert.ok(partial.some((line) => line.includes('"partitionKey":"bulk-2')), 'the purge was really interrupted');

      const r = await durable(['purge-history', '--task-hub-name', HUB, '--created-after', createdAfter.toISOString(), '--runtime-status', 'Completed', 'Failed', '--yes', '--json']);
      assert.equal(r.code, 0, r.stderr);
      // bulk-00..29 were created in the last 30 minutes; everything else must be exactly as before.
      const after = await snapshot(HUB);
      assert.ok(!after.some((line) => /"partitionKey":"bulk-[0-2]\d"/.test(line)));
      const standardInWindow = index.all.filter((id) => {
        const created = index.written[id].instanceRow.CreatedTime as { value?: string } | Date | undefined;
        const t = created instanceof Date ? created : new Date(String((created as { value?: string })?.value));
        const status = index.written[id].runtimeStatus;
        return t >= createdAfter && (status === 'Completed' || status === 'Failed');
      });
      const expectedKeep = keep.filter((line) => !standardInWindow.some((id) => line.includes(`"partitionKey":${JSON.stringify(escapePartitionKey(id))}`)));
      assert.deepEqual(after.filter((line) => !line.startsWith('blob|')), expectedKeep.filter((line) => !line.startsWith('blob|')));
    });
  });

  describe('delete-task-hub', () => {
    it('deletes every artifact of the hub, control queues beyond its partition count included, and nothing of a prefix-sharing hub', async () => {
      const cs = sharedAzurite().connectionString;
      const a = await HubWriter.create({ connectionString: cs, hubName: 'DelHub', now: NOW });
      await writeStandardHub(a, { now: NOW });
      const b = await HubWriter.create({ connectionString: cs, hubName: 'DelHubTwo', layout: 'blob', partitionCount: 6, now: NOW });
      await writeStandardHub(b, { now: NOW });
      await queues().getQueueClient('delhub-control-09').create(); // left over from a larger partition count
      const otherBefore = await snapshot('DelHubTwo');

      const refused = await durable(['delete-task-hub', '--task-hub-name', 'DelHub']);
      assert.notEqual(refused.code, 0, 'needs --yes when unattended');
      const r = await durable(['delete-task-hub', '--task-hub-name', 'DelHub', '--yes', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /"taskHub": "DelHub"/);

      const tablesLeft: string[] = [];
      for await (const t of TableServiceClient.fromConnectionString(cs, { allowInsecureConnection: true }).listTables()) {
        tablesLeft.push(t.name!);
      }
      assert.ok(!tablesLeft.some((t) => /^DelHub(Instances|History|Partitions)$/.test(t)), tablesLeft.join(','));
      assert.ok(tablesLeft.includes('DelHubTwoInstances') && tablesLeft.includes('DelHubTwoHistory'));

      const queuesLeft: string[] = [];
      for await (const q of queues().listQueues({ prefix: 'delhub' })) {
        queuesLeft.push(q.name);
      }
      assert.ok(!queuesLeft.some((q) => q.startsWith('delhub-')), queuesLeft.join(','));
      assert.equal(queuesLeft.filter((q) => q.startsWith('delhubtwo-control-')).length, 6);

      const containersLeft: string[] = [];
      for await (const c of blobs().listContainers({ prefix: 'delhub' })) {
        containersLeft.push(c.name);
      }
      assert.ok(!containersLeft.some((c) => c.startsWith('delhub-')), containersLeft.join(','));
      assert.ok(containersLeft.includes('delhubtwo-leases') && containersLeft.includes('delhubtwo-largemessages'));
      assert.deepEqual(await snapshot('DelHubTwo'), otherBefore);

      const again = await durable(['delete-task-hub', '--task-hub-name', 'DelHub', '--yes']);
      assert.equal(again.code, 1, 'a deleted hub is not found');
    });
  });
});
