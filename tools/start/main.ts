// `npm start`: in one command on a fresh clone, builds the CLI and the extension, starts Azurite
// (default ports 10000-10002, or free ports when one is taken), seeds the sample hubs, starts the
// local worker, then opens the extension in a VS Code on a sample function app folder — the
// desktop `code` with --extensionDevelopmentPath when there is one, else code-server (installed
// on first use by scripts/vscode-env.mjs) whose URL it prints. It stops everything on Ctrl-C /
// SIGTERM (code-server, the worker, then Azurite; exit 0). Azurite keeps its data in memory unless
// --location is given, so every start is a freshly seeded account.
/* eslint-disable @typescript-eslint/no-require-imports */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_AZURITE_PORTS, startAzurite } from '../azurite';
import type { RunningAzurite } from '../azurite';
import { DEFAULT_HUB_NAMES, DEVELOPMENT_STORAGE, HUB_KINDS, SAMPLE_IDS, seed } from '../seed/seeder';
import type { SampleHubKind, SeedResult } from '../seed/seeder';
import { ensureCodeServer, freePort, startCodeServer, writeFunctionAppFolder } from '../vscode/codeServer';
import { startManagementApi } from '../worker/httpApi';
import type { ManagementApi } from '../worker/httpApi';
import type { RunningCodeServer, VscodeEnvPaths } from '../vscode/codeServer';

const USAGE = `Usage: npm start [-- options]

Starts Azurite, seeds the sample task hubs (SampleHub, LegacyHub) and runs the local worker,
until Ctrl-C.

Options:
  --free-ports     Use free ports even if 10000-10002 are available (also: DURABLE_START_FREE_PORTS=1).
  --location DIR   Keep Azurite's data in DIR (default: in memory, seeded afresh on every start;
                   with DIR, hubs seeded before are kept as they are).
  --instances N    Also seed BulkHub with N instances (benchmarks).
  --seed S         Data set of the seeder (default 1).
  --no-worker      Do not start the worker (nor its HTTP management API).
  --http-port N    Port of the worker's HTTP management API, as \`func start\` serves it (default 7071,
                   else a free one; 0: a free one).
  --no-vscode      Do not open VS Code (backend only).
  --vscode-port N  Port for code-server when there is no desktop VS Code (default 8080, else a free one).
  -h, --help       Show this help.
`;

// ---------------------------------------------------------------------------------------------
// The local worker (tools/worker/worker.ts): `startWorker(options): { stop(): Promise<void> }`.
// This is the one place that knows it. Without that file npm start runs without a worker (esbuild
// leaves a require() it cannot resolve inside try/catch to fail at run time).

/** The subset of the worker's `WorkerOptions` npm start uses. */
interface WorkerStartOptions {
  connectionString: string;
  /** The hubs to serve (default: every hub in the account). */
  taskHubNames: string[];
  /** One line per processed message. */
  log: (line: string) => void;
}

interface WorkerHandle {
  stop(): Promise<void>;
}

interface WorkerModule {
  startWorker(options: WorkerStartOptions): WorkerHandle | Promise<WorkerHandle>;
}

function loadWorker(): WorkerModule | undefined {
  try {
    return require('../worker/worker') as WorkerModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && /worker[\\/]worker/.test(err.message)) {
      return undefined;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------

interface StartArgs {
  help: boolean;
  freePorts: boolean;
  location?: string;
  instances?: number;
  seed?: number;
  worker: boolean;
  vscode: boolean;
  vscodePort?: number;
  httpPort?: number;
}

function parseStartArgs(argv: string[], env: NodeJS.ProcessEnv): StartArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'free-ports': { type: 'boolean' },
      location: { type: 'string' },
      instances: { type: 'string' },
      seed: { type: 'string' },
      'no-worker': { type: 'boolean' },
      'no-vscode': { type: 'boolean' },
      'vscode-port': { type: 'string' },
      'http-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const int = (text: string | undefined, flag: string, max: number): number | undefined => {
    if (text === undefined) {
      return undefined;
    }
    const n = Number(text);
    if (!/^\d+$/.test(text) || n > max) {
      throw new Error(`--${flag} must be an integer from 0 to ${max}, not '${text}'.`);
    }
    return n;
  };
  return {
    help: values.help === true,
    freePorts: values['free-ports'] === true || /^(1|true|yes)$/i.test(env.DURABLE_START_FREE_PORTS ?? ''),
    ...(values.location ? { location: values.location } : {}),
    ...(values.instances !== undefined ? { instances: int(values.instances, 'instances', 1_000_000) } : {}),
    ...(values.seed !== undefined ? { seed: int(values.seed, 'seed', 0xffffffff) } : {}),
    worker: values['no-worker'] !== true,
    vscode: values['no-vscode'] !== true,
    ...(values['vscode-port'] !== undefined ? { vscodePort: int(values['vscode-port'], 'vscode-port', 65535) } : {}),
    ...(values['http-port'] !== undefined ? { httpPort: int(values['http-port'], 'http-port', 65535) } : {}),
  };
}

