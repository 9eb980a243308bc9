// Waiting for completion (issue 8), the pure parts: which statuses end the wait and how, the
// runtime's timeout / retry-interval rules, the seconds the CLI accepts, and the command line
// problems refused before any storage call.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUNTIME_STATUSES, ValidationError, completionOutcome, completionWaitTimes } from '../../src/core';
import { Flags, parseArgs } from '../../src/cli/args';
import { COMMANDS, COMMON_FLAGS } from '../../src/cli/commands';
import { completionWaitSeconds, parseSeconds } from '../../src/cli/commands/wait';
import { EXIT_TIMED_OUT } from '../../src/cli/output';
import { renderCommandHelp, renderGlobalHelp } from '../../src/cli/help';
import { main } from '../../src/cli/main';

// Nothing listens on port 9: a command that reached storage would fail with exit 1, not 2.
const DEAD_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;' +
  'QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'durable-wait-'));
  let out = '';
  let err = '';
  try {
    const code = await main(argv, {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      env: { AzureWebJobsStorage: DEAD_STORAGE },
      cwd: dir,
      isInteractive: false,
      prompt: () => Promise.reject(new Error('no prompts')),
    });
    return { code, out, err };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function flagsOf(argv: string[]): Flags {
  const r = parseArgs(argv, COMMANDS, COMMON_FLAGS);
  assert.equal(r.kind, 'run');
  return new Flags(r.kind === 'run' ? r.values : {});
}

describe('wait for completion', () => {
  it('ends on the four finished statuses only, as the runtime loop does', () => {
    const ended = RUNTIME_STATUSES.filter((s) => completionOutcome(s) !== undefined);
    assert.deepEqual(ended.sort(), ['Canceled', 'Completed', 'Failed', 'Terminated']);
    assert.equal(completionOutcome('Completed'), 'completed');
    assert.equal(completionOutcome('Failed'), 'failed');
    assert.equal(completionOutcome('Terminated'), 'terminated');
    assert.equal(completionOutcome('Canceled'), 'canceled');
    for (const going of ['Running', 'Pending', 'Suspended', 'ContinuedAsNew', 'Unknown', 'completed']) {
      assert.equal(completionOutcome(going), undefined, going);
    }
  });

  it('checks every second by default, or at the timeout when it is shorter; refuses an interval longer than the timeout', () => {
    assert.deepEqual(completionWaitTimes({ timeoutMs: 10_000 }), { timeoutMs: 10_000, intervalMs: 1000 });
    assert.deepEqual(completionWaitTimes({ timeoutMs: 500 }), { timeoutMs: 500, intervalMs: 500 });
    assert.deepEqual(completionWaitTimes({ timeoutMs: 2000, intervalMs: 500 }), { timeoutMs: 2000, intervalMs: 500 });
    assert.deepEqual(completionWaitTimes({ timeoutMs: 2000, intervalMs: 2000 }), { timeoutMs: 2000, intervalMs: 2000 });
    assert.throws(() => completionWaitTimes({ timeoutMs: 1000, intervalMs: 2000 }), (e: unknown) => e instanceof ValidationError && e.field === 'interval' && /must not be longer than the timeout \(1 s\)/.test(e.message));
    assert.throws(() => completionWaitTimes({ timeoutMs: 1000, intervalMs: 0 }), ValidationError);
    assert.throws(() => completionWaitTimes({ timeoutMs: -1 }), ValidationError);
    assert.throws(() => completionWaitTimes({ timeoutMs: Number.NaN }), ValidationError);
  });

  it('reads seconds with fractions, as the runtime reads its timeout and interval', () => {
    assert.equal(parseSeconds('10', 'timeout'), 10);
    assert.equal(parseSeconds('0.5', 'interval'), 0.5);
    assert.equal(parseSeconds('.25', 'interval'), 0.25);
    assert.equal(parseSeconds(' 2. ', 'timeout'), 2);
    assert.equal(parseSeconds('0', 'timeout'), 0);
    for (const bad of ['', 'soon', '-1', '1e3', '0x10', '1,5', '86401', 'Infinity']) {
      assert.throws(() => parseSeconds(bad, 'timeout'), (e: unknown) => e instanceof ValidationError && e.field === 'timeout', bad);
    }
  });

  it('start-new --wait alone waits 10 s, --wait S waits S, no --wait does not wait', () => {
    assert.equal(completionWaitSeconds(flagsOf(['start-new', '--function-name', 'F', '--wait'])), 10);
    assert.equal(completionWaitSeconds(flagsOf(['start-new', '--function-name', 'F', '--wait', '2.5', '--json'])), 2.5);
    assert.equal(completionWaitSeconds(flagsOf(['start-new', '--wait', '--function-name', 'F'])), 10);
    assert.equal(completionWaitSeconds(flagsOf(['start-new', '--function-name', 'F'])), undefined);
  });

  it('is a command with documented flags and exit code', () => {
    const wait = COMMANDS.find((c) => c.name === 'wait');
    assert.ok(wait);
    assert.deepEqual(wait.flags.map((f) => f.name), ['id', 'timeout', 'interval', 'host', 'code']);
    const help = renderCommandHelp(wait, COMMON_FLAGS);
    assert.match(help, /^Usage: durable wait --id ID \[flags\]/);
    assert.match(help, new RegExp(`exit ${EXIT_TIMED_OUT}\\.`));
    assert.match(renderGlobalHelp(COMMANDS, COMMON_FLAGS, '0.0.0'), /^ {2}wait +Wait for an instance to finish/m);
    assert.match(renderGlobalHelp(COMMANDS, COMMON_FLAGS, '0.0.0'), new RegExp(`${EXIT_TIMED_OUT} still running when wait timed out`));
    assert.notEqual(EXIT_TIMED_OUT, 0);
    assert.notEqual(EXIT_TIMED_OUT, 1);
    assert.notEqual(EXIT_TIMED_OUT, 2);
  });

  it('refuses bad timeouts and intervals, and --code without --host or --wait, before any storage call', async () => {
    const cases: { argv: string[]; err: RegExp }[] = [
      { argv: ['wait', '--id', 'x', '--timeout', '1', '--interval', '2'], err: /^error: The retry interval \(2 s\) must not be longer than the timeout \(1 s\)\./ },
      { argv: ['wait', '--id', 'x', '--timeout', 'soon'], err: /^error: --timeout must be a number of seconds from 0 to 86400, not 'soon'\./ },
      { argv: ['wait', '--id', 'x', '--interval', '0'], err: /^error: The retry interval must be a number of seconds more than 0\./ },
      { argv: ['wait', '--timeout', '1'], err: /Missing required flag --id/ },
      { argv: ['start-new', '--function-name', 'F', '--wait', 'soon'], err: /^error: --wait must be a number of seconds/ },
      { argv: ['start-new', '--function-name', 'F', '--code', 'k3y-secret'], err: /^error: --code is the key of the host given with --host; pass --host too\./ },
    ];
    for (const c of cases) {
      const r = await run([...c.argv, '--task-hub-name', 'Hub']);
      assert.equal(r.code, 2, `${c.argv.join(' ')}: ${r.err}`);
      assert.match(r.err, c.err, c.argv.join(' '));
      assert.equal(r.out, '');
    }
  });
});
