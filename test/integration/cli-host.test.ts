// `durable … --host URL [--code KEY]` (issue 8): the real CLI against the worker's HTTP management
// API over Azurite, with the worker playing the runtime. Each instance command runs once through
// the host (no connection string, an empty directory: nothing can reach storage directly) and once
// over storage, each on its own task hub, and what both must agree on is compared. Then: the
// system key, what only storage can do (refused with exit 2 before any request), a closed port.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HubWriter } from '../../tools/seed/hubWriter';
import type { ManagementApi } from '../../tools/worker/httpApi';
import { startManagementApi } from '../../tools/worker/httpApi';
import type { Worker } from '../../tools/worker/worker';
import { startWorker } from '../../tools/worker/worker';
import { EXIT_TIMED_OUT } from '../../src/cli/output';
import { sharedAzurite } from './setup';
import { describeRun, jsonOf, runCli } from '../support/cli';
import type { CliResult } from '../support/cli';

type Transport = 'storage' | 'host';
const TRANSPORTS: readonly Transport[] = ['storage', 'host'];
const HUBS: Record<Transport, string> = { storage: 'CliHostStorage', host: 'CliHostHost' };
const KEY = 'cli-host-system-key';
const GREETINGS = ['Hello Paris!', 'Hello Rome!'];
const WAIT_SECONDS = '45';

interface Status {
  instanceId: string;
  name: string;
  runtimeStatus: string;
  input?: unknown;
  output?: unknown;
  customStatus?: unknown;
  createdTime: string | null;
  executionId: string | null;
  generation: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('CLI over a host (--host, --code)', function () {
  this.timeout(120_000);
  let worker: Worker | undefined;
  let api: ManagementApi | undefined;
  /** One line per request the API answered. */
  const requests: string[] = [];

  /** The CLI on `transport`'s hub: over the host with an empty environment, else through AzureWebJobsStorage. */
  function durable(transport: Transport, args: string[], extra: string[] = []): Promise<CliResult> {
    if (transport === 'host') {
      return runCli([...args, '--host', api?.url ?? '', '--task-hub-name', HUBS.host, ...extra]);
    }
    return runCli([...args, '--task-hub-name', HUBS.storage, ...extra], { env: { AzureWebJobsStorage: sharedAzurite().connectionString } });
  }

  async function ok(transport: Transport, args: string[]): Promise<CliResult> {
    const r = await durable(transport, args);
    assert.equal(r.code, 0, `${transport}: durable ${args.join(' ')}: ${describeRun(r)}`);
    return r;
  }

  async function status(transport: Transport, id: string): Promise<Status> {
    return jsonOf<Status>(await ok(transport, ['get-runtime-status', '--id', id, '--show-input', '--show-output', '--json']));
  }

  /** Polls get-runtime-status until `done` holds. */
  async function until(transport: Transport, id: string, done: (s: Status) => boolean, what: string): Promise<Status> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const s = await status(transport, id);
      if (done(s)) {
        return s;
      }
      assert.ok(Date.now() < deadline, `${transport}: '${id}' did not become ${what}; last: ${JSON.stringify(s)}`);
      await sleep(200);
    }
  }
  const waiting = (s: Status): boolean => s.runtimeStatus === 'Running' && s.customStatus === 'Waiting for approval';

  /** Runs `args` over both transports; returns each result. */
  async function both(args: string[]): Promise<Record<Transport, CliResult>> {
    return { storage: await ok('storage', args), host: await ok('host', args) };
  }

  before(async function () {
    const connectionString = sharedAzurite().connectionString;
    for (const hubName of Object.values(HUBS)) {
      await HubWriter.create({ connectionString, hubName, partitionCount: 4 });
    }
    worker = startWorker({ connectionString, taskHubNames: Object.values(HUBS), pollIntervalMs: 100, log: () => undefined });
    api = await startManagementApi({ connectionString, defaultTaskHub: 'CliHostDefaultUnused', log: (line) => requests.push(line) });
  });

