// The local worker (tools/worker) against the shared Azurite, driven through the CLI as a user
// with a running function app would: start, raise events, terminate, suspend, resume, rewind,
// purge — and what the runtime leaves in storage (history sequence, sentinel, Instances columns,
// blobs, the messages between orchestrations and activities).
import assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { BlobServiceClient } from '@azure/storage-blob';
import { escapePartitionKey } from '../../src/core/format/keys';
import { controlQueueFor } from '../../src/core/format/partition';
import { normalizeRow } from '../../src/core/storage/rows';
import type { Row } from '../../src/core/storage/rows';
import { HubWriter } from '../../tools/seed/hubWriter';
import { writeStandardHub } from '../../tools/seed/sampleHubs';
import { processOnce, startWorker } from '../../tools/worker/worker';
import type { Worker } from '../../tools/worker/worker';
import { sharedAzurite } from './setup';
import { describeRun, jsonOf, runCli } from '../support/cli';
import type { CliResult } from '../support/cli';

const HUB = 'WkMain';
/** Driven pass by pass with processOnce (no background worker). */
const MANUAL = 'WkManual';
const SEEDED = 'WkSeeded';
const WAIT_MS = 20_000;

interface Status {
  instanceId: string;
  name: string;
  runtimeStatus: string;
  executionId: string | null;
  createdTime: string | null;
  lastUpdatedTime: string | null;
  completedTime: string | null;
  customStatus: unknown;
  input?: unknown;
  output?: unknown;
}

interface HistoryEvent {
  EventType: string;
  EventId: number;
  Timestamp: string;
  [column: string]: unknown;
}

function connectionString(): string {
  return sharedAzurite().connectionString;
}

async function durable(args: string[], hub = HUB): Promise<CliResult> {
  return runCli([...args, '--task-hub-name', hub], { env: { AzureWebJobsStorage: connectionString() } });
}

async function ok(args: string[], hub = HUB): Promise<CliResult> {
  const r = await durable(args, hub);
  assert.equal(r.code, 0, `durable ${args.join(' ')}: ${describeRun(r)}`);
  return r;
}

async function startNew(name: string, o: { id?: string; input?: string; hub?: string; extra?: string[] } = {}): Promise<string> {
  const args = ['start-new', '--function-name', name, '--json', ...(o.id ? ['--id', o.id] : []), ...(o.input !== undefined ? ['--input', o.input] : []), ...(o.extra ?? [])];
  return jsonOf<{ instanceId: string }>(await ok(args, o.hub)).instanceId;
}

async function status(id: string, hub = HUB): Promise<Status> {
  return jsonOf<Status>(await ok(['get-runtime-status', '--id', id, '--show-input', '--show-output', '--json'], hub));
}

async function history(id: string, hub = HUB): Promise<HistoryEvent[]> {
  return jsonOf<{ historyEvents: HistoryEvent[] }>(await ok(['get-history', '--id', id, '--json'], hub)).historyEvents;
}

function types(events: readonly HistoryEvent[]): string[] {
  return events.map((e) => e.EventType);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls the instance (bounded) until `until` holds; fails with the last status seen. */
async function waitFor(id: string, until: (s: Status) => boolean, o: { hub?: string; timeoutMs?: number; what?: string } = {}): Promise<Status> {
  const deadline = Date.now() + (o.timeoutMs ?? WAIT_MS);
  let last: Status | undefined;
  for (;;) {
    last = await status(id, o.hub);
    if (until(last)) {
      return last;
    }
    if (Date.now() > deadline) {
      assert.fail(`Instance '${id}' did not reach ${o.what ?? 'the expected state'} within ${o.timeoutMs ?? WAIT_MS} ms; last: ${JSON.stringify(last)}`);
    }
    await sleep(150);
  }
}

const waitForStatus = (id: string, runtimeStatus: string, hub = HUB): Promise<Status> =>
  waitFor(id, (s) => s.runtimeStatus === runtimeStatus, { hub, what: runtimeStatus });

/** Polls the history until `until` holds (e.g. the orchestrator is waiting on its timer and event). */
async function waitForHistory(id: string, until: (events: HistoryEvent[]) => boolean, hub = HUB): Promise<HistoryEvent[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = await durable(['get-history', '--id', id, '--json'], hub);
    const events = r.code === 0 ? jsonOf<{ historyEvents: HistoryEvent[] }>(r).historyEvents : [];
    if (until(events)) {
      return events;
    }
    if (Date.now() > deadline) {
      assert.fail(`History of '${id}' did not reach the expected state; last: ${types(events).join(', ')}`);
    }
    await sleep(150);
  }
}

