// `npm run bench`: starts Azurite, seeds the hubs, runs every case, prints the table and writes
// bench/results.md. Options in BENCH_USAGE.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchSetup, CaseReport } from './cases';
import { caseActivation, caseCounts, caseFirstPage, caseHistory, caseListAll, casePackage, casePurge, caseStartTerminate, caseWebview, prepare } from './cases';
import { buildChildBundles, distState, findChromium, machineInfo, repoRoot } from './env';
import { resultsMarkdown, textTable } from './report';
import { fmtMs } from './stats';
import type { AzuriteMode } from './storage';
import { clientsFor, startBenchAzurite } from './storage';

/** Where the hand-written fix log starts in a results file; kept when the file is rewritten. */
export const FIX_LOG_HEADING = '## Fix log';

export const CASE_IDS = ['first-page', 'list-all', 'counts', 'history', 'purge', 'control', 'activation', 'package', 'webview'] as const;
export type CaseId = (typeof CASE_IDS)[number];

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Measures Durable Explorer against the raw Azure SDK floor on a fresh in-memory Azurite (issue 6)
and writes bench/results.md. A full run seeds 100k + 10k instances and takes about 10 minutes.

Options:
  --quick             1,000 instances, 3 runs (results go to bench/tmp/results.md)
  --instances N       Instances in the large hub (default 100000; the small hub has N/10)
  --runs N            Runs per contender, median reported (default 5)
  --purge-runs N      Runs of the purge case, each re-seeding a hub per contender (default 1 at
                      50k instances and more, else --runs up to 3)
  --only LIST         Only these cases: ${CASE_IDS.join(', ')}
  --azurite MODE      'process' (default: Azurite in its own process) or 'in-process'
  --build             Run 'node scripts/build.mjs' first (dist/ is what the CLI, activation,
                      package and webview cases measure)
  --out FILE          Where to write the results (default bench/results.md for a full run)
  -h, --help          Show this help.

