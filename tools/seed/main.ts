// `npm run seed`: writes the sample task hubs (see seeder.ts and `npm run seed -- --help`).
import { runSeedCli } from './seeder';

const controller = new AbortController();
let interrupted = false;
const onSignal = (): void => {
  if (interrupted) {
    process.exit(130);
  }
  interrupted = true;
  process.stderr.write('Stopping… (Ctrl-C again to quit at once)\n');
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

void runSeedCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
).finally(() => {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
});