function table(name: string): TableClient {
  return TableClient.fromConnectionString(connectionString(), name, { allowInsecureConnection: true });
}

/** A table row as stored: values with their Edm types (DateTimes keep their 100-ns digits). */
async function row(tableName: string, pk: string, rk: string): Promise<Row> {
  return normalizeRow((await table(tableName).getEntity(pk, rk, { disableTypeConversion: true })) as Record<string, unknown>);
}

function cell(r: Row, column: string): unknown {
  return r.columns[column];
}

function edmType(r: Row, column: string): string | undefined {
  return r.types[column];
}

interface PeekedMessage {
  Sender?: { InstanceId: string; ExecutionId: string | null };
  Episode?: number;
  TaskMessage: {
    Event: Record<string, unknown> & { $type: string };
    OrchestrationInstance: { InstanceId: string; ExecutionId: string | null };
    OrchestrationExecutionContext: unknown;
  };
  [k: string]: unknown;
}

async function peek(queue: string): Promise<Array<{ raw: string; json: PeekedMessage }>> {
  const r = await QueueServiceClient.fromConnectionString(connectionString()).getQueueClient(queue).peekMessages({ numberOfMessages: 32 });
  return r.peekedMessageItems.map((m) => {
    const raw = Buffer.from(m.messageText, 'base64').toString('utf8');
    return { raw, json: JSON.parse(raw) as PeekedMessage };
  });
}

/** Runs worker passes over a hub until `until` holds (bounded). */
async function drive(hub: string, until: () => Promise<boolean>, o: { queues?: 'all' | 'control' | 'workitems' } = {}): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await until())) {
    if (Date.now() > deadline) {
      assert.fail(`drive(${hub}): condition not reached within ${WAIT_MS} ms`);
    }
    const handled = await processOnce({ connectionString: connectionString(), taskHubNames: [hub], queues: o.queues, log: () => undefined });
    if (handled === 0) {
      await sleep(100);
    }
  }
}