  after(async function () {
    await api?.stop();
    await worker?.stop();
  });

  it('start-new --wait prints the started line and the same output; the status reads alike, with what the host lacks as null', async function () {
    const r = await both(['start-new', '--function-name', 'HelloCities', '--id', 'ch-hello', '--input', '["Paris","Rome"]', '--wait', WAIT_SECONDS]);
    assert.match(r.storage.stdout, /^Started 'HelloCities' at \S+\. Instance ID: 'ch-hello'\.\n/);
    assert.match(r.host.stdout, /^Started 'HelloCities'\. Instance ID: 'ch-hello'\.\n/);
    const output = (x: CliResult): string => x.stdout.slice(x.stdout.indexOf('\n') + 1);
    assert.equal(output(r.host), `${JSON.stringify(GREETINGS, null, 2)}\n`);
    assert.equal(output(r.host), output(r.storage));

    const s = { storage: await status('storage', 'ch-hello'), host: await status('host', 'ch-hello') };
    const shared = (x: Status): unknown => [x.instanceId, x.name, x.runtimeStatus, x.input, x.output, x.customStatus];
    assert.deepEqual(shared(s.host), ['ch-hello', 'HelloCities', 'Completed', ['Paris', 'Rome'], GREETINGS, null]);
    assert.deepEqual(shared(s.host), shared(s.storage));
    assert.deepEqual(Object.keys(s.host).sort(), Object.keys(s.storage).sort(), 'the same JSON fields');
    assert.deepEqual([s.host.executionId, s.host.generation], [null, null]);
    assert.equal(typeof s.storage.executionId, 'string');
    assert.match(String(s.host.createdTime), /^\d{4}-\d{2}-\d{2}T/);

    const human = await both(['get-runtime-status', '--id', 'ch-hello', '--show-output']);
    const lines = (x: CliResult): string[] => x.stdout.split('\n').filter((l) => /^(Instance ID|Name|Runtime status|Output):/.test(l));
    assert.equal(lines(human.host).length, 4, human.host.stdout);
    assert.deepEqual(lines(human.host), lines(human.storage));
    // The host has no generation: the line is left out rather than printed empty.
    assert.doesNotMatch(human.host.stdout, /^Generation:/m);

    const waited = await both(['wait', '--id', 'ch-hello', '--json']);
    assert.equal(waited.host.stdout, waited.storage.stdout);

    const started = await both(['start-new', '--function-name', 'HelloCities', '--json']);
    const ids = { storage: jsonOf<Record<string, unknown>>(started.storage), host: jsonOf<Record<string, unknown>>(started.host) };
    assert.deepEqual(Object.keys(ids.host), Object.keys(ids.storage));
    assert.match(String(ids.host.instanceId), /^[0-9a-f]{32}$/);
    assert.deepEqual([ids.host.executionId, ids.host.createdTime], [null, null]);
  });

