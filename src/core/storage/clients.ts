// One seam for every Azure SDK client core uses. Built once per connection from either a
// connection string or a TokenCredential (identity-based connections). The SDKs are loaded
// lazily so the extension activates without paying for them.
//
// Retries and timeouts are configured here, once, for all three SDKs (STORAGE_POLICY): transient
// failures (500, 503, resets, timeouts; 429 with Retry-After for tables) are retried by each SDK's own
// retry policy, and a storage account that is down or black-holed fails in bounded time instead of
// hanging: the SDKs have no client-side timeout of their own, so every socket gets one here.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TableClient, TableServiceClient } from '@azure/data-tables';
import type { QueueClient, QueueServiceClient, StoragePipelineOptions } from '@azure/storage-queue';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { accountNameFromEndpoint, connectionStringSecrets, parseConnectionString } from './connectionString';
import type { ServiceEndpoints } from './connectionString';

export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; endpoints: ServiceEndpoints; credential: TokenCredential };

export interface StorageClients {
  readonly accountName: string;
  readonly endpoints: ServiceEndpoints;
  /** Values that must never be shown (keys, SAS, the whole connection string). */
  readonly secrets: readonly string[];
  /** The retry and timeout policy every client here uses. */
  readonly policy: Readonly<StoragePolicy>;
  table(name: string): TableClient;
  tableService(): TableServiceClient;
  queue(name: string): QueueClient;
  /**
   * A queue client that tries each request once, for sends that must not be duplicated: the SDK's
   * retry policy cannot tell a request that never reached storage from one whose answer was lost.
   */
  queueSendOnce(name: string): QueueClient;
  queueService(): QueueServiceClient;
  container(name: string): ContainerClient;
  blobService(): BlobServiceClient;
}

export interface StoragePolicy {
  /** Attempts per request, the first included. */
  maxTries: number;
  /** Base of the exponential backoff between attempts. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** A connection not established within this long fails with ETIMEDOUT (a black-holed endpoint). */
  connectTimeoutMs: number;
  /** A request during which storage sends nothing for this long fails with ETIMEDOUT (a hung server). */
  idleTimeoutMs: number;
}

/**
 * Bounded: a refused connection fails in about a second and a black-holed endpoint in about
 * maxTries × connectTimeoutMs (~21 s); transient 500/503/reset faults get three retries within ~1.5 s.
 * Storage answers in milliseconds, and a table query returns a partial page with a continuation
 * token after at most 5 s, so 20 s of silence means a hung connection.
 */
export const STORAGE_POLICY: Readonly<StoragePolicy> = {
  maxTries: 4,
  retryDelayMs: 200,
  maxRetryDelayMs: 2000,
  connectTimeoutMs: 5000,
  idleTimeoutMs: 20_000,
};

export interface StorageClientsOptions {
  /** Overrides parts of STORAGE_POLICY (tests use short delays and timeouts). */
  policy?: Partial<StoragePolicy>;
}

// Lazy `require` (not `import()`) so the CommonJS build of each SDK is used, once, on first need.
/* eslint-disable @typescript-eslint/no-require-imports */
function loadSdks(): {
  tables: typeof import('@azure/data-tables');
  queues: typeof import('@azure/storage-queue');
  blobs: typeof import('@azure/storage-blob');
} {
  return {
    tables: require('@azure/data-tables') as typeof import('@azure/data-tables'),
    queues: require('@azure/storage-queue') as typeof import('@azure/storage-queue'),
    blobs: require('@azure/storage-blob') as typeof import('@azure/storage-blob'),
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

function timeoutError(message: string): Error {
  // ETIMEDOUT: a code both SDKs' retry policies retry and toDurableError reports as unreachable.
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/**
 * Keep-alive sockets with a connect timeout and an idle timeout. The agent's own `timeout` keeps
 * the idle timeout on sockets reused from the pool (Node resets a freed socket's timeout to it).
 */
function timeoutAgent(secure: boolean, policy: StoragePolicy): http.Agent {
  const Base = secure ? https.Agent : http.Agent;
  class TimeoutAgent extends Base {
    override createConnection(...args: Parameters<http.Agent['createConnection']>): ReturnType<http.Agent['createConnection']> {
      const socket = super.createConnection(...args) as Socket;
      const target = `${String(args[0].host ?? args[0].hostname)}:${String(args[0].port)}`;
      let connected = false;
      socket.setTimeout(policy.connectTimeoutMs);
      socket.once('connect', () => {
        connected = true;
        socket.setTimeout(policy.idleTimeoutMs);
      });
      socket.on('timeout', () => {
        socket.destroy(
          timeoutError(
            connected
              ? `No response from ${target} within ${policy.idleTimeoutMs} ms`
              : `Could not connect to ${target} within ${policy.connectTimeoutMs} ms`,
          ),
        );
      });
      return socket;
    }
  }
  return new TimeoutAgent({ keepAlive: true, timeout: policy.idleTimeoutMs });
}

/**
 * The table SDK honours Retry-After on 429/503 without a limit, so a server asking for an hour
 * would stall a command for an hour: cap the wait at the policy's longest backoff.
 */
function capRetryAfterPolicy(maxMs: number): PipelinePolicy {
  return {
    name: 'durableExplorerCapRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429 || response.status === 503) {
        for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
          const ms = Number(response.headers.get(header));
          if (Number.isFinite(ms) && ms > maxMs) {
            response.headers.set(header, String(maxMs));
          }
        }
        const retryAfter = response.headers.get('retry-after');
        if (retryAfter !== undefined) {
          const seconds = /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) : (Date.parse(retryAfter) - Date.now()) / 1000;
          if (!Number.isFinite(seconds) || seconds * 1000 > maxMs) {
            response.headers.set('retry-after', String(Math.ceil(maxMs / 1000)));
          }
        }
      }
      return response;
    },
  };
}

