// The seeder's pure parts: the seeded PRNG, the bulk-instance generator (determinism, valid
// histories, the status and payload mix) and the `npm run seed` arguments and connection.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RUNTIME_STATUSES } from '../../src/core/model';
import { escapePartitionKey } from '../../src/core/format/keys';
import { exceedsTablePropertyLimit } from '../../src/core/format/payload';
import type { HistoryEventSpec } from '../../tools/seed/hubWriter';
import { HistoryBuilder } from '../../tools/seed/hubWriter';
import {
  BULK_CREATED_SPREAD_MS,
  DEVELOPMENT_STORAGE,
  Prng,
  SEED_USAGE,
  SeedUsageError,
  bulkInstance,
  parseSeedArgs,
  resolveSeedConnection,
  runSeedCli,
} from '../../tools/seed/seeder';
import type { BulkInstance } from '../../tools/seed/seeder';
import { approvalHistory, fanOutFanInHistory, monitorHistory } from '../../tools/seed/sampleHubs';

const NOW = new Date('2025-06-01T12:00:00.000Z');

function eventsOf(b: BulkInstance): readonly HistoryEventSpec[] {
  const h = b.spec.history;
  return h === undefined ? [] : h instanceof HistoryBuilder ? h.events : h;
}

/** What the worker checks on replay and what readers rely on: a well-formed history. */
function assertValidHistory(events: readonly HistoryEventSpec[], label: string): void {
  assert.ok(events.length >= 4, `${label}: at least one episode`);
  assert.equal(events[0].eventType, 'OrchestratorStarted', `${label}: starts with OrchestratorStarted`);
  assert.equal(events[1].eventType, 'ExecutionStarted', `${label}: then ExecutionStarted`);
  assert.equal(events[events.length - 1].eventType, 'OrchestratorCompleted', `${label}: ends an episode`);
  let open = false;
  const scheduled = new Set<number>();
  const timers = new Set<number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (i > 0) {
      assert.ok(e.timestamp > events[i - 1].timestamp, `${label}: timestamps increase at ${i}`);
    }
    if (e.eventType === 'OrchestratorStarted') {
      assert.ok(!open, `${label}: episodes do not nest`);
      open = true;
    } else if (e.eventType === 'OrchestratorCompleted') {
      assert.ok(open, `${label}: OrchestratorCompleted closes an episode`);
      open = false;
    } else {
      assert.ok(open, `${label}: ${e.eventType} inside an episode`);
    }
    if (e.eventType === 'TaskScheduled') {
      assert.ok(!scheduled.has(e.eventId), `${label}: unique task ids`);
      scheduled.add(e.eventId);
    }
    if (e.eventType === 'TimerCreated') {
      timers.add(e.eventId);
    }
    if (e.eventType === 'TaskCompleted' || e.eventType === 'TaskFailed') {
      assert.ok(scheduled.has(Number(e.fields.TaskScheduledId)), `${label}: ${e.eventType} answers a scheduled task`);
    }
    if (e.eventType === 'TimerFired') {
      assert.ok(timers.has(Number(e.fields.TimerId)), `${label}: TimerFired answers a timer`);
    }
  }
}

/** The RuntimeStatus the worker would derive from the history (as HubWriter does). */
function derivedStatus(events: readonly HistoryEventSpec[]): string {
  let status = 'Pending';
  for (const e of events) {
    switch (e.eventType) {
      case 'ExecutionStarted':
      case 'ExecutionResumed':
        status = 'Running';
        break;
      case 'ExecutionCompleted':
        status = String(e.fields.OrchestrationStatus);
        break;
      case 'ContinueAsNew':
        status = 'ContinuedAsNew';
        break;
      case 'ExecutionSuspended':
        status = 'Suspended';
        break;
      default:
        break;
    }
  }
  return status;
}

describe('seeder: PRNG', () => {
  it('gives the same sequence for the same seed and another one for another seed', () => {
    const take = (seed: number): number[] => {
      const r = new Prng(seed);
      return Array.from({ length: 20 }, () => r.uint32());
    };
    assert.deepEqual(take(7), take(7));
    assert.notDeepEqual(take(7), take(8));
    // Pinned: the data sets (and so benchmark results) must not change silently across versions.
    assert.deepEqual(take(1).slice(0, 3), [2693262067, 11749833, 2265367787]);
  });

  it('float is in [0, 1), int in its bounds, weighted follows the weights', () => {
    const r = new Prng(42);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      assert.ok(f >= 0 && f < 1);
      const n = r.int(3, 5);
      assert.ok(n >= 3 && n <= 5 && Number.isInteger(n));
      counts[r.weighted([['a', 90], ['b', 10]] as const)]++;
    }
    assert.ok(counts.a > 8_700 && counts.a < 9_300, JSON.stringify(counts));
  });
});

