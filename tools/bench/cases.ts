// The bench cases of issue 6. Each measures ours and its floor in the same run, alternating
// (A B A B …), and returns table rows with medians and the ratio to the target. Nothing here
// asserts speed: the caller prints the figures.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_BULK_CONCURRENCY,
  countInstancesByStatus,
  getInstance,
  iterateHistory,
  iterateInstances,
  purgeInstances,
  queryInstances,
  readHistory,
  runBulkAction,
} from '../../src/core';
import type { StorageClients, TaskHub } from '../../src/core';
import { instanceColumns, instanceFilter } from '../../src/core/instances';
import { DEFAULT_PURGE_CONCURRENCY } from '../../src/core';
import { toHistoryRow, toSnapshot } from '../../src/extension/webviews/instanceData';
import type { HistoryRow } from '../../src/shared/protocol';
import { instrumentBundle, instrumentedPath, runActivation } from './activation';
import type { ActivationSample } from './activation';
import type { ChildBundles } from './env';
import { RawHub, rawCountByStatus, rawFirstPage, rawHistory, rawPurge, rawScan, rawStartNew, rawTerminate } from './floor';
import { cleanCheckoutFiles, estimateVsix, extensionBreakdown, productionBuild, removeDir, workingTreeFiles } from './packageSize';
import { check, runNode } from './proc';
import { alternate, fmtMb, fmtMs, fmtNumber, median, pairedRatio, timeMs } from './stats';
import type { SeedTiming } from './storage';
import { createEmptyHub, dropHub, openHub, seedBulkHub, seedLongHistoryHub } from './storage';
import { measureFirstPaint } from './webview/firstPaint';

// ---- Sizes ----------------------------------------------------------------------------------

export interface Scale {
  /** The big hub (100k by default). */
  large: number;
  /** The small hub: a tenth of the large one (10k), for the peak-RSS comparison. */
  small: number;
  /** Completed instances per purge run (10k). */
  purge: number;
  /** Instances of the sequential one-by-one purge (timed on a sample: it is slow by nature). */
  sequentialPurge: number;
  /** Instances started and terminated per run (1,000). */
  control: number;
  /** Events of the long history (10,000). */
  historyEvents: number;
}

export function scaleFor(instances: number): Scale {
  const small = Math.max(100, Math.round(instances / 10));
  return {
    large: instances,
    small,
    purge: small,
    sequentialPurge: Math.min(1000, small),
    control: Math.max(100, Math.min(1000, Math.round(instances / 100))),
    historyEvents: 10_000,
  };
}

// ---- Setup ----------------------------------------------------------------------------------

export interface BenchSetup {
  root: string;
  connectionString: string;
  clients: StorageClients;
  bundles: ChildBundles;
  scale: Scale;
  /** Runs per contender (the median is reported). */
  runs: number;
  /** Runs of the purge case (each re-seeds a hub per contender). */
  purgeRuns: number;
  /** Short tag in every hub name, so runs can share an Azurite. */
  tag: string;
  hubs: { small: string; large: string; history: string; control: string };
  historyInstanceId: string;
  /** An empty folder: the CLI's working directory (no host.json, no local.settings.json). */
  workDir: string;
  seedTimings: SeedTiming[];
  log: (line: string) => void;
}

/** Seeds the hubs every case reads: small and large bulk hubs, the long history, an empty control hub. */
export async function prepare(o: {
  root: string;
  connectionString: string;
  clients: StorageClients;
  bundles: ChildBundles;
  instances: number;
  runs: number;
  purgeRuns?: number;
  tag: string;
  workDir: string;
  log?: (line: string) => void;
  /** Seed the small / large bulk hubs (default true). */
  seedSmall?: boolean;
  seedLarge?: boolean;
}): Promise<BenchSetup> {
  const log = o.log ?? (() => undefined);
  const scale = scaleFor(o.instances);
  const hubs = { small: `B${o.tag}Small`, large: `B${o.tag}Large`, history: `B${o.tag}History`, control: `B${o.tag}Control` };
  const historyInstanceId = 'long-history';
  mkdirSync(o.workDir, { recursive: true });
  const seedTimings: SeedTiming[] = [];
  const now = new Date();
  // Hubs no selected case reads are left empty: `--only control` need not wait for 100k instances.
  const seeded: (readonly [string, number])[] = [];
  if (o.seedSmall !== false) {
    seeded.push([hubs.small, scale.small]);
  }
  if (o.seedLarge !== false) {
    seeded.push([hubs.large, scale.large]);
  }
  for (const [name, count] of seeded) {
    log(`Seeding ${name}: ${fmtNumber(count)} instances…`);
    const t = await seedBulkHub(o.connectionString, name, count, { now, log: (line) => log(`  ${line}`) });
    log(`  ${fmtNumber(t.rows)} rows in ${fmtMs(t.ms)} (${fmtNumber(Math.round(t.rows / (t.ms / 1000)))} rows/s)`);
    seedTimings.push(t);
  }
  log(`Seeding ${hubs.history}: one instance with ${fmtNumber(scale.historyEvents)} events…`);
  seedTimings.push(await seedLongHistoryHub(o.connectionString, hubs.history, historyInstanceId, scale.historyEvents));
  await createEmptyHub(o.connectionString, hubs.control);
  return {
    root: o.root,
    connectionString: o.connectionString,
    clients: o.clients,
    bundles: o.bundles,
    scale,
    runs: o.runs,
    purgeRuns: o.purgeRuns ?? o.runs,
    tag: o.tag,
    hubs,
    historyInstanceId,
    workDir: o.workDir,
    seedTimings,
    log,
  };
}

