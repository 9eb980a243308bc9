// The extension-host test module (the usual @vscode/test-electron one): VS Code loads it in the
// extension host and calls `run()`. It runs every `*.test.js` in this folder and below (compiled
// to out/test/extension-host/) with mocha: one file per feature, each using `vscode` and the
// storage account in DURABLE_TEST_CONNECTION (the test runner's Azurite, seeded with SampleHub).
//
// Runs under code-server here (test/vscode/extensionHost.test.ts, `npm test`) and under
// @vscode/test-electron where VS Code can be downloaded (`npm run test:vscode`). Before it settles
// it prints one line for the runner that started it:
//   DURABLE_EXTENSION_TESTS {"passed":N,"failed":M,"failures":[title…],"results":[{title,state,durationMs?,error?}…]}
// `DURABLE_EXTENSION_TESTS_GREP` (a regular expression) selects tests by full title.
// With `DURABLE_TEST_OUTPUT_MARKER` set (code-server's harness sets it), mocha's report and that
// line are printed as one string per console.log call that starts with the marker, so the runner
// can pick them out of the workbench's log, which they reach mixed with. (What tests and the
// extension print themselves reaches the workbench's log unmarked.)
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';

export const SUMMARY_PREFIX = 'DURABLE_EXTENSION_TESTS ';

export interface InnerTestResult {
  /** Mocha's full title (describe titles and the test's, space-separated). */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  /** For failures: the error's message and stack. */
  error?: string;
}

export interface InnerTestSummary {
  passed: number;
  failed: number;
  failures: string[];
  results: InnerTestResult[];
}

/** The compiled test files of this folder and its subfolders, sorted. */
export function testFiles(dir = __dirname): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(dir, f));
}

export async function run(): Promise<void> {
  // Mocha 12 is an ES module: import() works in every extension host (require() of ESM only in newer Nodes).
  const { default: Mocha } = await import('mocha');
  // The reporters print through Base.consoleLog (console.log as found at load time). VS Code's
  // extension host forwards console calls with their original arguments whatever is assigned to
  // console.log later, so the marker goes into the text here, not by patching the console.
  const marker = process.env.DURABLE_TEST_OUTPUT_MARKER ?? '';
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const baseConsoleLog = base.consoleLog;
  const print = (...args: unknown[]): void => console.log(`${marker}${format(...args)}`);
  base.consoleLog = print;
  try {
    await runMocha(Mocha, print);
  } finally {
    base.consoleLog = baseConsoleLog;
  }
}

async function runMocha(Mocha: typeof import('mocha'), print: (text: string) => void): Promise<void> {
  const grep = process.env.DURABLE_EXTENSION_TESTS_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'spec', color: false, ...(grep ? { grep: new RegExp(grep) } : {}) });
  for (const file of testFiles()) {
    mocha.addFile(file);
  }
  const results: InnerTestResult[] = [];
  let failures: number;
  try {
    await mocha.loadFilesAsync();
    failures = await new Promise<number>((resolve) => {
      const runner = mocha.run((n) => resolve(n));
      runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ...(t.duration !== undefined ? { durationMs: t.duration } : {}) }));
      runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
      // Hooks fail through this event too ('"before all" hook for …').
      runner.on('fail', (t, err: Error) =>
        results.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? err?.message ?? String(err) }),
      );
    });
  } catch (e) {
    // A test file that does not load is a failure of its own.
    const err = e as Error;
    results.push({ title: 'extension-host tests: loading the test files', state: 'failed', error: err?.stack ?? String(e) });
    failures = 1;
  } finally {
    mocha.dispose();
  }
  const failed = results.filter((r) => r.state === 'failed');
  const summary: InnerTestSummary = {
    passed: results.filter((r) => r.state === 'passed').length,
    failed: Math.max(failed.length, failures),
    failures: failed.map((r) => r.title),
    results,
  };
  print(`${SUMMARY_PREFIX}${JSON.stringify(summary)}`);
  if (summary.failed > 0) {
    throw new Error(`${summary.failed} extension-host test(s) failed`);
  }
}
