// Starts a real Azurite (blob, queue, table) in this process. `startAzurite()` with no arguments:
// free loopback ports and in-memory persistence, so every test run gets a clean, private
// storage account. `npm start` asks for the default ports (10000-10002, falling back to free
// ports when one is taken) and may keep the data in a folder.
// Azurite's package `main` is its VS Code extension (it requires `vscode`), so the servers are
// deep-imported. In-process servers send no telemetry: only Azurite's CLI entry point starts it.
/* eslint-disable @typescript-eslint/no-require-imports */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The ports Azurite's CLI, `UseDevelopmentStorage=true` and the Storage SDKs assume. */
export const DEFAULT_AZURITE_PORTS: Readonly<AzuritePorts> = { blob: 10000, queue: 10001, table: 10002 };

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

export interface AzuriteOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 'free' (default): ports the OS picks; 'default': 10000-10002; or explicit ports (0 = free). */
  ports?: 'free' | 'default' | Partial<AzuritePorts>;
  /**
   * When a requested port is taken: start all three services on free ports instead of failing
   * (default false). All three move, so the endpoints stay a consistent set.
   */
  fallbackToFreePorts?: boolean;
  /**
   * Keep the data in this folder (Azurite's `--location` layout) instead of in memory; it
   * survives a restart. Azurite cannot combine the two (`--inMemoryPersistence` vs `--location`).
   */
  location?: string;
}

export interface RunningAzurite {
  /** Full connection string with explicit endpoints (works whatever the ports). */
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  ports: AzuritePorts;
  /** True when on 10000-10002 on 127.0.0.1, where `UseDevelopmentStorage=true` reaches it. */
  onDefaultPorts: boolean;
  /** Set when the requested ports were taken and free ones were used instead. */
  fellBackFrom?: AzuritePorts;
  /** The persistence folder, or null when in memory. */
  location: string | null;
  stop(): Promise<void>;
}

function load(modulePath: string): new (...args: unknown[]) => unknown {
  const mod = require(modulePath) as { default: new (...args: unknown[]) => unknown };
  return mod.default;
}

const TUNED = Symbol.for('durable-explorer.azurite.tableStoreTuned');
const KEYS = Symbol.for('durable-explorer.azurite.entityKeys');

type LokiDoc = Record<string, unknown>;

interface LokiCollection {
  data: LokiDoc[];
  cloneObjects: boolean;
  on(event: 'insert' | 'update' | 'delete', listener: (doc: LokiDoc | LokiDoc[]) => void): void;
  [KEYS]?: Map<string, LokiDoc>;
}

interface LokiModule {
  prototype: Record<string | symbol, unknown>;
  Collection: { prototype: Record<string | symbol, unknown> };
}

/** Table keys cannot hold control characters, so NUL separates them unambiguously. */
const entityKey = (doc: LokiDoc): string => `${String(doc.PartitionKey)}\u0000${String(doc.RowKey)}`;

/**
 * (PartitionKey, RowKey) → entity of a collection, built on first use from its documents and
 * kept current through the collection's own events (Azurite changes entities only with insert,
 * update and remove).
 */
function entityKeys(c: LokiCollection): Map<string, LokiDoc> {
  let keys = c[KEYS];
  if (!keys) {
    const map = new Map<string, LokiDoc>(c.data.map((d) => [entityKey(d), d]));
    c.on('insert', (docs) => {
      for (const d of Array.isArray(docs) ? docs : [docs]) {
        map.set(entityKey(d), d);
      }
    });
    c.on('update', (d) => {
      if (!Array.isArray(d)) {
        map.set(entityKey(d), d);
      }
    });
    c.on('delete', (d) => {
      if (!Array.isArray(d) && map.get(entityKey(d)) === d) {
        map.delete(entityKey(d));
      }
    });
    c[KEYS] = keys = map;
  }
  return keys;
}