// ---- Results --------------------------------------------------------------------------------

export type Unit = 'ms' | 'inst/s' | 'bytes';

export interface CaseRow {
  label: string;
  unit: Unit;
  ours: number | null;
  floor: number | null;
  /** ours/floor for times and sizes, ours/floor throughput for rates. */
  ratio: number | null;
  target: string;
  pass: boolean | null;
  /** Extra text for the floor column (e.g. what the floor is when it is not a number). */
  floorText?: string;
}

export interface CaseReport {
  id: string;
  title: string;
  rows: CaseRow[];
  /** Further figures (samples, alternatives, what exactly was measured). */
  details: string[];
  /** Set when the case could not run here (missing build, no Chromium, …). */
  skipped?: string;
}

/** `ratio`: the paired ratio of the runs (stats.pairedRatio) where there are pairs, else ours / floor. */
function timeRow(label: string, ours: number, floor: number, maxRatio: number, ratio = ours / floor): CaseRow {
  return { label, unit: 'ms', ours, floor, ratio, target: `≤ ${maxRatio}×`, pass: ratio <= maxRatio };
}

function rateRow(label: string, ours: number, floor: number, minRatio: number, ratio = ours / floor): CaseRow {
  return { label, unit: 'inst/s', ours, floor, ratio, target: `≥ ${minRatio}× throughput`, pass: ratio >= minRatio };
}

const samplesText = (xs: readonly number[]): string => xs.map((x) => fmtMs(x)).join(', ');
const ratesText = (xs: readonly number[]): string => xs.map((x) => fmtNumber(x)).join(', ');

// ---- Helpers ----------------------------------------------------------------------------------

function cliPath(setup: BenchSetup): string {
  return path.join(setup.root, 'dist', 'cli.js');
}

function cliEnv(setup: BenchSetup): Record<string, string> {
  return { AzureWebJobsStorage: setup.connectionString };
}

async function nodeBaseline(setup: BenchSetup): Promise<number> {
  return check(await runNode(['-e', ''], { cwd: setup.workDir, rssPreload: setup.bundles.rssPreload }), 'node -e ""').ms;
}

// ---- Cases ----------------------------------------------------------------------------------

/** First page: top 100 Running instances created in the last 24 h, core and CLI. */
export async function caseFirstPage(setup: BenchSetup): Promise<CaseReport> {
  const hub = await openHub(setup.clients, setup.hubs.large);
  const raw = new RawHub(setup.connectionString, setup.hubs.large);
  const createdAfter = new Date(Date.now() - 24 * 3600_000);
  const query = { statuses: ['Running' as const], createdAfter };
  const filter = instanceFilter(query);
  const select = instanceColumns({});
  let oursCount = 0;
  let floorCount = 0;
  const core = await alternate(
    setup.runs,
    [
      () => timeMs(async () => (oursCount = (await queryInstances(hub, { ...query, pageSize: 100 })).items.length)),
      () => timeMs(async () => (floorCount = await rawFirstPage(raw.instances, filter, select, 100))),
    ],
    { warmup: 1 },
  );
  const rows: CaseRow[] = [timeRow('First page, top 100 (core queryInstances)', core.medians[0], core.medians[1], 1.2, pairedRatio(core.samples[0], core.samples[1]))];
  const details = [
    `Query: Running, created in the last 24 h, top 100, over ${fmtNumber(setup.scale.large)} instances; filter \`${filter}\`, $select of ${select.length} columns.`,
    `core: ${samplesText(core.samples[0])} (${oursCount} rows); raw listEntities page: ${samplesText(core.samples[1])} (${floorCount} rows).`,
  ];

  if (!existsSync(cliPath(setup))) {
    details.push('CLI: dist/cli.js missing (build first); not measured.');
    return { id: 'first-page', title: 'First page of instances', rows, details };
  }
  const args = [cliPath(setup), 'get-instances', '--task-hub-name', setup.hubs.large, '--runtime-status', 'Running', '--created-after', '24h', '--top', '100', '--json'];
  const rawArgs = [setup.bundles.raw, raw.names.instancesTable, 'first-page', select.join(','), '100', filter];
  let cliCount = 0;
  const cli = await alternate(
    setup.runs,
    [
      async () => {
        const r = check(await runNode(args, { cwd: setup.workDir, env: cliEnv(setup), stdout: 'capture', rssPreload: setup.bundles.rssPreload }), 'durable get-instances');
        cliCount = (JSON.parse(r.stdout) as { instances: unknown[] }).instances.length;
        return r.ms;
      },
      () => timeMs(() => rawFirstPage(raw.instances, filter, select, 100)),
      () => nodeBaseline(setup),
      async () => check(await runNode(rawArgs, { cwd: setup.workDir, env: { BENCH_CONNECTION: setup.connectionString }, stdout: 'capture', rssPreload: setup.bundles.rssPreload }), 'raw child').ms,
    ],
    { warmup: 1 },
  );
  const [cliMs, rawMs, nodeMs, rawProcessMs] = cli.medians;
  // A CLI run is a process: its floor is a process doing only the raw call (node + @azure/data-tables).
  rows.push(timeRow('First page, top 100 (CLI `get-instances --json`)', cliMs, rawProcessMs, 1.2, pairedRatio(cli.samples[0], cli.samples[3])));
  rows[rows.length - 1].floorText = `${fmtMs(rawProcessMs)} (node running only the raw call)`;
  details.push(
    `CLI process: ${samplesText(cli.samples[0])} (${cliCount} rows). Floor: a fresh node process running only @azure/data-tables for the same page, ${samplesText(cli.samples[3])}.`,
    `A stricter reference that no process can reach: the raw call in this warm process ${fmtMs(rawMs)} + bare \`node -e ''\` ${fmtMs(nodeMs)} = ${fmtMs(rawMs + nodeMs)} ` +
      `(CLI/that = ${(cliMs / (rawMs + nodeMs)).toFixed(2)}×): it leaves out loading and initialising the SDK, which the floor process pays too.`,
  );
  return { id: 'first-page', title: 'First page of instances', rows, details };
}