  it('get-instances lists the same instances: filters, --top pages with continuation tokens, --all, text and JSON', async function () {
    const from = new Date();
    for (const transport of TRANSPORTS) {
      for (const id of ['ls-a-1', 'ls-a-2', 'ls-a-3']) {
        await ok(transport, ['start-new', '--function-name', 'HelloCities', '--id', id, '--input', '["Oslo"]']);
      }
      await ok(transport, ['start-new', '--function-name', 'ApprovalWorkflow', '--id', 'ls-b-1']);
    }
    for (const transport of TRANSPORTS) {
      for (const id of ['ls-a-1', 'ls-a-2', 'ls-a-3']) {
        await until(transport, id, (s) => s.runtimeStatus === 'Completed', 'Completed');
      }
      await until(transport, 'ls-b-1', waiting, 'waiting for approval');
    }
    const listing = async (transport: Transport, args: string[]): Promise<Array<[string, string, unknown]>> => {
      const page = jsonOf<{ instances: Status[]; continuationToken: string | null }>(await ok(transport, ['get-instances', '--instance-id-prefix', 'ls-', '--json', ...args]));
      assert.equal(page.continuationToken, null);
      return page.instances.map((s): [string, string, unknown] => [s.instanceId, s.runtimeStatus, s.output]).sort((a, b) => a[0].localeCompare(b[0]));
    };
    for (const args of [['--top', '100'], ['--runtime-status', 'completed', '--show-output'], ['--runtime-status', 'Running', '--created-after', from.toISOString()], ['--all', '--top', '2']]) {
      const host = await listing('host', args);
      assert.ok(host.length > 0, args.join(' '));
      assert.deepEqual(host, await listing('storage', args), args.join(' '));
    }
    assert.deepEqual((await listing('host', ['--runtime-status', 'completed', '--show-output'])).map((x) => x[2]), [['Hello Oslo!'], ['Hello Oslo!'], ['Hello Oslo!']]);

    // Page by page, following the printed token.
    for (const transport of TRANSPORTS) {
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const r = await ok(transport, ['get-instances', '--instance-id-prefix', 'ls-', '--top', '2', '--json', ...(token ? ['--continuation-token', token] : [])]);
        const page = jsonOf<{ instances: Status[]; continuationToken: string | null }>(r);
        assert.ok(page.instances.length <= 2);
        seen.push(...page.instances.map((s) => s.instanceId));
        token = page.continuationToken;
        assert.ok(++pages <= 10, 'paging ends');
      } while (token);
      assert.ok(pages >= 2, `${transport}: ${pages} pages`);
      assert.deepEqual(seen.sort(), ['ls-a-1', 'ls-a-2', 'ls-a-3', 'ls-b-1'], transport);
    }

    // The table: the same rows, but for the times.
    const text = await both(['get-instances', '--instance-id-prefix', 'ls-', '--all']);
    const rows = (x: CliResult): string[] => x.stdout.trim().split('\n').map((l) => l.split(/ {2,}/).slice(0, 3).join(' | ')).sort();
    assert.deepEqual(rows(text.host), rows(text.storage));
    assert.equal(rows(text.host).length, 5, text.host.stdout);
    const items = { host: jsonOf<{ instances: Status[] }>(await ok('host', ['get-instances', '--instance-id-prefix', 'ls-a-1', '--json'])).instances };
    assert.equal(items.host[0].generation, null);
    await ok('host', ['terminate', '--id', 'ls-b-1']);
    await ok('storage', ['terminate', '--id', 'ls-b-1']);
  });

  it('get-history pages the same events, the ones both forms share, with the same output', async function () {
    for (const transport of TRANSPORTS) {
      const whole = jsonOf<{ instanceId: string; executionId: string | null; historyEvents: Array<Record<string, unknown>> }>(
        await ok(transport, ['get-history', '--id', 'ch-hello', '--json']),
      );
      assert.equal(whole.instanceId, 'ch-hello');
      assert.equal(whole.executionId === null, transport === 'host');
      const paged = jsonOf<{ historyEvents: unknown[] }>(await ok(transport, ['get-history', '--id', 'ch-hello', '--page-size', '2', '--json']));
      assert.deepEqual(paged.historyEvents, whole.historyEvents, `${transport}: pages add up to the whole`);
      const kept = whole.historyEvents.map((e) => String(e.EventType)).filter((t) => ['ExecutionStarted', 'TaskCompleted', 'ExecutionCompleted'].includes(t));
      assert.deepEqual(kept, ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'], transport);
      const text = await ok(transport, ['get-history', '--id', 'ch-hello']);
      assert.match(text.stdout, /^TIME +ID +TYPE +NAME +DETAIL$/m);
      assert.match(text.stdout, /ExecutionCompleted/);
    }
  });

  it('raise-event sends the Approval that completes an ApprovalWorkflow; JSON fields the host does not give are null', async function () {
    const r: Partial<Record<Transport, Record<string, unknown>>> = {};
    for (const transport of TRANSPORTS) {
      await ok(transport, ['start-new', '--function-name', 'ApprovalWorkflow', '--id', 'ch-approval']);
      await until(transport, 'ch-approval', waiting, 'waiting for approval');
      r[transport] = jsonOf(await ok(transport, ['raise-event', '--id', 'ch-approval', '--event-name', 'Approval', '--event-data', 'true', '--json']));
      const done = await durable(transport, ['wait', '--id', 'ch-approval', '--timeout', WAIT_SECONDS, '--json']);
      assert.equal(done.code, 0, describeRun(done));
      assert.equal(jsonOf(done), 'Approved');
    }
    assert.deepEqual(r.host, { instanceId: 'ch-approval', eventName: 'Approval', previousStatus: null, queue: null });
    assert.deepEqual(Object.keys(r.storage ?? {}), Object.keys(r.host ?? {}));
    const again = await durable('host', ['raise-event', '--id', 'ch-approval', '--event-name', 'Approval']);
    assert.equal(again.code, 1, describeRun(again));
    assert.match(again.stderr, /^error: Cannot raise an event to instance 'ch-approval': it has finished/);
  });

  it('terminate, suspend and resume with --wait reach the same states', async function () {
    for (const transport of TRANSPORTS) {
      for (const id of ['ch-term', 'ch-pause']) {
        await ok(transport, ['start-new', '--function-name', 'ApprovalWorkflow', '--id', id]);
        await until(transport, id, waiting, 'waiting for approval');
      }
      const t = jsonOf<Record<string, unknown>>(await ok(transport, ['terminate', '--id', 'ch-term', '--reason', 'done with it', '--wait', WAIT_SECONDS, '--json']));
      assert.deepEqual([t.runtimeStatus, t.timedOut], ['Terminated', false], transport);
      assert.equal((await status(transport, 'ch-term')).output, 'done with it');

      const s = await ok(transport, ['suspend', '--id', 'ch-pause', '--reason', 'pause', '--wait', WAIT_SECONDS]);
      assert.equal(s.stdout, "Sent a suspend message to instance 'ch-pause'. Waiting up to 45 seconds…\nSuccessfully suspended 'ch-pause'.\n");
      const resumed = await ok(transport, ['resume', '--id', 'ch-pause', '--wait', WAIT_SECONDS]);
      assert.match(resumed.stdout, /Successfully resumed 'ch-pause'\. It is now Running\.\n$/);
      await ok(transport, ['raise-event', '--id', 'ch-pause', '--event-name', 'Approval', '--event-data', '"yes"']);
      assert.equal((await until(transport, 'ch-pause', (x) => x.runtimeStatus === 'Completed', 'Completed')).output, 'Approved');
    }
    const second = await durable('host', ['terminate', '--id', 'ch-term']);
    assert.equal(second.code, 1, describeRun(second));
    assert.match(second.stderr, /^error: Cannot terminate instance 'ch-term'/);
  });

  it('rewind --wait brings a failed FailsUntilRewound to completion', async function () {
    const r: Partial<Record<Transport, Record<string, unknown>>> = {};
    for (const transport of TRANSPORTS) {
      await ok(transport, ['start-new', '--function-name', 'FailsUntilRewound', '--id', 'ch-rewind']);
      await until(transport, 'ch-rewind', (s) => s.runtimeStatus === 'Failed', 'Failed');
      r[transport] = jsonOf(await ok(transport, ['rewind', '--id', 'ch-rewind', '--reason', 'fixed', '--wait', WAIT_SECONDS, '--json']));
      assert.equal((await status(transport, 'ch-rewind')).runtimeStatus, 'Completed');
    }
    assert.equal(r.host?.runtimeStatus, 'Completed');
    assert.equal(r.storage?.runtimeStatus, 'Completed');
    assert.deepEqual(Object.keys(r.host ?? {}), Object.keys(r.storage ?? {}));
    assert.deepEqual([r.host?.instanceId, r.host?.previousStatus, r.host?.rewoundInstanceIds, r.host?.rowsRewritten], ['ch-rewind', null, null, null]);
  });

  it('restart under a new GUID and under the same id runs the same orchestration again', async function () {
    for (const transport of TRANSPORTS) {
      const before = await status(transport, 'ch-hello');
      const copy = jsonOf<Record<string, unknown>>(await ok(transport, ['restart', '--id', 'ch-hello', '--new-id', '--json']));
      assert.match(String(copy.instanceId), /^[0-9a-f]{32}$/);
      assert.equal(copy.restartedFrom, 'ch-hello');
      assert.deepEqual(Object.keys(copy), ['instanceId', 'executionId', 'restartedFrom', 'createdTime']);
      const copied = await durable(transport, ['wait', '--id', String(copy.instanceId), '--timeout', WAIT_SECONDS, '--json']);
      assert.deepEqual(jsonOf(copied), GREETINGS, describeRun(copied));

      // A later second than the first run (the host's times are to the second).
      await sleep(Math.max(0, Date.parse(String(before.createdTime)) + 1100 - Date.now()));
      const same = await ok(transport, ['restart', '--id', 'ch-hello']);
      assert.match(same.stdout, transport === 'host' ? /^Restarted 'ch-hello'\.\n$/ : /^Restarted 'ch-hello' at \S+\.\n$/);
      const again = await until(transport, 'ch-hello', (s) => s.runtimeStatus === 'Completed' && String(s.createdTime) > String(before.createdTime), 'Completed again');
      assert.deepEqual(again.output, GREETINGS);
    }
  });

  it('purge-history purges one instance and, by filter, the finished ones of a time window', async function () {
    const from = new Date();
    await sleep(50);
    const purged: Partial<Record<Transport, Record<string, unknown>>> = {};
    const byFilter: Partial<Record<Transport, Record<string, unknown>>> = {};
    for (const transport of TRANSPORTS) {
      for (const id of ['ch-purge-1', 'ch-purge-2', 'ch-purge-3']) {
        await ok(transport, ['start-new', '--function-name', 'HelloCities', '--id', id]);
      }
      await ok(transport, ['start-new', '--function-name', 'ApprovalWorkflow', '--id', 'ch-purge-running']);
      for (const id of ['ch-purge-1', 'ch-purge-2', 'ch-purge-3']) {
        await until(transport, id, (s) => s.runtimeStatus === 'Completed', 'Completed');
      }
      await until(transport, 'ch-purge-running', waiting, 'waiting for approval');
    }
    await sleep(50);
    const to = new Date();
    for (const transport of TRANSPORTS) {
      purged[transport] = jsonOf(await ok(transport, ['purge-history', '--id', 'ch-purge-1', '--yes', '--json']));
      const gone = await durable(transport, ['get-runtime-status', '--id', 'ch-purge-1']);
      assert.equal(gone.code, 1, describeRun(gone));
      assert.equal(gone.stderr, "error: Could not find an orchestration instance with id 'ch-purge-1'\n");

      const running = await durable(transport, ['purge-history', '--id', 'ch-purge-running', '--yes']);
      assert.equal(running.code, 1, describeRun(running));
      assert.match(running.stderr, /^error: Instance 'ch-purge-running' is Running; only Completed, Failed, Canceled or Terminated instances are purged\. Pass --force/);

      const window = ['--created-after', from.toISOString(), '--created-before', to.toISOString()];
      const text = await ok(transport, ['purge-history', ...window, '--runtime-status', 'Completed', '--yes']);
      assert.match(text.stdout, /^Purged the history of Completed instances created between \S+ and \S+ in .*\nInstances deleted: 2\n/);
      byFilter[transport] = jsonOf(await ok(transport, ['purge-history', ...window, '--yes', '--json']));
      assert.equal((await status(transport, 'ch-purge-running')).runtimeStatus, 'Running');
      await ok(transport, ['terminate', '--id', 'ch-purge-running']);
    }
    assert.deepEqual(purged.host, { instancesDeleted: 1, rowsDeleted: null, blobsDeleted: null, failures: [] });
    assert.equal(purged.storage?.instancesDeleted, 1);
    assert.deepEqual(Object.keys(purged.storage ?? {}), Object.keys(purged.host ?? {}));
    assert.deepEqual(byFilter.host, { instancesDeleted: 0, rowsDeleted: null, blobsDeleted: null, failures: [], matched: null, dryRun: false });
    assert.equal(byFilter.storage?.instancesDeleted, 0);
    assert.deepEqual(Object.keys(byFilter.storage ?? {}), Object.keys(byFilter.host ?? {}));
  });

  it('wait --host polls through the host; on timeout the links are that host\'s', async function () {
    await ok('host', ['start-new', '--function-name', 'ApprovalWorkflow', '--id', 'ch-slow']);
    const r = await durable('host', ['wait', '--id', 'ch-slow', '--timeout', '0.5', '--interval', '0.25', '--json']);
    assert.equal(r.code, EXIT_TIMED_OUT, describeRun(r));
    const links = jsonOf<Record<string, string>>(r);
    assert.equal(links.id, 'ch-slow');
    assert.equal(links.statusQueryGetUri, `${api?.url}/runtime/webhooks/durabletask/instances/ch-slow?taskHub=${HUBS.host}`);
    assert.equal(links.terminatePostUri, `${api?.url}/runtime/webhooks/durabletask/instances/ch-slow/terminate?reason={text}&taskHub=${HUBS.host}`);
    // The links work: the status link answers with the instance.
    const answer = await fetch(links.statusQueryGetUri);
    assert.equal(((await answer.json()) as { instanceId?: string }).instanceId, 'ch-slow');
    await ok('host', ['terminate', '--id', 'ch-slow']);
  });

  describe('with a system key', function () {
    let keyed: ManagementApi | undefined;
    before(async function () {
      keyed = await startManagementApi({ connectionString: sharedAzurite().connectionString, defaultTaskHub: HUBS.host, key: KEY });
    });
    after(async function () {
      await keyed?.stop();
    });

    it('works with --code, is refused (401) without it or with a wrong one, and never prints the key', async function () {
      const url = keyed?.url ?? '';
      const good = await runCli(['get-runtime-status', '--id', 'ch-hello', '--host', url, '--code', KEY, '--json']);
      assert.equal(good.code, 0, describeRun(good));
      assert.equal(jsonOf<Status>(good).runtimeStatus, 'Completed');
      const listed = await runCli(['get-instances', '--host', url, '--code', KEY, '--instance-id-prefix', 'ls-a']);
      assert.equal(listed.code, 0, describeRun(listed));
      assert.match(listed.stdout, /^ls-a-1 /m);

      const missing = await runCli(['get-runtime-status', '--id', 'ch-hello', '--host', url]);
      assert.equal(missing.code, 1, describeRun(missing));
      assert.match(missing.stderr, /refused the request \(HTTP 401\): the system key is missing\. Pass the durabletask_extension system key with --code\.\n$/);
      const wrong = await runCli(['terminate', '--id', 'ch-hello', '--host', url, '--code', 'wrong-key-value']);
      assert.equal(wrong.code, 1, describeRun(wrong));
      assert.match(wrong.stderr, /\(HTTP 401\): the system key is wrong\./);
      for (const r of [good, listed, missing, wrong]) {
        assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY), describeRun(r));
        assert.ok(!r.stderr.includes('wrong-key-value'), describeRun(r));
      }
    });
  });

  it('refuses storage-only commands and flags with exit 2, saying why, before any request', async function () {
    const window = ['--created-after', '2026-01-01T00:00:00Z'];
    const cases: Array<{ args: string[]; err: RegExp }> = [
      { args: ['list-task-hubs'], err: /^error: Listing task hubs needs a storage connection: / },
      { args: ['delete-task-hub', '--yes'], err: /^error: Deleting a task hub needs a storage connection: / },
      { args: ['start-new', '--function-name', 'HelloCities', '--scheduled-start-time', '1h'], err: /^error: A scheduled start needs a storage connection: / },
      { args: ['start-new', '--function-name', 'HelloCities', '--tags', 'team=a'], err: /^error: Starting with tags needs a storage connection: / },
      { args: ['start-new', '--function-name', 'HelloCities', '--id', 'ch-hello', '--force'], err: /^error: start-new --force needs a storage connection: / },
      { args: ['terminate', '--id', 'ch-hello', '--force'], err: /^error: terminate --force needs a storage connection: / },
      { args: ['raise-event', '--id', 'ch-hello', '--event-name', 'E', '--force'], err: /^error: raise-event --force needs a storage connection: / },
      { args: ['rewind', '--id', 'ch-hello', '--force'], err: /^error: rewind --force needs a storage connection: / },
      { args: ['restart', '--id', 'ch-hello', '--force'], err: /^error: restart --force needs a storage connection: / },
      { args: ['restart', '--id', 'ch-hello', '--new-id', 'mine'], err: /^error: Restarting under an id of your choice needs a storage connection: / },
      { args: ['get-instances', '--name', 'HelloCities'], err: /^error: Filtering by orchestrator name needs a storage connection: / },
      { args: ['get-instances', '--exclude-entities'], err: /^error: Leaving out durable entities needs a storage connection: / },
      { args: ['purge-history', ...window, '--dry-run'], err: /^error: A dry run of a purge needs a storage connection: / },
      { args: ['purge-history', '--runtime-status', 'Completed', '--yes'], err: /^error: Purging by filter through a Functions host needs a created-after time/ },
      { args: ['get-runtime-status', '--id', 'x', '--host', 'localhost:7071'], err: /^error: 'localhost:7071' is not an http or https URL\./ },
    ];
    const before = requests.length;
    for (const c of cases) {
      // An explicit --host in the case replaces the API's (the parser refuses a flag given twice).
      const r = c.args.includes('--host') ? await runCli(c.args) : await durable('host', c.args);
      assert.equal(r.code, 2, `${c.args.join(' ')}: ${describeRun(r)}`);
      assert.match(r.stderr, c.err, c.args.join(' '));
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(requests.slice(before), [], 'no request reached the host');
    // Whereas an accepted command line is seen by the API.
    await ok('host', ['get-runtime-status', '--id', 'ch-hello']);
    assert.equal(requests.length, before + 1, requests.slice(before).join('\n'));

    // --code means the host's key: alone it is a usage error (get-management-urls keeps its own meaning).
    const alone = await durable('storage', ['get-runtime-status', '--id', 'ch-hello', '--code', KEY]);
    assert.equal(alone.code, 2, describeRun(alone));
    assert.equal(alone.stderr, "error: --code is the key of the host given with --host; pass --host too. See 'durable get-runtime-status --help'.\n");
    const urls = await durable('storage', ['get-management-urls', '--id', 'ch-hello', '--code', KEY, '--json']);
    assert.equal(urls.code, 0, describeRun(urls));
    assert.match(jsonOf<{ statusQueryGetUri: string }>(urls).statusQueryGetUri, /^http:\/\/localhost:7071\//);
  });

  it('fails with exit 1 and says no host answered when nothing listens at --host', async function () {
    const port = await closedPort();
    const r = await runCli(['get-runtime-status', '--id', 'ch-hello', '--host', `http://127.0.0.1:${port}`, '--code', KEY]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, new RegExp(`^error: No Functions host answered at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. Start the function app \\(func start\\) or check the URL\\.\\n$`));
    assert.ok(!r.stderr.includes(KEY));
  });
});