describe('seeder: bulk instances', () => {
  const N = 2000;
  const set = (seed: number): BulkInstance[] => Array.from({ length: N }, (_, i) => bulkInstance(seed, i, NOW));
  const a = set(7);

  it('the same seed gives the same ids, statuses, times and payloads; another seed other ids', () => {
    const again = set(7);
    assert.deepEqual(again.map((b) => b.spec.instanceId), a.map((b) => b.spec.instanceId));
    assert.deepEqual(again.map((b) => b.status), a.map((b) => b.status));
    assert.deepEqual(again.map((b) => JSON.stringify(b.spec)), a.map((b) => JSON.stringify(b.spec)));
    const other = new Set(set(8).map((b) => b.spec.instanceId));
    const guidIds = a.map((b) => b.spec.instanceId).filter((id) => /^[0-9a-f]{32}$/.test(id));
    assert.ok(guidIds.length > N / 2);
    assert.ok(guidIds.every((id) => !other.has(id)), 'GUID ids depend on the seed');
  });

  it('does not depend on generation order (instances can be written in parallel)', () => {
    assert.equal(JSON.stringify(bulkInstance(7, 1234, NOW).spec), JSON.stringify(a[1234].spec));
  });

  it('ids are unique, GUID-like or business ids, and valid escaped keys', () => {
    const ids = a.map((b) => b.spec.instanceId);
    assert.equal(new Set(ids).size, N);
    for (const id of ids) {
      assert.match(id, /^([0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}|(order|invoice|shipment)-\d{7})$/);
      assert.equal(escapePartitionKey(id), id);
    }
    for (const b of a) {
      assert.match(b.spec.executionId ?? '', /^[0-9a-f]{32}$/);
    }
  });

  it('mixes every status, with histories that lead to it', () => {
    const byStatus = new Map<string, number>();
    for (const b of a) {
      byStatus.set(b.status, (byStatus.get(b.status) ?? 0) + 1);
      const events = eventsOf(b);
      if (b.status === 'Pending') {
        assert.equal(events.length, 0, 'a Pending instance has no history');
        assert.ok(b.spec.name && b.spec.createdTime);
        continue;
      }
      assertValidHistory(events, b.spec.instanceId);
      assert.equal(derivedStatus(events), b.status, b.spec.instanceId);
      assert.ok(events.length >= 8 && events.length <= 16, `${b.spec.instanceId}: ${events.length} events`);
    }
    for (const status of RUNTIME_STATUSES) {
      assert.ok((byStatus.get(status) ?? 0) > 0, `${status} present: ${JSON.stringify([...byStatus])}`);
    }
    assert.ok((byStatus.get('Completed') ?? 0) > N * 0.5, 'mostly Completed');
  });

  it('spreads creation over the last 30 days; about 1% carry payloads over the table limit', () => {
    let large = 0;
    for (const b of a) {
      const events = eventsOf(b);
      const created = events.length > 0 ? Date.parse(events[0].timestamp) : new Date(b.spec.createdTime as Date).getTime();
      assert.ok(created <= NOW.getTime() && created >= NOW.getTime() - BULK_CREATED_SPREAD_MS, b.spec.instanceId);
      const big = [b.spec.input, ...events.map((e) => e.fields.Result)].some((v) => typeof v === 'string' && exceedsTablePropertyLimit(v));
      assert.equal(big, b.large, b.spec.instanceId);
      large += b.large ? 1 : 0;
    }
    assert.ok(large >= 5 && large <= 45, `${large} large of ${N}`);
  });
});

