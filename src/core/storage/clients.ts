// One seam for every Azure SDK client core uses. Built once per connection from either a
// connection string or a TokenCredential (identity-based connections). The SDKs are loaded
// lazily so the extension activates without paying for them.
//
// Retries and timeouts are configured here, once, for all three SDKs (STORAGE_POLICY): transient
// failures (500, 503, resets, timeouts; 429 with Retry-After for tables) are retried by each SDK's own
// retry policy, and a storage account that is down or black-holed fails in bounded time instead of
// hanging: the SDKs have no client-side timeout of their own, so every socket gets one here.
import type http from 'node:http';
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
  /** The `sp` (permissions) of the connection's shared access signature; null when it uses none. */
  readonly sasPermissions: string | null;
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

// Lazy `require` (not `import()`) so the CommonJS build of each SDK is used, once, on first need,
// and each SDK only when a client of its service is first asked for: a command that reads tables
// never loads the queue or blob SDK. The bundles (scripts/build.mjs) turn these requires into
// requires of separate chunk files (dist/sdk/*.js), so loading the bundle parses none of them.
/* eslint-disable @typescript-eslint/no-require-imports */
type TablesSdk = typeof import('@azure/data-tables');
type QueuesSdk = typeof import('@azure/storage-queue');
type BlobsSdk = typeof import('@azure/storage-blob');
let tablesSdk: TablesSdk | undefined;
let queuesSdk: QueuesSdk | undefined;
let blobsSdk: BlobsSdk | undefined;
function loadTables(): TablesSdk {
  return (tablesSdk ??= require('@azure/data-tables') as TablesSdk);
}
function loadQueues(): QueuesSdk {
  return (queuesSdk ??= require('@azure/storage-queue') as QueuesSdk);
}
function loadBlobs(): BlobsSdk {
  return (blobsSdk ??= require('@azure/storage-blob') as BlobsSdk);
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
  // Required here, not imported: loading node:http and node:https costs a fresh process (the CLI,
  // the extension's activation) several milliseconds before any storage call needs them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Base = secure ? (require('node:https') as typeof import('node:https')).Agent : (require('node:http') as typeof import('node:http')).Agent;
  /* eslint-enable @typescript-eslint/no-require-imports */
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

  // What each service's clients are built from; the clients themselves (and so each SDK) are
  // created on first use.
  let endpoints: ServiceEndpoints;
  let accountName: string;
  let secrets: string[] = [];
  let sasPermissions: string | null = null;
  let makeTableCredential: () => unknown;
  let makeQueueService: (maxTries?: number) => QueueServiceClient;
  let makeBlobService: () => BlobServiceClient;

  if (connection.kind === 'connectionString') {
    const parsed = parseConnectionString(connection.connectionString);
    endpoints = parsed.endpoints;
    accountName = parsed.accountName;
    secrets = connectionStringSecrets(connection.connectionString);
    const queueUrl = endpoints.queue;
    const blobUrl = endpoints.blob;
    const { accountKey } = parsed;
    if (accountKey) {
      makeTableCredential = () => new (loadTables().AzureNamedKeyCredential)(parsed.accountName, accountKey);
      makeQueueService = (maxTries) => {
        const queues = loadQueues();
        return new queues.QueueServiceClient(queueUrl, new queues.StorageSharedKeyCredential(parsed.accountName, accountKey), storageOptions(queueUrl, maxTries));
      };
      makeBlobService = () => {
        const blobs = loadBlobs();
        return new blobs.BlobServiceClient(blobUrl, new blobs.StorageSharedKeyCredential(parsed.accountName, accountKey), storageOptions(blobUrl));
      };
    } else {
      const sas = parsed.sas ?? '';
      sasPermissions = new URLSearchParams(sas.replace(/^\?/, '')).get('sp');
      makeTableCredential = () => new (loadTables().AzureSASCredential)(sas);
      makeQueueService = (maxTries) => new (loadQueues().QueueServiceClient)(`${queueUrl}?${sas}`, undefined, storageOptions(queueUrl, maxTries));
      makeBlobService = () => new (loadBlobs().BlobServiceClient)(`${blobUrl}?${sas}`, undefined, storageOptions(blobUrl));
    }
  } else {
    const { credential } = connection;
    endpoints = connection.endpoints;
    accountName = accountNameFromEndpoint(endpoints.table) ?? accountNameFromEndpoint(endpoints.blob) ?? 'unknown';
    const queueUrl = endpoints.queue;
    const blobUrl = endpoints.blob;
    makeTableCredential = () => credential;
    makeQueueService = (maxTries) => new (loadQueues().QueueServiceClient)(queueUrl, credential, storageOptions(queueUrl, maxTries));
    makeBlobService = () => new (loadBlobs().BlobServiceClient)(blobUrl, credential, storageOptions(blobUrl));
  }

  // Each TableClient has its own pipeline, so the per-try policy is added once per client.
  const tableOptions = () => ({
    allowInsecureConnection: endpoints.table.startsWith('http:'),
    retryOptions: { maxRetries: policy.maxTries - 1, retryDelayInMs: policy.retryDelayMs, maxRetryDelayInMs: policy.maxRetryDelayMs },
    agent: agentFor(endpoints.table),
    additionalPolicies: [{ policy: capRetryAfterPolicy(policy.maxRetryDelayMs), position: 'perRetry' as const }],
  });
  const tableClients = new Map<string, TableClient>();
  const queueClients = new Map<string, QueueClient>();
  const queueSendOnceClients = new Map<string, QueueClient>();
  const cached = <T>(map: Map<string, T>, name: string, make: () => T): T => {
    let client = map.get(name);
    if (!client) {
      client = make();
      map.set(name, client);
    }
    return client;
  };
  let tableCredential: unknown;
  let tableServiceClient: TableServiceClient | undefined;
  let queueService: QueueServiceClient | undefined;
  let queueSendOnceService: QueueServiceClient | undefined;
  let blobService: BlobServiceClient | undefined;
  const queues = (): QueueServiceClient => (queueService ??= makeQueueService());
  const blobs = (): BlobServiceClient => (blobService ??= makeBlobService());

  return {
    accountName,
    endpoints,
    secrets,
    sasPermissions,
    policy,
    table(name) {
      let client = tableClients.get(name);
      if (!client) {
        tableCredential ??= makeTableCredential();
        // The credential is a named key, a SAS or a TokenCredential, by construction above.
        client = new (loadTables().TableClient)(endpoints.table, name, tableCredential as never, tableOptions());
        tableClients.set(name, client);
      }
      return client;
    },
    tableService() {
      tableCredential ??= makeTableCredential();
      tableServiceClient ??= new (loadTables().TableServiceClient)(endpoints.table, tableCredential as never, tableOptions());
      return tableServiceClient;
    },
    // Kept per name, as table clients are: building one costs about as much CPU as a send, and bulk
    // actions send thousands of messages to the same few control queues.
    queue: (name) => cached(queueClients, name, () => queues().getQueueClient(name)),
    queueSendOnce: (name) => cached(queueSendOnceClients, name, () => (queueSendOnceService ??= makeQueueService(1)).getQueueClient(name)),
    queueService: queues,
    container: (name) => blobs().getContainerClient(name),
    blobService: blobs,
  };
}
