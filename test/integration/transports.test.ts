// THE SHARED SUITE of the two transports (issue 8): one set of operation tests, run once with the
// storage client (core over Azurite) and once with the host client (the HTTP management API the
// local worker serves, itself backed by core over the same Azurite), each on its own task hub, with
// the worker running both hubs' instances. Each run asserts the same expected results; the last
// block then checks that what both runs recorded is equal.
import assert from 'node:assert/strict';
import type { ClientInstanceStatus, HistoryEvent, InstanceClient, JsonValue, Transport } from '../../src/core';
import {
  ConflictError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
  createStorageClients,
  hostInstanceClient,
  openTaskHub,
  storageInstanceClient,
} from '../../src/core';
import { HubWriter } from '../../tools/seed/hubWriter';
import type { ManagementApi } from '../../tools/worker/httpApi';
import { startManagementApi } from '../../tools/worker/httpApi';
import type { Worker } from '../../tools/worker/worker';
import { startWorker } from '../../tools/worker/worker';
import { sharedAzurite } from './setup';
import { rejects } from '../support/assertions';

const TRANSPORTS: readonly Transport[] = ['storage', 'host'];
const HUBS: Record<Transport, string> = { storage: 'TrStorage', host: 'TrHost' };
/** How long to wait for the worker to move an instance on (the machine may be slow). */
const WAIT_MS = 45_000;
const KEY = 'transport-suite-key';
/** Spaces, '+', non-ASCII: encoded in the host's URL path, escaped in storage keys. */
const HELLO_ID = 'hello wörld + 東京';
const UNKNOWN_ID = 'no such instance';
const GUID_N = /^[0-9a-f]{32}$/;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the instance (input and output included) until `done` holds; fails with the last status. */
async function until(client: InstanceClient, instanceId: string, done: (s: ClientInstanceStatus) => boolean, what: string): Promise<ClientInstanceStatus> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const s = await client.getInstance({ instanceId, showInput: true, showOutput: true });
    if (done(s)) {
      return s;
    }
    if (Date.now() > deadline) {
      assert.fail(`${client.transport}: '${instanceId}' did not become ${what} within ${WAIT_MS} ms; last: ${JSON.stringify(s)}`);
    }
    await sleep(200);
  }
}

const is = (runtimeStatus: string) => (s: ClientInstanceStatus) => s.runtimeStatus === runtimeStatus;
const waiting = (s: ClientInstanceStatus): boolean => s.runtimeStatus === 'Running' && s.customStatus === 'Waiting for approval';

/** Every page of the history, `pageSize` at a time. */
async function wholeHistory(client: InstanceClient, instanceId: string, pageSize: number): Promise<{ events: HistoryEvent[]; pages: number }> {
  const events: HistoryEvent[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<InstanceClient['readHistory']>> = await client.readHistory({ instanceId, pageSize, continuationToken: token });
    assert.ok(page.events.length <= pageSize);
    events.push(...page.events);
    token = page.continuationToken;
    pages++;
    assert.ok(pages <= 100, 'history paging ends');
  } while (token);
  return { events, pages };
}

function parsed(value: JsonValue | undefined): JsonValue {
  if (typeof value !== 'string') {
    return value ?? null;
  }
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}

/**
 * What both forms of a history share. Storage returns the History rows as the runtime stored them;
 * the host returns them rewritten by DurableClient (TaskScheduled folded into its TaskCompleted as
 * FunctionName, OrchestratorStarted/Completed dropped, ExecutionStarted.Name renamed FunctionName,
 * results parsed from JSON, no EventId). So compare the event types both keep, in order, with the
 * function name each belongs to (storage: through TaskScheduledId) and the final output.
 */
function historyProjection(events: readonly HistoryEvent[]): { events: Array<[string, string | null]>; output: JsonValue } {
  const folded = new Set(['OrchestratorStarted', 'OrchestratorCompleted', 'TaskScheduled', 'SubOrchestrationInstanceCreated']);
  const scheduled = new Map<unknown, JsonValue | undefined>(events.filter((e) => e.EventType === 'TaskScheduled').map((e) => [e.EventId, e.Name]));
  const kept = events.filter((e) => !folded.has(String(e.EventType)));
  const name = (e: HistoryEvent): string | null => {
    const value = e.FunctionName ?? e.Name ?? scheduled.get(e.TaskScheduledId);
    return typeof value === 'string' ? value : null;
  };
  const completed = kept.find((e) => e.EventType === 'ExecutionCompleted');
  return { events: kept.map((e) => [String(e.EventType), name(e)]), output: parsed(completed?.Result) };
}