/** The repository root: the folder with our package.json above this file (bundled into .cache/tools/). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'durable-explorer') {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      return process.cwd();
    }
  }
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, process.platform === 'win32' ? `${command}.cmd` : command);
    if (candidate && existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function summary(az: RunningAzurite, seeded: SeedResult, worker: string, hostApi: ManagementApi | undefined, vscode: string, root: string): string[] {
  const rel = path.relative(process.cwd(), path.join(root, 'dist', 'cli.js')) || 'dist/cli.js';
  const cli = `node ${rel.includes(' ') ? JSON.stringify(rel) : rel}`;
  const connection = az.onDefaultPorts ? DEVELOPMENT_STORAGE : az.connectionString;
  const sample = seeded.hubs.find((h) => h.kind === 'sample')?.name ?? DEFAULT_HUB_NAMES.sample;
  const lines = [
    'Durable Explorer is running:',
    `  Azurite      blob  ${az.blobEndpoint}`,
    `               queue ${az.queueEndpoint}`,
    `               table ${az.tableEndpoint}`,
    az.location ? `               data kept in ${az.location}` : '               in memory: the data goes when this stops (--location DIR keeps it)',
    `  Connection   AzureWebJobsStorage=${connection}`,
    ...seeded.hubs.map((h, i) =>
      `${i === 0 ? '  Task hubs    ' : '               '}${h.name.padEnd(10)} ${h.layout} layout, ${h.partitionCount} partitions, ` +
      (h.action === 'skipped' ? 'kept from before' : `${h.instances.toLocaleString('en-US')} instances`),
    ),
    `  Worker       ${worker}`,
    ...(hostApi ? [`  Host API     ${hostApi.url}/runtime/webhooks/durabletask (the HTTP management API, as func start serves it)`] : []),
    ...(vscode ? [`  VS Code      ${vscode}`] : []),
    '',
    'Try the CLI in another terminal:',
    process.platform === 'win32' ? `  $env:AzureWebJobsStorage = '${connection}'` : `  export AzureWebJobsStorage='${connection}'`,
    `  ${cli} list-task-hubs`,
    `  ${cli} get-instances --task-hub-name ${sample}`,
    `  ${cli} get-instances --task-hub-name ${sample} --runtime-status Failed`,
    `  ${cli} get-history --task-hub-name ${sample} --id ${SAMPLE_IDS.approvalWaiting}`,
    `  ${cli} raise-event --task-hub-name ${sample} --id ${SAMPLE_IDS.approvalWaiting} --event-name Approval --event-data true`,
    `  ${cli} rewind --task-hub-name ${sample} --id ${SAMPLE_IDS.failsUntilRewound}`,
    `  ${cli} start-new --task-hub-name ${sample} --function-name HelloCities --input '["Oslo","Lima"]'`,
    ...(hostApi ? [`  ${cli} get-instances --host ${hostApi.url}    (through the running host, no connection string)`] : []),
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines;
}

async function main(): Promise<number> {
  let args: StartArgs;
  try {
    args = parseStartArgs(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\nRun 'npm start -- --help' for the options.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const controller = new AbortController();
  let azurite: RunningAzurite | undefined;
  let worker: WorkerHandle | undefined;
  let hostApi: ManagementApi | undefined;
  let codeServer: RunningCodeServer | undefined;
  let ready = false;
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    const cs = codeServer;
    codeServer = undefined;
    if (cs) {
      out('Stopping code-server…');
      await cs.stop();
    }
    const api = hostApi;
    hostApi = undefined;
    if (api) {
      out('Stopping the host API…');
      await api.stop();
    }
    const w = worker;
    worker = undefined;
    if (w) {
      out('Stopping the worker…');
      await w.stop();
    }
    const az = azurite;
    azurite = undefined;
    if (az) {
      out('Stopping Azurite…');
      await az.stop();
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write('Quitting without waiting.\n');
      process.exit(130);
    }
    stopping = true;
    out(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping… (press Ctrl-C again to quit at once)`);
    controller.abort();
    stopAll().then(
      () => {
        out('Stopped.');
        process.exit(ready ? 0 : 130);
      },
      (e: unknown) => {
        process.stderr.write(`error while stopping: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const root = repoRoot();
    out('Building the CLI and the extension (node scripts/build.mjs)…');
    const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) {
      throw new Error('Building the CLI and the extension failed (see above).');
    }

    // Which VS Code: decided (and code-server installed) before Azurite starts in this process,
    // because the first install blocks for a few minutes.
    const desktopCode = args.vscode ? findOnPath('code') : undefined;
    let codeServerPaths: VscodeEnvPaths | undefined;
    let vscodeText = args.vscode ? '' : 'not opened (--no-vscode)';
    if (args.vscode && !desktopCode) {
      if (!existsSync(path.join(root, '.cache', 'vscode-env'))) {
        out('No desktop VS Code (`code`) on PATH: installing code-server into .cache/vscode-env (first run only, ~3 min)…');
      }
      try {
        codeServerPaths = await ensureCodeServer(root);
      } catch (e) {
        vscodeText = `not opened: code-server could not be installed (${e instanceof Error ? e.message : String(e)}); see scripts/vscode-env.mjs`;
        process.stderr.write(`warning: ${vscodeText}\n`);
      }
    }

    out(args.freePorts ? 'Starting Azurite on free ports…' : `Starting Azurite on ports ${DEFAULT_AZURITE_PORTS.blob}-${DEFAULT_AZURITE_PORTS.table}…`);
    azurite = await startAzurite({
      ports: args.freePorts ? 'free' : 'default',
      fallbackToFreePorts: true,
      ...(args.location ? { location: args.location } : {}),
    });
    if (azurite.fellBackFrom) {
      out(`Ports ${DEFAULT_AZURITE_PORTS.blob}-${DEFAULT_AZURITE_PORTS.table} are taken (another Azurite?): using free ports ${azurite.ports.blob}, ${azurite.ports.queue}, ${azurite.ports.table}.`);
    }

    out('Seeding the sample task hubs…');
    const hubs: SampleHubKind[] = HUB_KINDS.filter((k) => k !== 'bulk' || (args.instances ?? 0) > 0);
    const seeded = await seed({
      connectionString: azurite.connectionString,
      hubs,
      ...(args.instances ? { instances: args.instances } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      signal: controller.signal,
      log: (line) => out(`  ${line}`),
    });

    let workerText = 'not started (--no-worker)';
    if (args.worker) {
      const mod = loadWorker();
      if (!mod) {
        workerText = 'not available yet (tools/worker/worker.ts does not exist)';
      } else {
        // BulkHub is benchmark data: its Pending instances stay Pending.
        const taskHubs = seeded.hubs.filter((h) => h.kind !== 'bulk').map((h) => h.name);
        out(`Starting the worker for ${taskHubs.join(', ')}…`);
        try {
          worker = await mod.startWorker({ connectionString: azurite.connectionString, taskHubNames: taskHubs, log: (line) => out(`[worker] ${line}`) });
          workerText = `running for ${taskHubs.join(', ')}`;
        } catch (e) {
          process.stderr.write(`warning: the worker did not start: ${e instanceof Error ? e.message : String(e)}\n`);
          workerText = 'failed to start (see the warning above)';
        }
        if (worker) {
          // With the worker running, the hubs behave as under `func start`: serve its HTTP management API too.
          const sampleHub = seeded.hubs.find((h) => h.kind === 'sample')?.name ?? DEFAULT_HUB_NAMES.sample;
          try {
            hostApi = await startManagementApi({ connectionString: azurite.connectionString, defaultTaskHub: sampleHub, port: await freePort(args.httpPort ?? 7071) });
          } catch (e) {
            process.stderr.write(`warning: the HTTP management API did not start: ${e instanceof Error ? e.message : String(e)}\n`);
          }
        }
      }
    }
    if (stopping) {
      // The signal handler stops everything and exits (the process ends with whatever just started).
      return -1;
    }
    if (args.vscode && (desktopCode || codeServerPaths)) {
      const connection = azurite.onDefaultPorts ? DEVELOPMENT_STORAGE : azurite.connectionString;
      const sample = seeded.hubs.find((h) => h.kind === 'sample')?.name ?? DEFAULT_HUB_NAMES.sample;
      const folder = writeFunctionAppFolder(path.join(root, '.cache', 'sample-app'), connection, sample);
      if (desktopCode) {
        // The desktop editor lives on its own; closing it is up to the user.
        spawn(desktopCode, ['--new-window', `--extensionDevelopmentPath=${root}`, folder], { detached: true, stdio: 'ignore' }).unref();
        vscodeText = `VS Code opened on ${folder} with this extension under development`;
      } else if (codeServerPaths) {
        out('Starting code-server with the extension…');
        const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
        codeServer = await startCodeServer({
          paths: codeServerPaths,
          stateDir: path.join(root, '.cache', 'vscode-start'),
          folder,
          port: await freePort(args.vscodePort ?? 8080),
          installExtensions: [{ folder: root, id: 'durable-explorer.durable-explorer', version }],
          // The sample folder sits inside this repository: don't offer to open the repository.
          settings: { 'git.openRepositoryInParentFolders': 'never' },
        });
        vscodeText = `${codeServer.url}/?folder=${encodeURI(folder)}  (open it in a browser)`;
      }
    }
    out();
    for (const line of summary(azurite, seeded, workerText, hostApi, vscodeText, root)) {
      out(line);
    }
    ready = true;
    // Azurite's servers keep the process alive until a signal stops everything.
    return -1;
  } catch (e) {
    if (stopping) {
      // The signal handler is already stopping everything and will exit.
      return -1;
    }
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    await stopAll().catch(() => undefined);
    return 1;
  }
}

void main().then((code) => {
  if (code >= 0) {
    process.exit(code);
  }
});
