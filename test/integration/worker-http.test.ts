// The local worker's HTTP management API (tools/worker/httpApi.ts) over the shared Azurite, driven
// with fetch as a client of a Functions host would: start and poll the check-status links, list
// with filters and the continuation header, history, raise event, terminate, suspend, resume,
// rewind, restart, purge, and the host's answers to what it refuses (404, 410, 400, 401, 500).
import assert from 'node:assert/strict';
import { createStorageClients, discoverHubNames, getInstance, openTaskHub } from '../../src/core';
import type { StorageClients } from '../../src/core';
import { HubWriter } from '../../tools/seed/hubWriter';
import {
  writeCanceled,
  writeCompletedSequence,
  writeFailedActivity,
  writeRunningApproval,
  writeSuspended,
  writeTerminated,
} from '../../tools/seed/sampleHubs';
import type { ManagementApi } from '../../tools/worker/httpApi';
import { startManagementApi } from '../../tools/worker/httpApi';
import { startWorker } from '../../tools/worker/worker';
import type { Worker } from '../../tools/worker/worker';
import { sharedAzurite } from './setup';

/** Served by the worker: orchestrations started here run. */
const HUB = 'WkHttp';
/** Seeded, not served: statuses stay as written. */
const LIST = 'WkHttpList';
const WEBHOOK = '/runtime/webhooks/durabletask';
const KEY = 'k3y-for-http-tests';
const WAIT_MS = 20_000;
const HOUR = 3600_000;
const CHECK_STATUS_KEYS = ['id', 'statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri'];
const STATUS_KEYS = ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'createdTime', 'lastUpdatedTime'];
const SECONDS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

interface Status {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Array<Record<string, unknown>>;
}

