// `durable wait` and `start-new --wait` (issue 8) against a real Azurite with the local worker
// playing the runtime: the output of a completed instance, the status of a failed or terminated
// one, the check-status payload on timeout, an unknown id, --json shapes and cancellation.
import assert from 'node:assert/strict';
import type { TaskHub } from '../../src/core';
import { CancelledError, ValidationError, createStorageClients, openTaskHub, waitForCompletion } from '../../src/core';
import { EXIT_TIMED_OUT } from '../../src/cli/output';
import { HubWriter } from '../../tools/seed/hubWriter';
import { startWorker } from '../../tools/worker/worker';
import type { Worker } from '../../tools/worker/worker';
import { sharedAzurite } from './setup';
import { describeRun, jsonOf, runCli } from '../support/cli';
import type { CliResult, RunCliOptions } from '../support/cli';

const HUB = 'CliWait';
const GREETINGS = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];
const ALWAYS_FAILS_OUTPUT =
  "Orchestrator function 'AlwaysFails' failed: The activity function 'FailingActivity' failed: \"This activity always fails.\". " +
  'See the function execution logs for additional details.';

interface Status {
  instanceId: string;
  runtimeStatus: string;
  input?: unknown;
  output?: unknown;
}

function connectionString(): string {
  return sharedAzurite().connectionString;
}

async function durable(args: string[], o: Omit<RunCliOptions, 'env'> = {}): Promise<CliResult> {
  return runCli([...args, '--task-hub-name', HUB], { ...o, env: { AzureWebJobsStorage: connectionString() } });
}

async function ok(args: string[]): Promise<CliResult> {
  const r = await durable(args);
  assert.equal(r.code, 0, `durable ${args.join(' ')}: ${describeRun(r)}`);
  return r;
}