/** Every instance of the large hub streamed and thrown away: core iterator and CLI; peak RSS. */
export async function caseListAll(setup: BenchSetup): Promise<CaseReport> {
  const hub = await openHub(setup.clients, setup.hubs.large);
  const raw = new RawHub(setup.connectionString, setup.hubs.large);
  const select = instanceColumns({});
  let oursCount = 0;
  let floorCount = 0;
  const core = await alternate(setup.runs, [
    () =>
      timeMs(async () => {
        let n = 0;
        for await (const _ of iterateInstances(hub, {})) {
          n++;
        }
        oursCount = n;
      }),
    () => timeMs(async () => (floorCount = await rawScan(raw.instances, select))),
  ]);
  const rows: CaseRow[] = [timeRow(`List all ${fmtNumber(setup.scale.large)} (core iterateInstances)`, core.medians[0], core.medians[1], 1.2, pairedRatio(core.samples[0], core.samples[1]))];
  const details = [
    `core: ${samplesText(core.samples[0])} (${fmtNumber(oursCount)} instances); raw paged scan, same $select, 1,000 a page: ${samplesText(core.samples[1])} (${fmtNumber(floorCount)} rows).`,
  ];

  // Peak RSS of core's iterator in a fresh process, at the small and the large hub.
  const rssCore = async (name: string): Promise<number> => {
    const r = check(
      await runNode([setup.bundles.core, name], { cwd: setup.workDir, env: { BENCH_CONNECTION: setup.connectionString }, stdout: 'capture', rssPreload: setup.bundles.rssPreload }),
      'core listing child',
    );
    return r.maxRss ?? Number.NaN;
  };
  const coreRssSmall = await rssCore(setup.hubs.small);
  const coreRssLarge = await rssCore(setup.hubs.large);
  rows.push({
    label: `Peak RSS listing ${fmtNumber(setup.scale.large)} vs ${fmtNumber(setup.scale.small)} (core, own process)`,
    unit: 'bytes',
    ours: coreRssLarge,
    floor: coreRssSmall,
    ratio: coreRssLarge / coreRssSmall,
    target: '≤ 1.5× the small hub',
    pass: coreRssLarge / coreRssSmall <= 1.5,
  });

  if (!existsSync(cliPath(setup))) {
    details.push('CLI: dist/cli.js missing (build first); not measured.');
    return { id: 'list-all', title: 'List all instances', rows, details };
  }
  const cliArgs = (name: string): string[] => [cliPath(setup), 'get-instances', '--task-hub-name', name, '--all', '--json'];
  const cliRun = async (name: string): Promise<{ ms: number; rss: number }> => {
    const r = check(await runNode(cliArgs(name), { cwd: setup.workDir, env: cliEnv(setup), stdout: 'null', rssPreload: setup.bundles.rssPreload }), 'durable get-instances --all');
    return { ms: r.ms, rss: r.maxRss ?? Number.NaN };
  };
  const cliRssLarge: number[] = [];
  const cli = await alternate(setup.runs, [
    async () => {
      const r = await cliRun(setup.hubs.large);
      cliRssLarge.push(r.rss);
      return r.ms;
    },
    () => timeMs(() => rawScan(raw.instances, select)),
    () => nodeBaseline(setup),
    async () =>
      check(await runNode([setup.bundles.raw, raw.names.instancesTable, 'scan', select.join(',')], { cwd: setup.workDir, env: { BENCH_CONNECTION: setup.connectionString }, stdout: 'capture', rssPreload: setup.bundles.rssPreload }), 'raw child')
        .ms,
  ]);
  const [cliMs, rawMs, nodeMs, rawProcessMs] = cli.medians;
  rows.push(timeRow(`List all ${fmtNumber(setup.scale.large)} (CLI \`--all --json\` > /dev/null)`, cliMs, rawProcessMs, 1.2, pairedRatio(cli.samples[0], cli.samples[3])));
  rows[rows.length - 1].floorText = `${fmtMs(rawProcessMs)} (node running only the raw scan)`;
  const cliRssSmall: number[] = [];
  for (let i = 0; i < Math.min(3, setup.runs); i++) {
    cliRssSmall.push((await cliRun(setup.hubs.small)).rss);
  }
  const large = median(cliRssLarge);
  const small = median(cliRssSmall);
  rows.push({
    label: `Peak RSS listing ${fmtNumber(setup.scale.large)} vs ${fmtNumber(setup.scale.small)} (CLI)`,
    unit: 'bytes',
    ours: large,
    floor: small,
    ratio: large / small,
    target: '≤ 1.5× the small hub',
    pass: large / small <= 1.5,
  });
  details.push(
    `CLI: ${samplesText(cli.samples[0])}; floor, a fresh node process running only the raw scan (same $select, 1,000 a page, rows counted): ${samplesText(cli.samples[3])}. ` +
      `Stricter reference: raw scan in this warm process ${samplesText(cli.samples[1])} + node -e '' ${samplesText(cli.samples[2])} = ${fmtMs(rawMs + nodeMs)} (CLI/that = ${(cliMs / (rawMs + nodeMs)).toFixed(2)}×).`,
    `Peak RSS (process.resourceUsage().maxRSS at exit): core child ${fmtMb(coreRssLarge)} at ${fmtNumber(setup.scale.large)} vs ${fmtMb(coreRssSmall)} at ${fmtNumber(setup.scale.small)}; ` +
      `CLI ${fmtMb(large)} vs ${fmtMb(small)} (medians of ${cliRssLarge.length} and ${cliRssSmall.length} runs).`,
  );
  return { id: 'list-all', title: 'List all instances', rows, details };
}

