// The `durable` executable (esbuild adds the `#!/usr/bin/env node` line). Process glue only:
// first Ctrl-C cancels the running operation cleanly, a second one exits at once with 130.
import { maskSecrets } from '../core/errors';
import { nodeIo } from './io';
import { main } from './main';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) {
    process.exit(130);
  }
  process.stderr.write('\nCancelling… (press Ctrl-C again to quit now)\n');
  controller.abort();
});

main(process.argv.slice(2), nodeIo(controller.signal)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // main reports its own errors; this is a bug in main itself.
    process.stderr.write(`error: ${maskSecrets(e instanceof Error ? e.message : String(e))}\n`);
    process.exitCode = 1;
  },
);
