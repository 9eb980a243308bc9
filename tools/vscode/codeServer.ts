// A real VS Code on machines that cannot download one: code-server 4.139.1 on Node 24, both
// installed by scripts/vscode-env.mjs into .cache/vscode-env. Used by the VS Code tests
// (test/support/vscodeEnvironment.ts) and by `npm start` (tools/start/main.ts).
//
// code-server runs in its own process group (setsid) so stopping it also stops its file
// watchers and extension hosts, loopback only, without auth, gallery, update checks or
// telemetry, with its user data, extensions and XDG folders under one folder of the caller's.
// scripts/vscode-env.mjs blocks while it installs (first run, ~2.5 min): call ensureCodeServer()
// before starting anything that shares this process's event loop (in-process Azurite).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface VscodeEnvPaths {
  /** Node 24 binary that runs code-server. */
  node: string;
  /** code-server's out/node/entry.js. */
  codeServer: string;
  /** The cache folder (.cache/vscode-env). */
  base: string;
}

interface VscodeEnvModule {
  vscodeEnv(): VscodeEnvPaths;
}

const installs = new Map<string, Promise<VscodeEnvPaths>>();

/** Installs Node 24 and code-server on first use, then returns their paths at once. */
export function ensureCodeServer(repoRoot: string): Promise<VscodeEnvPaths> {
  let install = installs.get(repoRoot);
  if (!install) {
    install = (async () => {
      // A real ESM import() (TypeScript keeps `import()` as it is in CommonJS output under nodenext).
      const mod = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'vscode-env.mjs')).href)) as VscodeEnvModule;
      const paths = mod.vscodeEnv();
      for (const p of [paths.node, paths.codeServer]) {
        if (!existsSync(p)) {
          throw new Error(`scripts/vscode-env.mjs finished but ${p} does not exist`);
        }
      }
      return paths;
    })();
    installs.set(repoRoot, install);
  }
  return install;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (or `preferred`, when it is free). */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => (preferred && e.code === 'EADDRINUSE' ? freePort(0).then(resolve, reject) : reject(e)));
    server.listen(preferred, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A Functions app folder the extension recognizes: host.json naming the hub and
 * local.settings.json with `Values.AzureWebJobsStorage`.
 */
export function writeFunctionAppFolder(folder: string, connectionString: string, hubName = 'SampleHub'): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'host.json'), `${JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName } } }, null, 2)}\n`);
  writeFileSync(
    path.join(folder, 'local.settings.json'),
    `${JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: connectionString, FUNCTIONS_WORKER_RUNTIME: 'node' } }, null, 2)}\n`,
  );
  return folder;
}

/** VS Code user settings for a quiet, offline editor with no startup editor. */
export const QUIET_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  // The (empty) secondary side bar would take a third of the window.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  paths: VscodeEnvPaths;
  /** Holds user-data/, extensions/ and xdg/ (created). */
  stateDir: string;
  folder: string;
  port: number;
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and its extension hosts. */
  env?: NodeJS.ProcessEnv;
  /** Lets the browser pass extensionDevelopmentPath/extensionTestsPath in the URL payload (tests). */
  smokeTestDriver?: boolean;
  /** Extension folders to install (linked into the extensions folder as publisher.name-version). */
  installExtensions?: { folder: string; id: string; version: string }[];
  onOutput?: (line: string) => void;
  /** Called as soon as the process exists (for emergency clean-up by process group). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface RunningCodeServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** The last lines code-server printed. */
  output: string[];
  /** Stops the whole process group (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills a process group led by `child` (started with `detached: true`). */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) {
    return;
  }
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, s);
    } catch {
      // the group is gone
    }
  };
  signal('SIGTERM');
  const done = await Promise.race([exited(child).then(() => true), wait(5000).then(() => false)]);
  // The group may outlive its leader (file watchers, extension hosts): kill what is left.
  signal('SIGKILL');
  if (!done) {
    await Promise.race([exited(child), wait(2000)]);
  }
}

async function waitForHealthz(url: string, child: ChildProcess, output: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before serving:\n${output.slice(-30).join('\n')}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) {
        return;
      }
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await wait(200);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s (${lastError}):\n${output.slice(-30).join('\n')}`);
}

/** Starts code-server and waits until it serves. On failure it is stopped again. */
export async function startCodeServer(o: CodeServerOptions): Promise<RunningCodeServer> {
  const userDataDir = path.join(o.stateDir, 'user-data');
  const extensionsDir = path.join(o.stateDir, 'extensions');
  const xdg = path.join(o.stateDir, 'xdg');
  for (const dir of [path.join(userDataDir, 'User'), extensionsDir, path.join(xdg, 'config'), path.join(xdg, 'data'), path.join(xdg, 'cache')]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify({ ...QUIET_USER_SETTINGS, ...o.settings }, null, 2)}\n`);
  for (const ext of o.installExtensions ?? []) {
    const target = path.join(extensionsDir, `${ext.id}-${ext.version}`);
    if (!existsSync(target)) {
      const { symlinkSync } = await import('node:fs');
      symlinkSync(ext.folder, target, 'dir');
    }
  }
  const url = `http://127.0.0.1:${o.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    XDG_CACHE_HOME: path.join(xdg, 'cache'),
    // Otherwise the extensions view queries open-vsx.org.
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
    ...o.env,
  };
  // Node 20 options (e.g. --require hooks of a test runner) must not reach Node 24.
  delete env.NODE_OPTIONS;
  const output: string[] = [];
  const child = spawn(
    o.paths.node,
    [
      o.paths.codeServer,
      '--bind-addr', `127.0.0.1:${o.port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      // Without it every closed page leaves an extension host running for hours.
      '--reconnection-grace-time', '5',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      ...(o.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      o.folder,
    ],
    // detached: setsid, so code-server leads its own process group.
    { cwd: o.stateDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  o.onSpawn?.(child);
  const collect = (data: Buffer): void => {
    for (const line of data.toString().split(/\r?\n/)) {
      if (line.trim()) {
        output.push(line);
        if (output.length > 2000) {
          output.splice(0, 1000);
        }
        o.onOutput?.(line);
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const running: RunningCodeServer = { url, port: o.port, child, output, stop: () => stopProcessGroup(child) };
  try {
    const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`code-server did not start: ${e.message}`))));
    spawnError.catch(() => undefined);
    await Promise.race([waitForHealthz(url, child, output, 60_000), spawnError]);
  } catch (e) {
    await running.stop();
    throw e;
  }
  return running;
}
