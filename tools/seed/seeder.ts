// The sample task hubs behind `npm run seed`, `npm start`, tests and benchmarks, written into any
// storage account (Azurite or real) exactly as the .NET runtime leaves them, via HubWriter:
//
//   SampleHub  table layout ({H}Partitions), 4 partitions, DTAS v2 rows: every scenario of
//              writeStandardHub (every status, escaped ids, large payloads, leftovers of an older
//              execution, rewound rows, an entity, v1 and pre-1.8.4 rows) plus the local worker's
//              orchestrations (sampleHubs.ts: chaining, fan-out/fan-in, approval, monitor with
//              timers, parent/children, failures), Counter entities and a 10,000-event history.
//              Running instances get the queue messages the runtime would have in flight.
//   LegacyHub  blob layout ({h}-leases/taskhub.json), 6 partitions, DTAS 1.17 (v1) rows: the
//              writeStandardHub scenarios again.
//   BulkHub    with --instances N: N instances of ~10 rows (a mix of statuses, created over the
//              last 30 days, 1% with payloads in blobs), written at the storage's full speed.
//
// Determinism: instance ids, statuses and payloads depend only on the seed (default 1); times are
// fixed offsets from `now` (default: the current time). Blob-name suffixes and message ids stay
// random, as in the runtime.
// Re-seeding skips a hub that a previous seed completed (the worker's changes stay); a hub left
// half-written by an interrupted seed is deleted and rewritten; a hub of the same name that the
// seeder did not write is refused. `reset` deletes the hubs first (core deleteTaskHub).
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  CancelledError,
  ConflictError,
  UnreachableError,
  ValidationError,
  createStorageClients,
  deleteTaskHub,
  discoverHubNames,
  maskSecrets,
  resolveConnection,
  validateHubName,
} from '../../src/core';
import type { RuntimeStatus, StorageClients } from '../../src/core';
import { DEFAULT_CONNECTION_SETTING } from '../../src/core/connection/resolve';
import { hubResourceNames } from '../../src/core/format/names';
import { isNotFound } from '../../src/core/storage/errors';
import type { InstanceSpec, WrittenInstance } from './hubWriter';
import { HistoryBuilder, HubWriter } from './hubWriter';
import type { StandardHubIndex, WrittenScenario } from './sampleHubs';
import {
  approvalHistory,
  enqueueOutstandingWork,
  fanOutFanInHistory,
  helloCitiesHistory,
  largeJson,
  monitorHistory,
  writeAlwaysFails,
  writeApproval,
  writeFailsUntilRewound,
  writeFanOutFanIn,
  writeLongHistory,
  writeMonitor,
  writeParentWithChildren,
  stableExecutionId,
  writeStandardHub,
} from './sampleHubs';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG

/** mulberry32: 32-bit state, fast, and the same sequence for the same seed on every platform. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next value in 0..2^32-1. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** In [0, 1). */
  float(): number {
    return this.uint32() / 0x100000000;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** One of the values, with probability proportional to its weight. */
  weighted<T>(table: ReadonlyArray<readonly [T, number]>): T {
    const total = table.reduce((sum, [, w]) => sum + w, 0);
    let x = this.float() * total;
    for (const [value, w] of table) {
      x -= w;
      if (x < 0) {
        return value;
      }
    }
    return table[table.length - 1][0];
  }
}

// ---------------------------------------------------------------------------------------------
// Bulk instances

/** Share of each status among bulk instances (per cent). */
export const BULK_STATUS_WEIGHTS: ReadonlyArray<readonly [RuntimeStatus, number]> = [
  ['Completed', 60],
  ['Running', 10],
  ['Failed', 8],
  ['Terminated', 6],
  ['Pending', 5],
  ['ContinuedAsNew', 4],
  ['Suspended', 4],
  ['Canceled', 3],
];

/** Share of bulk instances with payloads over the 60 KB table limit (always Completed `BigData`). */
export const BULK_LARGE_SHARE = 0.01;
/** Bulk instances are created within this long before `now`. */
export const BULK_CREATED_SPREAD_MS = 30 * DAY;

const CITIES = ['Tokyo', 'Seattle', 'London', 'Paris', 'Oslo', 'Lima', 'Nairobi', 'Sydney', 'Toronto', 'Mumbai', 'Cairo', 'Berlin'];
const BUSINESS_PREFIXES = ['order', 'invoice', 'shipment'];
const TENANTS = ['contoso', 'fabrikam', 'northwind', 'adventure-works'];

export interface BulkInstance {
  spec: InstanceSpec;
  /** The RuntimeStatus the Instances row will hold. */
  status: RuntimeStatus;
  /** Payloads over the table limit (stored in `{h}-largemessages`). */
  large: boolean;
}

/** `Guid.NewGuid().ToString("N")`-looking id (version 4) from 16 bytes. */
function guidN(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b.toString('hex');
}

