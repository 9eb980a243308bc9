// Azurite in its own process for the bench (bundled to .cache/bench/azurite.cjs): the tuned,
// in-memory Azurite of tools/azurite.ts on free ports. Prints one JSON line with the connection
// string, then serves until stdin closes or it is signalled. Its own process keeps the ~1M rows of
// a 100k hub out of the measured process's heap and event loop, and gives it the second core.
// Its table queries use a key-ordered index (azuriteIndex.ts): same answers, served as Azure
// Storage serves them rather than by filtering and sorting the whole table for every page.
import { startAzurite } from '../azurite';
import { installAzuriteIndex } from './azuriteIndex';

async function main(): Promise<void> {
  installAzuriteIndex();
  const azurite = await startAzurite();
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    void azurite.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  // Answers "rss" on stdin with its memory, so the report can say what the hubs cost Azurite.
  process.stdin.on('data', (chunk: Buffer) => {
    if (chunk.toString('utf8').includes('rss')) {
      process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed })}\n`);
    }
  });
  process.stdout.write(`${JSON.stringify({ ready: true, connectionString: azurite.connectionString, ports: azurite.ports })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`azurite child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