async function start(name: string, id: string, input?: string): Promise<void> {
  await ok(['start-new', '--function-name', name, '--id', id, ...(input !== undefined ? ['--input', input] : [])]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function localStatusUri(id: string): string {
  return `http://localhost:7071/runtime/webhooks/durabletask/instances/${id}?taskHub=${HUB}&connection=AzureWebJobsStorage`;
}

describe('wait for completion (durable wait, start-new --wait)', function () {
  this.timeout(90_000);
  let worker: Worker;
  let hub: TaskHub;

  before(async function () {
    await HubWriter.create({ connectionString: connectionString(), hubName: HUB, partitionCount: 4 });
    worker = startWorker({ connectionString: connectionString(), taskHubNames: [HUB], pollIntervalMs: 100, log: () => undefined });
    const clients = await createStorageClients({ kind: 'connectionString', connectionString: connectionString() });
    hub = await openTaskHub({ clients, name: HUB });
    // Never finishes on its own (a 24 h timer races the Approval event): the instance to time out on.
    await start('ApprovalWorkflow', 'cw-approval');
  });

  after(async function () {
    await worker?.stop();
  });

  it('start-new --wait prints the started line, then the output of HelloCities, and exits 0', async function () {
    const r = await ok(['start-new', '--function-name', 'HelloCities', '--id', 'cw-hello', '--wait', '30']);
    const [first, ...rest] = r.stdout.split('\n');
    assert.match(first, /^Started 'HelloCities' at \S+\. Instance ID: 'cw-hello'\.$/);
    assert.deepEqual(JSON.parse(rest.join('\n')), GREETINGS);
    assert.equal(r.stdout, `${first}\n${JSON.stringify(GREETINGS, null, 2)}\n`);
  });

  it('start-new --wait --json prints only the output on stdout, the started line on stderr', async function () {
    const r = await ok(['start-new', '--function-name', 'HelloCities', '--wait', '30', '--json']);
    assert.deepEqual(jsonOf(r), GREETINGS);
    assert.match(r.stderr, /^Started 'HelloCities' at \S+\. Instance ID: '[0-9a-f]{32}'\.\n$/);
  });

  it('wait on a completed instance returns its output at once, the same with and without --json', async function () {
    const human = await ok(['wait', '--id', 'cw-hello']);
    const json = await ok(['wait', '--id', 'cw-hello', '--json']);
    assert.deepEqual(jsonOf(json), GREETINGS);
    assert.equal(human.stdout, json.stdout);
    assert.ok(json.ms < 3000, `${json.ms} ms`);
  });

  it('times out on a waiting instance after the whole timeout, printing the check-status payload, exit 3', async function () {
    const r = await durable(['wait', '--id', 'cw-approval', '--timeout', '1']);
    assert.equal(r.code, EXIT_TIMED_OUT, describeRun(r));
    assert.equal(EXIT_TIMED_OUT, 3);
    assert.match(r.stderr, /^Instance 'cw-approval' is still (Running|Pending) after 1 second\./);
    assert.match(r.stdout, /^id: +cw-approval$/m);
    assert.match(r.stdout, new RegExp(`^statusQueryGetUri: +${escapeRegExp(localStatusUri('cw-approval'))}$`, 'm'));
    // The runtime checks once more at the deadline rather than giving up an interval early.
    assert.ok(r.ms >= 950, `returned after ${r.ms} ms`);
    assert.ok(r.ms < 10_000, `returned after ${r.ms} ms`);
  });

  it('with --json, the timeout payload is the get-management-urls object for --code, less the rewind link (the runtime\'s 202 body)', async function () {
    // Without --host (which would wait through that host), --code is the key put in the local host's links.
    const links = ['--code', 'k3y/+=='];
    const r = await durable(['wait', '--id', 'cw-approval', '--timeout', '0.6', '--interval', '0.2', '--json', ...links]);
    assert.equal(r.code, EXIT_TIMED_OUT, describeRun(r));
    const urls = await ok(['get-management-urls', '--id', 'cw-approval', '--json', ...links]);
    const { rewindPostUri, ...checkStatus } = jsonOf<Record<string, string>>(urls);
    assert.ok(rewindPostUri);
    assert.deepEqual(jsonOf(r), checkStatus);
    assert.equal(
      jsonOf<{ statusQueryGetUri: string }>(r).statusQueryGetUri,
      `http://localhost:7071/runtime/webhooks/durabletask/instances/cw-approval?taskHub=${HUB}&connection=AzureWebJobsStorage&code=k3y/%2B==`,
    );
    // The key is printed in the links, which is their point, but never in a message.
    assert.doesNotMatch(r.stderr, /k3y/);
  });

  it('start-new --wait on an instance that does not finish in time prints its payload, exit 3', async function () {
    const r = await durable(['start-new', '--function-name', 'ApprovalWorkflow', '--id', 'cw-approval-2', '--wait', '1', '--json']);
    assert.equal(r.code, EXIT_TIMED_OUT, describeRun(r));
    const payload = jsonOf<Record<string, string>>(r);
    assert.equal(payload.id, 'cw-approval-2');
    assert.equal(payload.statusQueryGetUri, localStatusUri('cw-approval-2'));
    assert.deepEqual(Object.keys(payload), ['id', 'statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri']);
    // The runtime's 202 body (CreateCheckStatusResponseMessage) has no rewind link.
    assert.ok(!('rewindPostUri' in payload));
  });

  it('reports a Failed instance as get-runtime-status does, with its input and failure output, exit 1', async function () {
    await start('AlwaysFails', 'cw-fails', '{"attempt":1}');
    const human = await durable(['wait', '--id', 'cw-fails', '--timeout', '30']);
    assert.equal(human.code, 1, describeRun(human));
    assert.match(human.stdout, /^Instance ID: +cw-fails$/m);
    assert.match(human.stdout, /^Runtime status: +Failed$/m);
    assert.match(human.stdout, /^Input: +\{$/m);
    assert.match(human.stdout, new RegExp(`^Output: +${escapeRegExp(JSON.stringify(ALWAYS_FAILS_OUTPUT))}$`, 'm'));
    assert.equal(human.stderr, "error: Instance 'cw-fails' did not complete: it is Failed.\n");

    const json = await durable(['wait', '--id', 'cw-fails', '--json']);
    assert.equal(json.code, 1, describeRun(json));
    const s = jsonOf<Status>(json);
    assert.equal(s.instanceId, 'cw-fails');
    assert.equal(s.runtimeStatus, 'Failed');
    assert.deepEqual(s.input, { attempt: 1 });
    assert.equal(s.output, ALWAYS_FAILS_OUTPUT);
    const byStatus = jsonOf<Status>(await ok(['get-runtime-status', '--id', 'cw-fails', '--show-input', '--show-output', '--json']));
    assert.deepEqual(s, byStatus);
  });

  it('start-new --wait of AlwaysFails exits 1 with the Failed status', async function () {
    const r = await durable(['start-new', '--function-name', 'AlwaysFails', '--id', 'cw-fails-2', '--wait', '30', '--json']);
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(jsonOf<Status>(r).runtimeStatus, 'Failed');
    assert.match(r.stderr, /Started 'AlwaysFails'[^\n]*\nerror: Instance 'cw-fails-2' did not complete: it is Failed\.\n$/);
  });

  it('reports a Terminated instance, exit 1', async function () {
    await start('ApprovalWorkflow', 'cw-terminated');
    await ok(['terminate', '--id', 'cw-terminated', '--reason', 'no longer needed']);
    const r = await durable(['wait', '--id', 'cw-terminated', '--timeout', '30', '--json']);
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(jsonOf<Status>(r).runtimeStatus, 'Terminated');
    assert.equal(r.stderr, "error: Instance 'cw-terminated' did not complete: it is Terminated.\n");
  });

  it('fails at once with the not-found error for an unknown instance', async function () {
    const r = await durable(['wait', '--id', 'cw-nobody', '--timeout', '30']);
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(r.stderr, "error: Could not find an orchestration instance with id 'cw-nobody'\n");
    assert.equal(r.stdout, '');
    assert.ok(r.ms < 5000, `${r.ms} ms`);
  });

  it('refuses a bad --host before waiting, and before starting anything', async function () {
    const w = await durable(['wait', '--id', 'cw-approval', '--host', 'localhost:7071', '--timeout', '30']);
    assert.equal(w.code, 2, describeRun(w));
    assert.match(w.stderr, /^error: 'localhost:7071' is not an http or https URL\./);
    assert.ok(w.ms < 5000, `${w.ms} ms`);
    const s = await durable(['start-new', '--function-name', 'HelloCities', '--id', 'cw-bad-host', '--wait', '--host', 'localhost:7071']);
    assert.equal(s.code, 2, describeRun(s));
    const missing = await durable(['get-runtime-status', '--id', 'cw-bad-host']);
    assert.equal(missing.code, 1, 'nothing was started');
    assert.match(missing.stderr, /Could not find an orchestration instance/);
  });

  describe('core waitForCompletion', () => {
    it('returns the completed status with its input and output', async function () {
      const r = await waitForCompletion(hub, { instanceId: 'cw-hello', timeoutMs: 5000 });
      assert.equal(r.outcome, 'completed');
      assert.equal(r.status.runtimeStatus, 'Completed');
      assert.deepEqual(r.status.output, GREETINGS);
      assert.ok('input' in r.status);
    });

    it('times out with the last status polled, and reports progress meanwhile', async function () {
      const progress: string[] = [];
      const r = await waitForCompletion(hub, { instanceId: 'cw-approval', timeoutMs: 600, intervalMs: 200, onProgress: (p) => progress.push(p.message) });
      assert.equal(r.outcome, 'timedOut');
      assert.equal(r.status.instanceId, 'cw-approval');
      assert.match(String(r.status.runtimeStatus), /^(Running|Pending)$/);
      assert.ok(progress.length >= 2, progress.join('; '));
      assert.match(progress[0], /^Waiting: instance is (Running|Pending)$/);
    });

    it('stops promptly when aborted, with a CancelledError', async function () {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      await assert.rejects(waitForCompletion(hub, { instanceId: 'cw-approval', timeoutMs: 30_000, signal: controller.signal }), CancelledError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 1500, `stopped after ${elapsed} ms`);
      await assert.rejects(waitForCompletion(hub, { instanceId: 'cw-approval', timeoutMs: 30_000, signal: AbortSignal.abort() }), CancelledError);
    });

    it('refuses an interval longer than the timeout, as the runtime does', async function () {
      await assert.rejects(waitForCompletion(hub, { instanceId: 'cw-approval', timeoutMs: 1000, intervalMs: 2000 }), ValidationError);
    });

    it('the CLI exits 130 when cancelled mid-wait', async function () {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const r = await durable(['wait', '--id', 'cw-approval', '--timeout', '30'], { signal: controller.signal });
      assert.equal(r.code, 130, describeRun(r));
      assert.equal(r.stderr, 'error: Cancelled.\n');
      assert.ok(r.ms < 2000, `${r.ms} ms`);
    });
  });
});
