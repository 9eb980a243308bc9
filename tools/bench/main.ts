// `npm run bench` (node scripts/run-tool.mjs bench): see bench.ts and BENCH_USAGE.
import { BENCH_USAGE, parseBenchArgs, runBench } from './bench';

let options;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\nRun 'npm run bench -- --help' for the options.\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(BENCH_USAGE);
} else {
  runBench(options).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