/** The fields both transports report alike (the host has no execution id, generation, tags…, and times to the second). */
function shared(s: ClientInstanceStatus): Record<string, JsonValue | undefined> {
  return { instanceId: s.instanceId, name: s.name, runtimeStatus: String(s.runtimeStatus), input: s.input, output: s.output, customStatus: s.customStatus };
}

describe('transports: the same operations over storage and over the HTTP management API', function () {
  this.timeout(120_000);
  let worker: Worker | undefined;
  let api: ManagementApi | undefined;
  const clients = {} as Record<Transport, InstanceClient>;
  const recorded: Record<Transport, Record<string, unknown>> = { storage: {}, host: {} };

  before(async function () {
    const connectionString = sharedAzurite().connectionString;
    for (const hubName of Object.values(HUBS)) {
      await HubWriter.create({ connectionString, hubName, partitionCount: 4 });
    }
    worker = startWorker({ connectionString, taskHubNames: Object.values(HUBS), pollIntervalMs: 100, log: () => undefined });
    api = await startManagementApi({ connectionString, defaultTaskHub: 'TrDefaultUnused' });
    const storage = await createStorageClients({ kind: 'connectionString', connectionString });
    clients.storage = storageInstanceClient(await openTaskHub({ clients: storage, name: HUBS.storage }));
    clients.host = hostInstanceClient({ baseUrl: api.url, taskHub: HUBS.host });
  });

  after(async function () {
    await api?.stop();
    await worker?.stop();
  });

  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, function () {
      const c = (): InstanceClient => clients[transport];
      const record = (name: string, value: unknown): void => {
        recorded[transport][name] = value;
      };

      it('starts HelloCities under an id with spaces, + and unicode, and under a generated id; reads the status with and without input and output', async function () {
        assert.equal(c().transport, transport);
        const started = await c().startNew({ name: 'HelloCities', instanceId: HELLO_ID, input: '["Paris","Rome"]' });
        assert.equal(started.instanceId, HELLO_ID);
        const done = await until(c(), HELLO_ID, is('Completed'), 'Completed');
        assert.deepEqual(shared(done), {
          instanceId: HELLO_ID,
          name: 'HelloCities',
          runtimeStatus: 'Completed',
          input: ['Paris', 'Rome'],
          output: ['Hello Paris!', 'Hello Rome!'],
          customStatus: null,
        });
        assert.match(String(done.createdTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
        assert.ok(String(done.lastUpdatedTime) >= String(done.createdTime));

        const bare = await c().getInstance({ instanceId: HELLO_ID });
        assert.equal('input' in bare, false);
        assert.equal('output' in bare, false);
        const inputOnly = await c().getInstance({ instanceId: HELLO_ID, showInput: true });
        assert.deepEqual([inputOnly.input, 'output' in inputOnly], [['Paris', 'Rome'], false]);

        const generated = await c().startNew({ name: 'HelloCities' });
        assert.match(generated.instanceId, GUID_N);
        const other = await until(c(), generated.instanceId, is('Completed'), 'Completed');
        assert.deepEqual(other.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        record('status', [shared(done), shared(bare), shared(inputOnly), other.input, other.output]);
      });

      it('lists with status, created-time and prefix filters, and pages across pages', async function () {
        for (const id of ['list-a-1', 'list-a-2', 'list-a-3']) {
          await c().startNew({ name: 'HelloCities', instanceId: id, input: '["Oslo"]' });
        }
        await sleep(50);
        const between = new Date();
        await sleep(50);
        for (const id of ['list-b-1', 'list-b-2']) {
          await c().startNew({ name: 'HelloCities', instanceId: id });
        }
        await c().startNew({ name: 'ApprovalWorkflow', instanceId: 'list-c-1', input: '{"timeoutSeconds":3600}' });
        for (const id of ['list-a-1', 'list-a-2', 'list-a-3', 'list-b-1', 'list-b-2']) {
          await until(c(), id, is('Completed'), 'Completed');
        }
        await until(c(), 'list-c-1', waiting, 'waiting for approval');

        const ids = async (query: Parameters<InstanceClient['queryInstances']>[0]): Promise<string[]> => {
          const page = await c().queryInstances({ instanceIdPrefix: 'list-', ...query });
          assert.equal(page.continuationToken, null, 'one page');
          return page.items.map((s) => s.instanceId).sort();
        };
        const all = ['list-a-1', 'list-a-2', 'list-a-3', 'list-b-1', 'list-b-2', 'list-c-1'];
        const results = {
          all: await ids({}),
          completed: await ids({ statuses: ['Completed'] }),
          runningOrFailed: await ids({ statuses: ['Running', 'Failed'] }),
          after: await ids({ createdAfter: between }),
          before: await ids({ createdBefore: between }),
          prefixA: await ids({ instanceIdPrefix: 'list-a' }),
          completedAfter: await ids({ createdAfter: between, statuses: ['Completed'] }),
        };
        assert.deepEqual(results, {
          all,
          completed: ['list-a-1', 'list-a-2', 'list-a-3', 'list-b-1', 'list-b-2'],
          runningOrFailed: ['list-c-1'],
          after: ['list-b-1', 'list-b-2', 'list-c-1'],
          before: ['list-a-1', 'list-a-2', 'list-a-3'],
          prefixA: ['list-a-1', 'list-a-2', 'list-a-3'],
          completedAfter: ['list-b-1', 'list-b-2'],
        });

        const withData = await c().queryInstances({ instanceIdPrefix: 'list-a-1', showInput: true, showOutput: true });
        assert.deepEqual(withData.items.map(shared), [
          { instanceId: 'list-a-1', name: 'HelloCities', runtimeStatus: 'Completed', input: ['Oslo'], output: ['Hello Oslo!'], customStatus: null },
        ]);
        const without = (await c().queryInstances({ instanceIdPrefix: 'list-a-1' })).items[0];
        assert.deepEqual(['input' in without, 'output' in without], [false, false]);

        const seen: string[] = [];
        let token: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<InstanceClient['queryInstances']>> = await c().queryInstances({ instanceIdPrefix: 'list-', pageSize: 2, continuationToken: token });
          assert.ok(page.items.length <= 2, `a page of ${page.items.length}`);
          seen.push(...page.items.map((s) => s.instanceId));
          token = page.continuationToken;
          pages++;
          assert.ok(pages <= 10, 'paging ends');
        } while (token);
        assert.ok(pages >= 3, `${pages} pages`);
        assert.deepEqual([...seen].sort(), all, 'every instance once');
        record('list', { ...results, withData: withData.items.map(shared), paged: [...seen].sort() });
      });

      it('reads the history in pages; the events both forms share, and the output, are the same', async function () {
        const whole = await wholeHistory(c(), HELLO_ID, 1000);
        assert.equal(whole.pages, 1);
        const paged = await wholeHistory(c(), HELLO_ID, 2);
        assert.ok(paged.pages >= 2, `${paged.pages} pages`);
        assert.deepEqual(paged.events, whole.events, 'pages add up to the whole history');
        const projection = historyProjection(whole.events);
        assert.deepEqual(projection, {
          events: [
            ['ExecutionStarted', 'HelloCities'],
            ['TaskCompleted', 'SayHello'],
            ['TaskCompleted', 'SayHello'],
            ['ExecutionCompleted', null],
          ],
          output: ['Hello Paris!', 'Hello Rome!'],
        });
        // The raw forms differ: storage has the scheduling rows, the host folds them away.
        assert.equal(
          whole.events.some((e) => e.EventType === 'TaskScheduled'),
          transport === 'storage',
        );
        record('history', projection);
      });

      it('raises the Approval event that completes an ApprovalWorkflow; raising to a finished instance is a conflict', async function () {
        await c().startNew({ name: 'ApprovalWorkflow', instanceId: 'approval-1', input: '{"timeoutSeconds":3600}' });
        await until(c(), 'approval-1', waiting, 'waiting for approval');
        const raised = await c().raiseEvent({ instanceId: 'approval-1', eventName: 'Approval', eventData: 'true' });
        assert.equal(raised.instanceId, 'approval-1');
        const done = await until(c(), 'approval-1', is('Completed'), 'Completed');
        assert.deepEqual([done.output, done.customStatus], ['Approved', 'Approved']);
        await rejects(c().raiseEvent({ instanceId: 'approval-1', eventName: 'Approval', eventData: 'true' }), ConflictError);
        record('approval', shared(done));
      });

      it('terminates a running instance with its reason; a start over it while it runs and a second terminate are conflicts', async function () {
        await c().startNew({ name: 'ApprovalWorkflow', instanceId: 'terminate-1' });
        await until(c(), 'terminate-1', waiting, 'waiting for approval');
        await rejects(c().startNew({ name: 'ApprovalWorkflow', instanceId: 'terminate-1' }), ConflictError);
        await c().terminateInstance({ instanceId: 'terminate-1', reason: 'no longer needed' });
        const done = await until(c(), 'terminate-1', is('Terminated'), 'Terminated');
        assert.equal(done.output, 'no longer needed');
        await rejects(c().terminateInstance({ instanceId: 'terminate-1' }), ConflictError);
        record('terminate', shared(done));
      });

      it('suspends and resumes; resuming a running instance is a conflict', async function () {
        await c().startNew({ name: 'ApprovalWorkflow', instanceId: 'suspend-1' });
        await until(c(), 'suspend-1', waiting, 'waiting for approval');
        await rejects(c().resumeInstance({ instanceId: 'suspend-1' }), ConflictError);
        await c().suspendInstance({ instanceId: 'suspend-1', reason: 'pause' });
        const suspended = await until(c(), 'suspend-1', is('Suspended'), 'Suspended');
        await c().resumeInstance({ instanceId: 'suspend-1', reason: 'go on' });
        await until(c(), 'suspend-1', is('Running'), 'Running');
        await c().raiseEvent({ instanceId: 'suspend-1', eventName: 'Approval', eventData: '"yes"' });
        const done = await until(c(), 'suspend-1', is('Completed'), 'Completed');
        assert.equal(done.output, 'Approved');
        record('suspend', [shared(suspended), shared(done)]);
      });

      it('rewinds a failed FailsUntilRewound to completion; rewinding a completed instance is a conflict', async function () {
        await c().startNew({ name: 'FailsUntilRewound', instanceId: 'rewind-1' });
        const failed = await until(c(), 'rewind-1', is('Failed'), 'Failed');
        const rewound = await c().rewindInstance({ instanceId: 'rewind-1', reason: 'fixed' });
        assert.equal(rewound.instanceId, 'rewind-1');
        const done = await until(c(), 'rewind-1', is('Completed'), 'Completed');
        assert.equal((done.output as { rewound?: unknown } | null)?.rewound, true);
        await rejects(c().rewindInstance({ instanceId: 'rewind-1' }), ConflictError);
        record('rewind', [failed.runtimeStatus, shared(done)]);
      });

      it('restarts a finished instance under a new id and under its own', async function () {
        const before = await c().getInstance({ instanceId: HELLO_ID });
        const copy = await c().restartInstance({ instanceId: HELLO_ID, newInstanceId: true });
        assert.match(copy.instanceId, GUID_N);
        assert.equal(copy.restartedFrom, HELLO_ID);
        const copied = await until(c(), copy.instanceId, is('Completed'), 'Completed');
        assert.deepEqual([copied.name, copied.input, copied.output], ['HelloCities', ['Paris', 'Rome'], ['Hello Paris!', 'Hello Rome!']]);

        // The new run must start in a later second than the first (the host's times are to the second).
        await sleep(Math.max(0, Date.parse(String(before.createdTime)) + 1100 - Date.now()));
        const same = await c().restartInstance({ instanceId: HELLO_ID });
        assert.deepEqual([same.instanceId, same.restartedFrom], [HELLO_ID, HELLO_ID]);
        const again = await until(c(), HELLO_ID, (s) => s.runtimeStatus === 'Completed' && String(s.createdTime) > String(before.createdTime), 'Completed again');
        assert.deepEqual(again.output, ['Hello Paris!', 'Hello Rome!']);
        record('restart', [shared({ ...copied, instanceId: '(new)' }), shared(again)]);
      });

      it('purges one finished instance; an unfinished one is refused', async function () {
        await c().startNew({ name: 'HelloCities', instanceId: 'purge-1' });
        await until(c(), 'purge-1', is('Completed'), 'Completed');
        const purged = await c().purgeInstance({ instanceId: 'purge-1' });
        assert.equal(purged.instancesDeleted, 1);
        await rejects(c().getInstance({ instanceId: 'purge-1' }), NotFoundError);

        await c().startNew({ name: 'ApprovalWorkflow', instanceId: 'purge-running' });
        await until(c(), 'purge-running', waiting, 'waiting for approval');
        await rejects(c().purgeInstance({ instanceId: 'purge-running' }), ConflictError, (e) => assert.match(e.message, /^Instance 'purge-running' is Running;/));
        assert.equal((await c().getInstance({ instanceId: 'purge-running' })).runtimeStatus, 'Running');
        await c().terminateInstance({ instanceId: 'purge-running' });
        record('purge', purged.instancesDeleted);
      });

      it('purges by filter the finished instances created in a time window, keeping running ones', async function () {
        const from = new Date();
        await sleep(50);
        await c().startNew({ name: 'HelloCities', instanceId: 'pbf-1' });
        await c().startNew({ name: 'HelloCities', instanceId: 'pbf-2' });
        await c().startNew({ name: 'ApprovalWorkflow', instanceId: 'pbf-3' });
        await until(c(), 'pbf-1', is('Completed'), 'Completed');
        await until(c(), 'pbf-2', is('Completed'), 'Completed');
        await until(c(), 'pbf-3', waiting, 'waiting for approval');
        await sleep(50);
        const to = new Date();

        const completed = await c().purgeInstances({ createdAfter: from, createdBefore: to, statuses: ['Completed'] });
        assert.equal(completed.instancesDeleted, 2);
        await rejects(c().getInstance({ instanceId: 'pbf-1' }), NotFoundError);
        await rejects(c().getInstance({ instanceId: 'pbf-2' }), NotFoundError);
        assert.equal((await c().getInstance({ instanceId: 'pbf-3' })).runtimeStatus, 'Running');
        const none = await c().purgeInstances({ createdAfter: from, createdBefore: to, statuses: ['Completed'] });
        assert.equal(none.instancesDeleted, 0);

        await rejects(c().purgeInstances({ createdAfter: from, createdBefore: to, statuses: ['Running'] }), ValidationError);
        await c().terminateInstance({ instanceId: 'pbf-3' });
        await until(c(), 'pbf-3', is('Terminated'), 'Terminated');
        const finished = await c().purgeInstances({ createdAfter: from, createdBefore: to });
        assert.equal(finished.instancesDeleted, 1);
        record('purgeByFilter', [completed.instancesDeleted, none.instancesDeleted, finished.instancesDeleted]);
      });

      it('answers an unknown instance with the same NotFoundError for every operation, and refuses an invalid id', async function () {
        const id = UNKNOWN_ID;
        const messages: string[] = [];
        const notFound = (e: NotFoundError): void => {
          messages.push(e.message);
        };
        await rejects(c().getInstance({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().readHistory({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().raiseEvent({ instanceId: id, eventName: 'Approval', eventData: 'true' }), NotFoundError, notFound);
        await rejects(c().terminateInstance({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().suspendInstance({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().resumeInstance({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().rewindInstance({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().restartInstance({ instanceId: id }), NotFoundError, notFound);
        await rejects(c().purgeInstance({ instanceId: id }), NotFoundError, notFound);
        assert.deepEqual(new Set(messages), new Set([`Could not find an orchestration instance with id '${id}'`]));
        await rejects(c().startNew({ name: 'HelloCities', instanceId: 'a/b' }), ValidationError, (e) => assert.equal(e.field, 'id'));
        record('notFound', messages);
      });
    });
  }

  describe('both transports', function () {
    it('recorded the same results for every operation', function () {
      assert.deepEqual(Object.keys(recorded.host).sort(), Object.keys(recorded.storage).sort());
      assert.ok(Object.keys(recorded.storage).length >= 11, Object.keys(recorded.storage).join(', '));
      assert.deepEqual(recorded.host, recorded.storage);
    });
  });

  describe('host with a system key', function () {
    let keyed: ManagementApi | undefined;

    before(async function () {
      keyed = await startManagementApi({ connectionString: sharedAzurite().connectionString, defaultTaskHub: HUBS.host, key: KEY });
    });

    after(async function () {
      await keyed?.stop();
    });

    it('works with the key and is UnauthorizedError without it or with a wrong one', async function () {
      const url = keyed?.url ?? '';
      const status = await hostInstanceClient({ baseUrl: url, code: KEY }).getInstance({ instanceId: HELLO_ID });
      assert.equal(status.runtimeStatus, 'Completed');
      await rejects(hostInstanceClient({ baseUrl: url }).getInstance({ instanceId: HELLO_ID }), UnauthorizedError);
      await rejects(hostInstanceClient({ baseUrl: url, code: 'wrong-key' }).getInstance({ instanceId: HELLO_ID }), UnauthorizedError, (e) =>
        assert.equal(e.message.includes('wrong-key'), false),
      );
    });
  });
});
