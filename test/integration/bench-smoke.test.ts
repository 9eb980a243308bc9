// Smoke test of `npm run bench` (tools/bench): every case runs once at 1,000 instances against the
// shared Azurite and must produce figures and a table. It checks that the bench works, never how
// fast anything is: timings on a shared machine are not test material (the bench prints them).
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import type { BenchSetup, CaseReport } from '../../tools/bench/cases';
import {
  caseActivation,
  caseCounts,
  caseFirstPage,
  caseHistory,
  caseListAll,
  casePackage,
  casePurge,
  caseStartTerminate,
  caseWebview,
  prepare,
} from '../../tools/bench/cases';
import { buildChildBundles, findChromium, machineInfo, repoRoot } from '../../tools/bench/env';
import { markdownTable, resultsMarkdown, textTable } from '../../tools/bench/report';
import { clientsFor, dropHub } from '../../tools/bench/storage';
import { sharedAzurite } from './setup';

describe('bench smoke (every case once, 1,000 instances)', function () {
  this.timeout(300_000);
  const root = repoRoot(__dirname);
  const chromium = findChromium();
  const reports: CaseReport[] = [];
  let setup: BenchSetup;

  before(async function () {
    const { connectionString } = sharedAzurite();
    const tag = `s${Math.random().toString(36).slice(2, 5).replace(/[^a-z0-9]/g, 'x')}`;
    setup = await prepare({
      root,
      connectionString,
      clients: await clientsFor(connectionString),
      bundles: await buildChildBundles(root),
      instances: 1000,
      runs: 1,
      purgeRuns: 1,
      tag,
      workDir: path.join(os.tmpdir(), `durable-bench-smoke-${tag}`),
    });
  });

  after(async function () {
    if (setup) {
      for (const name of Object.values(setup.hubs)) {
        await dropHub(setup.clients, name);
      }
    }
  });

  /** Every row has a finite figure for ours (and the floor and ratio when it has a floor), or a verdict. */
  function assertFigures(report: CaseReport): void {
    assert.equal(report.skipped, undefined, `${report.id} was skipped: ${report.skipped}`);
    assert.ok(report.rows.length > 0, `${report.id} has no rows`);
    for (const row of report.rows) {
      if (row.ours === null) {
        assert.notEqual(row.pass, null, `${row.label}: neither a figure nor a verdict`);
        continue;
      }
      assert.ok(Number.isFinite(row.ours) && row.ours > 0, `${row.label}: ours = ${row.ours}`);
      if (row.floor !== null) {
        assert.ok(Number.isFinite(row.floor) && row.floor > 0, `${row.label}: floor = ${row.floor}`);
        assert.ok(row.ratio !== null && Number.isFinite(row.ratio), `${row.label}: ratio = ${row.ratio}`);
      }
      assert.ok(row.target.length > 0, `${row.label}: no target`);
    }
  }

  const cases: [string, (s: BenchSetup) => Promise<CaseReport>][] = [
    ['first page (core and CLI)', caseFirstPage],
    ['list all (core, CLI, peak RSS)', caseListAll],
    ['counts per status', caseCounts],
    ['history of the 10k-event instance', caseHistory],
    ['purge (core, raw parallel, sequential)', casePurge],
    ['start-new and terminate', caseStartTerminate],
    ['extension activation', caseActivation],
    ['package size', casePackage],
  ];
  for (const [title, run] of cases) {
    it(`${title} produces figures`, async function () {
      const report = await run(setup);
      reports.push(report);
      assertFigures(report);
      if (report.id === 'purge') {
        // Each contender must really have emptied its hub (rows, history, blobs), or its rate means nothing.
        assert.ok(!report.details.some((d) => d.startsWith('INCOMPLETE')), report.details.join('\n'));
      }
    });
  }

  it('webview first paint produces figures (when Chromium is installed)', async function () {
    const report = await caseWebview(setup, chromium);
    reports.push(report);
    if (!chromium) {
      assert.match(report.skipped ?? '', /Chromium/);
      this.skip();
    }
    assertFigures(report);
  });

  it('prints the table and the results document', function () {
    assert.ok(reports.length > 0);
    const table = textTable(reports);
    const doc = resultsMarkdown({
      date: new Date(),
      machine: machineInfo(root, chromium),
      command: 'npm run bench -- --quick',
      instances: 1000,
      runs: 1,
      purgeRuns: 1,
      azuriteMode: 'in-process',
      azuriteRss: null,
      dist: { builtAt: null, stale: false, production: false },
      seeding: setup.seedTimings,
      cases: reports,
      totalMs: 1,
    });
    for (const report of reports) {
      for (const row of report.rows) {
        assert.ok(table.includes(row.label), `the table lacks '${row.label}'`);
      }
    }
    assert.match(table, /Ours \(median\)/);
    assert.ok(doc.includes(markdownTable(reports)));
    assert.match(doc, /## Machine/);
    assert.match(doc, /## How to reproduce/);
  });
});
