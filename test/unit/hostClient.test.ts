// The host transport (src/core/host) against a small node:http server started here: the requests it
// builds (routes, encoded ids, query, key header, continuation header, bodies) and how it maps the
// host's answers to core's results and errors (404, 410, 400, 401, 500, a closed port, a cancel).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceClient } from '../../src/core';
import {
  CancelledError,
  ConflictError,
  NotFoundError,
  TransportUnsupportedError,
  UnauthorizedError,
  UnreachableError,
  ValidationError,
  hostInstanceClient,
} from '../../src/core';
import { rejects } from '../support/assertions';

const WEBHOOK = '/runtime/webhooks/durabletask';
const KEY = 'sYsTeM-kEy-0123456789==';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

const status = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'HelloCities',
  instanceId: 'a b',
  runtimeStatus: 'Completed',
  input: ['Paris'],
  customStatus: null,
  output: ['Hello Paris!'],
  createdTime: '2024-05-01T10:00:00Z',
  lastUpdatedTime: '2024-05-01T10:00:05Z',
  ...over,
});

const hostError = (type: string, message: string, outer = 'Something went wrong while processing your request'): Record<string, unknown> => ({
  Message: outer,
  ExceptionMessage: message,
  ExceptionType: type,
  StackTrace: null,
});