/**
 * Makes Azurite's table store fast for task hubs, without changing what it answers.
 *
 * Azurite finds an entity with LokiJS `findOne({ RowKey, PartitionKey })`, and LokiJS narrows
 * by the first key's binary index, then tests every candidate. RowKey is unselective in a task
 * hub ('' on every Instances row, 0000000000000000 on every history's first row), so each write
 * tested all rows with that RowKey and seeding slowed down quadratically (3,000 instances took
 * ~60 s). Here that lookup is a hash lookup; and as nothing else uses the entity collections'
 * binary indexes (queries are filter functions, which LokiJS runs without indexes), tables
 * created from now on go without them, which saves keeping two sorted arrays of every row.
 */
function tuneTableStore(): void {
  const loki = createRequire(require.resolve('azurite/package.json'))('lokijs') as LokiModule;
  if (loki.prototype[TUNED]) {
    return;
  }
  loki.prototype[TUNED] = true;
  const findOne = loki.Collection.prototype.findOne as (this: LokiCollection, query?: LokiDoc) => unknown;
  loki.Collection.prototype.findOne = function (this: LokiCollection, query?: LokiDoc): unknown {
    if (query && !this.cloneObjects && 'RowKey' in query && 'PartitionKey' in query && Object.keys(query).length === 2) {
      return entityKeys(this).get(entityKey(query)) ?? null;
    }
    return findOne.call(this, query);
  };
  const addCollection = loki.prototype.addCollection as (this: unknown, name: string, options?: { indices?: unknown }) => unknown;
  loki.prototype.addCollection = function (this: unknown, name: string, options?: { indices?: unknown }): unknown {
    if (options && Array.isArray(options.indices) && options.indices.join() === 'PartitionKey,RowKey') {
      return addCollection.call(this, name, { ...options, indices: [] });
    }
    return addCollection.call(this, name, options);
  };
}

/** True when every non-zero port can be listened on now. */
export async function portsAvailable(host: string, ports: AzuritePorts): Promise<boolean> {
  const free = await Promise.all(
    [ports.blob, ports.queue, ports.table].filter((p) => p !== 0).map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const server = createServer();
          server.once('error', () => resolve(false));
          server.listen(port, host, () => server.close(() => resolve(true)));
        }),
    ),
  );
  return free.every(Boolean);
}

/**
 * Starts blob, queue and table services. With no argument (or a host string, as before): free
 * ports on 127.0.0.1, in memory.
 */
export async function startAzurite(options: string | AzuriteOptions = {}): Promise<RunningAzurite> {
  const o: AzuriteOptions = typeof options === 'string' ? { host: options } : options;
  const host = o.host ?? '127.0.0.1';
  const requested: AzuritePorts =
    o.ports === 'default' ? { ...DEFAULT_AZURITE_PORTS } : o.ports === 'free' || o.ports === undefined ? { blob: 0, queue: 0, table: 0 } : { blob: 0, queue: 0, table: 0, ...o.ports };
  const location = o.location ? path.resolve(o.location) : null;
  if (location) {
    mkdirSync(location, { recursive: true });
  }
  tuneTableStore();

  // Probe first rather than retry after a failed start: a half-started server may already have
  // opened its database files.
  let fellBackFrom: AzuritePorts | undefined;
  let ports = requested;
  if (o.fallbackToFreePorts && !(await portsAvailable(host, requested))) {
    fellBackFrom = requested;
    ports = { blob: 0, queue: 0, table: 0 };
  }
  const servers = await startServers(host, ports, location);
  const [blob, queue, table] = servers;

  const endpoint = (s: AzuriteServer): string => `${s.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
  const portOf = (s: AzuriteServer): number => Number(new URL(s.getHttpServerAddress()).port);
  const blobEndpoint = endpoint(blob);
  const queueEndpoint = endpoint(queue);
  const tableEndpoint = endpoint(table);
  const bound = { blob: portOf(blob), queue: portOf(queue), table: portOf(table) };
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`;

  let stopped = false;
  return {
    connectionString,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    ports: bound,
    onDefaultPorts:
      host === '127.0.0.1' && bound.blob === DEFAULT_AZURITE_PORTS.blob && bound.queue === DEFAULT_AZURITE_PORTS.queue && bound.table === DEFAULT_AZURITE_PORTS.table,
    ...(fellBackFrom ? { fellBackFrom } : {}),
    location,
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      await closeServers(servers, location === null);
    },
  };
}