/** Counts per status over the large hub. */
export async function caseCounts(setup: BenchSetup): Promise<CaseReport> {
  const hub = await openHub(setup.clients, setup.hubs.large);
  const raw = new RawHub(setup.connectionString, setup.hubs.large);
  let ours: Record<string, number> = {};
  let floor: Record<string, number> = {};
  const r = await alternate(setup.runs, [
    () => timeMs(async () => (ours = await countInstancesByStatus(hub, {}))),
    () => timeMs(async () => (floor = await rawCountByStatus(raw.instances))),
  ]);
  const same = JSON.stringify(Object.entries(ours).sort()) === JSON.stringify(Object.entries(floor).sort());
  return {
    id: 'counts',
    title: 'Counts per status',
    rows: [timeRow(`Counts per status over ${fmtNumber(setup.scale.large)} (core)`, r.medians[0], r.medians[1], 1.2, pairedRatio(r.samples[0], r.samples[1]))],
    details: [
      `core countInstancesByStatus: ${samplesText(r.samples[0])}; raw scan with $select=RuntimeStatus: ${samplesText(r.samples[1])}.`,
      `Counts ${same ? 'agree' : 'DIFFER'}: ${Object.entries(ours).map(([k, v]) => `${k} ${fmtNumber(v)}`).join(', ')}.`,
    ],
  };
}

/** The whole 10,000-event history: core's paged reader vs one raw partition query. */
export async function caseHistory(setup: BenchSetup): Promise<CaseReport> {
  const hub = await openHub(setup.clients, setup.hubs.history);
  const raw = new RawHub(setup.connectionString, setup.hubs.history);
  let ours = 0;
  let floor = 0;
  const r = await alternate(
    setup.runs,
    [
      () =>
        timeMs(async () => {
          let n = 0;
          for await (const _ of iterateHistory(hub, setup.historyInstanceId, { pageSize: 1000 })) {
            n++;
          }
          ours = n;
        }),
      () => timeMs(async () => (floor = await rawHistory(raw.history, setup.historyInstanceId))),
    ],
    { warmup: 1 },
  );
  return {
    id: 'history',
    title: 'History of the 10k-event instance',
    rows: [timeRow(`History, ${fmtNumber(setup.scale.historyEvents)} events (core iterateHistory)`, r.medians[0], r.medians[1], 1.2, pairedRatio(r.samples[0], r.samples[1]))],
    details: [
      `core (pages of 1,000, events converted): ${samplesText(r.samples[0])} (${fmtNumber(ours)} events); raw partition query, 1,000 a page: ${samplesText(r.samples[1])} (${fmtNumber(floor)} rows incl. the sentinel).`,
    ],
  };
}

