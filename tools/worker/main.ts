// `npm run worker` (node scripts/run-tool.mjs worker [flags]): the local worker as a process.
//
//   --connection-string-setting NAME   environment variable holding the storage connection
//                                      string (default AzureWebJobsStorage; when it is unset,
//                                      UseDevelopmentStorage=true, i.e. a local Azurite)
//   --task-hub-name H                  a hub to serve; repeatable (default: every hub in the
//                                      account, re-discovered every 10 s)
//   --poll-interval MS                 pause when there is nothing to do (default 1000)
//
// Logs one line per processed message. SIGINT/SIGTERM: finishes the batch in hand, releases the
// messages it had taken but not started, exits 0.
import { startWorker } from './worker';

const USAGE = `Usage: npm run worker -- [--connection-string-setting NAME] [--task-hub-name HUB]... [--poll-interval MS]

Plays the Durable Functions runtime for the sample function app (tools/worker/samples.ts) on the
task hubs of a storage account, so messages sent with the durable CLI take effect.

  --connection-string-setting NAME  environment variable with the storage connection string
                                    (default AzureWebJobsStorage; unset: UseDevelopmentStorage=true)
  --task-hub-name HUB               serve this hub (repeatable; default: every hub, re-discovered every 10 s)
  --poll-interval MS                pause between polls when idle (default 1000)
`;

interface Args {
  setting: string;
  hubs: string[];
  pollIntervalMs: number;
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
      default:
        throw new Error(`Unknown argument '${arg}'.`);
    }
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
  const worker = startWorker({ connectionString, taskHubNames: args.hubs, pollIntervalMs: args.pollIntervalMs, log });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now.`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: finishing the work in hand…`);
    void worker.stop().then(() => {
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
