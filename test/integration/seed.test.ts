// The seeder (`npm run seed`) against the shared Azurite, read back through the `durable` CLI, and
// `npm start` end to end (own Azurite on free ports, seeded, CLI against it, Ctrl-C).
// Hubs are named Sd… so they do not collide with other suites; they are deleted at the end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { BlobServiceClient } from '@azure/storage-blob';
import type { HistoryEvent, InstanceStatus } from '../../src/core/model';
import { RUNTIME_STATUSES } from '../../src/core/model';
import { createStorageClients, deleteTaskHub } from '../../src/core';
import { decodeQueueBody } from '../../src/core/format/messages';
import { controlQueueFor } from '../../src/core/format/partition';
import { HubWriter } from '../../tools/seed/hubWriter';
import type { SampleHubIndex, SeedOptions, SeedResult } from '../../tools/seed/seeder';
import { LONG_HISTORY_EVENTS, SAMPLE_IDS, bulkInstance, runSeedCli, seed } from '../../tools/seed/seeder';
import type { CliResult } from '../support/cli';
import { describeRun, jsonOf, runCli } from '../support/cli';
import { sharedAzurite } from './setup';

const NOW = new Date('2025-06-01T08:00:00.000Z');
const SAMPLE = 'SdSample';
const LEGACY = 'SdLegacy';
const BULK = 'SdBulk';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

interface InstancesJson {
  instances: InstanceStatus[];
  continuationToken: string | null;
}

interface HubsJson {
  taskHubs: { name: string; partitionCount: number | null; layout: string }[];
}

interface QueueMessageJson {
  /** Null in the wrapper of an offloaded message. */
  TaskMessage: { Event: { $type: string; Name?: string; TimerId?: number; EventId: number }; OrchestrationInstance: { InstanceId: string } } | null;
  Sender: { InstanceId: string };
  Episode: number;
}

