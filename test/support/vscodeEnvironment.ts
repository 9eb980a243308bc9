// The test runner's side of the VS Code tests (Node 20): a real VS Code (code-server 4.139.1 on
// Node 24, from scripts/vscode-env.mjs) driven by headless Chromium through playwright-core, over a
// seeded storage account:
//
//   const env = await startTestEnvironment();
//   const wb = await env.openWorkbench();                          // the UI, for Playwright tests
//   const run = await env.openWorkbench({ extensionTestsPath });   // mocha inside the extension host
//   const code = await run.exitCode;
//   await env.stop();
//
// What runs: Azurite in this process (free ports, in memory), the sample hubs seeded as `npm start`
// seeds them (SampleHub, LegacyHub), the local worker serving them, a temp workspace folder whose
// host.json / local.settings.json point at that Azurite, code-server in its own process group
// (loopback only, no auth, no gallery, no telemetry, temp user-data/extensions/XDG folders) and one
// Chromium. Each openWorkbench() is a fresh browser context (fresh browser-side state) whose
// workbench loads this repository as the extension under development.
//
// The extension host inherits code-server's environment: DURABLE_TEST_CONNECTION is Azurite's
// connection string there (AzureWebJobsStorage is removed, so the extension can only find its
// connection through the workspace folder).
//
// Never block this process while Azurite runs in it (no spawnSync/execFileSync): Azurite, the
// seeder and the worker share its event loop. scripts/vscode-env.mjs does block while it installs,
// which is why code-server is ensured before Azurite starts.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAzurite } from '../../tools/azurite';
import type { RunningAzurite } from '../../tools/azurite';
import { seed } from '../../tools/seed/seeder';
import type { SampleHubKind, SeedResult } from '../../tools/seed/seeder';
import { startWorker } from '../../tools/worker/worker';
import { QUIET_USER_SETTINGS, ensureCodeServer as ensureCodeServerIn, freePort, startCodeServer, writeFunctionAppFolder } from '../../tools/vscode/codeServer';
import type { RunningCodeServer, VscodeEnvPaths } from '../../tools/vscode/codeServer';
import type { Worker } from '../../tools/worker/worker';
import { SCREENSHOTS_DIR, screenshot as takeScreenshot } from './workbenchUi';

/** The repository root (this file compiles to out/test/support/). It is the extension folder. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The compiled extension-host test module (test/extension-host/index.ts). */
export const EXTENSION_TESTS_PATH = path.join(REPO_ROOT, 'out', 'test', 'extension-host', 'index.js');
/** Screenshots, workbench logs and other artifacts of the VS Code tests (git-ignored). */
export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export { SCREENSHOTS_DIR };

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Every request stays on loopback (code-server's workbench would otherwise reach out).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/**
 * Set as DURABLE_TEST_OUTPUT_MARKER in the extension host: test/extension-host/index.ts starts
 * every console line of the test run with it, which tells them from the workbench's own log.
 */
export const EXTENSION_OUTPUT_MARKER = '[ext-host] ';

/** `DURABLE_VSCODE_DEBUG=1` prints the harness's progress and code-server's output. */
const DEBUG = /^(1|true|yes)$/i.test(process.env.DURABLE_VSCODE_DEBUG ?? '');

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

// ---------------------------------------------------------------------------------------------
// code-server install (scripts/vscode-env.mjs)

export type { VscodeEnvPaths };

/**
 * Installs Node 24 and code-server into .cache/vscode-env on first use (~2.5 min; blocks this
 * process meanwhile, see the header), then returns the paths at once. Rejects with the install's
 * error.
 */
export function ensureCodeServer(): Promise<VscodeEnvPaths> {
  return ensureCodeServerIn(REPO_ROOT);
}

export type SuiteAvailability = { ok: true } | { ok: false; reason: string };

let availability: Promise<SuiteAvailability> | undefined;

/**
 * Whether the VS Code suite can run here: Chromium (`/usr/bin/chromium` or CHROMIUM_PATH) is
 * there, and code-server is installed or installs now. Never throws; the reason says what is
 * missing. Installs code-server on first call (see ensureCodeServer), so call it while nothing
 * else runs in this process.
 */
export function vscodeSuiteAvailability(): Promise<SuiteAvailability> {
  availability ??= (async (): Promise<SuiteAvailability> => {
    const browser = chromiumPath();
    try {
      accessSync(browser, constants.X_OK);
    } catch {
      return { ok: false, reason: `Chromium not found at ${browser} (apt-get install -y chromium, or set CHROMIUM_PATH)` };
    }
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      return { ok: false, reason: `scripts/vscode-env.mjs installs Node 24 for linux-x64 only (this is ${process.platform}-${process.arch})` };
    }
    try {
      await ensureCodeServer();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, reason: `code-server could not be installed by scripts/vscode-env.mjs: ${message}` };
    }
    return { ok: true };
  })();
  return availability;
}

