// `npm run worker` (node scripts/run-tool.mjs worker [flags]): the local worker as a process.
//
//   --connection-string-setting NAME   environment variable holding the storage connection
//                                      string (default AzureWebJobsStorage; when it is unset,
//                                      UseDevelopmentStorage=true, i.e. a local Azurite)
//   --task-hub-name H                  a hub to serve; repeatable (default: every hub in the
//                                      account, re-discovered every 10 s)
//   --poll-interval MS                 pause when there is nothing to do (default 1000)
//   --http-port N                      also serve the Durable Functions HTTP management API
//                                      (/runtime/webhooks/durabletask) on 127.0.0.1:N; 0 picks a
//                                      free port. Requests without taskHub use the first
//                                      --task-hub-name (else TestHubName, the runtime's default)
//   --http-key KEY                     the system key the API then requires (code= or x-functions-key)
//
// Logs one line per processed message. SIGINT/SIGTERM: finishes the batch in hand, releases the
// messages it had taken but not started, exits 0.
import type { ManagementApi } from './httpApi';
import { startManagementApi } from './httpApi';
import { startWorker } from './worker';

const USAGE = `Usage: npm run worker -- [--connection-string-setting NAME] [--task-hub-name HUB]... [--poll-interval MS]
                         [--http-port N [--http-key KEY]]

Plays the Durable Functions runtime for the sample function app (tools/worker/samples.ts) on the
task hubs of a storage account, so messages sent with the durable CLI take effect.

  --connection-string-setting NAME  environment variable with the storage connection string
                                    (default AzureWebJobsStorage; unset: UseDevelopmentStorage=true)
  --task-hub-name HUB               serve this hub (repeatable; default: every hub, re-discovered every 10 s)
  --poll-interval MS                pause between polls when idle (default 1000)
  --http-port N                     also serve the HTTP management API of a Functions host on
                                    http://127.0.0.1:N/runtime/webhooks/durabletask (0: a free port);
                                    requests without taskHub use the first --task-hub-name, else TestHubName
  --http-key KEY                    require this system key (code=KEY or the x-functions-key header)
`;

/** The Durable Functions extension's hub name when host.json names none (DurableTaskOptions.DefaultHubName). */
const RUNTIME_DEFAULT_HUB = 'TestHubName';

interface Args {
  setting: string;
  hubs: string[];
  pollIntervalMs: number;
  httpPort?: number;
  httpKey?: string;
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  const args: Args = { setting: 'AzureWebJobsStorage', hubs: [], pollIntervalMs: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') {
        throw new Error(`${name} needs a value.`);
      }
      return v;
    };
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--connection-string-setting':
        args.setting = value();
        break;
      case '--task-hub-name':
        args.hubs.push(value());
        break;
      case '--poll-interval': {
        const ms = Number(value());
        if (!Number.isInteger(ms) || ms < 10 || ms > 600_000) {
          throw new Error('--poll-interval must be a whole number of milliseconds from 10 to 600000.');
        }
        args.pollIntervalMs = ms;
        break;
      }
      case '--http-port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new Error('--http-port must be a port number from 0 to 65535 (0 picks a free one).');
        }
        args.httpPort = port;
        break;
      }
      case '--http-key':
        args.httpKey = value();
        break;
      default:
        throw new Error(`Unknown argument '${arg}'.`);
    }
  }
  if (args.httpKey !== undefined && args.httpPort === undefined) {
    throw new Error('--http-key needs --http-port.');
  }
  return args;
}

async function main(): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const fromEnv = process.env[args.setting];
  const connectionString = fromEnv && fromEnv.trim() ? fromEnv : 'UseDevelopmentStorage=true';
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  const log = (line: string): void => {
    process.stdout.write(`${stamp()} ${line}\n`);
  };
  log(
    `Durable local worker: ${fromEnv ? `connection from ${args.setting}` : `${args.setting} is not set, using UseDevelopmentStorage=true`}; ` +
      `${args.hubs.length > 0 ? `hubs ${args.hubs.join(', ')}` : 'every task hub in the account'}. Ctrl-C to stop.`,
  );
  // The API first: a port already in use fails the start before any message is taken.
  let api: ManagementApi | undefined;
  if (args.httpPort !== undefined) {
    const defaultTaskHub = args.hubs[0] ?? RUNTIME_DEFAULT_HUB;
    api = await startManagementApi({ connectionString, port: args.httpPort, key: args.httpKey, defaultTaskHub, log });
    // The key is the caller's own secret: it is never printed.
    log(`HTTP management API: ${api.url}/runtime/webhooks/durabletask (default task hub ${defaultTaskHub}${args.httpKey ? '; the --http-key key is required' : ''}).`);
  }
  const worker = startWorker({ connectionString, taskHubNames: args.hubs, pollIntervalMs: args.pollIntervalMs, log });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now.`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: finishing the work in hand…`);
    void Promise.all([worker.stop(), api?.stop()]).then(() => {
      log('Stopped.');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await worker.done;
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) {
      process.exit(code);
    }
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