describe('local worker (tools/worker)', function () {
  this.timeout(60_000);
  let worker: Worker;
  const logs: string[] = [];

  before(async function () {
    for (const hubName of [HUB, MANUAL]) {
      await HubWriter.create({ connectionString: connectionString(), hubName, partitionCount: 4 });
    }
    worker = startWorker({ connectionString: connectionString(), taskHubNames: [HUB], pollIntervalMs: 100, log: (line) => logs.push(line) });
  });

  after(async function () {
    await worker?.stop();
    // WK_LOG=1 prints what the worker did (one line per message).
    if (process.env.WK_LOG) {
      console.log(logs.join('\n'));
    }
  });

  it('runs HelloCities to completion with the runtime event sequence, sentinel and Instances columns', async function () {
    const id = await startNew('HelloCities', { id: 'wk-hello' });
    const done = await waitForStatus(id, 'Completed');
    assert.deepEqual(done.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

    const events = await history(id);
    assert.deepEqual(types(events), [
      'OrchestratorStarted', 'ExecutionStarted', 'TaskScheduled', 'OrchestratorCompleted',
      'OrchestratorStarted', 'TaskCompleted', 'TaskScheduled', 'OrchestratorCompleted',
      'OrchestratorStarted', 'TaskCompleted', 'TaskScheduled', 'OrchestratorCompleted',
      'OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted',
    ]);
    const scheduled = events.filter((e) => e.EventType === 'TaskScheduled');
    assert.deepEqual(scheduled.map((e) => [e.EventId, e.Name, e.Input]), [
      [0, 'SayHello', '["Tokyo"]'],
      [1, 'SayHello', '["Seattle"]'],
      [2, 'SayHello', '["London"]'],
    ]);
    assert.deepEqual(events.filter((e) => e.EventType === 'TaskCompleted').map((e) => [e.TaskScheduledId, e.Result]), [
      [0, '"Hello Tokyo!"'],
      [1, '"Hello Seattle!"'],
      [2, '"Hello London!"'],
    ]);
    const completed = events.find((e) => e.EventType === 'ExecutionCompleted');
    assert.equal(completed?.EventId, 3);
    assert.equal(completed?.OrchestrationStatus, 'Completed');

    // Storage as UpdateStateAsync leaves it.
    const pk = escapePartitionKey(id);
    const sentinel = await row(`${HUB}History`, pk, 'sentinel');
    assert.equal(cell(sentinel, 'ExecutionId'), done.executionId);
    assert.equal(cell(sentinel, 'IsCheckpointComplete'), true);
    assert.equal(edmType(sentinel, 'CheckpointCompletedTimestamp'), 'DateTime');
    const first = await row(`${HUB}History`, pk, '0000000000000000');
    assert.equal(cell(first, 'EventType'), 'OrchestratorStarted');
    assert.equal(edmType(first, '_Timestamp'), 'DateTime');
    const started = await row(`${HUB}History`, pk, '0000000000000001');
    assert.equal(cell(started, 'IsPlayed'), true, 'processed events are marked played');
    assert.equal(cell(started, 'ParentInstance'), 'null');
    assert.equal(edmType(started, 'Generation'), 'Int32');
    const instance = await row(`${HUB}Instances`, pk, '');
    assert.equal(cell(instance, 'RuntimeStatus'), 'Completed');
    assert.equal(cell(instance, 'CustomStatus'), 'null');
    assert.equal(cell(instance, 'TaskHubName'), HUB);
    assert.equal(cell(instance, 'Tags'), 'null');
    assert.equal(cell(instance, 'Output'), '["Hello Tokyo!","Hello Seattle!","Hello London!"]');
    assert.equal(edmType(instance, 'CompletedTime'), 'DateTime');
    assert.equal(cell(instance, 'LastUpdatedTime'), events[events.length - 1].Timestamp);
    assert.equal(cell(instance, 'CreatedTime'), events[1].Timestamp, 'CreatedTime = ExecutionStarted timestamp');
  });

  it('sends activity and response messages as the runtime does (Sender, Episode, $types)', async function () {
    const id = await startNew('HelloCities', { id: 'wk-messages', hub: MANUAL });
    const workItems = `${MANUAL.toLowerCase()}-workitems`;
    await drive(MANUAL, async () => (await peek(workItems)).length > 0, { queues: 'control' });
    const [scheduled] = await peek(workItems);
    const s = await status(id, MANUAL);
    assert.equal(s.runtimeStatus, 'Running');
    const m = scheduled.json;
    assert.ok(scheduled.raw.startsWith('{"$type":"DurableTask.AzureStorage.MessageData","ActivityId":'), scheduled.raw.slice(0, 80));
    assert.equal(m.TaskMessage.Event.$type, 'DurableTask.Core.History.TaskScheduledEvent');
    assert.equal(m.TaskMessage.Event.EventType, 4);
    assert.equal(m.TaskMessage.Event.Name, 'SayHello');
    assert.equal(m.TaskMessage.Event.Input, '["Tokyo"]');
    assert.equal(m.TaskMessage.Event.EventId, 0);
    assert.deepEqual(m.TaskMessage.OrchestrationInstance, { $type: 'DurableTask.Core.OrchestrationInstance', InstanceId: id, ExecutionId: s.executionId });
    assert.deepEqual(m.TaskMessage.OrchestrationExecutionContext, { $type: 'DurableTask.Core.OrchestrationExecutionContext', OrchestrationTags: {} });
    assert.equal(m.Episode, 1);
    assert.deepEqual(m.Sender, { InstanceId: id, ExecutionId: s.executionId });
    assert.ok(!('$type' in (m.Sender as object)));

    // The activity answers on the instance's control queue.
    await drive(MANUAL, async () => (await peek(workItems)).length === 0, { queues: 'workitems' });
    const control = controlQueueFor(MANUAL, id, 4);
    const [reply] = (await peek(control)).filter((x) => x.json.TaskMessage.OrchestrationInstance.InstanceId === id);
    assert.equal(reply.json.TaskMessage.Event.$type, 'DurableTask.Core.History.TaskCompletedEvent');
    assert.equal(reply.json.TaskMessage.Event.TaskScheduledId, 0);
    assert.equal(reply.json.TaskMessage.Event.Result, '"Hello Tokyo!"');
    assert.equal(reply.json.Episode, 1);
    assert.deepEqual(reply.json.Sender, { InstanceId: id, ExecutionId: s.executionId });

    await drive(MANUAL, async () => (await status(id, MANUAL)).runtimeStatus === 'Completed');
  });

  it('terminates a running ApprovalWorkflow: Terminated, the reason as output', async function () {
    const id = await startNew('ApprovalWorkflow', { id: 'wk-terminate', input: '{"amount":100}' });
    await waitForHistory(id, (e) => types(e).includes('TimerCreated'));
    await ok(['terminate', '--id', id, '--reason', 'Stopped by the test']);
    const s = await waitForStatus(id, 'Terminated');
    assert.equal(s.output, 'Stopped by the test');
    assert.ok(s.completedTime, 'CompletedTime is set');
    const events = await history(id);
    assert.deepEqual(types(events).slice(-4), ['OrchestratorStarted', 'ExecutionTerminated', 'ExecutionCompleted', 'OrchestratorCompleted']);
    assert.equal(events[events.length - 3].Input, 'Stopped by the test');
    assert.equal(events[events.length - 2].OrchestrationStatus, 'Terminated');
    assert.equal(events[events.length - 2].Result, 'Stopped by the test');
  });

  it('terminates a Pending instance without history through the Instances row only', async function () {
    // A start scheduled for later: its message stays hidden, so the terminate message arrives alone.
    const id = await startNew('HelloCities', { id: 'wk-terminate-pending', extra: ['--scheduled-start-time', '1h'] });
    assert.equal((await status(id)).runtimeStatus, 'Pending');
    await ok(['terminate', '--id', id, '--reason', 'Never mind']);
    const s = await waitForStatus(id, 'Terminated');
    assert.equal(s.output, 'Never mind');
    assert.ok(s.completedTime);
    const r = await durable(['get-history', '--id', id]);
    assert.match(r.stdout, /has no history events yet/);
    assert.ok(logs.some((l) => l.includes(id) && l.includes('ExecutionTerminated -> Terminated')), logs.join('\n'));
  });

  it('delivers Approval to a waiting ApprovalWorkflow: Completed "Approved"', async function () {
    const id = await startNew('ApprovalWorkflow', { id: 'wk-approve', input: '{"amount":250}' });
    const waiting = await waitForHistory(id, (e) => types(e).includes('TimerCreated'));
    assert.ok(!types(waiting).includes('EventRaised'));
    assert.equal((await status(id)).customStatus, 'Waiting for approval');
    await ok(['raise-event', '--id', id, '--event-name', 'Approval', '--event-data', 'true']);
    const s = await waitForStatus(id, 'Completed');
    assert.equal(s.output, 'Approved');
    assert.equal(s.customStatus, 'Approved');
    const events = await history(id);
    assert.ok(types(events).indexOf('EventRaised') > types(events).indexOf('TimerCreated'));
  });

  it('buffers an event raised before the orchestrator waits for it', async function () {
    // Step the orchestration by hand so the event provably arrives before the wait.
    const id = await startNew('ApprovalWorkflow', { id: 'wk-buffered', input: '{"amount":5}', hub: MANUAL });
    await ok(['raise-event', '--id', id, '--event-name', 'Approval', '--event-data', 'true'], MANUAL);
    await drive(MANUAL, async () => (await status(id, MANUAL)).runtimeStatus === 'Completed');
    const s = await status(id, MANUAL);
    assert.equal(s.output, 'Approved');
    const t = types(await history(id, MANUAL));
    assert.ok(t.indexOf('EventRaised') < t.indexOf('TimerCreated'), `event recorded before the wait: ${t.join(', ')}`);
  });

  it('times out ApprovalWorkflow on its durable timer', async function () {
    const id = await startNew('ApprovalWorkflow', { id: 'wk-timeout', input: '{"timeoutSeconds":1}' });
    const s = await waitForStatus(id, 'Completed');
    assert.equal(s.output, 'Timed out');
    const events = await history(id);
    const created = events.find((e) => e.EventType === 'TimerCreated');
    const fired = events.find((e) => e.EventType === 'TimerFired');
    assert.ok(created && fired);
    assert.equal(fired.TimerId, created.EventId);
    assert.equal(fired.FireAt, created.FireAt);
    // The episode that delivered it started at or after FireAt (its Timestamp is when it was scheduled).
    const episodeStart = events.slice(0, events.indexOf(fired)).reverse().find((e) => e.EventType === 'OrchestratorStarted');
    assert.ok(episodeStart && Date.parse(episodeStart.Timestamp) >= Date.parse(String(created.FireAt)), 'the timer did not fire early');
  });

  it('suspends and resumes: Suspended/Running with the reasons as output; events wait for the resume', async function () {
    const id = await startNew('ApprovalWorkflow', { id: 'wk-suspend', input: '{"amount":1}' });
    await waitForHistory(id, (e) => types(e).includes('TimerCreated'));
    await ok(['suspend', '--id', id, '--reason', 'Maintenance window']);
    let s = await waitForStatus(id, 'Suspended');
    assert.equal(s.output, 'Maintenance window');
    await ok(['resume', '--id', id, '--reason', 'Maintenance over']);
    await waitFor(id, (x) => x.runtimeStatus === 'Running' && x.output === 'Maintenance over', { what: 'Running after resume' });

    await ok(['suspend', '--id', id, '--reason', 'Paused again']);
    await waitForStatus(id, 'Suspended');
    await ok(['raise-event', '--id', id, '--event-name', 'Approval', '--event-data', 'true']);
    await waitForHistory(id, (e) => types(e).includes('EventRaised'));
    await sleep(500);
    s = await status(id);
    assert.equal(s.runtimeStatus, 'Suspended', 'the event is held while suspended');
    assert.equal(s.output, 'Paused again');
    await ok(['resume', '--id', id, '--reason', 'Go on']);
    s = await waitForStatus(id, 'Completed');
    assert.equal(s.output, 'Approved');
    const t = types(await history(id));
    assert.deepEqual(t.filter((x) => x.startsWith('Execution')), [
      'ExecutionStarted', 'ExecutionSuspended', 'ExecutionResumed', 'ExecutionSuspended', 'ExecutionResumed', 'ExecutionCompleted',
    ]);
  });

  it('fails AlwaysFails with .NET-like failure details', async function () {
    const id = await startNew('AlwaysFails', { id: 'wk-fails' });
    const s = await waitForStatus(id, 'Failed');
    assert.equal(
      s.output,
      "Orchestrator function 'AlwaysFails' failed: The activity function 'FailingActivity' failed: \"This activity always fails.\". " +
        'See the function execution logs for additional details.',
    );
    const failed = (await history(id)).find((e) => e.EventType === 'TaskFailed');
    assert.ok(failed);
    assert.equal(failed.Reason, "Activity function 'FailingActivity' failed: This activity always fails.");
    const details = JSON.parse(String(failed.Details)) as Record<string, unknown>;
    assert.equal(details.$type, 'System.InvalidOperationException, System.Private.CoreLib');
    assert.equal(details.Message, 'This activity always fails.');
    assert.match(String(details.StackTraceString), /^ {3}at SampleFunctions\.FailingActivity/);
    const fd = failed.FailureDetails as Record<string, unknown>;
    assert.equal(fd.ErrorType, 'System.InvalidOperationException');
    assert.equal(fd.ErrorMessage, 'This activity always fails.');
  });

  it('rewinds FailsUntilRewound: the failed activity runs again and the instance completes', async function () {
    const id = await startNew('FailsUntilRewound', { id: 'wk-rewind' });
    await waitForStatus(id, 'Failed');
    await ok(['rewind', '--id', id, '--reason', 'Fixed the dependency']);
    const s = await waitForStatus(id, 'Completed');
    assert.deepEqual(s.output, { result: 'Succeeded after rewind', rewound: true });
    const events = await history(id);
    const rewound = events.filter((e) => e.EventType === 'GenericEvent' && typeof e.Reason === 'string');
    assert.deepEqual(rewound.map((e) => e.Reason), ['Rewound: TaskScheduled', 'Rewound: TaskFailed', 'Rewound: ExecutionCompleted']);
    const wakeUp = events.find((e) => e.EventType === 'GenericEvent' && e.Data === 'Fixed the dependency');
    assert.ok(wakeUp, 'the rewind message is recorded');
    const rescheduled = events.filter((e) => e.EventType === 'TaskScheduled');
    assert.deepEqual(rescheduled.map((e) => e.EventId), [0], 'action id 0 is scheduled again');
    assert.deepEqual(types(events).slice(-4), ['OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted']);
  });

  it('discards messages for a finished instance', async function () {
    const id = await startNew('HelloCities', { id: 'wk-finished', input: '["Rome"]' });
    const done = await waitForStatus(id, 'Completed');
    await ok(['raise-event', '--id', id, '--event-name', 'Late', '--event-data', '1', '--force']);
    const deadline = Date.now() + WAIT_MS;
    while (!logs.some((l) => l === `${HUB} ${id} EventRaised -> discarded (instance is Completed)`)) {
      assert.ok(Date.now() < deadline, logs.join('\n'));
      await sleep(100);
    }
    const after = await status(id);
    assert.equal(after.runtimeStatus, 'Completed');
    assert.equal(after.lastUpdatedTime, done.lastUpdatedTime);
    assert.ok(!types(await history(id)).includes('EventRaised'));
  });

  it('continues as new: a new execution replaces the history; the ContinueAsNew episode is not stored', async function () {
    const id = await startNew('Counter', { id: 'wk-continue', input: '{"value":0,"until":3}' });
    const first = await status(id);
    const s = await waitForStatus(id, 'Completed');
    assert.equal(s.output, 3);
    assert.notEqual(s.executionId, first.executionId, 'a new execution id');
    const events = await history(id);
    assert.deepEqual(types(events), [
      'OrchestratorStarted', 'ExecutionStarted', 'OrchestratorCompleted', 'TaskScheduled', 'OrchestratorCompleted',
      'OrchestratorStarted', 'TaskCompleted', 'ExecutionCompleted', 'OrchestratorCompleted',
    ]);
    assert.equal(events[1].Input, '{"value":2,"until":3}');
    assert.equal(events[1].Generation, undefined, 'a ContinueAsNew start has no Generation');
    const instance = await row(`${HUB}Instances`, escapePartitionKey(id), '');
    assert.equal(cell(instance, 'Generation'), 0, 'the Instances row keeps the first Generation (InsertOrMerge)');
    assert.equal(cell(instance, 'ExecutionId'), s.executionId);
    assert.equal(cell(await row(`${HUB}History`, escapePartitionKey(id), 'sentinel'), 'ExecutionId'), s.executionId);
  });

  it('sends an event from one orchestration to another (EventSent)', async function () {
    const target = await startNew('ApprovalWorkflow', { id: 'wk-sent-target', input: '{}' });
    await waitForHistory(target, (e) => types(e).includes('TimerCreated'));
    const sender = await startNew('SendApproval', { id: 'wk-sender', input: JSON.stringify({ instanceId: target, approved: false }) });
    assert.equal((await waitForStatus(target, 'Completed')).output, 'Rejected');
    assert.equal((await waitForStatus(sender, 'Completed')).output, 'sent');
    const sent = (await history(sender)).find((e) => e.EventType === 'EventSent');
    assert.deepEqual([sent?.EventId, sent?.InstanceId, sent?.Name, sent?.Input], [0, target, 'Approval', 'false']);
  });

  it('purges a completed instance', async function () {
    const id = await startNew('HelloCities', { id: 'wk-purge', input: '["Oslo"]' });
    assert.deepEqual((await waitForStatus(id, 'Completed')).output, ['Hello Oslo!']);
    await ok(['purge-history', '--id', id, '--yes']);
    const r = await durable(['get-runtime-status', '--id', id]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /Could not find an orchestration instance with id 'wk-purge'/);
    const rows = table(`${HUB}History`).listEntities({ queryOptions: { filter: `PartitionKey eq '${id}'` } });
    for await (const _ of rows) {
      assert.fail('history rows remain');
    }
  });

  it('fans out and in: FanOutFanIn sums N parallel activities', async function () {
    const id = await startNew('FanOutFanIn', { id: 'wk-fan', input: '6' });
    const s = await waitForStatus(id, 'Completed');
    assert.equal(s.output, 21);
    const events = await history(id);
    assert.equal(events.filter((e) => e.EventType === 'TaskScheduled').length, 6);
    assert.deepEqual(
      events.filter((e) => e.EventType === 'TaskCompleted').map((e) => e.TaskScheduledId).sort(),
      [0, 1, 2, 3, 4, 5],
    );
    // All six were scheduled in the first episode.
    assert.deepEqual(types(events).slice(0, 9), ['OrchestratorStarted', 'ExecutionStarted', ...Array(6).fill('TaskScheduled'), 'OrchestratorCompleted']);
  });

  it('runs MonitorJob on durable timers with progress in the custom status', async function () {
    const id = await startNew('MonitorJob', { id: 'wk-monitor', input: '{"checks":3,"intervalSeconds":1,"jobId":"job-7"}' });
    const s = await waitForStatus(id, 'Completed');
    assert.deepEqual(s.output, { jobId: 'job-7', checks: 3, status: 'done' });
    assert.deepEqual(s.customStatus, { jobId: 'job-7', checks: 3, of: 3, done: true });
    const t = types(await history(id));
    assert.equal(t.filter((x) => x === 'TimerCreated').length, 2);
    assert.equal(t.filter((x) => x === 'TimerFired').length, 2);
    assert.equal(t.filter((x) => x === 'TaskCompleted').length, 3);
  });

  it('fails a parent whose child fails; rewinding the parent completes both', async function () {
    const id = await startNew('ParentOrchestration', { id: 'wk-parent', input: '{"children":2,"failChild":2}' });
    const failed = await waitForStatus(id, 'Failed');
    assert.match(
      String(failed.output),
      /^Orchestrator function 'ParentOrchestration' failed: The orchestrator function 'ChildOrchestration' failed: "The activity function 'ChildWork' failed: \\?"Child item 2 failed validation\.\\?"/,
    );
    assert.equal((await status(`${id}:0`)).runtimeStatus, 'Completed');
    const child = await status(`${id}:1`);
    assert.equal(child.runtimeStatus, 'Failed');
    const childStart = (await history(`${id}:1`)).find((e) => e.EventType === 'ExecutionStarted');
    assert.deepEqual(childStart?.ParentInstance, {
      Name: 'ParentOrchestration',
      OrchestrationInstance: { InstanceId: id, ExecutionId: failed.executionId },
      TaskScheduleId: 1,
      Version: '',
    });
    const parentFailure = (await history(id)).find((e) => e.EventType === 'SubOrchestrationInstanceFailed');
    assert.equal(parentFailure?.TaskScheduledId, 1);
    assert.match(String(parentFailure?.Reason), /^Orchestrator function 'ChildOrchestration' failed: /);

    await ok(['rewind', '--id', id, '--reason', 'retry children']);
    const done = await waitForStatus(id, 'Completed');
    assert.deepEqual(done.output, ['Child 1 done', 'Child 2 done']);
    assert.equal((await status(`${id}:1`)).runtimeStatus, 'Completed');
    assert.equal((await status(`${id}:1`)).output, 'Child 2 done');
  });

  it('checkpoints more than 99 new events in several batches', async function () {
    const id = await startNew('FanOutFanIn', { id: 'wk-fan-wide', input: '120' });
    const s = await waitForStatus(id, 'Completed');
    assert.equal(s.output, (120 * 121) / 2);
    const events = await history(id);
    assert.equal(events.filter((e) => e.EventType === 'TaskScheduled').length, 120);
    assert.equal(events.filter((e) => e.EventType === 'TaskCompleted').length, 120);
    const sentinel = await row(`${HUB}History`, escapePartitionKey(id), 'sentinel');
    assert.equal(cell(sentinel, 'IsCheckpointComplete'), true);
  });

  it('writes a large output (> 60 KB) to a blob and reads it back', async function () {
    const id = await startNew('BigData', { id: 'wk-large', input: '{"outputSize":70000,"activityResultSize":50000}' });
    const s = await waitForStatus(id, 'Completed');
    const output = s.output as { data: string };
    assert.equal(JSON.stringify(output).length, 70_000);
    const instance = await row(`${HUB}Instances`, escapePartitionKey(id), '');
    assert.match(String(cell(instance, 'Output')), /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/wkmain-largemessages\/wk-large\/history-[0-9A-F]{16}-ExecutionCompleted-[0-9A-F]{8}-Result\.json\.gz$/);
    const events = await history(id);
    const completed = events.find((e) => e.EventType === 'ExecutionCompleted');
    assert.equal(JSON.stringify(JSON.parse(String(completed?.Result))).length, 70_000, 'history reads the Result blob back');
    // The 50,000-character activity result: a > 45 KB message (a blob behind a wrapper), then a ResultBlobName row.
    const taskCompleted = events.find((e) => e.EventType === 'TaskCompleted');
    assert.equal(String(taskCompleted?.Result).length, 50_000);
    const blobs: string[] = [];
    for await (const b of BlobServiceClient.fromConnectionString(connectionString()).getContainerClient('wkmain-largemessages').listBlobsFlat({ prefix: `${id}/` })) {
      blobs.push(b.name);
    }
    assert.ok(blobs.some((b) => /^wk-large\/message-[0-9a-f]{32}-TaskCompleted\.json\.gz$/.test(b)), blobs.join(', '));
    assert.ok(blobs.some((b) => /^wk-large\/history-[0-9A-F]{16}-TaskCompleted-[0-9A-F]{8}-Result\.json\.gz$/.test(b)), blobs.join(', '));
  });

  it('fails an unknown orchestrator with the Functions host message', async function () {
    const id = await startNew('NoSuchOrchestrator', { id: 'wk-unknown' });
    const s = await waitForStatus(id, 'Failed');
    assert.match(
      String(s.output),
      /^Orchestrator function 'NoSuchOrchestrator' failed: The function 'NoSuchOrchestrator' doesn't exist, is disabled, or is not an orchestrator function\. Additional info: The following are the known orchestrator functions: 'HelloCities', /,
    );
  });

  it('applies entity signals to a Counter entity', async function () {
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: HUB });
    await w.writeEntity({ name: 'Counter', key: 'wk', state: '5', lastModified: new Date() });
    const id = '@counter@wk';
    const before = await status(id);
    await ok(['raise-event', '--id', id, '--event-name', 'op', '--event-data', '{"op":"add","input":"3","signal":true}']);
    const after = await waitFor(id, (s) => s.executionId !== before.executionId, { what: 'a new entity execution' });
    assert.deepEqual(after.input, { state: '8', sorter: {} });
    assert.deepEqual(after.customStatus, { entityExists: true });
    assert.equal(after.runtimeStatus, 'Running');
    assert.deepEqual(types(await history(id)), ['OrchestratorStarted', 'ExecutionStarted', 'OrchestratorCompleted']);

    await ok(['raise-event', '--id', id, '--event-name', 'op', '--event-data', '{"op":"reset"}']);
    const reset = await waitFor(id, (s) => s.executionId !== after.executionId, { what: 'reset' });
    assert.deepEqual(reset.input, { state: '0', sorter: {} });
  });

  it('logs and deletes a poison message', async function () {
    const queue = QueueServiceClient.fromConnectionString(connectionString()).getQueueClient(`${MANUAL.toLowerCase()}-control-02`);
    await queue.sendMessage(Buffer.from('{"not":"a message', 'utf8').toString('base64'));
    const seen: string[] = [];
    await processOnce({ connectionString: connectionString(), taskHubNames: [MANUAL], log: (l) => seen.push(l) });
    assert.ok(seen.some((l) => /poison message .* deleted/.test(l)), seen.join('\n'));
    assert.equal((await queue.peekMessages()).peekedMessageItems.length, 0);
  });

  it('lets the seeded sample hub progress (Pending starts, rewind of a seeded failure, Approval)', async function () {
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: SEEDED });
    const index = await writeStandardHub(w, { now: new Date() });
    await ok(['raise-event', '--id', index.running, '--event-name', 'Approval', '--event-data', 'true'], SEEDED);
    await ok(['rewind', '--id', index.parent, '--reason', 'SKU fixed'], SEEDED);
    await drive(SEEDED, async () => {
      const [pending, running, parent] = await Promise.all([index.pending, index.running, index.parent].map((id) => status(id, SEEDED)));
      return pending.runtimeStatus === 'Completed' && running.runtimeStatus === 'Completed' && parent.runtimeStatus === 'Completed';
    });
    assert.deepEqual((await status(index.pending, SEEDED)).output, ['Hello Paris!']);
    assert.equal((await status(index.running, SEEDED)).output, 'Approved');
    assert.deepEqual((await status(index.parent, SEEDED)).output, ['valid']);
    assert.equal((await status(index.child, SEEDED)).runtimeStatus, 'Completed');

    // The start message of pendingLargeInput was a blob: read back, run, and its input now
    // offloaded from the ExecutionStarted row (the Instances Input becomes that blob's URL).
    await drive(SEEDED, async () => (await status(index.pendingLargeInput, SEEDED)).runtimeStatus === 'Completed');
    const large = await status(index.pendingLargeInput, SEEDED);
    assert.equal(JSON.stringify(large.input).length, 50_000 - 1);
    const startedRow = await row(`${SEEDED}History`, escapePartitionKey(index.pendingLargeInput), '0000000000000001');
    assert.match(String(cell(startedRow, 'InputBlobName')), /\/history-0000000000000001-ExecutionStarted-[0-9A-F]{8}-Input\.json\.gz$/);
    assert.equal(cell(startedRow, 'Input'), '');
    const instance = await row(`${SEEDED}Instances`, escapePartitionKey(index.pendingLargeInput), '');
    assert.match(String(cell(instance, 'Input')), /\/wkseeded-largemessages\/.*history-0000000000000001-ExecutionStarted-/);
  });
});