function connectionString(): string {
  return sharedAzurite().connectionString;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('local worker HTTP management API (tools/worker/httpApi)', function () {
  this.timeout(60_000);
  let worker: Worker;
  let api: ManagementApi;
  let keyed: ManagementApi;
  let clients: StorageClients;
  const keyedLog: string[] = [];
  const t0 = new Date(Date.now() - 10 * 24 * HOUR);
  const at = (hours: number): Date => new Date(t0.getTime() + hours * HOUR);

  /** A request to `path` below the webhook (or to a full URL). */
  async function call(method: string, path: string, o: { body?: string; headers?: Record<string, string>; base?: string } = {}): Promise<Reply> {
    const url = /^https?:/.test(path) ? path : `${o.base ?? api.url}${WEBHOOK}/${path}`;
    const r = await fetch(url, { method, body: o.body, headers: o.headers });
    const text = await r.text();
    return { status: r.status, headers: r.headers, text, json: text ? JSON.parse(text) : undefined };
  }

  /** Polls a status URL (bounded) until `until` holds; fails with the last reply. */
  async function poll(url: string, until: (r: Reply) => boolean, what: string): Promise<Reply> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const r = await call('GET', url);
      if (until(r)) {
        return r;
      }
      if (Date.now() > deadline) {
        assert.fail(`${url} did not reach ${what} within ${WAIT_MS} ms; last: ${r.status} ${r.text}`);
      }
      await sleep(150);
    }
  }

  const statusUrl = (id: string, query = ''): string => `${api.url}${WEBHOOK}/instances/${encodeURIComponent(id)}?taskHub=${HUB}${query}`;
  const untilStatus = (runtimeStatus: string) => (r: Reply) => r.json?.runtimeStatus === runtimeStatus;

  async function start(name: string, id: string, input?: unknown): Promise<Reply> {
    const r = await call('POST', `orchestrators/${name}/${encodeURIComponent(id)}`, input === undefined ? {} : { body: JSON.stringify(input), headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 202, r.text);
    return r;
  }

  async function list(query: string, o: { token?: string } = {}): Promise<{ items: Status[]; token: string | null }> {
    const r = await call('GET', `instances?taskHub=${LIST}${query}`, o.token ? { headers: { 'x-ms-continuation-token': o.token } } : {});
    assert.equal(r.status, 200, r.text);
    return { items: r.json as Status[], token: r.headers.get('x-ms-continuation-token') };
  }

  const ids = (items: readonly Status[]): string[] => items.map((s) => s.instanceId).sort();

  before(async function () {
    await HubWriter.create({ connectionString: connectionString(), hubName: HUB, partitionCount: 4 });
    const seeded = await HubWriter.create({ connectionString: connectionString(), hubName: LIST, partitionCount: 4 });
    await writeCompletedSequence(seeded, 'list-a1', at(0));
    await writeCompletedSequence(seeded, 'list-a2', at(1));
    await writeCompletedSequence(seeded, 'list-a3', at(2));
    await writeFailedActivity(seeded, 'list-b1', at(3));
    await writeTerminated(seeded, 'list-b2', at(4));
    await writeRunningApproval(seeded, 'list-c1', at(5));
    await writeSuspended(seeded, 'list-c2', at(6));
    await writeCanceled(seeded, 'list-d1', at(7));
    worker = startWorker({ connectionString: connectionString(), taskHubNames: [HUB], pollIntervalMs: 100, log: () => undefined });
    api = await startManagementApi({ connectionString: connectionString(), defaultTaskHub: HUB });
    keyed = await startManagementApi({ connectionString: connectionString(), defaultTaskHub: HUB, key: KEY, log: (line) => keyedLog.push(line) });
    clients = await createStorageClients({ kind: 'connectionString', connectionString: connectionString() });
  });

  after(async function () {
    await api?.stop();
    await keyed?.stop();
    await worker?.stop();
  });

  it('starts HelloCities with a 202 whose links point at the server, and the status URL answers 202 then 200 with the output', async function () {
    const r = await call('POST', 'orchestrators/HelloCities');
    assert.equal(r.status, 202, r.text);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(Object.keys(r.json), CHECK_STATUS_KEYS);
    const id = r.json.id as string;
    assert.match(id, /^[0-9a-f]{32}$/);
    const base = `${api.url}${WEBHOOK}/instances/${id}`;
    const query = `taskHub=${HUB}&connection=AzureWebJobsStorage`;
    assert.deepEqual(r.json, {
      id,
      statusQueryGetUri: `${base}?${query}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${base}/terminate?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${base}?${query}`,
      restartPostUri: `${base}/restart?${query}`,
      suspendPostUri: `${base}/suspend?reason={text}&${query}`,
      resumePostUri: `${base}/resume?reason={text}&${query}`,
    });
    assert.equal(r.headers.get('location'), r.json.statusQueryGetUri);
    assert.equal(r.headers.get('retry-after'), '10');

    const done = await poll(
      r.json.statusQueryGetUri,
      (s) => {
        if (s.status === 202) {
          // While it runs: Location is the URL polled, Retry-After 5 s.
          assert.equal(s.headers.get('location'), r.json.statusQueryGetUri);
          assert.equal(s.headers.get('retry-after'), '5');
          assert.ok(['Pending', 'Running'].includes(s.json.runtimeStatus), s.text);
        }
        return s.status === 200;
      },
      '200',
    );
    assert.deepEqual(Object.keys(done.json), STATUS_KEYS);
    assert.equal(done.headers.get('location'), null);
    assert.equal(done.headers.get('retry-after'), null);
    assert.equal(done.json.instanceId, id);
    assert.equal(done.json.name, 'HelloCities');
    assert.equal(done.json.runtimeStatus, 'Completed');
    assert.deepEqual(done.json.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    assert.equal(done.json.input, null);
    assert.equal(done.json.customStatus, null);
    assert.match(done.json.createdTime, SECONDS_UTC);
    assert.match(done.json.lastUpdatedTime, SECONDS_UTC);
    assert.ok(done.json.lastUpdatedTime >= done.json.createdTime);
  });

  it('starts with an instance id and a JSON body as input; the history follows showHistory, showHistoryOutput and showInput', async function () {
    await start('HelloCities', 'http-hello', ['Paris', 'Rome']);
    const done = await poll(statusUrl('http-hello'), untilStatus('Completed'), 'Completed');
    assert.deepEqual(done.json.input, ['Paris', 'Rome']);
    assert.deepEqual(done.json.output, ['Hello Paris!', 'Hello Rome!']);
    assert.equal('historyEvents' in done.json, false);

    const plain = (await call('GET', statusUrl('http-hello', '&showHistory=true'))).json as Status;
    const events = plain.historyEvents ?? [];
    assert.deepEqual(
      events.map((e) => e.EventType),
      ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
      'OrchestratorStarted/Completed and TaskScheduled are folded away',
    );
    const [started, first, second, completed] = events;
    assert.equal(started.FunctionName, 'HelloCities');
    assert.equal(started.Input, '["Paris","Rome"]');
    for (const gone of ['Name', 'OrchestrationInstance', 'ParentInstance', 'Version', 'Tags', 'EventId', 'IsPlayed']) {
      assert.equal(gone in started, false, `ExecutionStarted.${gone}`);
    }
    assert.deepEqual([first.FunctionName, first.Input, second.FunctionName, second.Input], ['SayHello', '["Paris"]', 'SayHello', '["Rome"]']);
    for (const e of [first, second]) {
      assert.equal('Result' in e, false, 'no output without showHistoryOutput');
      assert.equal('TaskScheduledId' in e, false);
      assert.match(String(e.ScheduledTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$/);
      assert.ok(String(e.ScheduledTime) <= String(e.Timestamp));
    }
    assert.equal(completed.OrchestrationStatus, 'Completed');
    assert.equal('Result' in completed, false);
    for (const e of events) {
      // Json.NET's DateTime text: trailing zeros of the fraction dropped.
      assert.match(String(e.Timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$/);
    }

    const withOutput = (await call('GET', statusUrl('http-hello', '&showHistory=true&showHistoryOutput=true'))).json as Status;
    const outputs = (withOutput.historyEvents ?? []).filter((e) => 'Result' in e).map((e) => e.Result);
    assert.deepEqual(outputs, ['Hello Paris!', 'Hello Rome!', ['Hello Paris!', 'Hello Rome!']], 'results parsed as JSON');

    const noInput = (await call('GET', statusUrl('http-hello', '&showHistory=true&showInput=false'))).json as Status;
    assert.equal(noInput.input, null);
    assert.deepEqual(
      (noInput.historyEvents ?? []).filter((e) => 'Input' in e),
      [],
    );
  });

  it('lists one page of every instance, each with the status fields, and an empty continuation header on the last page', async function () {
    const { items, token } = await list('');
    assert.deepEqual(ids(items), ['list-a1', 'list-a2', 'list-a3', 'list-b1', 'list-b2', 'list-c1', 'list-c2', 'list-d1']);
    assert.equal(token, '');
    for (const s of items) {
      assert.deepEqual(Object.keys(s), STATUS_KEYS);
      assert.match(s.createdTime, SECONDS_UTC);
    }
    const a1 = items.find((s) => s.instanceId === 'list-a1');
    assert.equal(a1?.createdTime, `${t0.toISOString().slice(0, 19)}Z`);
    assert.deepEqual(a1?.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const c1 = items.find((s) => s.instanceId === 'list-c1');
    assert.deepEqual([c1?.runtimeStatus, c1?.customStatus, c1?.input], ['Running', 'Waiting for approval', { amount: 1250, requestedBy: 'alice' }]);
    const hidden = await list('&showInput=false');
    assert.equal(hidden.items.find((s) => s.instanceId === 'list-c1')?.input, null);
  });

  it('filters a listing by runtimeStatus (comma separated, repeated, numbers), createdTimeFrom/To and instanceIdPrefix', async function () {
    assert.deepEqual(ids((await list('&runtimeStatus=Completed,Failed')).items), ['list-a1', 'list-a2', 'list-a3', 'list-b1']);
    assert.deepEqual(ids((await list('&runtimeStatus=Terminated&runtimeStatus=Canceled')).items), ['list-b2', 'list-d1']);
    // Enum.TryParse takes the number of a member: 5 is Terminated.
    assert.deepEqual(ids((await list('&runtimeStatus=5')).items), ['list-b2']);
    // A number naming no status parses, and matches nothing.
    assert.deepEqual(ids((await list('&runtimeStatus=99')).items), []);
    const from = encodeURIComponent(at(0.5).toISOString());
    const to = encodeURIComponent(at(3.5).toISOString());
    assert.deepEqual(ids((await list(`&createdTimeFrom=${from}&createdTimeTo=${to}`)).items), ['list-a2', 'list-a3', 'list-b1']);
    assert.deepEqual(ids((await list('&instanceIdPrefix=list-a')).items), ['list-a1', 'list-a2', 'list-a3']);
    assert.deepEqual(ids((await list(`&instanceIdPrefix=list-&runtimeStatus=Running,Suspended&createdTimeFrom=${from}`)).items), ['list-c1', 'list-c2']);
  });

  it('ignores filter values the host cannot parse, as the host does, and refuses runtimeStatus=Unknown with 400', async function () {
    const all = ['list-a1', 'list-a2', 'list-a3', 'list-b1', 'list-b2', 'list-c1', 'list-c2', 'list-d1'];
    // Enum.TryParse is case-sensitive; DateTime.TryParse and int.TryParse failures drop the filter.
    assert.deepEqual(ids((await list('&runtimeStatus=completed')).items), all);
    assert.deepEqual(ids((await list('&createdTimeFrom=yesterday&top=many')).items), all);
    const r = await call('GET', `instances?taskHub=${LIST}&runtimeStatus=Unknown`);
    assert.equal(r.status, 400);
    assert.equal(r.json.Message, 'One or more of the arguments submitted is incorrect');
    assert.equal(r.json.ExceptionType, 'System.ArgumentException');
  });

  it('pages a listing with top and the x-ms-continuation-token header', async function () {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page: { items: Status[]; token: string | null } = await list('&top=3', token ? { token } : {});
      assert.ok(page.items.length <= 3, `page of ${page.items.length}`);
      seen.push(...page.items.map((s) => s.instanceId));
      token = page.token;
      pages++;
      assert.ok(pages <= 5, 'paging ends');
    } while (token);
    assert.ok(pages >= 3, `${pages} pages`);
    assert.deepEqual([...seen].sort(), ['list-a1', 'list-a2', 'list-a3', 'list-b1', 'list-b2', 'list-c1', 'list-c2', 'list-d1']);
  });

  it('raises an event that completes an ApprovalWorkflow; refuses other content, bad JSON, unknown and finished instances', async function () {
    await start('ApprovalWorkflow', 'http-approval', { timeoutSeconds: 3600 });
    await poll(statusUrl('http-approval'), (r) => r.json?.customStatus === 'Waiting for approval', 'waiting');
    const raise = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }, id = 'http-approval'): Promise<Reply> =>
      call('POST', `instances/${id}/raiseEvent/Approval?taskHub=${HUB}`, { body, headers });

    const plain = await raise('true', { 'Content-Type': 'text/plain' });
    assert.deepEqual([plain.status, plain.json], [400, { Message: 'Only application/json request content is supported' }]);
    const broken = await raise('{not json');
    assert.equal(broken.status, 400);
    assert.equal(broken.json.Message, 'Invalid JSON content');
    assert.equal(broken.json.ExceptionType, 'Newtonsoft.Json.JsonReaderException');
    assert.equal((await raise('true', undefined, 'http-no-such-instance')).status, 404);

    const sent = await raise('true', { 'Content-Type': 'application/json; charset=utf-8' });
    assert.deepEqual([sent.status, sent.text], [202, '']);
    const done = await poll(statusUrl('http-approval'), (r) => r.status === 200, 'completed');
    assert.deepEqual([done.json.runtimeStatus, done.json.output], ['Completed', 'Approved']);
    assert.deepEqual([(await raise('true')).status, (await raise('true')).text], [410, '']);
  });

  it('terminates a running instance with a reason; 410 once finished, 404 when unknown; a start over it while running is refused', async function () {
    await start('ApprovalWorkflow', 'http-terminate');
    const again = await call('POST', 'orchestrators/ApprovalWorkflow/http-terminate');
    assert.equal(again.status, 500);
    assert.equal(again.json.Message, 'Something went wrong while processing your request');
    assert.equal(again.json.ExceptionType, 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException');
    assert.match(again.json.ExceptionMessage, /^An Orchestration instance with the status (Pending|Running) already exists\.$/);

    // The query is decoded as .NET's WebUtility.UrlDecode does: '+' and %20 are both spaces.
    const r = await call('POST', `instances/http-terminate/terminate?reason=no+longer%20needed&taskHub=${HUB}`);
    assert.deepEqual([r.status, r.text], [202, '']);
    const done = await poll(statusUrl('http-terminate'), untilStatus('Terminated'), 'Terminated');
    assert.equal(done.status, 200);
    assert.equal(done.json.output, 'no longer needed');
    assert.equal((await call('POST', `instances/http-terminate/terminate?taskHub=${HUB}`)).status, 410);
    assert.equal((await call('POST', `instances/http-no-such-instance/terminate?taskHub=${HUB}`)).status, 404);
    assert.equal((await call('GET', 'instances/http-no-such-instance')).status, 404);
  });

  it('suspends and resumes; suspend of a Suspended and resume of a Running instance fail as the host does (500)', async function () {
    await start('ApprovalWorkflow', 'http-suspend');
    await poll(statusUrl('http-suspend'), untilStatus('Running'), 'Running');
    const early = await call('POST', `instances/http-suspend/resume?taskHub=${HUB}`);
    assert.equal(early.status, 500);
    assert.equal(early.json.ExceptionType, 'System.InvalidOperationException');
    assert.equal(early.json.ExceptionMessage, 'Cannot resume the orchestration instance http-suspend because instance is in the Running state.');

    assert.equal((await call('POST', `instances/http-suspend/suspend?reason=pause&taskHub=${HUB}`)).status, 202);
    const suspended = await poll(statusUrl('http-suspend'), untilStatus('Suspended'), 'Suspended');
    assert.equal(suspended.status, 202, 'Suspended is still in progress');
    assert.equal((await call('POST', `instances/http-suspend/suspend?taskHub=${HUB}`)).status, 500);

    assert.equal((await call('POST', `instances/http-suspend/resume?reason=go&taskHub=${HUB}`)).status, 202);
    await poll(statusUrl('http-suspend'), untilStatus('Running'), 'Running again');
    await call('POST', `instances/http-suspend/raiseEvent/Approval?taskHub=${HUB}`, { body: '"approved"', headers: { 'Content-Type': 'application/json' } });
    const done = await poll(statusUrl('http-suspend'), (r) => r.status === 200, 'completed');
    assert.equal(done.json.output, 'Approved');
    assert.equal((await call('POST', `instances/http-suspend/suspend?taskHub=${HUB}`)).status, 410);
  });

  it('rewinds a failed FailsUntilRewound to completion; a Failed status is 200, or 500 with returnInternalServerErrorOnFailure', async function () {
    await start('FailsUntilRewound', 'http-rewind');
    const failed = await poll(statusUrl('http-rewind'), untilStatus('Failed'), 'Failed');
    assert.equal(failed.status, 200);
    const strict = await call('GET', statusUrl('http-rewind', '&returnInternalServerErrorOnFailure=true'));
    assert.equal(strict.status, 500);
    assert.deepEqual([strict.json.instanceId, strict.json.runtimeStatus], ['http-rewind', 'Failed']);

    assert.deepEqual([(await call('POST', `instances/http-rewind/rewind?reason=fixed&taskHub=${HUB}`)).status], [202]);
    const done = await poll(statusUrl('http-rewind'), untilStatus('Completed'), 'Completed');
    assert.equal(done.status, 200);
    assert.equal((await call('POST', `instances/http-rewind/rewind?taskHub=${HUB}`)).status, 410);
  });

  it('restarts a finished instance under a new id (default) or the same one; an unknown id is a 400', async function () {
    const copy = await call('POST', `instances/http-hello/restart?taskHub=${HUB}`);
    assert.equal(copy.status, 202, copy.text);
    assert.deepEqual(Object.keys(copy.json), CHECK_STATUS_KEYS);
    assert.notEqual(copy.json.id, 'http-hello');
    const copied = await poll(copy.json.statusQueryGetUri, (r) => r.status === 200, 'completed');
    assert.deepEqual([copied.json.name, copied.json.input, copied.json.output], ['HelloCities', ['Paris', 'Rome'], ['Hello Paris!', 'Hello Rome!']]);

    const hub = await openTaskHub({ clients, name: HUB });
    const before = await getInstance(hub, 'http-hello');
    const same = await call('POST', `instances/http-hello/restart?restartWithNewInstanceId=false&taskHub=${HUB}`);
    assert.equal(same.status, 202, same.text);
    assert.equal(same.json.id, 'http-hello');
    await poll(statusUrl('http-hello'), (r) => r.status === 200, 'completed');
    const after = await getInstance(hub, 'http-hello');
    assert.notEqual(after.executionId, before.executionId, 'a new execution');

    const unknown = await call('POST', `instances/http-no-such-instance/restart?taskHub=${HUB}`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.Message, 'InstanceId does not match a valid orchestration instance.');
    assert.equal(unknown.json.ExceptionType, 'System.ArgumentException');
  });

  it('purges one instance (200 with the count, then 404)', async function () {
    await start('HelloCities', 'http-purge');
    await poll(statusUrl('http-purge'), (r) => r.status === 200, 'completed');
    const r = await call('DELETE', `instances/http-purge?taskHub=${HUB}`);
    assert.deepEqual([r.status, r.json], [200, { instancesDeleted: 1 }]);
    assert.equal((await call('GET', statusUrl('http-purge'))).status, 404);
    assert.equal((await call('DELETE', `instances/http-purge?taskHub=${HUB}`)).status, 404);
  });

  it('purges by filter: createdTimeFrom required, runtimeStatus honoured, 404 when nothing matched, running instances kept', async function () {
    const missing = await call('DELETE', `instances?taskHub=${LIST}&runtimeStatus=Completed`);
    assert.deepEqual([missing.status, missing.json], [400, "Please provide value for 'createdTimeFrom' parameter."]);
    const from = encodeURIComponent(at(-1).toISOString());
    const completed = await call('DELETE', `instances?taskHub=${LIST}&createdTimeFrom=${from}&runtimeStatus=Completed`);
    assert.deepEqual([completed.status, completed.json], [200, { instancesDeleted: 3 }]);
    assert.equal((await call('DELETE', `instances?taskHub=${LIST}&createdTimeFrom=${from}&runtimeStatus=Completed`)).status, 404);
    const finished = await call('DELETE', `instances?taskHub=${LIST}&createdTimeFrom=${from}`);
    assert.deepEqual([finished.status, finished.json], [200, { instancesDeleted: 3 }]);
    assert.deepEqual(ids((await list('')).items), ['list-c1', 'list-c2']);
  });

  it('answers an unknown task hub as an empty one, and creates it on a start, as the host does', async function () {
    const empty = await call('GET', 'instances?taskHub=WkHttpNoSuchHub');
    assert.deepEqual([empty.status, empty.json, empty.headers.get('x-ms-continuation-token')], [200, [], '']);
    assert.equal((await call('GET', 'instances/x?taskHub=WkHttpNoSuchHub')).status, 404);
    assert.equal((await discoverHubNames(clients)).includes('WkHttpNoSuchHub'), false, 'reads create nothing');

    const started = await call('POST', 'orchestrators/HelloCities/http-new-hub?taskHub=WkHttpCreated');
    assert.equal(started.status, 202, started.text);
    assert.ok(started.json.statusQueryGetUri.includes('taskHub=WkHttpCreated&'));
    assert.ok((await discoverHubNames(clients)).includes('WkHttpCreated'));
    // Not served by this test's worker: it stays Pending, with no history to show.
    const pending = await call('GET', `${started.json.statusQueryGetUri}&showHistory=true`);
    assert.deepEqual([pending.status, pending.json.runtimeStatus, 'historyEvents' in pending.json], [202, 'Pending', false]);
  });

  it('refuses bad starts as the host does: invalid JSON, unknown orchestrator, invalid id, unknown connection', async function () {
    const json = await call('POST', 'orchestrators/HelloCities', { body: '[1,', headers: { 'Content-Type': 'application/json' } });
    assert.deepEqual([json.status, json.json.Message, json.json.ExceptionType], [400, 'Invalid JSON content', 'Newtonsoft.Json.JsonReaderException']);
    const unknown = await call('POST', 'orchestrators/NoSuchOrchestrator');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.Message, 'One or more of the arguments submitted is incorrect');
    assert.match(unknown.json.ExceptionMessage, /^The function 'NoSuchOrchestrator' doesn't exist, is disabled, or is not an orchestrator function\. .*'HelloCities'/);
    const entityId = await call('POST', `orchestrators/HelloCities/${encodeURIComponent('@counter@x')}`);
    assert.equal(entityId.status, 400);
    assert.match(entityId.json.ExceptionMessage, /must not start with @/);
    const connection = await call('GET', 'instances?connection=OtherStorage');
    assert.equal(connection.status, 500);
    assert.equal(connection.json.ExceptionMessage, "Unable to resolve the Azure Storage connection named 'OtherStorage'.");
  });

  it('answers 404 for routes and methods the host does not serve (entities included) and 405 for other verbs', async function () {
    for (const [method, path] of [
      ['GET', 'entities/counter/k'],
      ['POST', 'entities/counter/k?op=add'],
      ['GET', 'instances/http-hello/terminate'],
      ['POST', 'instances/http-hello/frobnicate'],
      ['PUT', 'instances/http-hello'],
      ['GET', 'orchestrators/HelloCities'],
      ['GET', ''],
    ]) {
      const r = await call(method, path);
      assert.deepEqual([method, path, r.status, r.text], [method, path, 404, '']);
    }
    assert.equal((await call('PATCH', 'instances')).status, 405);
    assert.equal((await call('GET', `${api.url}/api/HelloCities`)).status, 404);
  });

  it('with a key: 401 without code or with a wrong one, served with code= or x-functions-key, links carry the key, logs never do', async function () {
    const base = keyed.url;
    for (const r of [
      await call('GET', 'instances', { base }),
      await call('GET', 'instances?code=wrong', { base }),
      await call('GET', `instances?code=${KEY}`, { base, headers: { 'x-functions-key': 'wrong' } }),
      await call('GET', `${base}/runtime/webhooks/other?code=wrong`),
    ]) {
      assert.deepEqual([r.status, r.text], [401, '']);
    }
    assert.equal((await call('GET', `instances?code=${KEY}`, { base })).status, 200);
    assert.equal((await call('GET', 'instances', { base, headers: { 'x-functions-key': KEY } })).status, 200);
    assert.equal((await call('GET', `${base}/runtime/webhooks/other?code=${KEY}`)).status, 404);

    const started = await call('POST', `orchestrators/HelloCities?code=${KEY}`, { base });
    assert.equal(started.status, 202, started.text);
    for (const key of CHECK_STATUS_KEYS.slice(1)) {
      assert.ok(String(started.json[key]).endsWith(`&code=${KEY}`), `${key}: ${started.json[key]}`);
    }
    const done = await poll(started.json.statusQueryGetUri, (r) => r.status === 200, 'completed');
    assert.equal(done.json.runtimeStatus, 'Completed');
    assert.ok(keyedLog.length > 0);
    assert.equal(keyedLog.filter((line) => line.includes(KEY)).length, 0, keyedLog.join('\n'));
  });
});