// ---------------------------------------------------------------------------------------------
// Pieces (also used by scripts/test-electron.mjs)

export { freePort };

/**
 * Writes a Functions app folder the extension recognizes: host.json naming the hub and
 * local.settings.json with `Values.AzureWebJobsStorage`.
 */
export const writeWorkspaceFolder = writeFunctionAppFolder;

/** VS Code user settings for test runs: quiet, offline, no startup editor. */
export const TEST_USER_SETTINGS = QUIET_USER_SETTINGS;

export interface SeededBackend {
  azurite: RunningAzurite;
  seeded: SeedResult;
  /** Null when not started (`worker: false`). */
  worker: Worker | null;
  /** What the seeder and the worker logged. */
  logs: string[];
  /** Stops the worker, then Azurite. */
  stop(): Promise<void>;
}

/**
 * Azurite in this process on free ports, seeded with the sample hubs (default SampleHub and
 * LegacyHub, as `npm start`), and the local worker serving them.
 */
export async function startSeededBackend(o: { hubs?: readonly SampleHubKind[]; worker?: boolean } = {}): Promise<SeededBackend> {
  const logs: string[] = [];
  const azurite = await startAzurite();
  let worker: Worker | null = null;
  try {
    const seeded = await seed({
      connectionString: azurite.connectionString,
      hubs: o.hubs ?? ['sample', 'legacy'],
      log: (line) => logs.push(`[seed] ${line}`),
    });
    if (o.worker ?? true) {
      worker = startWorker({
        connectionString: azurite.connectionString,
        taskHubNames: seeded.hubs.filter((h) => h.kind !== 'bulk').map((h) => h.name),
        pollIntervalMs: 250,
        log: (line) => logs.push(`[worker] ${line}`),
      });
    }
    const running = worker;
    return {
      azurite,
      seeded,
      worker,
      logs,
      async stop() {
        try {
          await running?.stop();
        } finally {
          await azurite.stop();
        }
      },
    };
  } catch (e) {
    await azurite.stop().catch(() => undefined);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The environment

export interface TestEnvironmentOptions {
  /** Sample hubs to seed (default SampleHub and LegacyHub, as `npm start`). */
  hubs?: readonly SampleHubKind[];
  /** Run the local worker on the seeded hubs (default true). */
  worker?: boolean;
  /** Browser viewport of every workbench (default 1400×900). */
  viewport?: { width: number; height: number };
  /** Extra VS Code user settings, merged over TEST_USER_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Progress lines of the harness (default: printed when DURABLE_VSCODE_DEBUG=1). */
  log?: (line: string) => void;
}

export interface OpenWorkbenchOptions {
  /**
   * Absolute path of a compiled test module (`exports.run(): Promise<void>`, such as
   * EXTENSION_TESTS_PATH): the workbench runs it in the extension host, then reports its exit
   * code through `exitCode`.
   */
  extensionTestsPath?: string;
  /** Folder to open (default the environment's workspace folder). */
  folder?: string;
  /** Called with every entry of the workbench's log (its own and the extension host's console). */
  onLog?: (line: string) => void;
  /** Called with what the extension-host tests print (see Workbench.output), as it arrives. */
  onOutput?: (text: string) => void;
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  /**
   * With `extensionTestsPath`: the test run's exit code (0 when `run()` resolved), once the
   * workbench has stopped the extension host. Never rejects; it may never settle either, so
   * callers time it out (see waitForExitCode).
   */
  exitCode?: Promise<number>;
  /** Entries the workbench logged via `codeAutomationLog` (`level: text`), plus page errors. */
  logs: string[];
  /**
   * What the extension-host test run printed to its console (mocha's report, the tests' and the
   * extension's console output), in order, without the marker; one entry per console call.
   */
  output: string[];
  /** Closes the page and its browser context. */
  close(): Promise<void>;
}

export interface TestEnvironment {
  azurite: RunningAzurite;
  /** Azurite's full connection string (also DURABLE_TEST_CONNECTION in the extension host). */
  connectionString: string;
  /** Temp folder with host.json and local.settings.json, opened by every workbench. */
  workspaceFolder: string;
  /** http://127.0.0.1:PORT */
  codeServerUrl: string;
  browser: Browser;
  /** The seeder's result (hub names, SampleHub's instance ids). */
  seeded: SeedResult;
  /** Seeder, worker and code-server output, for diagnosis. */
  logs: { backend: string[]; codeServer: string[] };
  openWorkbench(opts?: OpenWorkbenchOptions): Promise<Workbench>;
  /** Saves a PNG of the page as test-results/screenshots/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Stops the browser, code-server (its whole process group), the worker and Azurite, and removes the temp folders. */
  stop(): Promise<void>;
}

// What must not outlive this process even when stop() never runs (a crash, process.exit() in the
// middle of a run, Ctrl-C, SIGTERM): code-server's process groups and the temp folders. Chromium
// is Playwright's to kill at exit. The signal handlers are installed only while an environment
// runs; they clean up and exit as Node would have without them (Playwright's own SIGTERM handler
// closes the browser but keeps the process alive).
const liveGroups = new Set<number>();
const liveTempRoots = new Set<string>();
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function emergencyCleanup(): void {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
  for (const dir of liveTempRoots) {
    rmSync(dir, { recursive: true, force: true });
  }
  liveTempRoots.clear();
}

function onExitSignal(signal: NodeJS.Signals): void {
  emergencyCleanup();
  process.exit(128 + (osConstants.signals[signal] ?? 1));
}

let cleanupHooksInstalled = false;
function updateCleanupHooks(): void {
  const needed = liveGroups.size > 0 || liveTempRoots.size > 0;
  if (needed && !cleanupHooksInstalled) {
    process.on('exit', emergencyCleanup);
    for (const signal of EXIT_SIGNALS) {
      process.on(signal, onExitSignal);
    }
  } else if (!needed && cleanupHooksInstalled) {
    process.off('exit', emergencyCleanup);
    for (const signal of EXIT_SIGNALS) {
      process.off(signal, onExitSignal);
    }
  }
  cleanupHooksInstalled = needed;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function text(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(text).join(' ');
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Starts everything (see the header). ~10 s with code-server installed; on a machine without it,
 * installs it first (~2.5 min). On failure, stops what it had started and rethrows.
 */
export async function startTestEnvironment(opts: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const log = opts.log ?? ((line: string) => (DEBUG ? console.log(`[vscode-env] ${line}`) : undefined));
  const started = Date.now();
  const since = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'Stopping the VS Code test environment failed');
    }
  };

  try {
    // Before Azurite: the install (first run only) blocks this process.
    const vscode = await ensureCodeServer();
    const nodeVersion = await new Promise<string>((resolve, reject) => {
      const p = spawn(vscode.node, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.once('error', reject);
      p.once('exit', () => resolve(out.trim()));
    });
    log(`code-server at ${vscode.codeServer} (Node ${nodeVersion})`);

    const tempRoot = mkdtempSync(path.join(tmpdir(), 'durable-vscode-'));
    liveTempRoots.add(tempRoot);
    updateCleanupHooks();
    cleanups.push(async () => {
      rmSync(tempRoot, { recursive: true, force: true, maxRetries: 3 });
      liveTempRoots.delete(tempRoot);
      updateCleanupHooks();
    });

    const backend = await startSeededBackend({ ...(opts.hubs ? { hubs: opts.hubs } : {}), worker: opts.worker ?? true });
    cleanups.push(() => backend.stop());
    const connectionString = backend.azurite.connectionString;
    log(`Azurite ${backend.azurite.tableEndpoint}, seeded ${backend.seeded.hubs.map((h) => h.name).join(', ')} (${since()})`);

    const workspaceFolder = writeWorkspaceFolder(path.join(tempRoot, 'workspace'), connectionString);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      DURABLE_TEST_CONNECTION: connectionString,
      DURABLE_TEST_OUTPUT_MARKER: EXTENSION_OUTPUT_MARKER,
    };
    // The extension must find its connection through the workspace folder, not the runner's env.
    const inherited = process.env.AzureWebJobsStorage;
    delete process.env.AzureWebJobsStorage;
    let server: RunningCodeServer;
    try {
      server = await startCodeServer({
        paths: vscode,
        stateDir: tempRoot,
        folder: workspaceFolder,
        port,
        settings: { ...TEST_USER_SETTINGS, ...opts.settings },
        env,
        smokeTestDriver: true,
        onOutput: (line) => (DEBUG ? console.log(`[code-server] ${line}`) : undefined),
        onSpawn: (child) => {
          if (child.pid !== undefined) {
            liveGroups.add(child.pid);
            updateCleanupHooks();
          }
        },
      });
    } finally {
      if (inherited !== undefined) {
        process.env.AzureWebJobsStorage = inherited;
      }
    }
    const child = server.child;
    cleanups.push(async () => {
      await server.stop();
      if (child.pid !== undefined) {
        liveGroups.delete(child.pid);
        updateCleanupHooks();
      }
    });
    const codeServerUrl = server.url;
    const codeServerOutput = server.output;
    log(`code-server ${codeServerUrl} (pid ${child.pid}) (${since()})`);

    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    cleanups.push(async () => {
      await Promise.race([browser.close(), wait(10_000)]);
    });
    log(`Chromium ${browser.version()} (${since()})`);

    const viewport = opts.viewport ?? { width: 1400, height: 900 };
    let workbenchCount = 0;
    const openWorkbench = async (o: OpenWorkbenchOptions = {}): Promise<Workbench> => {
      const n = ++workbenchCount;
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const logs: string[] = [];
      const output: string[] = [];
      const push = (line: string): void => {
        logs.push(line);
        o.onLog?.(line);
      };
      let settle: ((code: number) => void) | undefined;
      const exitCode = o.extensionTestsPath ? new Promise<number>((resolve) => (settle = resolve)) : undefined;
      // Both before navigating: the workbench looks them up on `window` when it needs them.
      await page.exposeFunction('codeAutomationLog', (level: unknown, args: unknown) => {
        // args: console-style arguments (a format string and its values).
        const message = Array.isArray(args) ? format(...(args as unknown[])) : text(args);
        push(`${text(level)}: ${message}`);
        if (message.startsWith(EXTENSION_OUTPUT_MARKER)) {
          const printed = message.slice(EXTENSION_OUTPUT_MARKER.length);
          output.push(printed);
          o.onOutput?.(printed);
        }
      });
      await page.exposeFunction('codeAutomationExit', (code: unknown, logFiles: unknown) => {
        // The workbench sends its log files along; keep them for diagnosis.
        try {
          if (Array.isArray(logFiles)) {
            const dir = path.join(TEST_RESULTS_DIR, 'vscode-logs', `workbench-${n}`);
            rmSync(dir, { recursive: true, force: true });
            for (const f of logFiles as { relativePath?: unknown; contents?: unknown }[]) {
              if (typeof f.relativePath === 'string' && !f.relativePath.includes('..')) {
                const file = path.join(dir, f.relativePath);
                mkdirSync(path.dirname(file), { recursive: true });
                writeFileSync(file, typeof f.contents === 'string' ? f.contents : text(f.contents));
              }
            }
          }
        } catch {
          // diagnosis only
        }
        settle?.(typeof code === 'number' ? code : Number(code));
      });
      page.on('pageerror', (e) => push(`pageerror: ${e.message}`));
      const folder = o.folder ?? workspaceFolder;
      const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${p}`;
      const payload: [string, string][] = [['extensionDevelopmentPath', remote(REPO_ROOT)]];
      if (o.extensionTestsPath) {
        payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
      }
      const url = `${codeServerUrl}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      try {
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      } catch (e) {
        await context.close().catch(() => undefined);
        throw e;
      }
      return {
        page,
        context,
        ...(exitCode ? { exitCode } : {}),
        logs,
        output,
        async close() {
          await context.close().catch(() => undefined);
        },
      };
    };

    log(`ready (${since()})`);
    let stopped: Promise<void> | undefined;
    return {
      azurite: backend.azurite,
      connectionString,
      workspaceFolder,
      codeServerUrl,
      browser,
      seeded: backend.seeded,
      logs: { backend: backend.logs, codeServer: codeServerOutput },
      openWorkbench,
      screenshot: (page, name) => takeScreenshot(page, name),
      stop() {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

/**
 * The workbench's exit code, or an error after `timeoutMs` that quotes the last log lines.
 */
export async function waitForExitCode(workbench: Workbench, timeoutMs: number): Promise<number> {
  if (!workbench.exitCode) {
    throw new Error('This workbench runs no extension tests (openWorkbench without extensionTestsPath).');
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = workbench.logs.slice(-40).join('\n');
      reject(new Error(`The extension-host tests did not finish within ${Math.round(timeoutMs / 1000)} s. Last workbench log lines:\n${tail || '(none)'}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([workbench.exitCode, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