/** Rows and blobs left in a purged hub (0 0 0 when the purge was complete). */
async function residue(raw: RawHub): Promise<{ instances: number; history: number; blobs: number }> {
  let blobs = 0;
  for await (const _ of raw.largeMessages.listBlobsFlat()) {
    blobs++;
  }
  return { instances: await rawScan(raw.instances, ['PartitionKey']), history: await rawScan(raw.history, ['PartitionKey']), blobs };
}

/** Concurrency of the raw purge floor (instances at once). */
export const FLOOR_PURGE_CONCURRENCY = 32;

/** Purge of completed instances with history and blobs, re-seeded for every run. */
export async function casePurge(setup: BenchSetup): Promise<CaseReport> {
  const count = setup.scale.purge;
  const details: string[] = [];
  const seedTimes: number[] = [];
  let run = 0;
  const fresh = async (kind: string, n: number): Promise<string> => {
    const name = `B${setup.tag}Purge${kind}${run}`;
    const t = await seedBulkHub(setup.connectionString, name, n, { statuses: ['Completed'] });
    seedTimes.push(t.ms);
    return name;
  };
  const dirty: string[] = [];
  const finish = async (name: string, what: string): Promise<void> => {
    const left = await residue(new RawHub(setup.connectionString, name));
    if (left.instances + left.history + left.blobs > 0) {
      dirty.push(`${what} left ${left.instances} instances, ${left.history} history rows, ${left.blobs} blobs`);
    }
    await dropHub(setup.clients, name);
  };
  let blobsDeleted = 0;
  const r = await alternate(setup.purgeRuns, [
    async () => {
      const name = await fresh('Core', count);
      const hub: TaskHub = await openHub(setup.clients, name);
      let deleted = 0;
      const ms = await timeMs(async () => {
        const result = await purgeInstances(hub, { statuses: ['Completed'] });
        deleted = result.instancesDeleted;
        blobsDeleted = result.blobsDeleted;
      });
      await finish(name, 'core purge');
      run++;
      return deleted / (ms / 1000);
    },
    async () => {
      const name = await fresh('Raw', count);
      const raw = new RawHub(setup.connectionString, name);
      let deleted = 0;
      const ms = await timeMs(async () => (deleted = (await rawPurge(raw, { statuses: ['Completed'], concurrency: FLOOR_PURGE_CONCURRENCY })).instances));
      await finish(name, 'raw purge');
      return deleted / (ms / 1000);
    },
  ]);
  // Sequential one-by-one: the floor's steps with nothing in parallel, on a sample (it is slow).
  const seqName = await fresh('Seq', setup.scale.sequentialPurge);
  const seqRaw = new RawHub(setup.connectionString, seqName);
  let seqDeleted = 0;
  const seqMs = await timeMs(async () => (seqDeleted = (await rawPurge(seqRaw, { statuses: ['Completed'], concurrency: 1 })).instances));
  await finish(seqName, 'sequential purge');
  const seqRate = seqDeleted / (seqMs / 1000);
  const rows = [
    rateRow(`Purge ${fmtNumber(count)} completed (core purgeInstances) vs raw parallel`, r.medians[0], r.medians[1], 0.8, pairedRatio(r.samples[0], r.samples[1])),
    { ...rateRow(`Purge ${fmtNumber(count)} completed (core) vs sequential one-by-one`, r.medians[0], seqRate, 10), target: '≥ 10× sequential' },
    // What the floor itself reaches over sequential on this storage: the ceiling of the row above.
    { ...rateRow('  floor: raw parallel vs sequential one-by-one', r.medians[1], seqRate, 10), target: '(reference)', pass: null },
  ];
  details.push(
    `core purgeInstances (default concurrency ${DEFAULT_PURGE_CONCURRENCY}, as the CLI and the extension call it; container listed once, pages pipelined): ${ratesText(r.samples[0])} instances/s; ` +
      `raw parallel batch-delete script (${FLOOR_PURGE_CONCURRENCY} instances at once, container listed once, history deleted in batches of 100, pages pipelined): ${ratesText(r.samples[1])} instances/s.`,
    `Sequential one-by-one (same steps, one request at a time) on ${fmtNumber(seqDeleted)} instances: ${fmtNumber(seqRate)} instances/s (${fmtMs(seqMs)}).`,
    `Each run purges a freshly seeded hub of ${fmtNumber(count)} Completed instances (~12 rows each, ${blobsDeleted} blobs in the last core run); seeding it took ${fmtMs(median(seedTimes))} (median), not counted.`,
    dirty.length > 0 ? `INCOMPLETE: ${dirty.join('; ')}.` : 'Every purged hub was checked empty afterwards (instances, history, blobs).',
  );
  return { id: 'purge', title: 'Purge', rows, details };
}