/** Closes the servers; `clean` also drops their data (in memory only: on disk it deletes the files). */
async function closeServers(servers: readonly AzuriteServer[], clean: boolean): Promise<void> {
  await Promise.all(servers.map(async (s) => {
    await s.close();
    if (clean) {
      await s.clean();
    }
  }));
}

/** Blob, queue and table servers, started; if one fails, the others are closed again. */
async function startServers(host: string, ports: AzuritePorts, location: string | null): Promise<AzuriteServer[]> {
  const TableServer = load('azurite/dist/src/table/TableServer');
  const TableConfiguration = load('azurite/dist/src/table/TableConfiguration');
  const QueueServer = load('azurite/dist/src/queue/QueueServer');
  const QueueConfiguration = load('azurite/dist/src/queue/QueueConfiguration');
  const BlobServer = load('azurite/dist/src/blob/BlobServer');
  const BlobConfiguration = load('azurite/dist/src/blob/BlobConfiguration');

  const loose = true;
  const skipApiVersionCheck = true;
  const inMemory = location === null;
  // In memory, blob contents and queue messages live in a chunk store that every Azurite in the
  // process shares by default, and `clean()` empties it: stopping one Azurite (a test's private
  // one) wiped the blobs and messages of all the others. Each Azurite gets its own.
  const chunks = (): unknown => {
    if (!inMemory) {
      return undefined;
    }
    const mod = require('azurite/dist/src/common/persistence/MemoryExtentStore') as {
      MemoryExtentChunkStore: new (sizeLimit?: number) => unknown;
      DEFAULT_EXTENT_MEMORY_LIMIT: number;
    };
    return new mod.MemoryExtentChunkStore(mod.DEFAULT_EXTENT_MEMORY_LIMIT);
  };
  // On disk: the file names Azurite's CLI uses under --location (azurite/dist/src/azurite.js).
  const file = (name: string): string | undefined => (location ? path.join(location, name) : undefined);
  const persistence = (dir: string, maxConcurrency: number): unknown =>
    location ? [{ locationId: 'Default', locationPath: path.join(location, dir), maxConcurrency }] : undefined;
  // Positional constructor arguments, as in azurite/dist/src/*/…Configuration.js.
  const table = new TableServer(
    new TableConfiguration(host, ports.table, undefined, file('__azurite_db_table__.json'), false, false, undefined, undefined, loose,
      skipApiVersionCheck, '', '', '', undefined, false, inMemory),
  ) as AzuriteServer;
  const queue = new QueueServer(
    new QueueConfiguration(host, ports.queue, undefined, file('__azurite_db_queue__.json'), file('__azurite_db_queue_extent__.json'),
      persistence('__queuestorage__', 1), false, undefined, false, undefined, loose, skipApiVersionCheck, '', '', '', undefined, false, inMemory,
      chunks()),
  ) as AzuriteServer;
  const blob = new BlobServer(
    new BlobConfiguration(host, ports.blob, undefined, file('__azurite_db_blob__.json'), file('__azurite_db_blob_extent__.json'),
      persistence('__blobstorage__', 10), false, undefined, false, undefined, loose, skipApiVersionCheck, '', '', '', undefined, false, inMemory,
      chunks()),
  ) as AzuriteServer;
  const servers = [blob, queue, table];
  const results = await Promise.allSettled(servers.map((s) => s.start()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Close what did start (a failed server is back in its Closed state).
    await Promise.all(servers.filter((_, i) => results[i].status === 'fulfilled').map((s) => s.close().catch(() => undefined)));
    throw failed.reason;
  }
  return servers;
}
