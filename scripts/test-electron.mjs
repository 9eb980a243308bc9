// `npm run test:vscode`: the extension-host suite (out/test/extension-host/index.js, the module
// that `npm test` runs inside code-server) under @vscode/test-electron, i.e. in a downloaded
// VS Code desktop, on machines with internet access and a display (xvfb-run on a headless Linux).
// Same setup as `npm test`'s vscode suite: Azurite in this process on free ports, seeded with the
// sample hubs, the local worker, and a temp Functions app folder (host.json, local.settings.json)
// opened as the workspace; DURABLE_TEST_CONNECTION reaches the extension host.
// Exit codes: 0 all passed, 1 tests failed (or the run broke), 3 NOT RUN: VS Code could not be
// downloaded (no internet) — that is reported as such, never as a pass.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const NOT_RUN = 3;

// Compile and build first, while nothing runs in this process (Azurite must never be blocked).
for (const [label, args] of [
  ['TypeScript compile', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']],
  ['Build', [path.join(root, 'scripts', 'build.mjs')]],
]) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`test-electron: ${label} failed.`);
    process.exit(1);
  }
}

const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({ cachePath: path.join(root, '.vscode-test') });
} catch (e) {
  console.log(`test-electron: NOT RUN: could not download VS Code (${e instanceof Error ? e.message : String(e)})`);
  process.exit(NOT_RUN);
}

const require = createRequire(import.meta.url);
const harness = require(path.join(root, 'out', 'test', 'support', 'vscodeEnvironment.js'));

const temp = mkdtempSync(path.join(tmpdir(), 'durable-electron-'));
let backend;
let code;
try {
  backend = await harness.startSeededBackend();
  const workspace = harness.writeWorkspaceFolder(path.join(temp, 'workspace'), backend.azurite.connectionString);
  const userData = path.join(temp, 'user-data');
  const extensions = path.join(temp, 'extensions');
  mkdirSync(userData, { recursive: true });
  mkdirSync(extensions, { recursive: true });
  console.log(`test-electron: VS Code ${vscodeExecutablePath}, Azurite ${backend.azurite.tableEndpoint}, workspace ${workspace}`);
  try {
    code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: harness.REPO_ROOT,
      extensionTestsPath: harness.EXTENSION_TESTS_PATH,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userData}`,
        `--extensions-dir=${extensions}`,
      ],
      extensionTestsEnv: {
        DURABLE_TEST_CONNECTION: backend.azurite.connectionString,
        // As in code-server: the extension finds its connection through the workspace folder.
        AzureWebJobsStorage: undefined,
      },
    });
  } catch (e) {
    // TestRunFailedError: VS Code exited non-zero (tests failed or it did not start).
    console.error(`test-electron: ${e instanceof Error ? e.message : String(e)}`);
    code = 1;
  }
} catch (e) {
  console.error(`test-electron: setting up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  code = 1;
} finally {
  await backend?.stop().catch((e) => console.error(`test-electron: stopping Azurite/worker failed: ${e}`));
  rmSync(temp, { recursive: true, force: true });
}
console.log(`test-electron: ${code === 0 ? 'passed' : `FAILED (exit ${code})`}`);
process.exit(code === 0 ? 0 : 1);