export interface BulkInstanceOptions {
  /**
   * Only these statuses, in their BULK_STATUS_WEIGHTS proportions (default: all of them). Large
   * instances are Completed, so without Completed there are none. The benchmarks use
   * ['Completed'] for a hub that a purge empties entirely.
   */
  statuses?: readonly RuntimeStatus[];
}

/**
 * Bulk instance number `index` of the data set `seed`: a pure function of (seed, index, now), so
 * instances can be generated in any order and in parallel. About 10 history rows each.
 */
export function bulkInstance(seed: number, index: number, now: Date, o: BulkInstanceOptions = {}): BulkInstance {
  const digest = createHash('sha256').update(`bulk:${seed >>> 0}:${index}`).digest();
  const rng = new Prng(digest.readUInt32LE(16));
  const instanceId = rng.chance(0.25) ? `${rng.pick(BUSINESS_PREFIXES)}-${String(index + 1).padStart(7, '0')}` : guidN(digest);
  const executionId = guidN(digest.subarray(16));
  const weights = o.statuses ? BULK_STATUS_WEIGHTS.filter(([s]) => o.statuses?.includes(s)) : BULK_STATUS_WEIGHTS;
  if (weights.length === 0) {
    throw new Error(`No bulk instances have the statuses ${o.statuses?.join(', ')}.`);
  }
  // The same draws with or without the option, so the default data set does not change.
  const largeDraw = rng.chance(BULK_LARGE_SHARE);
  const large = largeDraw && weights.some(([s]) => s === 'Completed');
  const status: RuntimeStatus = large ? 'Completed' : rng.weighted(weights);
  const created = new Date(now.getTime() - Math.floor(rng.float() * BULK_CREATED_SPREAD_MS));
  const tags = rng.chance(0.3) ? { tenant: rng.pick(TENANTS) } : null;
  const base = { instanceId, executionId, tags };
  const cities = (): string[] => Array.from({ length: rng.int(1, 3) }, () => rng.pick(CITIES));
  const spec = ((): InstanceSpec => {
    if (large) {
      const h = new HistoryBuilder(created);
      const input = largeJson(`bulk-${index}-input`, 40_000);
      h.orchestratorStarted();
      h.executionStarted();
      const t = h.taskScheduled('Transform', JSON.stringify({ chunk: index }));
      h.orchestratorCompleted();
      h.advance(rng.int(500, 4000));
      h.orchestratorStarted();
      h.taskCompleted(t.eventId, JSON.stringify('transformed'));
      h.executionCompleted('Completed', largeJson(`bulk-${index}-output`, 35_000));
      h.orchestratorCompleted();
      return { ...base, name: 'BigData', input, history: h };
    }
    switch (status) {
      case 'Completed': {
        if (rng.chance(0.5)) {
          const c = cities();
          return { ...base, name: 'HelloCities', input: JSON.stringify(c), history: helloCities(created, c, rng) };
        }
        const n = rng.int(2, 3);
        return { ...base, name: 'FanOutFanIn', input: JSON.stringify(n), history: fanOutFanInHistory(created, n, { batch: n }) };
      }
      case 'Running':
      case 'Terminated':
      case 'Suspended': {
        let h: HistoryBuilder;
        let name: string;
        let input: string;
        let customStatus: string;
        if (status === 'Suspended' || rng.chance(0.5)) {
          const jobId = `job-${rng.int(1, 9999)}`;
          name = 'MonitorJob';
          input = JSON.stringify({ jobId, intervalSeconds: 60, checks: 10 });
          h = monitorHistory(created, { jobId, intervalSeconds: 60, checks: 10, performed: 1 });
          customStatus = JSON.stringify({ jobId, checks: 1, of: 10, done: false });
        } else {
          name = 'ApprovalWorkflow';
          input = JSON.stringify({ amount: rng.int(10, 5000), requestedBy: rng.pick(['alice', 'bob', 'carol']) });
          h = approvalHistory(created, input, 'waiting');
          customStatus = JSON.stringify('Waiting for approval');
        }
        if (status !== 'Running') {
          h.advance(rng.int(1, 120) * MINUTE);
          h.orchestratorStarted();
          if (status === 'Terminated') {
            h.executionTerminated('Cancelled by operator');
            h.executionCompleted('Terminated', 'Cancelled by operator');
          } else {
            h.executionSuspended('Paused by operator');
          }
          h.orchestratorCompleted();
        }
        return { ...base, name, input, customStatus, history: h };
      }
      case 'Failed': {
        const flaky = rng.chance(0.5);
        const name = flaky ? 'FailsUntilRewound' : 'AlwaysFails';
        const activity = flaky ? 'FlakyActivity' : 'FailingActivity';
        const input = JSON.stringify({ orderId: rng.int(1, 99999) });
        const h = new HistoryBuilder(created);
        h.orchestratorStarted();
        h.executionStarted();
        const t = h.taskScheduled(activity, input);
        h.orchestratorCompleted();
        h.advance(rng.int(200, 5000));
        h.orchestratorStarted();
        const message = flaky ? 'The flaky dependency is unavailable (never rewound).' : 'This activity always fails.';
        h.taskFailed(t.eventId, `Activity function '${activity}' failed: ${message}`, null);
        h.executionCompleted('Failed', `Orchestrator function '${name}' failed: The activity function '${activity}' failed: "${message}". See the function execution logs for additional details.`);
        h.orchestratorCompleted();
        return { ...base, name, input, history: h };
      }
      case 'ContinuedAsNew': {
        // The worker's eternal Counter orchestration: Increment, then continue as new with the result.
        const h = new HistoryBuilder(created);
        const value = rng.int(0, 500);
        h.orchestratorStarted();
        h.executionStarted();
        const t = h.taskScheduled('Increment', JSON.stringify(value));
        h.orchestratorCompleted();
        h.advance(rng.int(200, 3000));
        h.orchestratorStarted();
        h.taskCompleted(t.eventId, JSON.stringify(value + 1));
        h.continueAsNew(JSON.stringify(value + 1));
        h.orchestratorCompleted();
        return { ...base, name: 'Counter', input: JSON.stringify(value), history: h };
      }
      case 'Canceled': {
        const c = cities().slice(0, 1);
        const h = new HistoryBuilder(created);
        h.orchestratorStarted();
        h.executionStarted();
        const t = h.taskScheduled('SayHello', JSON.stringify(c[0]));
        h.orchestratorCompleted();
        h.advance(rng.int(200, 3000));
        h.orchestratorStarted();
        h.taskCompleted(t.eventId, JSON.stringify(`Hello ${c[0]}!`));
        h.executionCompleted('Canceled', null);
        h.orchestratorCompleted();
        return { ...base, name: 'HelloCities', input: JSON.stringify(c), history: h };
      }
      case 'Pending':
      default:
        // Waiting for a worker: no history, the ExecutionStarted message on its control queue.
        return { ...base, name: 'HelloCities', input: JSON.stringify(cities()), createdTime: created };
    }
  })();
  return { spec, status, large };
}