export async function createStorageClients(connection: StorageConnection, options: StorageClientsOptions = {}): Promise<StorageClients> {
  const { tables, queues, blobs } = loadSdks();
  const policy: StoragePolicy = { ...STORAGE_POLICY, ...options.policy };
  const agents = new Map<boolean, http.Agent>();
  const agentFor = (url: string): http.Agent => {
    const secure = url.startsWith('https:');
    let agent = agents.get(secure);
    if (!agent) {
      agent = timeoutAgent(secure, policy);
      agents.set(secure, agent);
    }
    return agent;
  };
  // The storage SDKs type no `agent` option, but hand their options to core-rest-pipeline, which
  // uses it (faults.test.ts proves the timeouts apply). tryTimeoutInMs is the server-side timeout.
  const storageOptions = (url: string, maxTries = policy.maxTries): StoragePipelineOptions =>
    ({
      retryOptions: { maxTries, retryDelayInMs: policy.retryDelayMs, maxRetryDelayInMs: policy.maxRetryDelayMs, tryTimeoutInMs: policy.idleTimeoutMs },
      agent: agentFor(url),
    }) as StoragePipelineOptions;

  let endpoints: ServiceEndpoints;
  let accountName: string;
  let secrets: string[] = [];
  let tableCredential: TokenCredential | InstanceType<typeof tables.AzureNamedKeyCredential> | InstanceType<typeof tables.AzureSASCredential>;
  let queueService: QueueServiceClient;
  let queueSendOnceService: QueueServiceClient;
  let blobService: BlobServiceClient;

  if (connection.kind === 'connectionString') {
    const parsed = parseConnectionString(connection.connectionString);
    endpoints = parsed.endpoints;
    accountName = parsed.accountName;
    secrets = connectionStringSecrets(connection.connectionString);
    if (parsed.accountKey) {
      tableCredential = new tables.AzureNamedKeyCredential(parsed.accountName, parsed.accountKey);
      const shared = new queues.StorageSharedKeyCredential(parsed.accountName, parsed.accountKey);
      queueService = new queues.QueueServiceClient(endpoints.queue, shared, storageOptions(endpoints.queue));
      queueSendOnceService = new queues.QueueServiceClient(endpoints.queue, shared, storageOptions(endpoints.queue, 1));
      const sharedBlob = new blobs.StorageSharedKeyCredential(parsed.accountName, parsed.accountKey);
      blobService = new blobs.BlobServiceClient(endpoints.blob, sharedBlob, storageOptions(endpoints.blob));
    } else {
      const sas = parsed.sas ?? '';
      tableCredential = new tables.AzureSASCredential(sas);
      queueService = new queues.QueueServiceClient(`${endpoints.queue}?${sas}`, undefined, storageOptions(endpoints.queue));
      queueSendOnceService = new queues.QueueServiceClient(`${endpoints.queue}?${sas}`, undefined, storageOptions(endpoints.queue, 1));
      blobService = new blobs.BlobServiceClient(`${endpoints.blob}?${sas}`, undefined, storageOptions(endpoints.blob));
    }
  } else {
    endpoints = connection.endpoints;
    accountName = accountNameFromEndpoint(endpoints.table) ?? accountNameFromEndpoint(endpoints.blob) ?? 'unknown';
    tableCredential = connection.credential;
    queueService = new queues.QueueServiceClient(endpoints.queue, connection.credential, storageOptions(endpoints.queue));
    queueSendOnceService = new queues.QueueServiceClient(endpoints.queue, connection.credential, storageOptions(endpoints.queue, 1));
    blobService = new blobs.BlobServiceClient(endpoints.blob, connection.credential, storageOptions(endpoints.blob));
  }

  // Each TableClient has its own pipeline, so the per-try policy is added once per client.
  const tableOptions = () => ({
    allowInsecureConnection: endpoints.table.startsWith('http:'),
    retryOptions: { maxRetries: policy.maxTries - 1, retryDelayInMs: policy.retryDelayMs, maxRetryDelayInMs: policy.maxRetryDelayMs },
    agent: agentFor(endpoints.table),
    additionalPolicies: [{ policy: capRetryAfterPolicy(policy.maxRetryDelayMs), position: 'perRetry' as const }],
  });
  const tableClients = new Map<string, TableClient>();
  let tableServiceClient: TableServiceClient | undefined;

  return {
    accountName,
    endpoints,
    secrets,
    policy,
    table(name) {
      let client = tableClients.get(name);
      if (!client) {
        // The credential union is narrowed by construction above.
        client = new tables.TableClient(endpoints.table, name, tableCredential as never, tableOptions());
        tableClients.set(name, client);
      }
      return client;
    },
    tableService() {
      tableServiceClient ??= new tables.TableServiceClient(endpoints.table, tableCredential as never, tableOptions());
      return tableServiceClient;
    },
    queue: (name) => queueService.getQueueClient(name),
    queueSendOnce: (name) => queueSendOnceService.getQueueClient(name),
    queueService: () => queueService,
    container: (name) => blobService.getContainerClient(name),
    blobService: () => blobService,
  };
}
