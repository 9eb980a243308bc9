// One seam for every Azure SDK client core uses. Built once per connection from either a
// connection string or a TokenCredential (identity-based connections). The SDKs are loaded
// lazily so the extension activates without paying for them.
import type { TokenCredential } from '@azure/core-auth';
import type { TableClient, TableServiceClient } from '@azure/data-tables';
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
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
  table(name: string): TableClient;
  tableService(): TableServiceClient;
  queue(name: string): QueueClient;
  queueService(): QueueServiceClient;
  container(name: string): ContainerClient;
  blobService(): BlobServiceClient;
}

// Bounded retries: a down endpoint must fail in seconds, not minutes.
const TABLE_RETRY = { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2000 };
const STORAGE_RETRY = { maxTries: 4, retryDelayInMs: 200, maxRetryDelayInMs: 2000, tryTimeoutInMs: 60_000 };

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

export async function createStorageClients(connection: StorageConnection): Promise<StorageClients> {
  const { tables, queues, blobs } = loadSdks();

  let endpoints: ServiceEndpoints;
  let accountName: string;
  let secrets: string[] = [];
  let tableCredential: TokenCredential | InstanceType<typeof tables.AzureNamedKeyCredential> | InstanceType<typeof tables.AzureSASCredential>;
  let queueService: QueueServiceClient;
  let blobService: BlobServiceClient;

  if (connection.kind === 'connectionString') {
    const parsed = parseConnectionString(connection.connectionString);
    endpoints = parsed.endpoints;
    accountName = parsed.accountName;
    secrets = connectionStringSecrets(connection.connectionString);
    if (parsed.accountKey) {
      tableCredential = new tables.AzureNamedKeyCredential(parsed.accountName, parsed.accountKey);
      const shared = new queues.StorageSharedKeyCredential(parsed.accountName, parsed.accountKey);
      queueService = new queues.QueueServiceClient(endpoints.queue, shared, { retryOptions: STORAGE_RETRY });
      const sharedBlob = new blobs.StorageSharedKeyCredential(parsed.accountName, parsed.accountKey);
      blobService = new blobs.BlobServiceClient(endpoints.blob, sharedBlob, { retryOptions: STORAGE_RETRY });
    } else {
      const sas = parsed.sas ?? '';
      tableCredential = new tables.AzureSASCredential(sas);
      queueService = new queues.QueueServiceClient(`${endpoints.queue}?${sas}`, undefined, { retryOptions: STORAGE_RETRY });
      blobService = new blobs.BlobServiceClient(`${endpoints.blob}?${sas}`, undefined, { retryOptions: STORAGE_RETRY });
    }
  } else {
    endpoints = connection.endpoints;
    accountName = accountNameFromEndpoint(endpoints.table) ?? accountNameFromEndpoint(endpoints.blob) ?? 'unknown';
    tableCredential = connection.credential;
    queueService = new queues.QueueServiceClient(endpoints.queue, connection.credential, { retryOptions: STORAGE_RETRY });
    blobService = new blobs.BlobServiceClient(endpoints.blob, connection.credential, { retryOptions: STORAGE_RETRY });
  }

  const tableOptions = {
    allowInsecureConnection: endpoints.table.startsWith('http:'),
    retryOptions: TABLE_RETRY,
  };
  const tableClients = new Map<string, TableClient>();
  let tableServiceClient: TableServiceClient | undefined;

  return {
    accountName,
    endpoints,
    secrets,
    table(name) {
      let client = tableClients.get(name);
      if (!client) {
        // The credential union is narrowed by construction above.
        client = new tables.TableClient(endpoints.table, name, tableCredential as never, tableOptions);
        tableClients.set(name, client);
      }
      return client;
    },
    tableService() {
      tableServiceClient ??= new tables.TableServiceClient(endpoints.table, tableCredential as never, tableOptions);
      return tableServiceClient;
    },
    queue: (name) => queueService.getQueueClient(name),
    queueService: () => queueService,
    container: (name) => blobService.getContainerClient(name),
    blobService: () => blobService,
  };
}