function helloCities(created: Date, cities: readonly string[], rng: Prng): HistoryBuilder {
  return helloCitiesHistory(created, cities, { activityMs: () => rng.int(100, 2500) });
}

/** Rows one instance put in storage: its history rows, the sentinel and the Instances row. */
function rowsOf(w: WrittenInstance): number {
  return w.historyRows.length + (w.sentinel ? 1 : 0) + 1;
}

export interface WriteProgress {
  instances: number;
  total: number;
  rows: number;
  ms: number;
}

export interface BulkHubOptions {
  count: number;
  seed: number;
  now: Date;
  /** Instances written at once (default 48): each is one history batch transaction + one Instances upsert. */
  concurrency?: number;
  /** Only instances of these statuses (see bulkInstance). */
  statuses?: readonly RuntimeStatus[];
  signal?: AbortSignal;
  /** Called about every `progressEveryMs` (default 2 s). */
  onProgress?: (p: WriteProgress) => void;
  progressEveryMs?: number;
}

/** Writes bulk instances 0..count-1, many at once. */
export async function writeBulkHub(w: HubWriter, o: BulkHubOptions): Promise<WriteProgress> {
  const started = Date.now();
  const progress: WriteProgress = { instances: 0, total: o.count, rows: 0, ms: 0 };
  const timer = o.onProgress
    ? setInterval(() => o.onProgress?.({ ...progress, ms: Date.now() - started }), o.progressEveryMs ?? 2000)
    : undefined;
  try {
    // A pool of writers pulling the next index; the first failure (or the abort) stops them all.
    let next = 0;
    let failure: unknown;
    const writer = async (): Promise<void> => {
      while (failure === undefined && next < o.count) {
        if (o.signal?.aborted) {
          throw new CancelledError(`Stopped after ${progress.instances} of ${o.count} instances.`, { ...progress });
        }
        const index = next++;
        const written = await w.writeInstance(bulkInstance(o.seed, index, o.now, o.statuses ? { statuses: o.statuses } : {}).spec);
        progress.instances++;
        progress.rows += rowsOf(written);
      }
    };
    const writers = Math.max(1, Math.min(o.concurrency ?? DEFAULT_CONCURRENCY, o.count));
    await Promise.all(Array.from({ length: writers }, () => writer().catch((e: unknown) => {
      failure ??= e;
    })));
    if (failure !== undefined) {
      throw failure;
    }
  } finally {
    if (timer) {
      clearInterval(timer);
    }
  }
  return { ...progress, ms: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// SampleHub and LegacyHub

/** Ids of the worker scenarios in SampleHub (besides writeStandardHub's `sample-…` ids). */
export const SAMPLE_IDS = {
  helloPending: 'hello-pending',
  fanOutPending: 'fanout-pending',
  fanOutRunning: 'fanout-running',
  fanOutCompleted: 'fanout-completed',
  approvalWaiting: 'approval-waiting',
  approvalApproved: 'approval-approved',
  approvalTimedOut: 'approval-timed-out',
  monitorRunning: 'monitor-running',
  monitorCompleted: 'monitor-completed',
  parentFailed: 'parent-failed',
  parentCompleted: 'parent-completed',
  alwaysFails: 'always-fails',
  failsUntilRewound: 'flaky-failed',
  /** Completed HelloCities with exactly 10,000 history events. */
  longHistory: 'long-history',
  counters: ['@counter@clicks', '@counter@visits', '@counter@retired'],
} as const;

export const LONG_HISTORY_EVENTS = 10_000;

export interface SampleHubIndex {
  standard: StandardHubIndex;
  /** Every instance id written (entities and sub-orchestrations included). */
  all: string[];
  /** Instance ids by stored RuntimeStatus. */
  byStatus: Record<string, string[]>;
  /** Messages enqueued for Running instances (work items, timers). */
  outstanding: { workItems: number; timers: number };
  rows: number;
}

/** SampleHub's contents: writeStandardHub plus the worker scenarios (ids in SAMPLE_IDS). */
export async function writeSampleHub(w: HubWriter, o: { now: Date }): Promise<SampleHubIndex> {
  const { now } = o;
  const ago = (ms: number): Date => new Date(now.getTime() - ms);
  const written: WrittenInstance[] = [];
  const running: WrittenScenario[] = [];
  const keep = <T extends WrittenInstance>(x: T): T => {
    written.push(x);
    return x;
  };
  const ids = SAMPLE_IDS;

  const [standard] = await Promise.all([
    writeStandardHub(w, { now }),
    writeLongHistory(w, ids.longHistory, ago(8 * HOUR), LONG_HISTORY_EVENTS).then(keep),
    (async () => {
      keep(await w.writeInstance({ instanceId: ids.helloPending, name: 'HelloCities', input: JSON.stringify(['Oslo', 'Lima', 'Nairobi']), createdTime: ago(MINUTE), executionId: stableExecutionId(ids.helloPending) }));
      keep(await w.writeInstance({ instanceId: ids.fanOutPending, name: 'FanOutFanIn', input: '10', createdTime: ago(40 * SECOND), executionId: stableExecutionId(ids.fanOutPending) }));
      running.push(keep(await writeFanOutFanIn(w, ids.fanOutRunning, ago(4 * MINUTE), 40, { completed: 28 })));
      keep(await writeFanOutFanIn(w, ids.fanOutCompleted, ago(3 * HOUR), 25));
      running.push(keep(await writeApproval(w, ids.approvalWaiting, ago(30 * MINUTE), 'waiting')));
      keep(await writeApproval(w, ids.approvalApproved, ago(26 * HOUR), 'approved', 830));
      keep(await writeApproval(w, ids.approvalTimedOut, ago(3 * DAY), 'timedOut', 4200));
      // Its next timer fires ~20 s after the seed; with the worker it is done two checks later.
      running.push(keep(await writeMonitor(w, ids.monitorRunning, ago(100 * SECOND), { jobId: 'job-42', intervalSeconds: 30, checks: 6, performed: 4 })));
      keep(await writeMonitor(w, ids.monitorCompleted, ago(6 * HOUR), { jobId: 'job-7', intervalSeconds: 60, checks: 3 }));
      for (const [id, created, failChild] of [[ids.parentFailed, ago(2 * HOUR), 2], [ids.parentCompleted, ago(5 * HOUR), null]] as const) {
        const family = await writeParentWithChildren(w, id, created, { children: failChild === null ? 2 : 3, failChild });
        keep(family.parent);
        family.children.forEach(keep);
      }
      keep(await writeAlwaysFails(w, ids.alwaysFails, ago(95 * MINUTE)));
      keep(await writeFailsUntilRewound(w, ids.failsUntilRewound, ago(70 * MINUTE)));
      const [clicks, visits, retired] = ids.counters.map((id) => id.split('@')[2]);
      keep(await w.writeEntity({ name: 'Counter', key: clicks, state: '42', lastModified: ago(10 * MINUTE), executionId: stableExecutionId(ids.counters[0]) }));
      keep(await w.writeEntity({ name: 'Counter', key: visits, state: '1337', lastModified: ago(2 * DAY), executionId: stableExecutionId(ids.counters[1]) }));
      keep(await w.writeEntity({ name: 'Counter', key: retired, state: null, lastModified: ago(9 * DAY), executionId: stableExecutionId(ids.counters[2]) }));
    })(),
  ]);

  const outstanding = { workItems: 0, timers: 0 };
  for (const r of running) {
    const sent = await enqueueOutstandingWork(w, r);
    outstanding.workItems += sent.workItems;
    outstanding.timers += sent.timers;
  }

  const all = [...standard.all, ...written.map((x) => x.instanceId)];
  const byStatus: Record<string, string[]> = {};
  for (const x of [...Object.values(standard.written), ...written]) {
    (byStatus[x.runtimeStatus] ??= []).push(x.instanceId);
  }
  const rows = [...Object.values(standard.written), ...written].reduce((sum, x) => sum + rowsOf(x), 0);
  return { standard, all, byStatus, outstanding, rows };
}

// ---------------------------------------------------------------------------------------------
// seed(): which hubs, skip / reset / rewrite

export const HUB_KINDS = ['sample', 'legacy', 'bulk'] as const;
export type SampleHubKind = (typeof HUB_KINDS)[number];

export const DEFAULT_HUB_NAMES: Readonly<Record<SampleHubKind, string>> = { sample: 'SampleHub', legacy: 'LegacyHub', bulk: 'BulkHub' };

export const HUB_LAYOUTS: Readonly<Record<SampleHubKind, { layout: 'table' | 'blob'; partitionCount: number }>> = {
  sample: { layout: 'table', partitionCount: 4 },
  legacy: { layout: 'blob', partitionCount: 6 },
  bulk: { layout: 'table', partitionCount: 4 },
};

export const DEFAULT_SEED = 1;
export const DEFAULT_CONCURRENCY = 48;
/** BulkHub's size when it is asked for by name without an instance count. */
export const DEFAULT_BULK_INSTANCES = 1000;

export interface SeedOptions {
  connectionString: string;
  /** Default: sample and legacy, plus bulk when `instances` > 0. */
  hubs?: readonly SampleHubKind[];
  /** Hub names (default DEFAULT_HUB_NAMES). */
  names?: Partial<Record<SampleHubKind, string>>;
  /** BulkHub's instance count. */
  instances?: number;
  /**
   * BulkHub: only instances of these statuses (default: the usual mix). Not part of the hub's
   * completion marker: a hub already seeded with another mix is skipped unless `reset`.
   */
  bulkStatuses?: readonly RuntimeStatus[];
  seed?: number;
  now?: Date;
  /** Delete the hubs first. */
  reset?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface SeededHub {
  kind: SampleHubKind;
  name: string;
  layout: 'table' | 'blob';
  partitionCount: number;
  /** `skipped`: a previous seed completed it and it was left as it is. */
  action: 'written' | 'skipped';
  instances: number;
  rows: number;
  ms: number;
}

export interface SeedResult {
  seed: number;
  now: Date;
  hubs: SeededHub[];
  /** SampleHub's ids, when it was written by this run. */
  sample?: SampleHubIndex;
}

/** Stored as metadata of `{h}-largemessages`, which the runtime never reads. */
const MARKER_PREFIX = 'durableexplorerseed';

interface SeedMarker {
  state: 'writing' | 'complete';
  instances?: number;
  seed?: number;
  now?: string;
}

async function readMarker(clients: StorageClients, hubName: string): Promise<SeedMarker | undefined> {
  try {
    const props = await clients.container(hubResourceNames(hubName).largeMessagesContainer).getProperties();
    const m = props.metadata ?? {};
    const state = m[`${MARKER_PREFIX}state`];
    if (state !== 'writing' && state !== 'complete') {
      return undefined;
    }
    const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
    return { state, instances: num(m[`${MARKER_PREFIX}instances`]), seed: num(m[`${MARKER_PREFIX}seed`]), now: m[`${MARKER_PREFIX}now`] };
  } catch (e) {
    if (isNotFound(e)) {
      return undefined;
    }
    throw e;
  }
}

async function writeMarker(clients: StorageClients, hubName: string, marker: SeedMarker): Promise<void> {
  const container = clients.container(hubResourceNames(hubName).largeMessagesContainer);
  await container.createIfNotExists();
  const metadata: Record<string, string> = { [`${MARKER_PREFIX}state`]: marker.state };
  if (marker.instances !== undefined) {
    metadata[`${MARKER_PREFIX}instances`] = String(marker.instances);
  }
  if (marker.seed !== undefined) {
    metadata[`${MARKER_PREFIX}seed`] = String(marker.seed);
  }
  if (marker.now !== undefined) {
    metadata[`${MARKER_PREFIX}now`] = marker.now;
  }
  await container.setMetadata(metadata);
}

/** Azure Storage refuses to recreate a table/queue/container for a while after deleting it (409 …BeingDeleted). */
async function whileBeingDeleted<T>(what: string, fn: () => Promise<T>, log: (line: string) => void, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + 120_000;
  let told = false;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const text = `${(e as { code?: string }).code ?? ''} ${(e as Error).message ?? ''}`;
      if (!/BeingDeleted/.test(text) || Date.now() > deadline || signal?.aborted) {
        throw e;
      }
      if (!told) {
        log(`${what}: waiting for the storage account to finish deleting the old resources…`);
        told = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const rate = (rows: number, ms: number): string => `${fmt(Math.round(rows / Math.max(ms / 1000, 0.001)))} rows/s`;

/**
 * Writes the sample hubs. Storage errors surface as core's DurableErrors (Unreachable names the
 * endpoint); a same-named hub the seeder did not write is a ConflictError; an abort a CancelledError.
 */
export async function seed(o: SeedOptions): Promise<SeedResult> {
  const log = o.log ?? (() => undefined);
  const seedValue = (o.seed ?? DEFAULT_SEED) >>> 0;
  const now = o.now ?? new Date();
  const instances = o.instances ?? 0;
  const kinds = o.hubs ?? (instances > 0 ? HUB_KINDS : HUB_KINDS.filter((k) => k !== 'bulk'));
  const names = { ...DEFAULT_HUB_NAMES, ...o.names };
  for (const kind of kinds) {
    validateHubName(names[kind]);
  }
  const clients = await createStorageClients({ kind: 'connectionString', connectionString: o.connectionString });
  // Also the connectivity check: fails in seconds, naming the table endpoint.
  const existing = new Set((await discoverHubNames(clients, { signal: o.signal })).map((n) => n.toLowerCase()));
  const result: SeedResult = { seed: seedValue, now, hubs: [] };

  for (const kind of kinds) {
    const name = names[kind];
    const { layout, partitionCount } = HUB_LAYOUTS[kind];
    const bulkCount = kind === 'bulk' ? (instances > 0 ? instances : DEFAULT_BULK_INSTANCES) : undefined;
    const started = Date.now();
    let deleteFirst = o.reset ?? false;
    if (existing.has(name.toLowerCase()) && !deleteFirst) {
      const marker = await readMarker(clients, name);
      if (marker?.state === 'complete') {
        const what = kind === 'bulk' ? ` (${fmt(marker.instances ?? 0)} instances, seed ${marker.seed ?? '?'})` : '';
        const differs = kind === 'bulk' && (marker.instances !== bulkCount || marker.seed !== seedValue);
        log(`${name}: already seeded${what}; skipped${differs ? `. Use --reset to rewrite it with ${fmt(bulkCount ?? 0)} instances, seed ${seedValue}` : ' (--reset rewrites it)'}.`);
        result.hubs.push({ kind, name, layout, partitionCount, action: 'skipped', instances: 0, rows: 0, ms: Date.now() - started });
        continue;
      }
      if (marker?.state !== 'writing') {
        throw new ConflictError(
          `Task hub '${name}' already exists and was not written by the seeder. Use --reset to delete and replace it, ` +
            'or --hub-prefix to seed hubs under other names.',
        );
      }
      log(`${name}: a previous seed was interrupted; rewriting it.`);
      deleteFirst = true;
    }
    if (deleteFirst) {
      try {
        const deleted = await deleteTaskHub(clients, { name, signal: o.signal });
        log(`${name}: deleted (${deleted.deleted.length} tables, queues and containers).`);
      } catch (e) {
        if (!isNotFound(e)) {
          throw e;
        }
      }
    }

    const marker: SeedMarker = { state: 'writing', now: now.toISOString(), seed: seedValue, ...(bulkCount !== undefined ? { instances: bulkCount } : {}) };
    await whileBeingDeleted(name, () => writeMarker(clients, name, marker), log, o.signal);
    const w = await whileBeingDeleted(name, () => HubWriter.create({ connectionString: o.connectionString, hubName: name, layout, partitionCount, now }), log, o.signal);
    log(`${name}: writing (${layout} layout, ${partitionCount} partitions${bulkCount !== undefined ? `, ${fmt(bulkCount)} instances, seed ${seedValue}` : ''})…`);
    let count: number;
    let rows: number;
    if (kind === 'sample') {
      const index = await writeSampleHub(w, { now });
      result.sample = index;
      count = index.all.length;
      rows = index.rows;
    } else if (kind === 'legacy') {
      const index = await writeStandardHub(w, { now });
      count = index.all.length;
      rows = Object.values(index.written).reduce((sum, x) => sum + rowsOf(x), 0);
    } else {
      const total = bulkCount ?? 0;
      const done = await writeBulkHub(w, {
        count: total,
        seed: seedValue,
        now,
        concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
        ...(o.bulkStatuses ? { statuses: o.bulkStatuses } : {}),
        signal: o.signal,
        onProgress: (p) => log(`${name}: ${fmt(p.instances)}/${fmt(p.total)} instances, ${fmt(p.rows)} rows (${rate(p.rows, p.ms)})`),
      });
      count = done.instances;
      rows = done.rows;
    }
    await writeMarker(clients, name, { ...marker, state: 'complete' });
    const ms = Date.now() - started;
    log(`${name}: ${fmt(count)} instances, ${fmt(rows)} rows in ${seconds(ms)} (${rate(rows, ms)}).`);
    result.hubs.push({ kind, name, layout, partitionCount, action: 'written', instances: count, rows, ms });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The `npm run seed` command line

export const SEED_USAGE = `Usage: npm run seed -- [options]

Writes sample Durable Functions task hubs into Azure Storage (Azurite or a real account), exactly
as the .NET runtime leaves them:
  SampleHub   table layout, 4 partitions: every runtime status, the local worker's orchestrations
              (HelloCities, FanOutFanIn, ApprovalWorkflow, MonitorJob, ParentOrchestration,
              AlwaysFails, FailsUntilRewound), Counter entities, payloads in blobs, escaped ids,
              rewound rows, leftovers of an older execution, a 10,000-event history.
  LegacyHub   blob layout (taskhub.json), 6 partitions, rows as DTAS 1.x writes them.
  BulkHub     with --instances N: N small instances (mixed statuses, last 30 days, 1% large).

Options:
  --connection-string-setting NAME  Setting holding the connection string, from the environment
                                    or local.settings.json (default AzureWebJobsStorage; when it
                                    is not set: UseDevelopmentStorage=true, i.e. Azurite on 10000-10002).
  --instances N                     Also write BulkHub with N instances (up to 1,000,000; about
                                    7,000 rows/s into the Azurite of 'npm start', ~20 KB of its memory
                                    each). '--hubs bulk' alone writes ${fmt(DEFAULT_BULK_INSTANCES)}.
  --seed S                          Data set: instance ids, statuses, payloads (default ${DEFAULT_SEED}).
  --now DATE                        Times are offsets from this ISO date (default: now).
  --hubs LIST                       Only these: sample, legacy, bulk (comma-separated).
  --hub-prefix PREFIX               Prefix every hub name (PREFIX + SampleHub, ...).
  --reset                           Delete the hubs first, then write them again.
  --concurrency N                   Bulk instances written at once (default ${DEFAULT_CONCURRENCY}).
  -h, --help                        Show this help.

A hub that a previous seed completed is skipped (whatever the worker did to it stays); use --reset
to rewrite it. Exit codes: 0 done, 1 failed (storage, or a same-named hub not written by the
seeder), 2 bad arguments, 130 interrupted.

Examples:
  npm run seed
  npm run seed -- --instances 100000 --seed 7
  AzureWebJobsStorage='DefaultEndpointsProtocol=https;AccountName=...' npm run seed -- --reset
`;

export class SeedUsageError extends Error {}

export interface SeedArgs {
  help: boolean;
  connectionSetting?: string;
  instances?: number;
  seed?: number;
  now?: Date;
  hubs?: SampleHubKind[];
  hubPrefix?: string;
  reset: boolean;
  concurrency?: number;
}

function integer(text: string, flag: string, min: number, max: number): number {
  const value = Number(text.replace(/[_,]/g, ''));
  if (!/^\s*[\d_,]+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SeedUsageError(`--${flag} must be an integer from ${fmt(min)} to ${fmt(max)}, not '${text}'.`);
  }
  return value;
}

/** Parses `npm run seed` arguments. @throws SeedUsageError */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'connection-string-setting': { type: 'string' },
        instances: { type: 'string' },
        seed: { type: 'string' },
        now: { type: 'string' },
        hubs: { type: 'string' },
        'hub-prefix': { type: 'string' },
        reset: { type: 'boolean' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new SeedUsageError((e as Error).message);
  }
  const args: SeedArgs = { help: values.help === true, reset: values.reset === true };
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const setting = str('connection-string-setting');
  if (setting !== undefined) {
    if (setting.trim() === '') {
      throw new SeedUsageError('--connection-string-setting needs a setting name.');
    }
    args.connectionSetting = setting;
  }
  const instances = str('instances');
  if (instances !== undefined) {
    args.instances = integer(instances, 'instances', 0, 1_000_000);
  }
  const seedText = str('seed');
  if (seedText !== undefined) {
    args.seed = integer(seedText, 'seed', 0, 0xffffffff);
  }
  const nowText = str('now');
  if (nowText !== undefined) {
    const t = Date.parse(nowText);
    if (Number.isNaN(t)) {
      throw new SeedUsageError(`--now must be an ISO 8601 date, e.g. 2025-06-01T12:00:00Z, not '${nowText}'.`);
    }
    args.now = new Date(t);
  }
  const hubs = str('hubs');
  if (hubs !== undefined) {
    const kinds = new Set<SampleHubKind>();
    for (const part of hubs.split(',').map((p) => p.trim()).filter(Boolean)) {
      const kind = HUB_KINDS.find((k) => k === part.toLowerCase() || DEFAULT_HUB_NAMES[k].toLowerCase() === part.toLowerCase());
      if (!kind) {
        throw new SeedUsageError(`--hubs: unknown hub '${part}' (use sample, legacy, bulk).`);
      }
      kinds.add(kind);
    }
    if (kinds.size === 0) {
      throw new SeedUsageError('--hubs needs at least one of sample, legacy, bulk.');
    }
    args.hubs = HUB_KINDS.filter((k) => kinds.has(k));
  }
  const prefix = str('hub-prefix');
  if (prefix !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(prefix) || prefix.length > 40) {
      throw new SeedUsageError(`--hub-prefix must start with a letter and hold only letters and digits (up to 40), not '${prefix}'.`);
    }
    args.hubPrefix = prefix;
  }
  const concurrency = str('concurrency');
  if (concurrency !== undefined) {
    args.concurrency = integer(concurrency, 'concurrency', 1, 512);
  }
  return args;
}

export interface SeedCliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  signal?: AbortSignal;
}

export const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

/**
 * The connection as the `durable` CLI finds it (environment, then local.settings.json); when the
 * default setting AzureWebJobsStorage is not set anywhere: Azurite on its default ports.
 */
export async function resolveSeedConnection(
  io: Pick<SeedCliIo, 'env' | 'cwd'>,
  setting?: string,
): Promise<{ connectionString: string; description: string; secrets: string[] }> {
  const name = setting ?? DEFAULT_CONNECTION_SETTING;
  try {
    const r = await resolveConnection({ cwd: io.cwd, env: io.env, connectionSetting: name });
    if (r.connection.kind !== 'connectionString') {
      throw new ValidationError(name, `'${name}' is an identity-based connection; the seeder needs a connection string (account key or SAS).`);
    }
    const where = r.source.kind === 'environment' ? 'the environment' : r.source.path;
    return { connectionString: r.connection.connectionString, description: `'${name}' from ${where}`, secrets: r.secrets };
  } catch (e) {
    if (e instanceof ValidationError && e.field === 'connection-string-setting' && name === DEFAULT_CONNECTION_SETTING) {
      return { connectionString: DEVELOPMENT_STORAGE, description: `${DEVELOPMENT_STORAGE} ('${name}' is not set)`, secrets: [] };
    }
    throw e;
  }
}

/** `npm run seed`: parses, resolves the connection, seeds, prints; returns the exit code. */
export async function runSeedCli(argv: readonly string[], io: SeedCliIo): Promise<number> {
  let args: SeedArgs;
  try {
    args = parseSeedArgs(argv);
  } catch (e) {
    io.stderr(`error: ${(e as Error).message}\nRun 'npm run seed -- --help' for the options.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(SEED_USAGE);
    return 0;
  }
  let secrets: string[] = [];
  try {
    const connection = await resolveSeedConnection(io, args.connectionSetting);
    secrets = connection.secrets;
    io.stdout(`Seeding with ${connection.description}.\n`);
    if ((args.instances ?? 0) >= 10_000 && /devstoreaccount1|UseDevelopmentStorage/i.test(connection.connectionString)) {
      io.stdout(
        "Tip: an Azurite started by 'npm start' is tuned for large hubs; a plain 'npx azurite' slows down as the hub grows " +
          '(its entity lookups scan every row with the same RowKey).\n',
      );
    }
    const names = args.hubPrefix
      ? Object.fromEntries(HUB_KINDS.map((k) => [k, `${args.hubPrefix}${DEFAULT_HUB_NAMES[k]}`]))
      : undefined;
    const result = await seed({
      connectionString: connection.connectionString,
      ...(args.hubs ? { hubs: args.hubs } : {}),
      ...(names ? { names } : {}),
      ...(args.instances !== undefined ? { instances: args.instances } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.now ? { now: args.now } : {}),
      ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
      reset: args.reset,
      signal: io.signal,
      log: (line) => io.stdout(`${line}\n`),
    });
    const written = result.hubs.filter((h) => h.action === 'written');
    io.stdout(
      written.length > 0
        ? `Done: ${written.map((h) => `${h.name} (${fmt(h.instances)} instances)`).join(', ')}; seed ${result.seed}, times relative to ${result.now.toISOString()}.\n`
        : 'Done: nothing to write.\n',
    );
    return 0;
  } catch (e) {
    if (e instanceof CancelledError || io.signal?.aborted) {
      io.stderr('Interrupted. A hub left half-written is rewritten by the next seed.\n');
      return 130;
    }
    const message = maskSecrets(e instanceof Error ? e.message : String(e), secrets);
    io.stderr(`error: ${message}\n`);
    if (e instanceof UnreachableError) {
      io.stderr("Is Azurite running? 'npm start' starts one and seeds it; or set AzureWebJobsStorage (or --connection-string-setting) to another account.\n");
    }
    return 1;
  }
}
