// The storage the bench measures against: Azurite (in its own process by default, or in this
// one), and the hubs it seeds with the sample-hub seeder.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RuntimeStatus } from '../../src/core';
import { createStorageClients, deleteTaskHub, openTaskHub } from '../../src/core';
import type { StorageClients, TaskHub } from '../../src/core';
import { startAzurite } from '../azurite';
import { installAzuriteIndex } from './azuriteIndex';
import { HubWriter } from '../seed/hubWriter';
import { writeLongHistory } from '../seed/sampleHubs';
import { seed } from '../seed/seeder';

export type AzuriteMode = 'process' | 'in-process';

export interface BenchAzurite {
  mode: AzuriteMode;
  connectionString: string;
  /** Azurite's resident memory in bytes (its own process only; null in-process). */
  rss(): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts Azurite. 'process': node running .cache/bench/azurite.cjs with a large heap, so the
 * measured process does not share its event loop, its CPU core or its garbage collector with the
 * storage; 'in-process': tools/azurite.ts in this process (what the integration tests use).
 * Either way with the key-ordered query index of azuriteIndex.ts.
 */
export async function startBenchAzurite(mode: AzuriteMode, bundle?: string): Promise<BenchAzurite> {
  if (mode === 'in-process') {
    installAzuriteIndex();
    const a = await startAzurite();
    return { mode, connectionString: a.connectionString, rss: async () => null, stop: () => a.stop() };
  }
  if (!bundle) {
    throw new Error('The Azurite child bundle is required in process mode.');
  }
  const child: ChildProcess = spawn(process.execPath, ['--max-old-space-size=16384', bundle], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Azurite (child process) did not answer in time.')), timeoutMs);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`Azurite (child process) exited with code ${code}.`)));
    });
  const ready = JSON.parse(await nextLine(60_000)) as { connectionString: string };
  return {
    mode,
    connectionString: ready.connectionString,
    async rss() {
      child.stdin!.write('rss\n');
      try {
        return (JSON.parse(await nextLine(10_000)) as { rss: number }).rss;
      } catch {
        return null;
      }
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    },
  };
}

export async function clientsFor(connectionString: string): Promise<StorageClients> {
  return createStorageClients({ kind: 'connectionString', connectionString });
}

export async function openHub(clients: StorageClients, name: string): Promise<TaskHub> {
  return openTaskHub({ clients, name });
}

export interface SeedTiming {
  what: string;
  instances: number;
  rows: number;
  ms: number;
}

/** A BulkHub of `instances` (the seeder's mix: ~10 history rows each, 1% with payloads in blobs). */
export async function seedBulkHub(
  connectionString: string,
  name: string,
  instances: number,
  o: { statuses?: readonly RuntimeStatus[]; seed?: number; now?: Date; log?: (line: string) => void } = {},
): Promise<SeedTiming> {
  const started = Date.now();
  const result = await seed({
    connectionString,
    hubs: ['bulk'],
    instances,
    names: { bulk: name },
    reset: true,
    ...(o.statuses ? { bulkStatuses: o.statuses } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const hub = result.hubs[0];
  return { what: `${name} (${instances.toLocaleString('en-US')} instances${o.statuses ? `, ${o.statuses.join('/')}` : ''})`, instances: hub.instances, rows: hub.rows, ms: Date.now() - started };
}

/** A hub holding one HelloCities instance with a history of `events` events (the sample hub's long history). */
export async function seedLongHistoryHub(connectionString: string, name: string, instanceId: string, events: number): Promise<SeedTiming> {
  const started = Date.now();
  const w = await HubWriter.create({ connectionString, hubName: name, layout: 'table', partitionCount: 4 });
  const written = await writeLongHistory(w, instanceId, new Date(Date.now() - 8 * 3600_000), events);
  return { what: `${name} (1 instance, ${events.toLocaleString('en-US')} events)`, instances: 1, rows: written.historyRows.length + 2, ms: Date.now() - started };
}

/** An empty hub (tables, queues, containers, partition rows), for start-new and terminate. */
export async function createEmptyHub(connectionString: string, name: string): Promise<void> {
  await HubWriter.create({ connectionString, hubName: name, layout: 'table', partitionCount: 4 });
}

/** Deletes a hub, ignoring one that is already gone. */
export async function dropHub(clients: StorageClients, name: string): Promise<void> {
  try {
    await deleteTaskHub(clients, { name });
  } catch {
    // already gone, or half-created: nothing to measure either way
  }
}