describe('host transport (HTTP management API client)', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];
  let reply: (r: Seen) => Reply = () => ({ status: 500 });

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const r: Seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        seen.push(r);
        const answer = reply(r);
        const send = (): void => {
          const text = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
          res.writeHead(answer.status, { ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), ...answer.headers });
          res.end(text);
        };
        if (answer.delayMs) {
          setTimeout(send, answer.delayMs);
        } else {
          send();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const client = (o: { code?: string; taskHub?: string } = {}): InstanceClient =>
    hostInstanceClient({ baseUrl, taskHub: 'taskHub' in o ? o.taskHub : 'MyHub', connectionName: 'Storage', ...(o.code ? { code: o.code } : {}) });

  it('reads a status: the id percent-encoded in the path, taskHub and connection in the query, the key in a header only', async () => {
    reply = () => ({ status: 202, body: status({ instanceId: 'a b+c/é', runtimeStatus: 'Running', output: null, lastUpdatedTime: '0001-01-01T00:00:00Z' }) });
    const s = await client({ code: KEY }).getInstance({ instanceId: 'a b+c/é', showInput: true, showOutput: true });
    assert.equal(seen.length, 1);
    const [r] = seen;
    assert.equal(r.method, 'GET');
    assert.equal(r.path, `${WEBHOOK}/instances/a%20b%2Bc%2F%C3%A9`);
    assert.deepEqual([...r.query], [['showInput', 'true'], ['taskHub', 'MyHub'], ['connection', 'Storage']]);
    assert.equal(r.headers['x-functions-key'], KEY);
    assert.equal(r.query.has('code'), false);
    assert.deepEqual(s, {
      instanceId: 'a b+c/é',
      name: 'HelloCities',
      runtimeStatus: 'Running',
      createdTime: '2024-05-01T10:00:00Z',
      lastUpdatedTime: null,
      customStatus: null,
      executionId: null,
      completedTime: null,
      scheduledStartTime: null,
      generation: null,
      version: null,
      tags: null,
      input: ['Paris'],
      output: null,
    });
  });

  it('keeps input and output only when asked for, as storage does; a status with an unknown state (500) is still a status', async () => {
    reply = () => ({ status: 200, body: status() });
    const plain = await client().getInstance({ instanceId: 'a b' });
    assert.equal(seen[0].query.get('showInput'), 'false');
    assert.equal('input' in plain, false);
    assert.equal('output' in plain, false);
    reply = () => ({ status: 500, body: status({ runtimeStatus: 'Unknown' }) });
    assert.equal((await client().getInstance({ instanceId: 'a b' })).runtimeStatus, 'Unknown');
  });

  it('sends no taskHub when none is named: the host then uses its own', async () => {
    reply = () => ({ status: 200, body: status() });
    await client({ taskHub: undefined }).getInstance({ instanceId: 'x' });
    assert.deepEqual([...seen[0].query.keys()], ['showInput', 'connection']);
  });

  it('maps 404 on an instance route to NotFoundError with the message storage gives', async () => {
    reply = () => ({ status: 404 });
    const message = "Could not find an orchestration instance with id 'nope'";
    const c = client();
    await rejects(c.getInstance({ instanceId: 'nope' }), NotFoundError, (e) => assert.equal(e.message, message));
    await rejects(c.readHistory({ instanceId: 'nope' }), NotFoundError, (e) => assert.equal(e.message, message));
    await rejects(c.terminateInstance({ instanceId: 'nope' }), NotFoundError, (e) => assert.equal(e.message, message));
    await rejects(c.raiseEvent({ instanceId: 'nope', eventName: 'E', eventData: null }), NotFoundError, (e) => assert.equal(e.message, message));
    await rejects(c.purgeInstance({ instanceId: 'nope', force: true }), NotFoundError, (e) => assert.equal(e.message, message));
  });

  it('maps 410 (finished) and the host refusing a state (500 InvalidOperationException, OrchestrationAlreadyExistsException) to ConflictError', async () => {
    reply = () => ({ status: 410 });
    await rejects(client().terminateInstance({ instanceId: 'done' }), ConflictError, (e) =>
      assert.equal(e.message, "Cannot terminate instance 'done': it has finished (Completed, Failed, Canceled or Terminated)."),
    );
    await rejects(client().rewindInstance({ instanceId: 'done' }), ConflictError, (e) => assert.match(e.message, /only Failed instances can be rewound/));
    reply = () => ({ status: 500, body: hostError('System.InvalidOperationException', 'Cannot resume the orchestration instance r because instance is in the Running state.') });
    await rejects(client().resumeInstance({ instanceId: 'r' }), ConflictError, (e) =>
      assert.equal(e.message, 'Cannot resume the orchestration instance r because instance is in the Running state.'),
    );
    reply = () => ({ status: 500, body: hostError('DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException', 'An Orchestration instance with the status Running already exists.') });
    await rejects(client().startNew({ name: 'HelloCities', instanceId: 'r' }), ConflictError);
  });

  it('maps any other 500 to an error with the host message (masked), not a conflict', async () => {
    reply = () => ({ status: 500, body: hostError('System.InvalidOperationException', `Unable to resolve the Azure Storage connection named 'Other' (key ${KEY}).`) });
    const e = await rejects(client({ code: KEY }).getInstance({ instanceId: 'x' }), Error);
    assert.equal(e instanceof ConflictError, false);
    assert.match(e.message, /^The Functions host at http:\/\/127\.0\.0\.1:\d+ failed: Unable to resolve the Azure Storage connection named 'Other'/);
    assert.equal(e.message.includes(KEY), false);
  });

  it('maps 400 to ValidationError with the host reason', async () => {
    reply = () => ({ status: 400, body: hostError('System.ArgumentException', "The function 'Nope' doesn't exist.", 'One or more of the arguments submitted is incorrect') });
    await rejects(client().startNew({ name: 'Nope' }), ValidationError, (e) => {
      assert.equal(e.field, 'function-name');
      assert.equal(e.message, "The Functions host refused the request: The function 'Nope' doesn't exist.");
    });
  });

  it('maps 401 to UnauthorizedError saying the key is missing or wrong, never quoting it', async () => {
    reply = () => ({ status: 401 });
    await rejects(client().queryInstances({}), UnauthorizedError, (e) => {
      assert.match(e.message, /refused the request \(HTTP 401\): the system key is missing\.$/);
      assert.match(e.cliHint ?? '', /--code/);
    });
    await rejects(client({ code: KEY }).queryInstances({}), UnauthorizedError, (e) => {
      assert.match(e.message, /the system key is wrong\.$/);
      assert.equal(e.message.includes(KEY), false);
      assert.equal(e.cliHint, undefined);
    });
  });

  it('refuses a key no HTTP header can carry without quoting it', () => {
    assert.throws(
      () => hostInstanceClient({ baseUrl, code: 'abc\ndef' }),
      (e: unknown) => e instanceof ValidationError && e.field === 'code' && !e.message.includes('abc'),
    );
  });

  it('says no host answered when nothing listens on the port', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = hostInstanceClient({ baseUrl: `http://127.0.0.1:${port}`, code: KEY });
    await rejects(c.getInstance({ instanceId: 'x' }), UnreachableError, (e) => {
      assert.equal(e.endpoint, `http://127.0.0.1:${port}`);
      assert.equal(e.message, `No Functions host answered at http://127.0.0.1:${port} (ECONNREFUSED). Start the function app (func start) or check the URL.`);
    });
  });

  it('passes the AbortSignal to the request: a cancel mid-request or before it is a CancelledError', async () => {
    reply = () => ({ status: 200, body: status(), delayMs: 2000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await rejects(client().getInstance({ instanceId: 'slow', signal: controller.signal }), CancelledError);
    assert.ok(Date.now() - started < 1500, 'the request was abandoned, not awaited');
    seen.length = 0;
    await rejects(client().getInstance({ instanceId: 'x', signal: AbortSignal.abort() }), CancelledError);
    assert.equal(seen.length, 0, 'no request once cancelled');
  });

  it('lists with the filters as query values and pages with the x-ms-continuation-token header', async () => {
    reply = (r) =>
      r.headers['x-ms-continuation-token']
        ? { status: 200, body: [status({ instanceId: 'p3' })], headers: { 'x-ms-continuation-token': '' } }
        : { status: 200, body: [status({ instanceId: 'p1' }), status({ instanceId: 'p2' })], headers: { 'x-ms-continuation-token': 'tok+/=' } };
    const from = new Date('2024-05-01T00:00:00.123Z');
    const to = new Date('2024-05-02T00:00:00Z');
    const query = { createdAfter: from, createdBefore: to, statuses: ['Completed', 'Failed'] as const, instanceIdPrefix: 'p', pageSize: 2, showOutput: true };
    const first = await client().queryInstances({ ...query, statuses: [...query.statuses] });
    assert.deepEqual(
      first.items.map((s) => [s.instanceId, s.output]),
      [
        ['p1', ['Hello Paris!']],
        ['p2', ['Hello Paris!']],
      ],
    );
    assert.equal(first.continuationToken, 'tok+/=');
    assert.equal(seen[0].path, `${WEBHOOK}/instances`);
    assert.deepEqual(Object.fromEntries(seen[0].query), {
      createdTimeFrom: '2024-05-01T00:00:00.123Z',
      createdTimeTo: '2024-05-02T00:00:00.000Z',
      runtimeStatus: 'Completed,Failed',
      instanceIdPrefix: 'p',
      showInput: 'false',
      top: '2',
      taskHub: 'MyHub',
      connection: 'Storage',
    });
    assert.equal(seen[0].headers['x-ms-continuation-token'], undefined);
    const second = await client().queryInstances({ ...query, statuses: [...query.statuses], continuationToken: first.continuationToken });
    assert.equal(seen[1].headers['x-ms-continuation-token'], 'tok+/=');
    assert.deepEqual([second.items.map((s) => s.instanceId), second.continuationToken], [['p3'], null]);
  });

  it('refuses listing filters the API does not have', async () => {
    await rejects(client().queryInstances({ name: 'HelloCities' }), TransportUnsupportedError, (e) =>
      assert.equal(e.message, 'Filtering by orchestrator name needs a storage connection: the HTTP management API has no such filter'),
    );
    await rejects(client().queryInstances({ includeEntities: false }), TransportUnsupportedError);
    assert.equal(seen.length, 0);
  });

  it('reads the history with the status and pages it locally; events keep the host form, EventId -1', async () => {
    const events = ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'].map((EventType, i) => ({
      EventType,
      Timestamp: `2024-05-01T10:00:0${i}Z`,
      ...(EventType === 'TaskCompleted' ? { FunctionName: 'SayHello', Result: `r${i}` } : {}),
    }));
    reply = () => ({ status: 200, body: status({ historyEvents: events }) });
    const pages = [];
    let token: string | null = null;
    do {
      const page = await client().readHistory({ instanceId: 'a b', pageSize: 2, continuationToken: token });
      pages.push(page.events.map((e) => [e.EventType, e.EventId, e.Timestamp, e.FunctionName ?? null]));
      assert.equal(page.executionId, null);
      token = page.continuationToken;
    } while (token);
    assert.equal(pages.length, 3);
    assert.deepEqual(pages.flat(), events.map((e) => [e.EventType, -1, e.Timestamp, e.FunctionName ?? null]));
    assert.deepEqual(Object.fromEntries(seen[0].query), { showHistory: 'true', showHistoryOutput: 'true', showInput: 'true', taskHub: 'MyHub', connection: 'Storage' });
    await rejects(client().readHistory({ instanceId: 'a b', continuationToken: 'not-a-token' }), ValidationError);
    await rejects(client().readHistory({ instanceId: 'a b', pageSize: 0 }), ValidationError);
  });

  it('reads a Pending instance (no historyEvents) as an empty history', async () => {
    reply = () => ({ status: 202, body: status({ runtimeStatus: 'Pending' }) });
    const page = await client().readHistory({ instanceId: 'p' });
    assert.deepEqual([page.events, page.continuationToken], [[], null]);
  });

  it('starts with the input as a JSON body and returns the id only', async () => {
    reply = () => ({ status: 202, body: { id: 'new id', statusQueryGetUri: 'x' } });
    const started = await client().startNew({ name: 'HelloCities', instanceId: 'new id', input: '["Paris"]' });
    assert.deepEqual(started, { instanceId: 'new id' });
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].path, `${WEBHOOK}/orchestrators/HelloCities/new%20id`);
    assert.equal(seen[0].body, '["Paris"]');
    assert.equal(seen[0].headers['content-type'], 'application/json; charset=utf-8');
    await client().startNew({ name: 'HelloCities' });
    assert.deepEqual([seen[1].path, seen[1].body, seen[1].headers['content-type']], [`${WEBHOOK}/orchestrators/HelloCities`, '', undefined]);
  });

  it('checks start input as storage does and refuses what only storage can do, before any request', async () => {
    await rejects(client().startNew({ name: 'HelloCities', instanceId: 'a/b' }), ValidationError);
    await rejects(client().startNew({ name: 'HelloCities', input: '{nope' }), ValidationError, (e) => assert.equal(e.field, 'input'));
    await rejects(client().startNew({ name: 'HelloCities', force: true }), TransportUnsupportedError);
    await rejects(client().startNew({ name: 'HelloCities', scheduledStartTime: new Date() }), TransportUnsupportedError);
    await rejects(client().startNew({ name: 'HelloCities', tags: { a: 'b' } }), TransportUnsupportedError);
    await rejects(client().terminateInstance({ instanceId: 'x', force: true }), TransportUnsupportedError, (e) =>
      assert.equal(
        e.message,
        "Terminating an instance whatever its state needs a storage connection: the HTTP management API checks the instance's state itself, with no way to override it",
      ),
    );
    await rejects(client().restartInstance({ instanceId: 'x', newInstanceId: 'chosen' }), TransportUnsupportedError);
    await rejects(client().purgeInstances({ createdAfter: new Date(), dryRun: true }), TransportUnsupportedError);
    await rejects(client().purgeInstances({ createdAfter: new Date(), instanceIdPrefix: 'p' }), TransportUnsupportedError);
    assert.equal(seen.length, 0);
  });

  it('raises an event with its data as JSON; terminate, suspend and resume carry the reason in the query', async () => {
    reply = () => ({ status: 202 });
    assert.deepEqual(await client().raiseEvent({ instanceId: 'a b', eventName: 'Appro val', eventData: '{"ok":true}' }), { instanceId: 'a b' });
    assert.deepEqual([seen[0].path, seen[0].body, seen[0].headers['content-type']], [`${WEBHOOK}/instances/a%20b/raiseEvent/Appro%20val`, '{"ok":true}', 'application/json; charset=utf-8']);
    await client().raiseEvent({ instanceId: 'a', eventName: 'E', eventData: null });
    assert.equal(seen[1].body, 'null');
    await client().terminateInstance({ instanceId: 'a', reason: 'no longer & needed' });
    assert.deepEqual([seen[2].path, seen[2].query.get('reason')], [`${WEBHOOK}/instances/a/terminate`, 'no longer & needed']);
    await client().suspendInstance({ instanceId: 'a' });
    assert.deepEqual([seen[3].path, seen[3].query.has('reason')], [`${WEBHOOK}/instances/a/suspend`, false]);
    await client().resumeInstance({ instanceId: 'a', reason: 'go' });
    await client().rewindInstance({ instanceId: 'a', reason: 'fixed' });
    assert.deepEqual(
      seen.slice(4).map((r) => [r.method, r.path, r.query.get('reason')]),
      [
        ['POST', `${WEBHOOK}/instances/a/resume`, 'go'],
        ['POST', `${WEBHOOK}/instances/a/rewind`, 'fixed'],
      ],
    );
  });

  it('restarts with restartWithNewInstanceId as asked; an unknown id (the host 400) is NotFoundError', async () => {
    reply = (r) => ({ status: 202, body: { id: r.query.get('restartWithNewInstanceId') === 'true' ? 'fresh' : 'same' } });
    assert.deepEqual(await client().restartInstance({ instanceId: 'same', newInstanceId: true }), { instanceId: 'fresh', restartedFrom: 'same' });
    assert.deepEqual(await client().restartInstance({ instanceId: 'same' }), { instanceId: 'same', restartedFrom: 'same' });
    assert.deepEqual(
      seen.map((r) => [r.path, r.query.get('restartWithNewInstanceId')]),
      [
        [`${WEBHOOK}/instances/same/restart`, 'true'],
        [`${WEBHOOK}/instances/same/restart`, 'false'],
      ],
    );
    reply = () => ({
      status: 400,
      body: hostError('System.ArgumentException', 'An orchestrastion with the instanceId nope was not found.', 'InstanceId does not match a valid orchestration instance.'),
    });
    await rejects(client().restartInstance({ instanceId: 'nope' }), NotFoundError);
  });

  it('purges one instance after checking it has finished, as storage does; with force at once', async () => {
    reply = (r) => (r.method === 'GET' ? { status: 202, body: status({ runtimeStatus: 'Running' }) } : { status: 200, body: { instancesDeleted: 1 } });
    await rejects(client().purgeInstance({ instanceId: 'run' }), ConflictError, (e) => assert.match(e.message, /^Instance 'run' is Running; only Completed/));
    assert.deepEqual(
      seen.map((r) => r.method),
      ['GET'],
    );
    assert.deepEqual(await client().purgeInstance({ instanceId: 'run', force: true }), { instancesDeleted: 1 });
    assert.deepEqual([seen[1].method, seen[1].path], ['DELETE', `${WEBHOOK}/instances/run`]);
  });

  it('purges by filter naming the finished statuses (the host would purge every status otherwise); 404 means none', async () => {
    reply = () => ({ status: 200, body: { instancesDeleted: 3 } });
    const from = new Date('2024-01-01T00:00:00Z');
    assert.deepEqual(await client().purgeInstances({ createdAfter: from }), { instancesDeleted: 3 });
    assert.deepEqual([seen[0].method, seen[0].path], ['DELETE', `${WEBHOOK}/instances`]);
    assert.deepEqual(Object.fromEntries(seen[0].query), {
      createdTimeFrom: '2024-01-01T00:00:00.000Z',
      runtimeStatus: 'Completed,Failed,Canceled,Terminated',
      taskHub: 'MyHub',
      connection: 'Storage',
    });
    reply = () => ({ status: 404 });
    assert.deepEqual(await client().purgeInstances({ createdAfter: from, statuses: ['Completed'] }), { instancesDeleted: 0 });
    assert.equal(seen[1].query.get('runtimeStatus'), 'Completed');
    await rejects(client().purgeInstances({}), ValidationError, (e) => assert.equal(e.field, 'created-after'));
    await rejects(client().purgeInstances({ createdAfter: from, statuses: ['Running'] }), ValidationError, (e) => assert.equal(e.field, 'runtime-status'));
    assert.equal(seen.length, 2);
  });

  it('says so when the URL answers something that is not the management API', async () => {
    reply = () => ({ status: 200, text: '<html>hello</html>', headers: { 'Content-Type': 'text/html' } });
    await rejects(client().getInstance({ instanceId: 'x' }), Error, (e) => assert.match(e.message, /is not an instance status: .*Is this a Durable Functions host\?$/));
    reply = () => ({ status: 404 });
    await rejects(client().queryInstances({}), Error, (e) => assert.match(e.message, /^No Durable Functions management API at http:\/\/127\.0\.0\.1:\d+\/runtime\/webhooks\/durabletask \(HTTP 404\)/));
  });

  it('has an error for what only storage can do: a ValidationError of the transport, saying what is needed', () => {
    const e = new TransportUnsupportedError('Delete task hub', 'the HTTP management API has no such operation.');
    assert.ok(e instanceof ValidationError);
    assert.deepEqual([e.name, e.code, e.field, e.operation], ['TransportUnsupportedError', 'Validation', 'transport', 'Delete task hub']);
    assert.equal(e.message, 'Delete task hub needs a storage connection: the HTTP management API has no such operation.');
  });

  it('describes itself without the key, and accepts the webhook URL as the base', async () => {
    const c = hostInstanceClient({ baseUrl: `${baseUrl}${WEBHOOK}/`, code: KEY, taskHub: 'MyHub' });
    assert.equal(c.transport, 'host');
    assert.equal(c.description, `the Functions host at ${baseUrl} (task hub 'MyHub')`);
    reply = () => ({ status: 200, body: [], headers: { 'x-ms-continuation-token': '' } });
    await c.queryInstances({});
    assert.equal(seen[0].path, `${WEBHOOK}/instances`);
    assert.throws(() => hostInstanceClient({ baseUrl: `${baseUrl}?code=${KEY}` }), (e: unknown) => e instanceof ValidationError && !e.message.includes(KEY));
  });
});
