// The read-only commands of the `durable` CLI (list-task-hubs, get-instances, get-runtime-status,
// get-history) end to end: `main` in-process against the shared Azurite, over hubs written by the
// fixture writer as the .NET runtime leaves them; plus the bundled binary and an unreachable account.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEvent, InstanceStatus } from '../../src/core/model';
import { escapePartitionKey } from '../../src/core/format/keys';
import type { FixtureRow, WrittenInstance } from '../../tools/seed/hubWriter';
import { HubWriter } from '../../tools/seed/hubWriter';
import type { StandardHubIndex } from '../../tools/seed/sampleHubs';
import { largeJson, writeSmallCompleted, writeStandardHub } from '../../tools/seed/sampleHubs';
import type { CliResult } from '../support/cli';
import { describeRun, jsonOf, runCli, tempDir } from '../support/cli';
import { sharedAzurite } from './setup';
import { closedPort } from '../support/ports';

const NOW = new Date('2025-06-01T08:00:00.000Z');
const MINUTE = 60_000;

/** The standard hub (table layout, 4 partitions); the other hubs only matter to list-task-hubs. */
const HUB = 'ReadHub1';
const BLOB_HUB = 'ReadHubBlob';
const PREFIX_HUB = 'ReadHubA';
const PREFIX_HUB_LONGER = 'ReadHubAB';
const MY_HUBS = [HUB, BLOB_HUB, PREFIX_HUB, PREFIX_HUB_LONGER];

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI_JS = path.join(REPO_ROOT, 'dist', 'cli.js');

interface InstancesJson {
  instances: InstanceStatus[];
  continuationToken: string | null;
}

interface HistoryJson {
  instanceId: string;
  executionId: string | null;
  historyEvents: HistoryEvent[];
}

interface HubsJson {
  taskHubs: { name: string; partitionCount: number | null; layout: string }[];
}