describe('seeder (npm run seed, npm start)', function () {
  let cs: string;
  let result: SeedResult;
  let sample: SampleHubIndex;
  const lines: string[] = [];
  const created = new Set<string>([SAMPLE, LEGACY]);

  function cli(argv: string[], connectionString = cs): Promise<CliResult> {
    return runCli(argv, { env: { AzureWebJobsStorage: connectionString }, now: NOW });
  }

  async function cliJson<T>(argv: string[], connectionString = cs): Promise<T> {
    const r = await cli([...argv, '--json'], connectionString);
    assert.equal(r.code, 0, describeRun(r));
    return jsonOf<T>(r);
  }

  async function allInstances(hub: string): Promise<InstanceStatus[]> {
    return (await cliJson<InstancesJson>(['get-instances', '--task-hub-name', hub, '--all'])).instances;
  }

  function seedHubs(o: Partial<SeedOptions>): Promise<SeedResult> {
    for (const name of Object.values(o.names ?? {})) {
      created.add(name);
    }
    return seed({ connectionString: cs, now: NOW, names: { sample: SAMPLE, legacy: LEGACY, bulk: BULK }, log: (l) => lines.push(l), ...o });
  }

  before(async function () {
    this.timeout(120_000);
    cs = sharedAzurite().connectionString;
    result = await seedHubs({});
    assert.ok(result.sample);
    sample = result.sample;
  });

  after(async function () {
    this.timeout(60_000);
    const clients = await createStorageClients({ kind: 'connectionString', connectionString: cs });
    for (const name of created) {
      await deleteTaskHub(clients, { name }).catch(() => undefined);
    }
  });

  it('writes SampleHub (table layout, 4 partitions) and LegacyHub (blob layout, 6), listed by list-task-hubs', async () => {
    assert.deepEqual(result.hubs.map((h) => [h.name, h.action, h.layout, h.partitionCount]), [
      [SAMPLE, 'written', 'table', 4],
      [LEGACY, 'written', 'blob', 6],
    ]);
    const hubs = (await cliJson<HubsJson>(['list-task-hubs'])).taskHubs;
    assert.deepEqual(hubs.find((h) => h.name === SAMPLE), { name: SAMPLE, partitionCount: 4, layout: 'table' });
    assert.deepEqual(hubs.find((h) => h.name === LEGACY), { name: LEGACY, partitionCount: 6, layout: 'blob' });
    assert.ok(lines.some((l) => /^SdSample: \d+ instances, [\d,]+ rows in [\d.]+ s \([\d,]+ rows\/s\)\.$/.test(l)), lines.join('\n'));
  });

  it('every runtime status is present in both hubs (get-instances --runtime-status)', async () => {
    for (const hub of [SAMPLE, LEGACY]) {
      for (const status of RUNTIME_STATUSES) {
        const listed = (await cliJson<InstancesJson>(['get-instances', '--task-hub-name', hub, '--runtime-status', status, '--top', '1000'])).instances;
        assert.ok(listed.length > 0, `${hub}: no ${status} instance`);
        assert.ok(listed.every((i) => i.runtimeStatus === status));
        if (hub === SAMPLE) {
          // The pre-1.8.4 raw-key row is listed under its readable id; compare the others.
          const expected = (sample.byStatus[status] ?? []).filter((id) => id !== sample.standard.legacy).sort();
          assert.deepEqual(listed.map((i) => i.instanceId).filter((id) => expected.includes(id)).sort(), expected, `${hub} ${status}`);
        }
      }
    }
    assert.equal((await allInstances(SAMPLE)).length, sample.all.length);
  });

  it('the 10,000-event history reads back complete (get-history --json)', async function () {
    this.timeout(60_000);
    const h = await cliJson<{ historyEvents: HistoryEvent[] }>(['get-history', '--task-hub-name', SAMPLE, '--id', SAMPLE_IDS.longHistory]);
    assert.equal(h.historyEvents.length, LONG_HISTORY_EVENTS);
    assert.equal(h.historyEvents[0].EventType, 'OrchestratorStarted');
    assert.equal(h.historyEvents.filter((e) => e.EventType === 'TaskScheduled').length, 2499);
    const status = await cliJson<InstanceStatus>(['get-runtime-status', '--task-hub-name', SAMPLE, '--id', SAMPLE_IDS.longHistory, '--show-output']);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal((status.output as string[]).length, 2499, 'the output (in a blob) reads back');
  });

  it("worker scenarios: the worker's names and shapes, custom status, tags, entities", async () => {
    const get = (id: string): Promise<InstanceStatus> => cliJson<InstanceStatus>(['get-runtime-status', '--task-hub-name', SAMPLE, '--id', id, '--show-input', '--show-output']);
    const waiting = await get(SAMPLE_IDS.approvalWaiting);
    assert.deepEqual([waiting.name, waiting.runtimeStatus, waiting.customStatus], ['ApprovalWorkflow', 'Running', 'Waiting for approval']);
    assert.deepEqual(waiting.tags, { department: 'finance' });
    const monitor = await get(SAMPLE_IDS.monitorRunning);
    assert.deepEqual(monitor.customStatus, { jobId: 'job-42', checks: 4, of: 6, done: false });
    assert.equal((await get(SAMPLE_IDS.fanOutCompleted)).output, (25 * 26) / 2);
    assert.equal((await get(SAMPLE_IDS.approvalTimedOut)).output, 'Timed out');
    const parent = await get(SAMPLE_IDS.parentFailed);
    assert.equal(parent.runtimeStatus, 'Failed');
    assert.deepEqual((await get(`${SAMPLE_IDS.parentFailed}:1`)).runtimeStatus, 'Failed');
    const failed = await cliJson<{ historyEvents: HistoryEvent[] }>(['get-history', '--task-hub-name', SAMPLE, '--id', SAMPLE_IDS.alwaysFails]);
    const taskFailed = failed.historyEvents.find((e) => e.EventType === 'TaskFailed');
    assert.match(JSON.stringify(taskFailed?.Details), /StackTraceString.*Activities\.cs:line/);
    for (const id of SAMPLE_IDS.counters) {
      assert.equal((await get(id)).name, id, 'entities are listed under their @name@key id');
    }
  });

  it('Running instances have the messages the runtime keeps in flight (work items, timers)', async () => {
    assert.deepEqual(sample.outstanding, { workItems: 12, timers: 2 });
    const queues = QueueServiceClient.fromConnectionString(cs);
    const peek = async (queue: string): Promise<QueueMessageJson[]> =>
      (await queues.getQueueClient(queue).peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map(
        (m) => JSON.parse(decodeQueueBody(m.messageText)) as QueueMessageJson,
      );
    const workItems = await peek('sdsample-workitems');
    assert.equal(workItems.length, 12);
    for (const m of workItems) {
      assert.ok(m.TaskMessage);
      assert.equal(m.TaskMessage.Event.$type, 'DurableTask.Core.History.TaskScheduledEvent');
      assert.equal(m.TaskMessage.Event.Name, 'ProcessItem');
      assert.equal(m.TaskMessage.OrchestrationInstance.InstanceId, SAMPLE_IDS.fanOutRunning);
      assert.equal(m.Sender.InstanceId, SAMPLE_IDS.fanOutRunning);
      assert.equal(m.Episode, 1);
    }
    // NOW is in the past, so the timers are due and their messages visible.
    for (const [id, timerId] of [[SAMPLE_IDS.approvalWaiting, 1], [SAMPLE_IDS.monitorRunning, 7]] as const) {
      const timers = (await peek(controlQueueFor(SAMPLE, id, 4))).filter((m) => m.TaskMessage?.OrchestrationInstance.InstanceId === id);
      assert.deepEqual(timers.map((m) => [m.TaskMessage?.Event.$type, m.TaskMessage?.Event.TimerId]), [['DurableTask.Core.History.TimerFiredEvent', timerId]], id);
    }
  });

  it('seeding again skips the hubs a seed completed; a same-named hub it did not write is refused', async function () {
    this.timeout(60_000);
    const again = await seedHubs({});
    assert.deepEqual(again.hubs.map((h) => h.action), ['skipped', 'skipped']);
    assert.ok(lines.some((l) => l.startsWith(`${SAMPLE}: already seeded; skipped`)));

    const foreign = 'SdForeign';
    created.add(foreign);
    await HubWriter.create({ connectionString: cs, hubName: foreign, now: NOW });
    await assert.rejects(seedHubs({ hubs: ['legacy'], names: { legacy: foreign } }), (e: Error) => e.name === 'ConflictError' && /not written by the seeder/.test(e.message));
    const replaced = await seedHubs({ hubs: ['legacy'], names: { legacy: foreign }, reset: true });
    assert.equal(replaced.hubs[0].action, 'written');
  });

  it('reset deletes and rewrites (a purged instance comes back); an interrupted seed is rewritten', async function () {
    this.timeout(60_000);
    const id = 'sample-completed';
    const purge = await cli(['purge-history', '--task-hub-name', LEGACY, '--id', id, '--yes']);
    assert.equal(purge.code, 0, describeRun(purge));
    await seedHubs({ hubs: ['legacy'] });
    assert.ok(!(await allInstances(LEGACY)).some((i) => i.instanceId === id), 'skipped: the purge stays');
    await seedHubs({ hubs: ['legacy'], reset: true });
    assert.ok((await allInstances(LEGACY)).some((i) => i.instanceId === id), 'reset: rewritten');

    // A seed that stopped half-way leaves the marker at "writing".
    await BlobServiceClient.fromConnectionString(cs).getContainerClient('sdlegacy-largemessages').setMetadata({ durableexplorerseedstate: 'writing' });
    const resumed = await seedHubs({ hubs: ['legacy'] });
    assert.equal(resumed.hubs[0].action, 'written');
    assert.ok(lines.includes(`${LEGACY}: a previous seed was interrupted; rewriting it.`));
  });

  it('bulk: 2,000 instances with seed 7, twice, give the same ids and statuses', async function () {
    this.timeout(180_000);
    const read = async (): Promise<string[]> => (await allInstances(BULK)).map((i) => `${i.instanceId} ${i.runtimeStatus}`).sort();
    const first = await seedHubs({ hubs: ['bulk'], instances: 2000, seed: 7 });
    assert.equal(first.hubs[0].instances, 2000);
    const ids = await read();
    assert.equal(ids.length, 2000);
    const expected = Array.from({ length: 2000 }, (_, i) => bulkInstance(7, i, NOW)).map((b) => `${b.spec.instanceId} ${b.status}`).sort();
    assert.deepEqual(ids, expected);
    assert.ok(new Set(ids.map((x) => x.split(' ')[1])).size === RUNTIME_STATUSES.length, 'every status');

    const skipped = await seedHubs({ hubs: ['bulk'], instances: 3000, seed: 7 });
    assert.equal(skipped.hubs[0].action, 'skipped');
    assert.ok(lines.some((l) => l.includes('already seeded (2,000 instances, seed 7); skipped. Use --reset to rewrite it with 3,000 instances, seed 7')), lines.join('\n'));

    await seedHubs({ hubs: ['bulk'], instances: 2000, seed: 7, reset: true });
    assert.deepEqual(await read(), ids);
    const rate = lines.filter((l) => l.startsWith(`${BULK}: 2,000 instances`));
    assert.equal(rate.length, 2, rate.join('\n'));
  });

  it('npm run seed: connection from the environment, --hub-prefix, exit codes; unreachable storage names the endpoint', async function () {
    this.timeout(60_000);
    let out = '';
    let err = '';
    const io = (env: Record<string, string>): Parameters<typeof runSeedCli>[1] => ({
      env,
      cwd: REPO_ROOT,
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
    });
    created.add('SdCliLegacyHub');
    assert.equal(await runSeedCli(['--connection-string-setting', 'MyStorage', '--hubs', 'legacy', '--hub-prefix', 'SdCli'], io({ MyStorage: cs })), 0, err);
    assert.match(out, /Seeding with 'MyStorage' from the environment\./);
    assert.match(out, /SdCliLegacyHub: 24 instances, [\d,]+ rows in/);
    assert.ok(!out.includes('AccountKey'), 'the connection string is not printed');

    err = '';
    const closed = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;';
    const started = Date.now();
    assert.equal(await runSeedCli([], io({ AzureWebJobsStorage: closed })), 1);
    assert.match(err, /unreachable at http:\/\/127\.0\.0\.1:9\/devstoreaccount1/);
    assert.match(err, /Is Azurite running\?/);
    assert.ok(Date.now() - started < 20_000, 'fails in seconds');
  });

  it('npm start: Azurite on free ports, seeded hubs, the CLI works against the printed connection, Ctrl-C stops everything (exit 0)', async function () {
    this.timeout(180_000);
    const child = spawn(process.execPath, ['scripts/run-tool.mjs', 'start', '--free-ports', '--no-vscode'], {
      cwd: REPO_ROOT,
      env: { ...process.env, AzureWebJobsStorage: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!output.includes('Press Ctrl-C to stop.')) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `npm start did not get ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const connection = /AzureWebJobsStorage=(\S+)/.exec(output)?.[1];
      assert.ok(connection && connection.includes('TableEndpoint=http://127.0.0.1:'), output);
      assert.match(output, /SampleHub {2}table layout, 4 partitions/);
      assert.match(output, /node dist\/cli\.js raise-event --task-hub-name SampleHub --id approval-waiting --event-name Approval --event-data true/);
      const hubs = (await cliJson<HubsJson>(['list-task-hubs'], connection)).taskHubs;
      assert.deepEqual(hubs.filter((h) => h.name === 'SampleHub' || h.name === 'LegacyHub'), [
        { name: 'LegacyHub', partitionCount: 6, layout: 'blob' },
        { name: 'SampleHub', partitionCount: 4, layout: 'table' },
      ]);
      const ports = ['BlobEndpoint', 'QueueEndpoint', 'TableEndpoint'].map((k) => Number(new RegExp(`${k}=http://127\\.0\\.0\\.1:(\\d+)`).exec(connection)?.[1]));

      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
      assert.equal(code, 0, output);
      assert.match(output, /Stopped\.\n$/);
      for (const port of ports) {
        const refused = await new Promise<boolean>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1' });
          socket.once('connect', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', () => resolve(true));
        });
        assert.ok(refused, `port ${port} still open`);
      }
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
  });
});
