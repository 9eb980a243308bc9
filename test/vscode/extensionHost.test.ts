// Runs the extension-host suite (test/extension-host/, compiled to out/test/extension-host/) inside
// the real VS Code: code-server's Node extension host, started by the workbench in Chromium with
// extensionTestsPath in its URL payload. The inner mocha report is echoed as it arrives, and once
// the inner run has finished every inner test becomes a test of this suite (same full title;
// inner failures fail here with the inner error, inner pending tests are pending here), so the
// counts of `npm test` include each of them. One more test checks that the run reported at all.
import assert from 'node:assert/strict';
import type { InnerTestResult, InnerTestSummary } from '../extension-host/index';
import { SUMMARY_PREFIX } from '../extension-host/index';
import { EXTENSION_TESTS_PATH, waitForExitCode } from '../support/vscodeEnvironment';
import { vscodeEnvironment } from './setup';

/** How long the whole inner run may take. */
const INNER_TIMEOUT_MS = 5 * 60_000;

/** The inner summary line (see test/extension-host/index.ts), from the run's console output. */
export function parseSummary(output: readonly string[]): InnerTestSummary | undefined {
  for (let i = output.length - 1; i >= 0; i--) {
    const at = output[i].indexOf(SUMMARY_PREFIX);
    if (at >= 0) {
      return JSON.parse(output[i].slice(at + SUMMARY_PREFIX.length).trim()) as InnerTestSummary;
    }
  }
  return undefined;
}

/** An inner failure, rethrown with the inner message and stack (assertion diffs included). */
function innerError(result: InnerTestResult): Error {
  const text = result.error ?? 'failed (no error reported)';
  const error = new Error(text.split('\n')[0]);
  error.stack = text;
  return error;
}

describe('Extension host (code-server)', () => {
  let exitCode: number | undefined;
  let summary: InnerTestSummary | undefined;
  let tail: string[] = [];

  before(async function () {
    this.timeout(INNER_TIMEOUT_MS + 60_000);
    const env = vscodeEnvironment(this);
    const suite = this.test?.parent;
    assert.ok(suite, 'no parent suite');
    console.log(`    ── extension-host tests (${EXTENSION_TESTS_PATH}) ──`);
    const wb = await env.openWorkbench({
      extensionTestsPath: EXTENSION_TESTS_PATH,
      onOutput: (text) => {
        if (!text.startsWith(SUMMARY_PREFIX)) {
          for (const line of text.split('\n')) {
            console.log(`    │ ${line}`);
          }
        }
      },
    });
    try {
      exitCode = await waitForExitCode(wb, INNER_TIMEOUT_MS);
    } finally {
      await wb.close();
    }
    console.log(`    ── extension-host tests exited with ${exitCode} ──`);
    tail = wb.logs.slice(-40);
    summary = parseSummary(wb.output);

    const { default: Mocha } = await import('mocha');
    for (const result of summary?.results ?? []) {
      if (result.state === 'pending') {
        suite.addTest(new Mocha.Test(result.title));
      } else {
        const test = new Mocha.Test(result.title, () => {
          if (result.state === 'failed') {
            throw innerError(result);
          }
        });
        suite.addTest(test);
      }
    }
  });

  it('the extension-host test run finishes and reports its results', () => {
    assert.ok(summary, `The run printed no ${SUMMARY_PREFIX.trim()} line (exit code ${exitCode}). Last workbench log lines:\n${tail.join('\n')}`);
    assert.equal(summary.passed + summary.failed, summary.results.filter((r) => r.state !== 'pending').length);
    // run() rejects exactly when a test failed; the workbench turns that into the exit code.
    assert.equal(exitCode === 0, summary.failed === 0, `exit code ${exitCode} with ${summary.failed} failed`);
  });
});
