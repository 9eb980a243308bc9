// Starts a real Azurite (blob, queue, table) in this process on free loopback ports, with
// in-memory persistence, so every test run gets a clean, private storage account.
// Azurite's package `main` is its VS Code extension (it requires `vscode`), so the servers
// are deep-imported.
/* eslint-disable @typescript-eslint/no-require-imports */

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

export interface RunningAzurite {
  connectionString: string;
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

function load(path: string): new (...args: unknown[]) => unknown {
  const mod = require(path) as { default: new (...args: unknown[]) => unknown };
  return mod.default;
}

export async function startAzurite(host = '127.0.0.1'): Promise<RunningAzurite> {
  const TableServer = load('azurite/dist/src/table/TableServer');
  const TableConfiguration = load('azurite/dist/src/table/TableConfiguration');
  const QueueServer = load('azurite/dist/src/queue/QueueServer');
  const QueueConfiguration = load('azurite/dist/src/queue/QueueConfiguration');
  const BlobServer = load('azurite/dist/src/blob/BlobServer');
  const BlobConfiguration = load('azurite/dist/src/blob/BlobConfiguration');

  const loose = true;
  const skipApiVersionCheck = true;
  const inMemory = true;
  // Positional constructor arguments, as in azurite/dist/src/*/…Configuration.js.
  const table = new TableServer(
    new TableConfiguration(host, 0, undefined, undefined, false, false, undefined, undefined, loose, skipApiVersionCheck,
      '', '', '', undefined, false, inMemory),
  ) as AzuriteServer;
  const queue = new QueueServer(
    new QueueConfiguration(host, 0, undefined, undefined, undefined, undefined, false, undefined, false, undefined, loose,
      skipApiVersionCheck, '', '', '', undefined, false, inMemory),
  ) as AzuriteServer;
  const blob = new BlobServer(
    new BlobConfiguration(host, 0, undefined, undefined, undefined, undefined, false, undefined, false, undefined, loose,
      skipApiVersionCheck, '', '', '', undefined, false, inMemory),
  ) as AzuriteServer;
  await Promise.all([table.start(), queue.start(), blob.start()]);

  const endpoint = (s: AzuriteServer): string => `${s.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
  const blobEndpoint = endpoint(blob);
  const queueEndpoint = endpoint(queue);
  const tableEndpoint = endpoint(table);
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`;

  let stopped = false;
  return {
    connectionString,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      await Promise.all([table, queue, blob].map(async (s) => {
        await s.close();
        await s.clean();
      }));
    },
  };
}
