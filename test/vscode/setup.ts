// Root hooks for the `vscode` suite: one VS Code test environment (Azurite seeded with the sample
// hubs, the worker, code-server, Chromium; test/support/vscodeEnvironment.ts) for the whole run.
// When this machine cannot run the suite (no Chromium, code-server not installable), the hooks
// say so and every test is skipped (pending), never passed. scripts/test.mjs checks the same
// thing first and then does not run the suite at all.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestEnvironment } from '../support/vscodeEnvironment';
import { SCREENSHOTS_DIR, TEST_RESULTS_DIR, startTestEnvironment, vscodeSuiteAvailability } from '../support/vscodeEnvironment';

let environment: TestEnvironment | undefined;
let notRunReason: string | undefined;

/**
 * The shared environment. In a hook or test: skips it when the suite cannot run here; throws
 * when the root hooks did not run (e.g. mocha without test/vscode/setup.js).
 */
export function vscodeEnvironment(ctx: Mocha.Context): TestEnvironment {
  if (environment) {
    return environment;
  }
  if (notRunReason !== undefined) {
    ctx.skip();
  }
  throw new Error('The VS Code test environment is not running: the root hooks of test/vscode/setup.ts did not run (or failed).');
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A first run installs code-server (~2.5 min) before starting it.
    this.timeout(10 * 60_000);
    const available = await vscodeSuiteAvailability();
    if (!available.ok) {
      notRunReason = available.reason;
      console.log(`vscode suite NOT RUN: ${available.reason}`);
      return;
    }
    // Artifacts of an earlier run would pass for this one's.
    rmSync(SCREENSHOTS_DIR, { recursive: true, force: true });
    rmSync(path.join(TEST_RESULTS_DIR, 'vscode-logs'), { recursive: true, force: true });
    const started = Date.now();
    environment = await startTestEnvironment();
    console.log(`  (VS Code test environment: code-server ${environment.codeServerUrl}, workspace ${environment.workspaceFolder}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const env = environment;
    environment = undefined;
    await env?.stop();
  },
};
