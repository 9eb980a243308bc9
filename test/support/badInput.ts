// Helpers of the bad-input suite (test/integration/bad-input.test.ts): running the built CLI as a
// child process, the connection strings that must be refused (wrong key, read-only SAS), the
// payload files, and the hubs whose stored data is broken on purpose.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  SASProtocol,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import type { RunningAzurite } from '../../tools/azurite';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../tools/azurite';
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';
import { writeCompletedSequence, writeFailedActivity, writeStandardHub } from '../../tools/seed/sampleHubs';
import type { StandardHubIndex } from '../../tools/seed/sampleHubs';
import { escapePartitionKey } from '../../src/core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CLI_JS = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface SpawnResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js …` with only PATH and `env`, in `cwd`; optionally as another user. */
export function spawnCli(argv: readonly string[], env: Record<string, string>, cwd: string, user?: { uid: number; gid: number }): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    // Never spawnSync: Azurite runs in this process and must keep answering.
    const child = spawn(process.execPath, [CLI_JS, ...argv], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ?? {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

/** The same Azurite account with a key that is well-formed but wrong. */
export function wrongKeyConnectionString(az: RunningAzurite): string {
  const wrong = Buffer.alloc(64, 7).toString('base64');
  return az.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrong}`);
}

/** An account SAS for all three services that may read and list, nothing else. */
export function readOnlySasConnectionString(az: RunningAzurite): string {
  return sasConnectionString(az, 'rl');
}

/** An account SAS for all three services with these permissions (`rl`, `rwdlacu`, …). */
export function sasConnectionString(az: RunningAzurite, permissions: string): string {
  const sas = generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 24 * 3600_000),
      permissions: AccountSASPermissions.parse(permissions),
      services: AccountSASServices.parse('btq').toString(),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      protocol: SASProtocol.HttpsAndHttp,
    },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  ).toString();
  return `BlobEndpoint=${az.blobEndpoint};QueueEndpoint=${az.queueEndpoint};TableEndpoint=${az.tableEndpoint};SharedAccessSignature=${sas}`;
}

/** A regex source matching `text` literally. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Payload files

export interface PayloadFiles {
  dir: string;
  /** Absolute path of a file in `dir`. */
  path(name: string): string;
  /** Writes the files (call from a `before` hook, so a filtered-out suite leaves nothing behind). */
  write(): void;
  remove(): void;
}

/** A directory of broken payload files; `unreadable.json` is mode 000. Its paths are known before it exists. */
export function payloadFiles(): PayloadFiles {
  const dir = path.join(tmpdir(), `durable-bad-input-${process.pid}-${randomBytes(4).toString('hex')}`);
  const files: Record<string, string | Buffer> = {
    'trailing-comma.json': '{"a": 1,}\n',
    'single-quotes.json': "{'a': 1}\n",
    'truncated.json': '{\n  "a": [1, 2\n',
    'empty.json': '',
    'blank.json': ' \n\t\n',
    'invalid-utf8.json': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), // {"a":"<C3 28>"}
    'utf16.json': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]),
    'unreadable.json': '{"a":1}',
  };
  return {
    dir,
    path: (name) => path.join(dir, name),
    write: () => {
      // World-traversable, so a run as another user (the unreadable-file row under root) can use it.
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      for (const [name, content] of Object.entries(files)) {
        writeFileSync(path.join(dir, name), content);
      }
      mkdirSync(path.join(dir, 'a-directory.json'));
      chmodSync(path.join(dir, 'unreadable.json'), 0o000);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True when every directory above `file` is world-searchable and the file world-readable. */
export function worldReadable(file: string): boolean {
  try {
    if ((statSync(file).mode & 0o004) === 0) {
      return false;
    }
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) {
        return false;
      }
      if (path.dirname(dir) === dir) {
        return true;
      }
    }
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Hubs

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** Ids of the instances whose stored data is broken. */
export const BROKEN = {
  /** Input is a blob URL whose blob is not gzip. */
  notGzip: 'broken-not-gzip',
  /** Output is a blob URL whose blob is gzip of bytes that are not UTF-8. */
  notUtf8: 'broken-not-utf8',
  /** Input is empty and InputBlobName names a blob that is not gzip (the newer column layout). */
  inputBlobName: 'broken-input-blob-name',
  /** Input is the URL of a start-message blob that holds no JSON. */
  badStartMessage: 'broken-start-message',
  /** A history row's ResultBlobName names a blob that is not gzip, another one a missing blob. */
  badHistoryBlob: 'broken-history-blob',
  /** History rows with an unknown EventType, no EventType, a numeric EventType and a text EventId. */
  oddEvents: 'broken-odd-events',
};

export interface BadInputHubs {
  /** Table layout, 4 partitions: the standard sample instances plus BROKEN. */
  main: string;
  index: StandardHubIndex;
  /** Table layout, 6 partitions, whose {H}Partitions rows were deleted. */
  noPartitionRows: string;
  /** Blob layout, 6 partitions, whose taskhub.json is not JSON. */
  corruptTaskHubJson: string;
  /** Blob layout with a corrupt taskhub.json and no control queues at all. */
  corruptNoQueues: string;
  /** A running instance in each of the three hubs above. */
  running: string;
}

async function writeBrokenInstances(w: HubWriter): Promise<void> {
  const url = (name: string): string => w.blobUrl(name);
  const merge = (id: string, columns: Record<string, unknown>): Promise<unknown> =>
    w.instancesTable.updateEntity({ partitionKey: escapePartitionKey(id), rowKey: '', ...columns }, 'Merge');

  await writeCompletedSequence(w, BROKEN.notGzip, new Date(NOW.getTime() - 60_000));
  await w.largeMessages.getBlockBlobClient(`${BROKEN.notGzip}/history-input.json.gz`).uploadData(Buffer.from('this is not gzip'));
  await merge(BROKEN.notGzip, { Input: url(`${BROKEN.notGzip}/history-input.json.gz`) });

  await writeCompletedSequence(w, BROKEN.inputBlobName, new Date(NOW.getTime() - 60_000));
  await w.largeMessages.getBlockBlobClient(`${BROKEN.inputBlobName}/history-input.json.gz`).uploadData(Buffer.from('\x00\x01 no gzip here'));
  await merge(BROKEN.inputBlobName, { Input: '', InputBlobName: `${BROKEN.inputBlobName}/history-input.json.gz` });

  await writeCompletedSequence(w, BROKEN.notUtf8, new Date(NOW.getTime() - 60_000));
  await w.largeMessages.getBlockBlobClient(`${BROKEN.notUtf8}/history-output.json.gz`).uploadData(gzipSync(Buffer.from([0x22, 0x61, 0xff, 0xfe, 0x22])));
  await merge(BROKEN.notUtf8, { Output: url(`${BROKEN.notUtf8}/history-output.json.gz`) });

  await w.writeInstance({ instanceId: BROKEN.badStartMessage, name: 'Hello', input: '"x"', createdTime: NOW, enqueueStartMessage: false });
  const startBlob = `${BROKEN.badStartMessage}/message-${'0'.repeat(32)}-ExecutionStarted.json.gz`;
  await w.uploadGzip(startBlob, 'not a message');
  await merge(BROKEN.badStartMessage, { Input: url(startBlob) });

  const done = await writeCompletedSequence(w, BROKEN.badHistoryBlob, new Date(NOW.getTime() - 60_000));
  const completed = done.historyRows.filter((r) => r.EventType === 'TaskCompleted');
  await w.largeMessages.getBlockBlobClient(`${BROKEN.badHistoryBlob}/history-bad-Result.json.gz`).uploadData(Buffer.from('not gzip either'));
  await w.putHistoryRows([
    { ...completed[0], Result: '', ResultBlobName: `${BROKEN.badHistoryBlob}/history-bad-Result.json.gz` },
    { ...completed[1], Result: '', ResultBlobName: `${BROKEN.badHistoryBlob}/history-gone-Result.json.gz` },
  ]);

  const odd = await writeCompletedSequence(w, BROKEN.oddEvents, new Date(NOW.getTime() - 60_000));
  const [, second, third, fourth] = odd.historyRows;
  await w.putHistoryRows([
    { ...second, EventType: 'QuantumLeap', Leap: 'somewhere' },
    { partitionKey: third.partitionKey, rowKey: third.rowKey, ExecutionId: third.ExecutionId, Note: 'no EventType at all' },
    { ...fourth, EventType: 5, EventId: 'seven' },
  ]);
}

/** Writes every hub the suite reads; returns their names. */
export async function writeBadInputHubs(az: RunningAzurite): Promise<BadInputHubs> {
  const cs = az.connectionString;
  const hubs = { main: 'BadInput', noPartitionRows: 'BadInputNoRows', corruptTaskHubJson: 'BadInputBadJson', corruptNoQueues: 'BadInputNoQueues' };
  const main = await HubWriter.create({ connectionString: cs, hubName: hubs.main, now: NOW });
  const index = await writeStandardHub(main, { now: NOW });
  await writeBrokenInstances(main);

  const running = 'route-me';
  const runningHistory = (): HistoryBuilder => {
    const h = new HistoryBuilder(NOW);
    h.orchestratorStarted();
    h.executionStarted();
    h.orchestratorCompleted();
    return h;
  };
  // Few resources in the extra hubs: every row snapshots the whole account.
  const six = await HubWriter.create({ connectionString: cs, hubName: hubs.noPartitionRows, partitionCount: 6, appLease: false, now: NOW });
  await six.writeInstance({ instanceId: running, name: 'Hello', input: null, history: runningHistory() });
  const partitions = TableClient.fromConnectionString(cs, six.names.partitionsTable, { allowInsecureConnection: true });
  for await (const row of partitions.listEntities()) {
    await partitions.deleteEntity(row.partitionKey ?? '', row.rowKey ?? '');
  }

  const legacy = await HubWriter.create({ connectionString: cs, hubName: hubs.corruptTaskHubJson, layout: 'blob', leaseBlobs: 'default', partitionCount: 6, appLease: false, now: NOW });
  await legacy.writeInstance({ instanceId: running, name: 'Hello', input: null, history: runningHistory() });
  await legacy.leases.getBlockBlobClient('taskhub.json').uploadData(Buffer.from('{"TaskHubName":"BadInputBadJson","PartitionCount":'));

  const bare = await HubWriter.create({ connectionString: cs, hubName: hubs.corruptNoQueues, layout: 'blob', leaseBlobs: 'default', partitionCount: 1, appLease: false, now: NOW });
  await bare.writeInstance({ instanceId: running, name: 'Hello', input: null, history: runningHistory() });
  await writeFailedActivity(bare, 'failed-here', NOW);
  await bare.leases.getBlockBlobClient('taskhub.json').uploadData(Buffer.from('not json'));
  const queues = QueueServiceClient.fromConnectionString(cs);
  for (const q of bare.controlQueues) {
    await queues.deleteQueue(q);
  }
  return { ...hubs, index, running };
}

// ---------------------------------------------------------------------------------------------
// Running rows in batches

/** What one run of a row left behind: the CLI's output and storage around it. */
export interface Outcome {
  r: SpawnResult;
  before: string[];
  after: string[];
  /** How many rows ran between these two snapshots (1: this row alone). */
  together: number;
}

/**
 * Runs rows that must write nothing `size` at a time between two snapshots of the account (a
 * snapshot takes longer than a run). If a batch changed storage, every row of it sees the change
 * and fails: conservative, as running them again would not tell (a start that wrote would now
 * be refused as a duplicate); run one row alone (mocha --grep) to find the writer. Rows for which
 * `alone` holds (they are meant to write) run by themselves. Each row's outcome is a promise its
 * test awaits; the first test of a batch starts the batch.
 */
export class BatchRunner<C> {
  private baseline: string[] | undefined;
  private readonly batches: C[][] = [];
  private readonly outcomes = new Map<C, Promise<Outcome>>();

  constructor(
    rows: readonly C[],
    size: number,
    alone: (row: C) => boolean,
    private readonly run: (row: C) => Promise<SpawnResult>,
    private readonly snapshot: () => Promise<string[]>,
  ) {
    for (const row of rows) {
      const last = this.batches[this.batches.length - 1];
      if (last && last.length < size && !alone(row) && !alone(last[0])) {
        last.push(row);
      } else {
        this.batches.push([row]);
      }
    }
  }

  /** Storage was changed by something else: take a fresh snapshot before the next batch. */
  invalidate(): void {
    this.baseline = undefined;
  }

  outcomeOf(row: C): Promise<Outcome> {
    if (!this.outcomes.has(row)) {
      const batch = this.batches.find((b) => b.includes(row)) ?? [row];
      const all = this.runBatch(batch);
      batch.forEach((b, i) => {
        const one = all.then((list) => list[i]);
        one.catch(() => undefined); // reported by the row's own test when it awaits it
        this.outcomes.set(b, one);
      });
    }
    return this.outcomes.get(row) as Promise<Outcome>;
  }

  private async runBatch(batch: C[]): Promise<Outcome[]> {
    const before = this.baseline ?? (await this.snapshot());
    this.baseline = undefined;
    const results = await Promise.all(batch.map((row) => this.run(row)));
    const after = await this.snapshot();
    this.baseline = after;
    return results.map((r) => ({ r, before, after, together: batch.length }));
  }
}

/** `work(item)` for every item, `size` at a time, as one promise per item (failures stay each item's own). */
export function inGroups<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Map<T, Promise<void>> {
  const results = new Map<T, Promise<void>>();
  let previous: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < items.length; i += size) {
    const group = items.slice(i, i + size);
    const go = previous.then(() => undefined);
    const runs = group.map((item) => go.then(() => work(item)));
    group.forEach((item, j) => results.set(item, runs[j]));
    previous = Promise.allSettled(runs); // also marks each failure handled until its test awaits it
  }
  return results;
}

/** Root reads any file: a row about an unreadable file runs as nobody then, if nobody can run the CLI. */
export function asUserWhoCannotRead(): { user?: { uid: number; gid: number }; skip?: string } {
  if (typeof process.getuid !== 'function') {
    return { skip: 'no POSIX file modes on this platform' };
  }
  if (process.getuid() !== 0) {
    return {};
  }
  return worldReadable(CLI_JS)
    ? { user: { uid: 65534, gid: 65534 } }
    : { skip: 'running as root, which can read a mode-000 file, and dist/cli.js is not readable by nobody' };
}

/** "A, B, C": the task hubs an unknown-hub error lists, from a snapshot's table lines. */
export function hubListOf(snapshot: readonly string[]): string {
  const tables = snapshot.filter((l) => /^table\|[^|]+$/.test(l)).map((l) => l.slice('table|'.length));
  const lower = new Set(tables.map((t) => t.toLowerCase()));
  return tables
    .filter((t) => t.endsWith('Instances') && lower.has(`${t.slice(0, -'Instances'.length)}History`.toLowerCase()))
    .map((t) => t.slice(0, -'Instances'.length))
    .sort((a, b) => a.localeCompare(b))
    .join(', ');
}
