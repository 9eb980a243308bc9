// `npm test`: installs if needed, type-checks and compiles, lints, builds the CLI, then runs every
// suite (unit, integration against a real in-process Azurite, vscode: the extension in a real VS
// Code, see test/vscode/) and prints `N passed, M failed` last.
// `node scripts/test.mjs unit|integration|vscode [--grep X]` runs one suite.
// The vscode suite needs Chromium and code-server (installed into .cache/vscode-env on first use,
// ~2.5 min); when this machine cannot run it, it prints `vscode suite NOT RUN: <reason>` and
// counts nothing for it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const args = process.argv.slice(2);
const grepIndex = args.indexOf('--grep');
const grep = grepIndex >= 0 ? args[grepIndex + 1] : undefined;
const requested = args.filter((a, i) => !a.startsWith('--') && (grepIndex < 0 || i !== grepIndex + 1));
const SUITES = ['unit', 'integration', 'vscode'];
const TIMEOUTS = { unit: 10_000, integration: 60_000, vscode: 300_000 };
const suites = requested.length > 0 ? requested : SUITES;
for (const s of suites) {
  if (!SUITES.includes(s)) {
    console.error(`Unknown suite '${s}'. Suites: ${SUITES.join(', ')}`);
    process.exit(2);
  }
}

function run(cmd, cmdArgs, label) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', shell: false });
  if (r.status !== 0) {
    console.error(`\n${label} failed.`);
    return false;
  }
  return true;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync(path.join(root, 'node_modules', '.bin', 'mocha'))) {
  console.log('Installing dependencies (npm install)…');
  if (!run(npm, ['install', '--no-audit', '--no-fund'], 'npm install')) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

let setupFailures = 0;
const node = process.execPath;
const bin = (name) => path.join(root, 'node_modules', name);
rmSync(path.join(root, 'out'), { recursive: true, force: true });
if (!run(node, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], 'TypeScript compile')) {
  setupFailures++;
}
if (!run(node, ['scripts/build.mjs'], 'Build')) {
  setupFailures++;
}
if (!run(node, [bin('eslint/bin/eslint.js'), '--max-warnings', '0', 'src', 'test', 'tools', 'scripts'], 'Lint')) {
  setupFailures++;
}

let passed = 0;
let failed = setupFailures;
const notRun = [];
/**
 * For the vscode suite: null when it can run here, else why not. Installs code-server on first
 * use (nothing else runs in this process meanwhile). A harness that fails to load is a failure.
 */
async function vscodeSuiteNotRunReason() {
  const harness = path.join(root, 'out', 'test', 'support', 'vscodeEnvironment.js');
  if (!existsSync(harness)) {
    return `${path.relative(root, harness)} is missing (the compile failed)`;
  }
  const { vscodeSuiteAvailability } = await import(pathToFileURL(harness).href);
  const availability = await vscodeSuiteAvailability();
  return availability.ok ? null : availability.reason;
}

for (const suite of suites) {
  if (suite === 'vscode') {
    let reason;
    try {
      reason = await vscodeSuiteNotRunReason();
    } catch (e) {
      console.error(`\nThe vscode suite's harness failed to load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      failed++;
      continue;
    }
    if (reason !== null) {
      const line = `vscode suite NOT RUN: ${reason}`;
      console.log(`\n=== ${suite} ===\n${line}`);
      notRun.push(line);
      continue;
    }
  }
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({ timeout: TIMEOUTS[suite], reporter: 'spec', ...(grep ? { grep } : {}) });
  const dir = path.join(root, 'out', 'test', suite);
  const files = existsSync(dir)
    ? readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.test.js')).map((f) => path.join(dir, f))
    : [];
  const setup = path.join(root, 'out', 'test', suite, 'setup.js');
  if (existsSync(setup)) {
    mocha.rootHooks((await import(setup)).mochaHooks ?? {});
  }
  files.sort().forEach((f) => mocha.addFile(f));
  console.log(`\n=== ${suite} (${files.length} files) ===`);
  await mocha.loadFilesAsync();
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  passed += stats.passes;
  failed += stats.failures;
  mocha.dispose();
}
for (const line of notRun) {
  console.log(`\n${line}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