describe('seeder: worker scenario histories', () => {
  it('fan-out/fan-in, approval and monitor histories are well formed', () => {
    const t = '2025-06-01T10:00:00.000Z';
    assertValidHistory(fanOutFanInHistory(t, 25).events, 'fan-out completed');
    assertValidHistory(fanOutFanInHistory(t, 40, { completed: 28 }).events, 'fan-out running');
    for (const outcome of ['waiting', 'approved', 'rejected', 'timedOut'] as const) {
      assertValidHistory(approvalHistory(t, '{}', outcome).events, `approval ${outcome}`);
    }
    assertValidHistory(monitorHistory(t, { jobId: 'job', intervalSeconds: 30, checks: 3 }).events, 'monitor completed');
    const waiting = monitorHistory(t, { jobId: 'job', intervalSeconds: 30, checks: 6, performed: 4 }).events;
    assertValidHistory(waiting, 'monitor running');
    assert.equal(derivedStatus(waiting), 'Running');
    assert.deepEqual(waiting.filter((e) => e.eventType === 'TaskScheduled' || e.eventType === 'TimerCreated').map((e) => e.eventId), [0, 1, 2, 3, 4, 5, 6, 7]);
    const f = fanOutFanInHistory(t, 40, { completed: 28 }).events;
    assert.deepEqual(f.filter((e) => e.eventType === 'TaskScheduled').map((e) => e.fields.Input), Array.from({ length: 40 }, (_, i) => String(i + 1)));
    assert.equal(f.filter((e) => e.eventType === 'TaskCompleted').length, 28);
    assert.equal(derivedStatus(f), 'Running');
    const done = fanOutFanInHistory(t, 25).events;
    assert.equal(done.find((e) => e.eventType === 'ExecutionCompleted')?.fields.Result, String((25 * 26) / 2));
  });
});

describe('seeder: npm run seed arguments', () => {
  it('parses every flag', () => {
    const a = parseSeedArgs([
      '--connection-string-setting', 'MyStorage', '--instances', '100,000', '--seed', '7', '--now', '2025-06-01T12:00:00Z',
      '--hubs', 'SampleHub,bulk', '--hub-prefix', 'Dev', '--reset', '--concurrency', '32',
    ]);
    assert.deepEqual(a, {
      help: false,
      reset: true,
      connectionSetting: 'MyStorage',
      instances: 100_000,
      seed: 7,
      now: NOW,
      hubs: ['sample', 'bulk'],
      hubPrefix: 'Dev',
      concurrency: 32,
    });
    assert.deepEqual(parseSeedArgs([]), { help: false, reset: false });
    assert.equal(parseSeedArgs(['-h']).help, true);
  });

  it('rejects bad values with a usage error', () => {
    for (const argv of [
      ['--instances', '-1'],
      ['--instances', '2000000'],
      ['--instances', 'many'],
      ['--seed', '1.5'],
      ['--now', 'yesterday'],
      ['--hubs', 'sample,other'],
      ['--hub-prefix', '1abc'],
      ['--unknown'],
      ['positional'],
      ['--connection-string-setting', ' '],
    ]) {
      assert.throws(() => parseSeedArgs(argv), SeedUsageError, argv.join(' '));
    }
  });

  it('exit codes: 2 for bad arguments, 0 for --help', async () => {
    let out = '';
    let err = '';
    const io = { env: {}, cwd: os.tmpdir(), stdout: (t: string) => (out += t), stderr: (t: string) => (err += t) };
    assert.equal(await runSeedCli(['--instances', 'x'], io), 2);
    assert.match(err, /--instances must be an integer/);
    assert.equal(await runSeedCli(['--help'], io), 0);
    assert.equal(out, SEED_USAGE);
  });

  it('connection: the setting as the CLI finds it; UseDevelopmentStorage=true when AzureWebJobsStorage is unset', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seed-conn-'));
    try {
      const conn = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:2/devstoreaccount1;BlobEndpoint=http://127.0.0.1:3/devstoreaccount1';
      assert.equal((await resolveSeedConnection({ env: {}, cwd: dir })).connectionString, DEVELOPMENT_STORAGE);
      assert.equal((await resolveSeedConnection({ env: { AzureWebJobsStorage: conn }, cwd: dir })).connectionString, conn);
      assert.equal((await resolveSeedConnection({ env: { Other: conn }, cwd: dir }, 'Other')).connectionString, conn);
      await assert.rejects(resolveSeedConnection({ env: {}, cwd: dir }, 'Other'), /Other/);
      await writeFile(path.join(dir, 'local.settings.json'), JSON.stringify({ Values: { AzureWebJobsStorage: conn } }));
      const fromFile = await resolveSeedConnection({ env: {}, cwd: dir });
      assert.equal(fromFile.connectionString, conn);
      assert.match(fromFile.description, /local\.settings\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