/** Concurrency of ours (the bulk default) and of the raw floors for start-new and terminate. */
export const CONTROL_CONCURRENCY = DEFAULT_BULK_CONCURRENCY;

/** Start-new and terminate of `scale.control` instances. */
export async function caseStartTerminate(setup: BenchSetup): Promise<CaseReport> {
  const n = setup.scale.control;
  const hub = await openHub(setup.clients, setup.hubs.control);
  const raw = new RawHub(setup.connectionString, setup.hubs.control, hub.partitionCount);
  const ids = (prefix: string, run: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${run}-${String(i).padStart(5, '0')}`);
  let run = 0;
  let floorRun = 0;
  let startFailures = 0;
  const start = await alternate(setup.runs, [
    async () => {
      const batch = ids('core', run++);
      let succeeded = 0;
      const ms = await timeMs(async () => {
        const result = await runBulkAction(hub, { action: { kind: 'start', name: 'BenchOrchestration', input: '{"n":1}' }, target: { kind: 'ids', instanceIds: batch }, concurrency: CONTROL_CONCURRENCY });
        succeeded = result.succeeded;
        startFailures += result.failed + result.skipped;
      });
      return succeeded / (ms / 1000);
    },
    async () => {
      const batch = ids('raw', floorRun++);
      const ms = await timeMs(() => rawStartNew(raw, batch, 'BenchOrchestration', CONTROL_CONCURRENCY));
      return n / (ms / 1000);
    },
  ]);
  // Terminate the instances core started first (Pending, so every terminate is accepted).
  const targets = ids('core', 0);
  let failures = 0;
  const terminate = await alternate(setup.runs, [
    async () => {
      let succeeded = 0;
      const ms = await timeMs(async () => {
        const result = await runBulkAction(hub, { action: { kind: 'terminate', reason: 'bench' }, target: { kind: 'ids', instanceIds: targets }, concurrency: CONTROL_CONCURRENCY });
        succeeded = result.succeeded;
        failures += result.failed + result.skipped;
      });
      return succeeded / (ms / 1000);
    },
    async () => {
      const ms = await timeMs(() => rawTerminate(raw, targets, 'bench', CONTROL_CONCURRENCY));
      return n / (ms / 1000);
    },
  ]);
  return {
    id: 'control',
    title: 'Start-new / terminate (bulk)',
    rows: [
      rateRow(`Start-new ${fmtNumber(n)} (core runBulkAction start)`, start.medians[0], start.medians[1], 0.8, pairedRatio(start.samples[0], start.samples[1])),
      rateRow(`Terminate ${fmtNumber(n)} (core runBulkAction)`, terminate.medians[0], terminate.medians[1], 0.8, pairedRatio(terminate.samples[0], terminate.samples[1])),
    ],
    details: [
      `Start-new, instances/s: core runBulkAction start ${ratesText(start.samples[0])} (existence read by key range, one query per 100 ids, then message and Pending row per instance)${startFailures ? `, ${startFailures} not succeeded` : ''}; ` +
        `raw ${ratesText(start.samples[1])} (message + row, no check). Both ${CONTROL_CONCURRENCY} at a time.`,
      `Terminate, instances/s: core runBulkAction ${ratesText(terminate.samples[0])} (statuses read by key range, one query per 100 ids, then the messages)${failures ? `, ${failures} not succeeded` : ''}; raw queue sends ${ratesText(terminate.samples[1])} (message only). Both ${CONTROL_CONCURRENCY} at a time.`,
    ],
  };
}

/** Loading and activating dist/extension.js under a stub vscode, and the tree's first page. */
export async function caseActivation(setup: BenchSetup): Promise<CaseReport> {
  const extensionPath = path.join(setup.root, 'dist', 'extension.js');
  if (!existsSync(extensionPath)) {
    return { id: 'activation', title: 'Extension activation', rows: [], details: [], skipped: 'dist/extension.js missing (build first)' };
  }
  const common = { childBundle: setup.bundles.activation, extensionRoot: setup.root, connectionString: setup.connectionString, hubName: setup.hubs.small, group: 'Running' };
  const samples: ActivationSample[] = [];
  for (let i = 0; i < setup.runs; i++) {
    samples.push(await runActivation({ ...common, extensionPath }));
  }
  const cacheDir = path.dirname(setup.bundles.activation);
  const instrumented = instrumentBundle(extensionPath, instrumentedPath(cacheDir));
  const probe = await runActivation({ ...common, extensionPath: instrumentedPath(cacheDir) });
  // The same with a minified production build (what a release would ship), for comparison.
  const prodSamples: ActivationSample[] = [];
  let prodError: string | undefined;
  const prod = productionBuild(setup.root);
  try {
    if (prod.error) {
      prodError = prod.error;
    } else {
      for (let i = 0; i < setup.runs; i++) {
        prodSamples.push(await runActivation({ ...common, extensionPath: path.join(prod.dir, 'dist', 'extension.js') }));
      }
    }
  } finally {
    removeDir(prod.dir);
  }
  const load = median(samples.map((s) => s.loadMs));
  const activate = median(samples.map((s) => s.activateMs));
  const firstPage = median(samples.map((s) => s.firstPageMs));
  // The child records which SDK chunks (dist/sdk/*) were loaded at each step, instrumented or not.
  const lazy = probe.azure.firstPage.length > 0 ? probe.azure.load.length === 0 && probe.azure.activate.length === 0 : null;
  const rows: CaseRow[] = [
    { label: 'Activation: require dist/extension.js + activate()', unit: 'ms', ours: load + activate, floor: null, ratio: null, target: '< 50 ms', pass: load + activate < 50, floorText: '—' },
    { label: "Activation → tree's first page (Running, 100)", unit: 'ms', ours: load + activate + firstPage, floor: null, ratio: null, target: '— (informative)', pass: null, floorText: '—' },
    {
      label: 'Azure SDKs lazy-loaded',
      unit: 'ms',
      ours: null,
      floor: null,
      ratio: null,
      target: 'none loaded by activate()',
      pass: lazy,
      floorText: lazy === null ? 'not measurable' : lazy ? 'lazy' : `loaded at ${probe.azure.load.length ? 'require' : 'activate'}: ${[...probe.azure.load, ...probe.azure.activate].join(', ')}`,
    },
  ];
  return {
    id: 'activation',
    title: 'Extension activation',
    rows,
    details: [
      `Fresh process each run, stub vscode module, dist/extension.js (${instrumented ? 'module initialisers instrumented' : 'not instrumented'}). Medians of ${samples.length}: require ${fmtMs(load)}, activate() ${fmtMs(activate)}, ` +
        `then roots → connection → hubs → Running group → first ${samples[0]?.instances ?? 0} instances ${fmtMs(firstPage)} (includes loading the SDKs and the storage calls).`,
      `Samples: require ${samplesText(samples.map((s) => s.loadMs))}; activate ${samplesText(samples.map((s) => s.activateMs))}; first page ${samplesText(samples.map((s) => s.firstPageMs))}.`,
      instrumented
        ? `Bundled modules initialised (instrumented copy): ${probe.modules.load} at require, ${probe.modules.activate} after activate(), ${probe.modules.firstPage} after the first page. ` +
          `@azure packages at require: ${probe.azure.load.join(', ') || 'none'}; after activate(): ${probe.azure.activate.join(', ') || 'none'}; after the first page: ${probe.azure.firstPage.join(', ') || 'none'}.`
        : `Module initialisers not instrumented. SDK chunks loaded at require: ${probe.azure.load.join(', ') || 'none'}; after activate(): ${probe.azure.activate.join(', ') || 'none'}; after the first page: ${probe.azure.firstPage.join(', ') || 'none'}.`,
      prodSamples.length > 0
        ? `Production build (minified, built into a temporary folder): require ${fmtMs(median(prodSamples.map((x) => x.loadMs)))}, activate() ${fmtMs(median(prodSamples.map((x) => x.activateMs)))}, ` +
          `first page ${fmtMs(median(prodSamples.map((x) => x.firstPageMs)))} (medians of ${prodSamples.length}).`
        : `Production build not measured: ${prodError ?? 'unknown error'}.`,
      "Not measured: VS Code's extension host (its own module loading before activate(), and rendering the items).",
    ],
  };
}

/** The .vsix size, estimated from the files vsce would package. */
export async function casePackage(setup: BenchSetup): Promise<CaseReport> {
  const details: string[] = [];
  const rows: CaseRow[] = [];
  const prod = productionBuild(setup.root);
  try {
    if (prod.error) {
      details.push(`Production build failed, so only dist/ as it is was measured: ${prod.error}`);
    } else {
      const files = cleanCheckoutFiles(setup.root, prod.dir);
      const est = estimateVsix(setup.root, files, prod.dir);
      rows.push({ label: '.vsix (clean checkout, production build)', unit: 'bytes', ours: est.vsixBytes, floor: null, ratio: null, target: '< 3 MB', pass: est.vsixBytes < 3 * 1024 * 1024, floorText: '—' });
      details.push(
        `Production build (\`node scripts/build.mjs --production\` into a temporary folder): ${files.length} files, ${fmtMb(est.rawBytes)} uncompressed, ≈ ${fmtMb(est.vsixBytes)} as a .vsix. Largest: ` +
          est.files.slice(0, 6).map((f) => `${f.path} ${fmtMb(f.compressed)} (${fmtMb(f.bytes)} raw)`).join(', ') + '.',
      );
    }
    if (existsSync(path.join(setup.root, 'dist'))) {
      const asIs = estimateVsix(setup.root, cleanCheckoutFiles(setup.root));
      rows.push({ label: '.vsix (clean checkout, dist/ as built now)', unit: 'bytes', ours: asIs.vsixBytes, floor: null, ratio: null, target: '< 3 MB', pass: asIs.vsixBytes < 3 * 1024 * 1024, floorText: '—' });
      const tree = workingTreeFiles(setup.root);
      const treeEst = estimateVsix(setup.root, tree);
      const stray = [...new Set(tree.filter((f) => !f.startsWith('dist/')).map((f) => f.split('/')[0]))].filter((d) => !['package.json', 'README.md', 'CHANGELOG.md', 'media', 'LICENSE', 'LICENSE.md'].includes(d));
      details.push(
        `dist/ as built now: ≈ ${fmtMb(asIs.vsixBytes)} (package.json has no \`vscode:prepublish\` script, so \`vsce package\` packages whatever dist/ holds).`,
        `This working tree as it is: ≈ ${fmtMb(treeEst.vsixBytes)}, ${tree.length} files${stray.length ? `; .vscodeignore lets through: ${stray.join(', ')}` : ''}.`,
      );
    }
    const breakdown = await extensionBreakdown(setup.root);
    details.push(
      `Minified extension bundle ${fmtMb(breakdown.bytes)}: ` + breakdown.byPackage.slice(0, 8).map((p) => `${p.name} ${fmtMb(p.bytes)}`).join(', ') + '.',
    );
  } finally {
    removeDir(prod.dir);
  }
  details.push('Estimated without vsce (not installed): the files vsce would take (.vscodeignore + its default list), each deflated as a zip entry, plus headers and the generated manifest.');
  return { id: 'package', title: 'Package size', rows, details };
}