Environment: CHROMIUM_PATH (default /usr/bin/chromium) for the webview case;
BENCH_WEBVIEW_PROFILE=FILE writes a CPU profile (DevTools format) of the first webview run.
`;

export interface BenchOptions {
  instances: number;
  runs: number;
  purgeRuns: number;
  only: CaseId[];
  azurite: AzuriteMode;
  build: boolean;
  out: string | null;
  quick: boolean;
  help: boolean;
}

function positive(text: string, flag: string, max: number): number {
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new Error(`--${flag} must be a whole number from 1 to ${max}, not '${text}'.`);
  }
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      instances: { type: 'string' },
      runs: { type: 'string' },
      'purge-runs': { type: 'string' },
      only: { type: 'string' },
      azurite: { type: 'string' },
      build: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = values.quick === true;
  const instances = values.instances ? positive(values.instances, 'instances', 1_000_000) : quick ? 1000 : 100_000;
  const runs = values.runs ? positive(values.runs, 'runs', 100) : quick ? 3 : 5;
  // Every purge run seeds a fresh hub per contender (~35 s for 10k here) and a core purge of 10k
  // takes over a minute: one run by default at full size keeps the bench near 10 minutes.
  const purgeRuns = values['purge-runs'] ? positive(values['purge-runs'], 'purge-runs', 100) : instances >= 50_000 ? 1 : Math.min(runs, 3);
  const only = values.only
    ? values.only.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
        if (!(CASE_IDS as readonly string[]).includes(s)) {
          throw new Error(`--only: unknown case '${s}' (${CASE_IDS.join(', ')}).`);
        }
        return s as CaseId;
      })
    : [...CASE_IDS];
  const azurite = values.azurite ?? 'process';
  if (azurite !== 'process' && azurite !== 'in-process') {
    throw new Error(`--azurite must be 'process' or 'in-process', not '${azurite}'.`);
  }
  return { instances, runs, purgeRuns, only, azurite, build: values.build === true, out: values.out ?? null, quick, help: values.help === true };
}

/** Runs one case, turning a failure into a skipped row so the other cases still report. */
async function runCase(id: CaseId, setup: BenchSetup, chromium: string | null): Promise<CaseReport> {
  const started = Date.now();
  setup.log(`Case ${id}…`);
  try {
    const report = await (() => {
      switch (id) {
        case 'first-page':
          return caseFirstPage(setup);
        case 'list-all':
          return caseListAll(setup);
        case 'counts':
          return caseCounts(setup);
        case 'history':
          return caseHistory(setup);
        case 'purge':
          return casePurge(setup);
        case 'control':
          return caseStartTerminate(setup);
        case 'activation':
          return caseActivation(setup);
        case 'package':
          return casePackage(setup);
        case 'webview':
          return caseWebview(setup, chromium);
      }
    })();
    setup.log(`  done in ${fmtMs(Date.now() - started)}`);
    return report;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    setup.log(`  FAILED: ${message}`);
    return { id, title: id, rows: [], details: [], skipped: `error: ${message.split('\n')[0].slice(0, 300)}` };
  }
}

export async function runBench(o: BenchOptions, io: { out(text: string): void } = { out: (t) => process.stdout.write(t) }): Promise<number> {
  const started = Date.now();
  const root = repoRoot();
  const t0 = Date.now();
  const log = (line: string): void => io.out(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  let dist = distState(root);
  if (o.build || !dist.exists) {
    log(dist.exists ? 'Building dist/ (--build)…' : 'dist/ is missing: building it (node scripts/build.mjs)…');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      io.out('error: the build failed.\n');
      return 1;
    }
    dist = distState(root);
  } else if (dist.stale) {
    log('Note: dist/ is older than src/; the CLI, activation, package and webview cases measure dist/ as it is (--build rebuilds it).');
  }
  // The machine is shared: sample the load average, so the results say how busy it was.
  const loads: number[] = [os.loadavg()[0]];
  const sampler = setInterval(() => loads.push(os.loadavg()[0]), 10_000);
  sampler.unref();
  const bundles = await buildChildBundles(root);
  const chromium = findChromium();
  log(`Starting Azurite (${o.azurite === 'process' ? 'its own process' : 'in this process'}, in memory)…`);
  const azurite = await startBenchAzurite(o.azurite, bundles.azurite);
  const tag = Math.random().toString(36).slice(2, 6).replace(/[^a-z0-9]/g, 'x');
  try {
    const clients = await clientsFor(azurite.connectionString);
    const needsData = o.only.some((id) => id !== 'package');
    const setup = await prepare({
      root,
      connectionString: azurite.connectionString,
      clients,
      bundles,
      // Only the package case: nothing to read, so seed as little as possible.
      instances: needsData ? o.instances : 1000,
      runs: o.runs,
      purgeRuns: o.purgeRuns,
      tag,
      workDir: path.join(os.tmpdir(), `durable-bench-${tag}`),
      log,
      // Which cases read the bulk hubs: the large one for listings and counts, the small one for RSS and activation.
      seedSmall: o.only.some((id) => id === 'list-all' || id === 'activation'),
      seedLarge: o.only.some((id) => id === 'first-page' || id === 'list-all' || id === 'counts'),
    });
    const azuriteRss = await azurite.rss();
    const cases: CaseReport[] = [];
    for (const id of o.only) {
      cases.push(await runCase(id, setup, chromium));
    }
    const table = textTable(cases);
    io.out(`\n${table}\n\n`);
    const full = !o.quick && o.instances === 100_000 && o.only.length === CASE_IDS.length;
    const outFile = o.out ?? path.join(root, 'bench', full ? 'results.md' : path.join('tmp', 'results.md'));
    mkdirSync(path.dirname(outFile), { recursive: true });
    const args = process.argv.slice(2).join(' ');
    // The fix log (before/after figures of each fix, written by hand) survives new runs.
    const previous = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
    const fixLog = previous.includes(FIX_LOG_HEADING) ? `\n${previous.slice(previous.indexOf(FIX_LOG_HEADING))}` : '';
    writeFileSync(
      outFile,
      resultsMarkdown({
        date: new Date(),
        machine: machineInfo(root, chromium),
        command: `npm run bench${args ? ` -- ${args}` : ''}`,
        instances: o.instances,
        runs: o.runs,
        purgeRuns: o.purgeRuns,
        azuriteMode: o.azurite,
        azuriteRss,
        dist: { builtAt: dist.builtAt, stale: dist.stale, production: dist.production },
        seeding: setup.seedTimings,
        cases,
        totalMs: Date.now() - started,
        load: { mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads) },
      }) + fixLog,
    );
    log(`Wrote ${path.relative(root, outFile)} (whole run ${fmtMs(Date.now() - started)}).`);
    return 0;
  } finally {
    clearInterval(sampler);
    await azurite.stop();
  }
}