/** The text value of a fixture row's column (DateTimes are `{ value, type }`). */
function cellText(row: FixtureRow, column: string): string | undefined {
  const v = row[column];
  if (v !== null && typeof v === 'object' && 'value' in v) {
    return String((v as { value: unknown }).value);
  }
  return v === undefined || v === null ? undefined : String(v);
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('cli-read: read commands against Azurite', function () {
  let cs: string;
  let ix: StandardHubIndex;
  let blobHubInstance: WrittenInstance;

  /** Runs `durable <argv>` with the connection in the environment and the fixture clock. */
  function cli(argv: string[], o: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
    return runCli(argv, { env: o.env ?? { AzureWebJobsStorage: cs }, now: NOW, ...(o.cwd ? { cwd: o.cwd } : {}) });
  }

  /** `durable <argv> --task-hub-name ReadHub1 --json`, asserting exit 0. */
  async function cliJson<T>(argv: string[], hub = HUB): Promise<T> {
    const r = await cli([...argv, '--task-hub-name', hub, '--json']);
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stderr, '', 'nothing on stderr for a successful run');
    return jsonOf<T>(r);
  }

  function written(id: string): WrittenInstance {
    const w = ix.written[id];
    assert.ok(w, `fixture wrote ${id}`);
    return w;
  }

  /** Every standard-hub id whose stored key round-trips (all but the pre-1.8.4 raw-key row). */
  function escapedIds(): string[] {
    return ix.all.filter((id) => id !== ix.legacy);
  }

  /**
   * Listed ids against expected ids. The pre-1.8.4 row (raw key `sample-legacy^v1`) is counted
   * but not compared by id: how its id is shown is a separate test (see 'the legacy row').
   */
  function assertSameInstances(listed: readonly string[], expected: readonly string[], message?: string): void {
    assert.equal(listed.length, expected.length, `${message ?? ''} ${listed.length} listed, ${expected.length} expected: ${JSON.stringify(listed)}`);
    assert.equal(new Set(listed).size, listed.length, 'no instance listed twice');
    const comparable = (ids: readonly string[]): string[] => sorted(ids.filter((id) => escapedIds().includes(id)));
    assert.deepEqual(comparable(listed), comparable(expected), message);
  }

  before(async function () {
    this.timeout(120_000);
    cs = sharedAzurite().connectionString;
    const main = await HubWriter.create({ connectionString: cs, hubName: HUB, partitionCount: 4, now: NOW });
    ix = await writeStandardHub(main, { now: NOW });
    const blob = await HubWriter.create({ connectionString: cs, hubName: BLOB_HUB, partitionCount: 6, layout: 'blob', now: NOW });
    blobHubInstance = await writeSmallCompleted(blob, 'blob-hub-instance', new Date(NOW.getTime() - 10 * MINUTE));
    await HubWriter.create({ connectionString: cs, hubName: PREFIX_HUB, partitionCount: 2, now: NOW });
    await HubWriter.create({ connectionString: cs, hubName: PREFIX_HUB_LONGER, partitionCount: 3, now: NOW });
  });

  // -------------------------------------------------------------------------------------------
  describe('list-task-hubs', () => {
    it('lists table- and blob-layout hubs with their partition counts, prefix-named hubs once each', async () => {
      const r = await cli(['list-task-hubs', '--json']);
      assert.equal(r.code, 0, describeRun(r));
      const hubs = jsonOf<HubsJson>(r).taskHubs;
      const mine = hubs.filter((h) => MY_HUBS.includes(h.name));
      assert.deepEqual(
        sorted(mine.map((h) => JSON.stringify(h))),
        sorted([
          { name: HUB, partitionCount: 4, layout: 'table' },
          { name: BLOB_HUB, partitionCount: 6, layout: 'blob' },
          { name: PREFIX_HUB, partitionCount: 2, layout: 'table' },
          { name: PREFIX_HUB_LONGER, partitionCount: 3, layout: 'table' },
        ].map((h) => JSON.stringify(h))),
      );
      for (const name of MY_HUBS) {
        assert.equal(hubs.filter((h) => h.name === name).length, 1, `${name} listed once`);
      }
      assert.deepEqual(Object.keys(hubs[0]), ['name', 'partitionCount', 'layout']);
    });

    it('prints an aligned table; --task-hub-name is accepted and ignored', async () => {
      const r = await cli(['list-task-hubs', '--task-hub-name', 'DoesNotExist']);
      assert.equal(r.code, 0, describeRun(r));
      assert.match(r.stdout, /^NAME +PARTITIONS +LAYOUT$/m);
      assert.match(r.stdout, /^ReadHub1 +4 +table$/m);
      assert.match(r.stdout, /^ReadHubBlob +6 +blob$/m);
      assert.match(r.stdout, /^ReadHubA +2 +table$/m);
      assert.match(r.stdout, /^ReadHubAB +3 +table$/m);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('hub and connection resolution', () => {
    it('several hubs and no --task-hub-name: exit 2, listing the hubs', async () => {
      const r = await cli(['get-instances']);
      assert.equal(r.code, 2, describeRun(r));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: Storage account 'devstoreaccount1' has \d+ task hubs; pick one with --task-hub-name: /);
      for (const name of MY_HUBS) {
        assert.match(r.stderr, new RegExp(`[ ,]${name}[,.]`), `lists ${name}`);
      }
    });

    it('a hub that does not exist: exit 1 (not found), listing the hubs', async () => {
      const r = await cli(['get-instances', '--task-hub-name', 'ReadHubMissing']);
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, /^error: Task hub 'ReadHubMissing' was not found in storage account 'devstoreaccount1'\. Task hubs found: /);
      for (const name of MY_HUBS) {
        assert.match(r.stderr, new RegExp(`[ ,]${name}[,.]`), `lists ${name}`);
      }
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    });

    it('an invalid hub name: exit 2, naming the flag', async () => {
      const r = await cli(['get-instances', '--task-hub-name', 'bad-hub']);
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /^error: Invalid task hub name 'bad-hub'/);
      assert.match(r.stderr, /task-hub-name/);
    });

    it("takes the hub from host.json (%AppSetting%) and the connection from local.settings.json, without the environment", async () => {
      const dir = tempDir();
      try {
        writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: '%MyHub%' } } }));
        writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: cs, MyHub: HUB } }));
        const r = await cli(['get-runtime-status', '--id', ix.completed, '--json'], { env: {}, cwd: dir });
        assert.equal(r.code, 0, describeRun(r));
        const s = jsonOf<InstanceStatus>(r);
        assert.equal(s.instanceId, ix.completed);
        assert.equal(s.runtimeStatus, 'Completed');

        // Same project, pointed at the blob-layout hub: only that hub has this instance.
        writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ Values: { AzureWebJobsStorage: cs, MyHub: BLOB_HUB } }));
        const other = await cli(['get-instances', '--json'], { env: {}, cwd: dir });
        assert.equal(other.code, 0, describeRun(other));
        assert.deepEqual(jsonOf<InstancesJson>(other).instances.map((i) => i.instanceId), [blobHubInstance.instanceId]);

        // --task-hub-name wins over host.json.
        const explicit = await cli(['get-runtime-status', '--id', ix.completed, '--task-hub-name', HUB, '--json'], { env: {}, cwd: dir });
        assert.equal(explicit.code, 0, describeRun(explicit));

        // An unresolvable %reference% is a usage error naming the hub setting.
        writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ Values: { AzureWebJobsStorage: cs } }));
        const unresolved = await cli(['get-instances'], { env: {}, cwd: dir });
        assert.equal(unresolved.code, 2, describeRun(unresolved));
        assert.match(unresolved.stderr, /^error: .*host\.json: hubName '%MyHub%' cannot be resolved: App setting 'MyHub'/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('no connection anywhere: exit 2 naming the setting', async () => {
      const r = await cli(['get-instances', '--task-hub-name', HUB], { env: {} });
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /^error: No storage connection found: set the 'AzureWebJobsStorage' app setting/);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('get-instances', () => {
    /** Pages through get-instances with `extra` flags until the token is null. */
    async function allPages(extra: string[]): Promise<{ pages: InstanceStatus[][]; tokens: string[] }> {
      const pages: InstanceStatus[][] = [];
      const tokens: string[] = [];
      let token: string | null = null;
      do {
        const page: InstancesJson = await cliJson<InstancesJson>(['get-instances', ...extra, ...(token ? ['--continuation-token', token] : [])]);
        pages.push(page.instances);
        token = page.continuationToken;
        if (token) {
          assert.ok(!tokens.includes(token), 'each continuation token is new');
          tokens.push(token);
        }
        assert.ok(pages.length <= 50, 'paging terminates');
      } while (token);
      return { pages, tokens };
    }

    function assertEveryInstanceOnce(ids: string[]): void {
      assertSameInstances(ids, ix.all);
    }

    it('default: 10 instances and a continuation token; following the tokens covers every instance once', async () => {
      const { pages, tokens } = await allPages([]);
      assert.deepEqual(pages.map((p) => p.length), [10, 10, ix.all.length - 20]);
      assert.equal(tokens.length, 2);
      assertEveryInstanceOnce(pages.flat().map((s) => s.instanceId));
    });

    it('--top 3 pages of at most 3 until the token is null, every instance exactly once', async () => {
      const { pages } = await allPages(['--top', '3']);
      assert.ok(pages.length >= Math.ceil(ix.all.length / 3), `${pages.length} pages`);
      for (const p of pages.slice(0, -1)) {
        assert.equal(p.length, 3);
      }
      assert.ok(pages[pages.length - 1].length <= 3);
      assertEveryInstanceOnce(pages.flat().map((s) => s.instanceId));
    });

    it('lists in PartitionKey (escaped id) order', async () => {
      const all = (await cliJson<InstancesJson>(['get-instances', '--all'])).instances.map((s) => s.instanceId).filter((id) => escapedIds().includes(id));
      const expected = [...escapedIds()].sort((a, b) => (escapePartitionKey(a) < escapePartitionKey(b) ? -1 : 1));
      assert.deepEqual(all, expected);
    });

    it('human output: table header, one row per instance and the continuation token line', async () => {
      const r = await cli(['get-instances', '--task-hub-name', HUB, '--top', '4']);
      assert.equal(r.code, 0, describeRun(r));
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^INSTANCE ID +NAME +STATUS +CREATED +LAST UPDATED$/);
      assert.equal(lines.length, 1 + 4 + 1);
      assert.match(lines[5], /^Continuation token for next set of results: '[^']+'$/);
      const token = /'([^']+)'/.exec(lines[5])?.[1] as string;
      const json = await cliJson<InstancesJson>(['get-instances', '--top', '4']);
      assert.equal(token, json.continuationToken, 'the printed token is the JSON one');
      const first = json.instances[0];
      assert.match(lines[1], new RegExp(`^${first.instanceId.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} +${first.name} +${first.runtimeStatus} +\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z `));
    });

    it('--all returns every instance with a null token; input is left out by default', async () => {
      const r = await cliJson<InstancesJson>(['get-instances', '--all']);
      assert.equal(r.continuationToken, null);
      assertEveryInstanceOnce(r.instances.map((s) => s.instanceId));
      for (const s of r.instances) {
        assert.ok(!('input' in s), `${s.instanceId}: no input without --show-input`);
        assert.ok(!('output' in s), `${s.instanceId}: no output without --show-output`);
      }
    });

    it('--all with --top still returns everything, page by page', async () => {
      const r = await cliJson<InstancesJson>(['get-instances', '--all', '--top', '5']);
      assertEveryInstanceOnce(r.instances.map((s) => s.instanceId));
    });

    it('--runtime-status filters on two statuses, case-insensitively, comma- or space-separated', async () => {
      const expected = sorted([...(ix.byStatus.Failed ?? []), ...(ix.byStatus.Completed ?? [])]);
      assert.ok((ix.byStatus.Failed ?? []).length >= 2 && (ix.byStatus.Completed ?? []).length >= 2, 'fixture has both');
      for (const flags of [['failed,COMPLETED'], ['Failed', 'completed']]) {
        const r = await cliJson<InstancesJson>(['get-instances', '--all', '--runtime-status', ...flags]);
        assertSameInstances(r.instances.map((s) => s.instanceId), expected, flags.join(' '));
        assert.ok(r.instances.every((s) => s.runtimeStatus === 'Failed' || s.runtimeStatus === 'Completed'));
      }
      const pending = await cliJson<InstancesJson>(['get-instances', '--all', '--runtime-status', 'pending']);
      assertSameInstances(pending.instances.map((s) => s.instanceId), ix.byStatus.Pending ?? []);
    });

    it('an unknown --runtime-status is a usage error (exit 2) listing the valid ones', async () => {
      const r = await cli(['get-instances', '--task-hub-name', HUB, '--runtime-status', 'Finished']);
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /^error: Unknown runtime status 'Finished'\. Valid: Running, Completed, ContinuedAsNew, Failed, Canceled, Terminated, Pending, Suspended\./);
      assert.equal(r.stdout, '');
    });

    describe('--created-after / --created-before', () => {
      /** Ids whose stored CreatedTime lies in [from, to]. */
      function createdBetween(from: Date, to: Date): string[] {
        return sorted(
          ix.all.filter((id) => {
            const t = Date.parse(cellText(written(id).instanceRow, 'CreatedTime') as string);
            return t >= from.getTime() && t <= to.getTime();
          }),
        );
      }
      const from = new Date(NOW.getTime() - 100 * MINUTE);
      const to = new Date(NOW.getTime() - 40 * MINUTE);

      it('the fixture window is not trivial', () => {
        const inWindow = createdBetween(from, to);
        assert.ok(inWindow.length >= 4 && inWindow.length <= ix.all.length - 4, `${inWindow.length} in window`);
        assert.ok(inWindow.includes(ix.failed) && !inWindow.includes(ix.completed) && !inWindow.includes(ix.running));
      });

      for (const [label, after, before] of [
        ['ISO with Z', '2025-06-01T06:20:00Z', '2025-06-01T07:20:00Z'],
        ['ISO without a zone (UTC)', '2025-06-01T06:20', '2025-06-01T07:20:00'],
        ['ISO with an offset', '2025-06-01T08:20:00+02:00', '2025-06-01T05:20:00-02:00'],
        ['relative ages', '100m', '40m'],
        ['mixed', '100m', '2025-06-01T07:20:00.0000000Z'],
      ] as const) {
        it(`returns exactly the instances in the window (${label})`, async () => {
          const r = await cliJson<InstancesJson>(['get-instances', '--all', '--created-after', after, '--created-before', before]);
          assertSameInstances(r.instances.map((s) => s.instanceId), createdBetween(from, to));
        });
      }

      it('one-sided: --created-after 2h gives the recent ones, --created-before 1d the old ones', async () => {
        const recent = await cliJson<InstancesJson>(['get-instances', '--all', '--created-after', '2h']);
        assertSameInstances(recent.instances.map((s) => s.instanceId), createdBetween(new Date(NOW.getTime() - 120 * MINUTE), new Date(8.64e15)));
        const old = await cliJson<InstancesJson>(['get-instances', '--all', '--created-before', '1d']);
        assertSameInstances(old.instances.map((s) => s.instanceId), [ix.v1Style, ix.legacy], 'the v1-style (30 d) and legacy (400 d) instances');
      });

      it('after later than before: exit 2', async () => {
        const r = await cli(['get-instances', '--task-hub-name', HUB, '--created-after', '1h', '--created-before', '2h']);
        assert.equal(r.code, 2, describeRun(r));
        assert.match(r.stderr, /^error: --created-after \(.*\) is later than --created-before/);
      });
    });

    it('--instance-id-prefix, including prefixes with characters that need escaping', async () => {
      const ids = async (prefix: string): Promise<string[]> =>
        sorted((await cliJson<InstancesJson>(['get-instances', '--all', '--instance-id-prefix', prefix])).instances.map((s) => s.instanceId));
      assert.deepEqual(await ids('sample-fail'), sorted([ix.failed, ix.failedWithFailureDetails]));
      assert.deepEqual(await ids('sample-a/'), [ix.escaped.slash]);
      assert.deepEqual(await ids('sample-a/b'), [ix.escaped.slash]);
      assert.deepEqual(await ids('sample-x#y?'), [ix.escaped.hashAndQuestion]);
      assert.deepEqual(await ids('sample-back\\'), [ix.escaped.backslash]);
      assert.deepEqual(await ids('sample-caret^'), [ix.escaped.caret]);
      assert.deepEqual(await ids('sample-ctl\u0001'), [ix.escaped.controlChar]);
      assert.deepEqual(await ids('sample-parent'), sorted([ix.parent, ix.child]));
      assert.deepEqual(await ids('@counter@'), [ix.entity]);
      assert.deepEqual(await ids('nothing-here'), []);
    });

    it('--name matches the orchestrator name exactly', async () => {
      const r = await cliJson<InstancesJson>(['get-instances', '--all', '--name', 'HelloCities']);
      assert.deepEqual(sorted(r.instances.map((s) => s.instanceId)), sorted([ix.pending, ix.completed]));
      const none = await cliJson<InstancesJson>(['get-instances', '--all', '--name', 'hellocities']);
      assert.deepEqual(none.instances, []);
    });

    it('--exclude-entities drops @name@key instances and nothing else', async () => {
      const all = (await cliJson<InstancesJson>(['get-instances', '--all'])).instances.map((s) => s.instanceId);
      assert.ok(all.includes(ix.entity));
      const r = await cliJson<InstancesJson>(['get-instances', '--all', '--exclude-entities']);
      const ids = r.instances.map((s) => s.instanceId);
      assert.ok(!ids.some((id) => id.startsWith('@')), 'no entity');
      assert.deepEqual(sorted(ids), sorted(all.filter((id) => id !== ix.entity)));
    });

    it('--show-input includes each input, large ones read from their blobs', async () => {
      const r = await cliJson<InstancesJson>(['get-instances', '--all', '--show-input']);
      const byId = new Map(r.instances.map((s) => [s.instanceId, s]));
      assert.deepEqual(byId.get(ix.completed)?.input, ['Tokyo', 'Seattle', 'London']);
      assert.deepEqual(byId.get(ix.pending)?.input, ['Paris']);
      assert.equal(byId.get(ix.scheduled)?.input, null);
      const large = written(ix.largePayloads) as WrittenInstance & { input: string };
      assert.deepEqual(byId.get(ix.largePayloads)?.input, JSON.parse(large.input));
      const pendingLarge = written(ix.pendingLargeInput) as WrittenInstance & { input: string };
      assert.deepEqual(byId.get(ix.pendingLargeInput)?.input, JSON.parse(pendingLarge.input));
      for (const s of r.instances) {
        assert.ok('input' in s, `${s.instanceId} has input`);
        assert.ok(!('output' in s), `${s.instanceId} has no output`);
      }
    });

    it('the legacy row (raw key sample-legacy^v1) is listed under an id that get-runtime-status and get-history accept', async () => {
      const listed = (await cliJson<InstancesJson>(['get-instances', '--all', '--name', 'ArchiveYear'])).instances;
      assert.equal(listed.length, 1);
      const id = listed[0].instanceId;
      const status = await cli(['get-runtime-status', '--id', id, '--task-hub-name', HUB, '--json']);
      assert.equal(status.code, 0, `listed as '${id}': ${describeRun(status)}`);
      assert.equal(jsonOf<InstanceStatus>(status).name, 'ArchiveYear');
      const history = await cli(['get-history', '--id', id, '--task-hub-name', HUB, '--json']);
      assert.equal(history.code, 0, `listed as '${id}': ${describeRun(history)}`);
    });

    it('a malformed --continuation-token is a usage error (exit 2) naming the flag', async () => {
      const r = await cli(['get-instances', '--task-hub-name', HUB, '--continuation-token', 'garbage']);
      assert.equal(r.code, 2, describeRun(r));
      assert.match(r.stderr, /^error: .*continuation.token/i);
    });

    it('--show-output includes each output, large ones read from their blobs', async () => {
      const r = await cliJson<InstancesJson>(['get-instances', '--all', '--show-output', '--runtime-status', 'Completed']);
      const large = written(ix.largePayloads) as WrittenInstance & { output: string };
      const byId = new Map(r.instances.map((s) => [s.instanceId, s]));
      assert.deepEqual(byId.get(ix.largePayloads)?.output, JSON.parse(large.output));
      assert.deepEqual(byId.get(ix.completed)?.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.ok(r.instances.every((s) => 'output' in s && !('input' in s)));
    });

    it('--top outside 1..1000 is a usage error', async () => {
      for (const top of ['0', '1001', 'ten']) {
        const r = await cli(['get-instances', '--task-hub-name', HUB, '--top', top]);
        assert.equal(r.code, 2, describeRun(r));
        assert.match(r.stderr, new RegExp(`^error: --top must be a whole number from 1 to 1000, not '${top}'\\.`));
      }
    });

    it('no match: empty list (JSON) and "No instances found." (text)', async () => {
      const json = await cliJson<InstancesJson>(['get-instances', '--instance-id-prefix', 'zzz']);
      assert.deepEqual(json, { instances: [], continuationToken: null });
      const r = await cli(['get-instances', '--task-hub-name', HUB, '--instance-id-prefix', 'zzz']);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'No instances found.\n');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('get-runtime-status', () => {
    async function status(id: string, ...flags: string[]): Promise<InstanceStatus> {
      return cliJson<InstanceStatus>(['get-runtime-status', '--id', id, ...flags]);
    }

    it('every scenario: the stored status, name, times and execution id', async () => {
      for (const id of ix.all) {
        const w = written(id);
        const s = await status(id);
        const row = w.instanceRow;
        assert.equal(s.instanceId, id);
        assert.equal(s.runtimeStatus, w.runtimeStatus, `${id} status`);
        assert.equal(s.name, cellText(row, 'Name'), `${id} name`);
        assert.equal(s.createdTime, cellText(row, 'CreatedTime'), `${id} createdTime keeps 100-ns digits`);
        assert.equal(s.lastUpdatedTime, cellText(row, 'LastUpdatedTime'), `${id} lastUpdatedTime`);
        assert.equal(s.completedTime, cellText(row, 'CompletedTime') ?? null, `${id} completedTime`);
        assert.equal(s.executionId, cellText(row, 'ExecutionId') ?? null, `${id} executionId`);
        assert.ok(!('input' in s) && !('output' in s), `${id}: no input/output without the flags`);
      }
      const statuses = new Set(ix.all.map((id) => written(id).runtimeStatus));
      for (const expected of ['Pending', 'Running', 'Completed', 'Failed', 'Terminated', 'Suspended', 'ContinuedAsNew', 'Canceled']) {
        assert.ok(statuses.has(expected), `fixture covers ${expected}`);
      }
    });

    it('status details: custom status, tags, generation, scheduled start, outputs by status', async () => {
      const completed = await status(ix.completed, '--show-input', '--show-output');
      assert.deepEqual(completed.customStatus, { progress: 3 });
      assert.deepEqual(completed.tags, { env: 'test', team: 'orders' });
      assert.equal(completed.generation, 0);
      assert.deepEqual(completed.input, ['Tokyo', 'Seattle', 'London']);
      assert.deepEqual(completed.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

      assert.equal((await status(ix.running)).customStatus, 'Waiting for approval');
      assert.equal((await status(ix.scheduled)).scheduledStartTime?.slice(0, 19), '2025-06-01T09:00:00');
      assert.equal((await status(ix.terminated, '--show-output')).output, 'Cancelled by operator');
      assert.equal((await status(ix.suspended, '--show-output')).output, 'maintenance window');
      assert.equal((await status(ix.continuedAsNew, '--show-output')).output, 2);
      const isolated = await status(ix.failedWithFailureDetails, '--show-output');
      assert.equal(isolated.output, "Microsoft.DurableTask.TaskFailedException: Task 'ChargeCard' (#0) failed with an unhandled exception: Card declined (code 51)");
      assert.match(String((await status(ix.failed, '--show-output')).output), /^Orchestrator function 'ProcessOrder' failed: The activity function 'ChargeCard' failed/);
    });

    it('customStatus stored as "null" is null, and the text output leaves it out', async () => {
      assert.equal(cellText(written(ix.failed).instanceRow, 'CustomStatus'), 'null', 'fixture stores the string "null"');
      const s = await status(ix.failed);
      assert.equal(s.customStatus, null);
      assert.equal(s.tags, null, 'Tags "null" is null too');
      const r = await cli(['get-runtime-status', '--id', ix.failed, '--task-hub-name', HUB]);
      assert.equal(r.code, 0, describeRun(r));
      assert.doesNotMatch(r.stdout, /Custom status/);
      assert.match(r.stdout, /^Instance ID: +sample-failed$/m);
      assert.match(r.stdout, /^Runtime status: +Failed$/m);
    });

    it('human output for a completed instance with --show-input --show-output', async () => {
      const r = await cli(['get-runtime-status', '--id', ix.completed, '--task-hub-name', HUB, '--show-input', '--show-output']);
      assert.equal(r.code, 0, describeRun(r));
      assert.match(r.stdout, /^Instance ID: +sample-completed$/m);
      assert.match(r.stdout, /^Name: +HelloCities$/m);
      assert.match(r.stdout, /^Runtime status: +Completed$/m);
      assert.match(r.stdout, /^Created: +\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/m);
      assert.match(r.stdout, /^Tags: +env=test, team=orders$/m);
      assert.match(r.stdout, /^Execution ID: +[0-9a-f]{32}$/m);
      assert.match(r.stdout, /^Input: +\[\n +"Tokyo",/m);
      assert.match(r.stdout, /^Output: +\[\n +"Hello Tokyo!",/m);
    });

    it('--show-input --show-output on the large-payloads instance: the full values from the blobs', async () => {
      const w = written(ix.largePayloads) as WrittenInstance & { input: string; output: string };
      assert.match(cellText(w.instanceRow, 'Input') ?? '', /^http:\/\/.*largemessages\//, 'fixture stores a blob URL as Input');
      assert.match(cellText(w.instanceRow, 'Output') ?? '', /^http:\/\/.*largemessages\//, 'fixture stores a blob URL as Output');
      const s = await status(ix.largePayloads, '--show-input', '--show-output');
      assert.deepEqual(s.input, JSON.parse(w.input));
      assert.deepEqual(s.output, JSON.parse(w.output));
      assert.equal(JSON.stringify(s.output), w.output, 'exactly what was written');
    });

    it('the pending instance whose Input is the start-message blob URL: the real input', async () => {
      const w = written(ix.pendingLargeInput) as WrittenInstance & { input: string };
      assert.match(cellText(w.instanceRow, 'Input') ?? '', /ExecutionStarted\.json\.gz$/, 'fixture stores the message blob URL');
      const s = await status(ix.pendingLargeInput, '--show-input');
      assert.equal(s.runtimeStatus, 'Pending');
      assert.deepEqual(s.input, JSON.parse(w.input));
    });

    it('ids that need escaping round-trip', async () => {
      for (const id of Object.values(ix.escaped)) {
        const s = await status(id, '--show-output', '--show-input');
        assert.equal(s.instanceId, id);
        assert.equal(s.runtimeStatus, 'Completed');
        assert.equal(s.output, id, 'the Echo output is the id itself');
        assert.equal(s.input, id);
      }
    });

    it('the legacy instance (raw, unescaped PartitionKey) is found, with its large output', async () => {
      const w = written(ix.legacy) as WrittenInstance & { output: string };
      assert.equal(w.partitionKey, ix.legacy, 'fixture wrote the raw id as key');
      assert.notEqual(escapePartitionKey(ix.legacy), ix.legacy);
      const s = await status(ix.legacy, '--show-output');
      assert.equal(s.instanceId, ix.legacy);
      assert.equal(s.runtimeStatus, 'Completed');
      assert.equal(s.executionId, cellText(w.instanceRow, 'ExecutionId') ?? null);
      assert.deepEqual(s.output, JSON.parse(w.output));
    });

    it("an unknown id: exit 1 and exactly func durable's message", async () => {
      const r = await cli(['get-runtime-status', '--id', 'nope', '--task-hub-name', HUB]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "error: Could not find an orchestration instance with id 'nope'\n");
      assert.equal(r.stdout, '');
      const json = await cli(['get-runtime-status', '--id', 'nope', '--task-hub-name', HUB, '--json']);
      assert.equal(json.code, 1);
      assert.equal(json.stderr, "error: Could not find an orchestration instance with id 'nope'\n");
      assert.equal(json.stdout, '', 'no JSON on stdout for a failure');
    });

    it('a missing --id is a usage error', async () => {
      const r = await cli(['get-runtime-status', '--task-hub-name', HUB]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: Missing required flag --id\. See 'durable get-runtime-status --help'\.\n$/);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('get-history', () => {
    async function history(id: string, ...flags: string[]): Promise<HistoryJson> {
      return cliJson<HistoryJson>(['get-history', '--id', id, ...flags]);
    }

    /** What the fixture wrote for the current execution: EventType and timestamp per RowKey. */
    function writtenEvents(id: string): { EventType: string; Timestamp: string; rowKey: string }[] {
      return written(id).historyRows.map((r) => ({
        EventType: String(r.EventType),
        Timestamp: cellText(r, '_Timestamp') as string,
        rowKey: r.rowKey,
      }));
    }

    it('JSON shape: instanceId, executionId, historyEvents with EventType, EventId, Timestamp first', async () => {
      const h = await history(ix.completed);
      assert.deepEqual(Object.keys(h), ['instanceId', 'executionId', 'historyEvents']);
      assert.equal(h.instanceId, ix.completed);
      assert.equal(h.executionId, written(ix.completed).executionId);
      for (const e of h.historyEvents) {
        assert.deepEqual(Object.keys(e).slice(0, 3), ['EventType', 'EventId', 'Timestamp']);
        assert.ok(!Object.keys(e).some((k) => k.endsWith('BlobName') || k === 'ExecutionId' || k === '_Timestamp'), JSON.stringify(Object.keys(e)));
      }
      const started = h.historyEvents.find((e) => e.EventType === 'ExecutionStarted') as HistoryEvent;
      assert.equal(started.EventId, -1);
      assert.equal(started.Name, 'HelloCities');
      assert.equal(started.Input, JSON.stringify(['Tokyo', 'Seattle', 'London']));
      assert.deepEqual(started.OrchestrationInstance, { InstanceId: ix.completed, ExecutionId: written(ix.completed).executionId });
      assert.deepEqual(started.Tags, { env: 'test', team: 'orders' });
      const tasks = h.historyEvents.filter((e) => e.EventType === 'TaskScheduled').map((e) => e.EventId);
      assert.deepEqual(tasks, [0, 1, 2]);
    });

    it('events come in RowKey order with the timestamps written (100-ns digits kept)', async () => {
      for (const id of [ix.completed, ix.failed, ix.parent, ix.child, ix.v1Style, ix.entity, ix.terminated, ix.suspended]) {
        const h = await history(id);
        const expected = writtenEvents(id);
        assert.deepEqual(h.historyEvents.map((e) => e.EventType), expected.map((e) => e.EventType), id);
        assert.deepEqual(h.historyEvents.map((e) => e.Timestamp), expected.map((e) => e.Timestamp), id);
      }
    });

    it('ContinueAsNew with leftover rows: only the current execution', async () => {
      const w = written(ix.continueAsNewLeftovers) as WrittenInstance & { previousExecutionId: string; leftoverRowKeys: string[] };
      const h = await history(ix.continueAsNewLeftovers);
      assert.equal(h.executionId, w.executionId);
      assert.notEqual(h.executionId, w.previousExecutionId);
      assert.equal(h.historyEvents.length, w.historyRows.length);
      assert.equal(h.historyEvents.length, 4);
      assert.deepEqual(h.historyEvents.map((e) => e.EventType), ['OrchestratorStarted', 'ExecutionStarted', 'TaskScheduled', 'OrchestratorCompleted']);
      const last = h.historyEvents[h.historyEvents.length - 1];
      assert.equal(last.Timestamp, cellText(w.historyRows[3], '_Timestamp'));
      assert.equal(h.historyEvents[2].Input, JSON.stringify({ iteration: 2 }), 'the second execution');
      assert.ok(!h.historyEvents.some((e) => e.EventType === 'TimerCreated' || e.EventType === 'TaskCompleted'), 'no leftover row');
    });

    it('--page-size 2 gives the same events as the default', async () => {
      for (const id of [ix.continueAsNewLeftovers, ix.completed, ix.largePayloads, ix.rewound]) {
        const whole = await history(id);
        const paged = await history(id, '--page-size', '2');
        assert.deepEqual(paged, whole, id);
        const one = await history(id, '--page-size', '1');
        assert.deepEqual(one, whole, `${id} page size 1`);
      }
    });

    it('large properties are read from their blobs', async () => {
      const w = written(ix.largePayloads) as WrittenInstance & { input: string; output: string };
      assert.ok(w.historyRows.some((r) => 'InputBlobName' in r) && w.historyRows.some((r) => 'ResultBlobName' in r), 'fixture offloaded');
      const h = await history(ix.largePayloads);
      const started = h.historyEvents.find((e) => e.EventType === 'ExecutionStarted') as HistoryEvent;
      assert.equal(started.Input, w.input);
      const taskCompleted = h.historyEvents.find((e) => e.EventType === 'TaskCompleted') as HistoryEvent;
      assert.equal(taskCompleted.Result, largeJson('activity', 35_000));
      const completed = h.historyEvents.find((e) => e.EventType === 'ExecutionCompleted') as HistoryEvent;
      assert.equal(completed.Result, w.output);
      assert.equal(completed.OrchestrationStatus, 'Completed');
    });

    it('legacy instance: read under its raw key, lower-cased blob name inlined', async () => {
      const w = written(ix.legacy) as WrittenInstance & { output: string };
      const h = await history(ix.legacy);
      assert.equal(h.historyEvents.length, w.historyRows.length);
      assert.equal(h.executionId, w.executionId);
      const completed = h.historyEvents.find((e) => e.EventType === 'ExecutionCompleted') as HistoryEvent;
      assert.equal(completed.Result, w.output);
    });

    it('ids that need escaping', async () => {
      for (const id of Object.values(ix.escaped)) {
        const h = await history(id);
        assert.equal(h.instanceId, id);
        assert.equal(h.historyEvents.length, written(id).historyRows.length, id);
      }
    });

    it('rewound instance: GenericEvent rows with Reason "Rewound: <type>"', async () => {
      const w = written(ix.rewound);
      const expected = w.historyRows
        .filter((r) => typeof r.Reason === 'string' && r.Reason.startsWith('Rewound: '))
        .map((r) => ({ EventType: String(r.EventType), Reason: String(r.Reason) }));
      assert.deepEqual(expected.map((e) => e.Reason), ['Rewound: TaskScheduled', 'Rewound: TaskFailed', 'Rewound: ExecutionCompleted']);
      const h = await history(ix.rewound);
      const rewound = h.historyEvents.filter((e) => typeof e.Reason === 'string' && e.Reason.startsWith('Rewound: '));
      assert.deepEqual(rewound.map((e) => ({ EventType: e.EventType, Reason: e.Reason })), expected);
      assert.ok(rewound.every((e) => e.EventType === 'GenericEvent'));
      assert.deepEqual(h.historyEvents.map((e) => e.EventType), writtenEvents(ix.rewound).map((e) => e.EventType));
      const last = h.historyEvents.filter((e) => e.EventType === 'ExecutionCompleted');
      assert.equal(last.length, 1, 'only the re-run completion is an ExecutionCompleted');
      assert.equal(last[0].OrchestrationStatus, 'Completed');
    });

    it('human output: a row per event with time, type and detail', async () => {
      const r = await cli(['get-history', '--id', ix.failed, '--task-hub-name', HUB]);
      assert.equal(r.code, 0, describeRun(r));
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^TIME +ID +TYPE +NAME +DETAIL$/);
      assert.equal(lines.length, 1 + written(ix.failed).historyRows.length);
      assert.match(lines[2], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z +ExecutionStarted +ProcessOrder +input \{"orderId":42\}$/);
      assert.ok(lines.some((l) => /TaskFailed +task #1; reason Activity function 'ChargeCard' failed: /.test(l)), r.stdout);
      assert.ok(lines.some((l) => /^\S+ +1 +TaskScheduled +ChargeCard +input \{"orderId":42,"amount":99\.5\}$/.test(l)), r.stdout);
      assert.ok(lines.some((l) => /ExecutionCompleted +Failed;/.test(l)), r.stdout);
    });

    it('pending instance without history: empty list / message', async () => {
      const h = await history(ix.pending);
      assert.deepEqual(h.historyEvents, []);
      const r = await cli(['get-history', '--id', ix.pending, '--task-hub-name', HUB]);
      assert.equal(r.code, 0, describeRun(r));
      assert.equal(r.stdout, `Instance '${ix.pending}' has no history events yet.\n`);
    });

    it('an unknown id: exit 1', async () => {
      const r = await cli(['get-history', '--id', 'nope', '--task-hub-name', HUB, '--json']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "error: Could not find an orchestration instance with id 'nope'\n");
      assert.equal(r.stdout, '');
    });

    it('an out-of-range --page-size: exit 2', async () => {
      const r = await cli(['get-history', '--id', ix.completed, '--task-hub-name', HUB, '--page-size', '0']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: --page-size must be a whole number from 1 to 1000, not '0'\./);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('the built binary (dist/cli.js)', function () {
    this.timeout(120_000);

    before(async () => {
      if (!existsSync(CLI_JS)) {
        const built = await spawnNode([path.join(REPO_ROOT, 'scripts', 'build.mjs')], {}, REPO_ROOT);
        assert.equal(built.code, 0, `build failed: ${built.stderr}`);
      }
    });

    /** Runs node with a minimal environment (PATH only, plus `env`) in a fresh temp dir. */
    async function spawnNode(args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
      const dir = cwd ?? tempDir();
      const started = Date.now();
      try {
        return await new Promise<CliResult>((resolve, reject) => {
          const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
        });
      } finally {
        if (cwd === undefined) {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }

    it('--version prints the package.json version', async () => {
      const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      const r = await spawnNode([CLI_JS, '--version'], {});
      assert.equal(r.code, 0, describeRun(r));
      assert.equal(r.stdout, `${version}\n`);
    });

    it('get-runtime-status of an unknown id: exit 1 and the error line', async () => {
      const r = await spawnNode([CLI_JS, 'get-runtime-status', '--id', 'nope', '--task-hub-name', HUB], { AzureWebJobsStorage: cs });
      assert.equal(r.code, 1, describeRun(r));
      assert.equal(r.stderr, "error: Could not find an orchestration instance with id 'nope'\n");
      assert.equal(r.stdout, '');
    });

    it('get-runtime-status of a real instance prints it', async () => {
      const r = await spawnNode([CLI_JS, 'get-runtime-status', '--id', ix.completed, '--task-hub-name', HUB, '--json'], { AzureWebJobsStorage: cs });
      assert.equal(r.code, 0, describeRun(r));
      assert.equal(jsonOf<InstanceStatus>(r).runtimeStatus, 'Completed');
    });

    const wrongKey = Buffer.from('this is not the devstoreaccount1 key, not at all!!').toString('base64');
    const withWrongKey = (): string => cs.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`);

    it('a wrong AccountKey: non-zero exit, and the key is not printed (also with DURABLE_DEBUG)', async () => {
      assert.ok(withWrongKey().includes(wrongKey) && !cs.includes(wrongKey));
      for (const debug of [{}, { DURABLE_DEBUG: '1' }] as Record<string, string>[]) {
        for (const argv of [['get-instances', '--task-hub-name', HUB], ['list-task-hubs']]) {
          const r = await spawnNode([CLI_JS, ...argv], { AzureWebJobsStorage: withWrongKey(), ...debug });
          assert.equal(r.code, 1, describeRun(r));
          assert.match(r.stderr, /^error: /);
          assert.ok(!r.stderr.includes(wrongKey), `key leaked: ${r.stderr}`);
          assert.ok(!r.stdout.includes(wrongKey));
        }
      }
    });

    it('a wrong AccountKey: the message says the credentials were rejected (not an XML prolog)', async () => {
      // Azurite answers a bad table-service signature with 403 and an XML body (Code AuthorizationFailure).
      const r = await spawnNode([CLI_JS, 'get-instances', '--task-hub-name', HUB], { AzureWebJobsStorage: withWrongKey() });
      assert.equal(r.code, 1, describeRun(r));
      assert.doesNotMatch(r.stderr, /<\?xml/, 'the first line of an XML error body is no message');
      assert.match(r.stderr, /authenticat|authoriz|account key/i);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('storage unreachable', function () {
    this.timeout(60_000);

    for (const argv of [['get-instances', '--task-hub-name', HUB], ['list-task-hubs'], ['get-runtime-status', '--id', 'x', '--task-hub-name', HUB]]) {
      it(`${argv[0]}: fails fast naming the endpoint`, async () => {
        const port = await closedPort();
        const endpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
        const dead = cs
          .replace(/BlobEndpoint=[^;]+/, `BlobEndpoint=${endpoint}`)
          .replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=${endpoint}`)
          .replace(/TableEndpoint=[^;]+/, `TableEndpoint=${endpoint}`);
        const r = await cli(argv, { env: { AzureWebJobsStorage: dead } });
        assert.notEqual(r.code, 0, describeRun(r));
        assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
        assert.ok(r.stderr.includes(`unreachable at http://127.0.0.1:${port}`), r.stderr);
        assert.match(r.stderr, /^error: Storage is unreachable at /);
        assert.equal(r.stderr.split('\n').length, 2, 'one line');
      });
    }
  });
});