/** First paint of the 10k-event history on the instance page, in Chromium. */
export async function caseWebview(setup: BenchSetup, chromium: string | null): Promise<CaseReport> {
  if (!chromium) {
    return { id: 'webview', title: 'Webview first paint', rows: [], details: [], skipped: 'no Chromium (set CHROMIUM_PATH)' };
  }
  if (!existsSync(path.join(setup.root, 'dist', 'webview', 'instance.js'))) {
    return { id: 'webview', title: 'Webview first paint', rows: [], details: [], skipped: 'dist/webview/instance.js missing (build first)' };
  }
  const hub = await openHub(setup.clients, setup.hubs.history);
  // What the host sends: the instance's snapshot and its history rows, built by the host's own code.
  const status = await getInstance(hub, setup.historyInstanceId, { showInput: true, showOutput: true });
  const rows: HistoryRow[] = [];
  for await (const e of iterateHistory(hub, setup.historyInstanceId, { pageSize: 1000 })) {
    rows.push(toHistoryRow(e, rows.length));
  }
  const executionId = status.executionId;
  // The host's part of the first page, for the end-to-end estimate: one 1,000-event read, converted.
  const hostFirstPage: number[] = [];
  for (let i = 0; i < setup.runs; i++) {
    hostFirstPage.push(await timeMs(async () => (await readHistory(hub, setup.historyInstanceId, { pageSize: 1000 })).events.map(toHistoryRow)));
  }
  const samples = await measureFirstPaint({ root: setup.root, chromium, snapshot: toSnapshot(status, null), rows, executionId, runs: setup.runs, hubName: setup.hubs.history });
  const first = median(samples.map((s) => s.firstFrameMs));
  const host = median(hostFirstPage);
  return {
    id: 'webview',
    title: 'Webview first paint',
    rows: [{ label: `Webview: first history row painted, ${fmtNumber(rows.length)} events (Chromium)`, unit: 'ms', ours: first, floor: null, ratio: null, target: '< 500 ms', pass: first < 500, floorText: '—' }],
    details: [
      `Navigation → first .h-row in the DOM ${fmtMs(median(samples.map((s) => s.firstRowMs)))}, → the frame after it ${fmtMs(first)}, → all ${fmtNumber(rows.length)} rows read and listed ${fmtMs(median(samples.map((s) => s.allRowsMs)))} (medians of ${samples.length}).`,
      `Milestones of the median run: ${(samples.slice().sort((a, b) => a.firstFrameMs - b.firstFrameMs)[Math.floor(samples.length / 2)]?.steps ?? []).map(([label, t]) => `${label} ${fmtMs(t)}`).join(', ')}.`,
      `The harness's floor, a fresh page that is one row and no script, to its first frame: ${fmtMs(median(samples.map((s) => s.blankFrameMs)))} (samples ${samplesText(samples.map((s) => s.blankFrameMs))}); ` +
        `the instance page's first frame is ${(first / median(samples.map((s) => s.blankFrameMs))).toFixed(1)}× that.`,
      `Samples (first frame): ${samplesText(samples.map((s) => s.firstFrameMs))}. The stub host answers at once; the real host first reads 1,000 events from storage and converts them: ${fmtMs(host)} here, ` +
        `so first paint end to end ≈ ${fmtMs(first + host)}.`,
    ],
  };
}
