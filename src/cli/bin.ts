// The `durable` executable (esbuild adds the `#!/usr/bin/env node` line). Process glue only:
// first Ctrl-C cancels the running operation cleanly, a second one exits at once with 130.
import nodeModule from 'node:module';
import { maskSecrets } from '../core/errors';
import { nodeIo } from './io';
import { main } from './main';

// Node 22.1+ keeps the compiled code of what is loaded from here on (the SDK chunks of dist/sdk/)
// in its on-disk compile cache, so later runs skip compiling it. Absent before 22.1 (Node 20).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

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
