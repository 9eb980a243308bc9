// A fresh process that lists every instance of a hub through core's async iterator and throws
// them away (bundled to .cache/bench/core.cjs). Run with the RSS preload: its peak RSS is what a
// full listing costs in memory. Arguments: <hub name>; the connection string is in BENCH_CONNECTION.
import { createStorageClients, iterateInstances, openTaskHub } from '../../src/core';

async function main(): Promise<void> {
  const [hubName] = process.argv.slice(2);
  const clients = await createStorageClients({ kind: 'connectionString', connectionString: process.env.BENCH_CONNECTION ?? '' });
  const hub = await openTaskHub({ clients, name: hubName });
  const started = performance.now();
  let count = 0;
  for await (const _ of iterateInstances(hub, {})) {
    count++;
  }
  process.stdout.write(`${JSON.stringify({ count, ms: performance.now() - started })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`core child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
