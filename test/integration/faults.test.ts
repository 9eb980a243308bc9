// Faults between the client and storage, injected by test/support/faultProxy.ts in front of the shared
// Azurite: reads and idempotent writes retry through the SDKs' retry policy (configured once, in
// src/core/storage/clients.ts); queue sends either don't duplicate or duplicate harmlessly (see
// src/core/operations/send.ts for the runtime sources); an interrupted delete-task-hub finishes
// when re-run; with storage down every CLI command fails fast naming the endpoint; Ctrl-C stops a
// long purge-history cleanly and a re-run finishes it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import type { StorageClients, TaskHub } from '../../src/core';
import {
  NotFoundError,
  UnreachableError,
  controlQueueFor,
  createStorageClients,
  deleteTaskHub,
  getInstance,
  iterateHistory,
  iterateInstances,
  mapWithConcurrency,
  openTaskHub,
  purgeInstance,
  raiseEvent,
  startNew,
  suspendInstance,
  terminateInstance,
} from '../../src/core';
import type { StoragePolicy } from '../../src/core/storage/clients';
import { hubResourceNames, isControlQueueOf } from '../../src/core/format/names';
import { HubWriter } from '../../tools/seed/hubWriter';
import { startAzurite } from '../../tools/azurite';
import { writeLargePayloads, writeRunningApproval, writeSmallCompleted } from '../../tools/seed/sampleHubs';
import type { Fault, ServiceName } from '../support/faultProxy';
import { FaultProxy, faultLabel } from '../support/faultProxy';
import { hubSnapshot } from '../support/storageSnapshot';
import { tempDir } from '../support/cli';
import { sharedAzurite } from './setup';
import { closedPort } from '../support/ports';

const HUB = 'FaultHub';
const CREATED = new Date('2025-05-01T10:00:00.000Z');
const CLI_JS = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
/** Short backoff and timeouts, so a case takes milliseconds; the attempt count stays the real one. */
const FAST: Partial<StoragePolicy> = { retryDelayMs: 20, maxRetryDelayMs: 100, connectTimeoutMs: 2000, idleTimeoutMs: 1500 };
/** Generous bound for a command against storage that is down (the policy gives ~2 s). */
const DOWN_BOUND_MS = 30_000;

interface Filter {
  service?: ServiceName;
  method?: string;
  path?: RegExp | string;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node dist/cli.js …` with only PATH and `env`, in a fresh temp dir. */
function spawnCli(args: string[], env: Record<string, string>, onChild?: (child: ChildProcess) => void): Promise<Run> {
  assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run node scripts/build.mjs');
  const cwd = tempDir('durable-faults-');
  const started = Date.now();
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr, ms: Date.now() - started });
    });
    onChild?.(child);
  });
}

/** Every command of the CLI, with what it needs to get as far as storage. */
function everyCommand(hub: string): string[][] {
  const h = ['--task-hub-name', hub];
  return [
    ['start-new', '--function-name', 'F', '--id', 'x', ...h],
    ['get-runtime-status', '--id', 'x', ...h],
    ['get-history', '--id', 'x', ...h],
    ['get-instances', ...h],
    ['get-instances', '--all', ...h],
    ['raise-event', '--id', 'x', '--event-name', 'E', '--event-data', '1', ...h],
    ['terminate', '--id', 'x', ...h],
    ['suspend', '--id', 'x', ...h],
    ['resume', '--id', 'x', ...h],
    ['rewind', '--id', 'x', ...h],
    ['restart', '--id', 'x', ...h],
    ['purge-history', '--id', 'x', '--yes', ...h],
    ['purge-history', '--runtime-status', 'Completed', '--yes', ...h],
    ['list-task-hubs'],
    ['delete-task-hub', '--yes', ...h],
  ];
}

/** The management messages on an instance's control queue, read straight from Azurite. */
async function queuedEvents(hub: TaskHub, instanceId: string): Promise<{ activityId: string; eventType: number; executionId: string | null }[]> {
  const queue = QueueServiceClient.fromConnectionString(sharedAzurite().connectionString).getQueueClient(controlQueueFor(hub.name, instanceId, hub.partitionCount));
  const peeked = await queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems
    .map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as {
      ActivityId: string;
      TaskMessage: { Event: { EventType: number }; OrchestrationInstance: { InstanceId: string; ExecutionId: string | null } };
    })
    .filter((m) => m.TaskMessage.OrchestrationInstance.InstanceId === instanceId)
    .map((m) => ({ activityId: m.ActivityId, eventType: m.TaskMessage.Event.EventType, executionId: m.TaskMessage.OrchestrationInstance.ExecutionId }));
}

describe('faults: retries, duplicate sends, interrupted deletes, storage down, cancellation', function () {
  this.timeout(600_000);
  let proxy: FaultProxy;
  let writer: HubWriter;
  let clients: StorageClients;
  let hub: TaskHub;
  const survived: Record<string, number> = {};
  const injected: Record<string, number> = {};
  const downTimes: { command: string; ms: number }[] = [];
  let seq = 0;

  before(async () => {
    proxy = await FaultProxy.start(sharedAzurite());
    writer = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB, now: CREATED });
    await writeSmallCompleted(writer, 'done-1', CREATED);
    await writeLargePayloads(writer, 'large-1', CREATED);
    clients = await createStorageClients({ kind: 'connectionString', connectionString: proxy.connectionString }, { policy: FAST });
    hub = await openTaskHub({ clients, name: HUB });
  });

  afterEach(function () {
    for (const [k, v] of Object.entries(proxy.injected)) {
      injected[k] = (injected[k] ?? 0) + v;
    }
    if (this.currentTest?.state === 'passed' && proxy.faultCount > 0) {
      const suite = this.currentTest.parent?.title ?? '';
      survived[suite] = (survived[suite] ?? 0) + 1;
    }
    proxy.clearFaults().resetStats();
  });

  after(async () => {
    await proxy?.close();
    const total = Object.values(survived).reduce((a, b) => a + b, 0);
    console.log(`\n  faults summary: ${total} fault cases survived ${JSON.stringify(survived)}`);
    console.log(`  faults injected by kind: ${JSON.stringify(injected)}`);
    if (downTimes.length > 0) {
      const ms = downTimes.map((d) => d.ms);
      console.log(`  storage down: ${downTimes.length} CLI runs, ${Math.min(...ms)}–${Math.max(...ms)} ms each (bound ${DOWN_BOUND_MS} ms)`);
    }
  });

  /** Runs `op` cleanly to learn how many requests match `filter`, then with `times` faults on them. */
  async function throughFaults<T>(filter: Filter, fault: Fault, times: number, op: () => Promise<T>, fresh = op): Promise<{ clean: T; faulted: T }> {
    proxy.resetStats();
    const clean = await op();
    const baseline = proxy.requests(filter).length;
    proxy.resetStats().schedule({ ...filter, fault, times });
    const faulted = await fresh();
    assert.equal(proxy.injected[faultLabel(fault)], times, `${times} ${faultLabel(fault)} faults injected`);
    assert.equal(proxy.requests(filter).length, baseline + times, `attempts seen: the ${baseline} needed plus one retry per fault`);
    return { clean, faulted };
  }

  describe('retries of reads and idempotent writes', () => {
    const faults: Fault[] = [
      { kind: 'reset' },
      { kind: 'drop-response' },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'hang' },
    ];
    const reads: { label: string; filter: Filter; op: () => Promise<unknown> }[] = [
      { label: 'table point read', filter: { service: 'table', method: 'GET', path: 'Instances' }, op: () => getInstance(hub, 'done-1') },
      {
        label: 'table query',
        filter: { service: 'table', method: 'GET', path: 'Instances' },
        op: async () => {
          const out = [];
          for await (const s of iterateInstances(hub, { statuses: ['Completed'] })) {
            out.push(s.instanceId);
          }
          return out.sort();
        },
      },
      {
        label: 'history query',
        filter: { service: 'table', method: 'GET', path: 'History' },
        op: async () => {
          const out = [];
          for await (const e of iterateHistory(hub, 'large-1')) {
            out.push(e);
          }
          return out;
        },
      },
      { label: 'blob read', filter: { service: 'blob', method: 'GET' }, op: () => getInstance(hub, 'large-1', { showInput: true, showOutput: true }) },
    ];
    for (const fault of faults) {
      for (const r of reads) {
        it(`${r.label} through ${fault.kind === 'hang' ? 1 : 2} × ${faultLabel(fault)}`, async () => {
          const { clean, faulted } = await throughFaults(r.filter, fault, fault.kind === 'hang' ? 1 : 2, r.op);
          assert.deepEqual(faulted, clean);
        });
      }
    }
    // Each delete case purges its own fresh instance of the same shape (history, blobs, row).
    const deletes: { label: string; filter: Filter }[] = [
      { label: 'instance row delete', filter: { service: 'table', method: 'DELETE' } },
      { label: 'history batch delete', filter: { service: 'table', method: 'POST', path: '$batch' } },
      { label: 'blob deletes', filter: { service: 'blob', method: 'DELETE' } },
    ];
    for (const fault of faults) {
      for (const d of deletes) {
        it(`purge --id: ${d.label} through ${faultLabel(fault)}, nothing of the instance left`, async () => {
          const [a, b] = [`del-${++seq}`, `del-${++seq}`];
          await writeLargePayloads(writer, a, CREATED);
          const written = await writeLargePayloads(writer, b, CREATED);
          assert.ok(written.blobNames.length > 0);
          const { faulted } = await throughFaults(d.filter, fault, 1, () => purgeInstance(hub, { instanceId: a }), () => purgeInstance(hub, { instanceId: b }));
          assert.equal(faulted.instancesDeleted, 1);
          const left = (await hubSnapshot(sharedAzurite().connectionString, HUB)).filter((l) => l.includes(b));
          assert.deepEqual(left, []);
        });
      }
    }
    it('tables honour 429 Retry-After (2 × 429, Retry-After: 0)', async () => {
      const r = reads[0];
      const { clean, faulted } = await throughFaults(r.filter, { kind: 'status', status: 429, retryAfterSeconds: 0 }, 2, r.op);
      assert.deepEqual(faulted, clean);
    });
    it('a huge Retry-After is capped: 503 with Retry-After: 3600 costs about a second, not an hour', async () => {
      const r = reads[0];
      const started = Date.now();
      await throughFaults(r.filter, { kind: 'status', status: 503, retryAfterSeconds: 3600 }, 1, r.op);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });
    it('blobs and queues do not retry 429 (Azure Storage throttles them with 503): one attempt, a clear error', async () => {
      proxy.schedule({ service: 'blob', method: 'GET', fault: { kind: 'status', status: 429, retryAfterSeconds: 0 } });
      await assert.rejects(getInstance(hub, 'large-1', { showInput: true }), /answered HTTP 429 .*busy or failing; try again later/);
      assert.equal(proxy.requests({ service: 'blob', method: 'GET' }).length, 1);
    });
    it('the default policy (no test overrides): 3 × 503 then success; 4 × 503 fails with a clear error', async () => {
      const real = await openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString: proxy.connectionString }), name: HUB });
      for (const [service, op] of [['table', () => getInstance(real, 'done-1')], ['blob', () => getInstance(real, 'large-1', { showInput: true })]] as const) {
        proxy.clearFaults().resetStats().schedule({ service, method: 'GET', fault: { kind: 'status', status: 503 }, times: 3 });
        const started = Date.now();
        await op();
        const ms = Date.now() - started;
        assert.ok(ms < 5000, `${service}: 3 retries took ${ms} ms`);
        console.log(`      default policy, ${service}: 3 × 503 retried in ${ms} ms`);
        proxy.clearFaults().resetStats().schedule({ service, method: 'GET', fault: { kind: 'status', status: 503 }, times: 4 });
        await assert.rejects(op(), /answered HTTP 503 ServerBusy.*try again later/);
        assert.equal(proxy.requests({ service, method: 'GET' }).length, 4, 'four attempts, then the error');
      }
    });
  });

  describe('non-idempotent queue sends', () => {
    const sendFilter: Filter = { service: 'queue', method: 'POST', path: '/messages' };

    it('terminate and suspend: a dropped answer makes the SDK send twice; both copies are the same message (harmless, see send.ts)', async () => {
      for (const [id, send, eventType] of [
        ['run-t', (h: TaskHub, i: string) => terminateInstance(h, { instanceId: i, reason: 'r' }), 3],
        ['run-s', (h: TaskHub, i: string) => suspendInstance(h, { instanceId: i, reason: 'r' }), 19],
      ] as const) {
        await writeRunningApproval(writer, id, CREATED);
        proxy.clearFaults().resetStats().schedule({ ...sendFilter, fault: { kind: 'drop-response' } });
        await send(hub, id);
        assert.equal(proxy.requests(sendFilter).length, 2, 'sent, answer lost, sent again');
        const events = await queuedEvents(hub, id);
        assert.equal(events.length, 2, 'storage holds both copies');
        assert.ok(events.every((e) => e.eventType === eventType && e.activityId === events[0].activityId), 'identical copies (same ActivityId)');
      }
    });

    it('raise-event is sent at most once: a dropped answer is reported, not retried; no duplicate', async () => {
      await writeRunningApproval(writer, 'run-e1', CREATED);
      proxy.schedule({ ...sendFilter, fault: { kind: 'drop-response' } });
      await assert.rejects(
        raiseEvent(hub, { instanceId: 'run-e1', eventName: 'Approval', eventData: 'true' }),
        (e: unknown) => e instanceof UnreachableError && /may or may not have been delivered/.test(e.message),
      );
      assert.equal(proxy.requests(sendFilter).length, 1, 'one attempt');
      assert.equal((await queuedEvents(hub, 'run-e1')).length, 1, 'storage took it once');
    });

    it('raise-event through a reset before storage saw it: reported as unknown, nothing queued', async () => {
      await writeRunningApproval(writer, 'run-e2', CREATED);
      proxy.schedule({ ...sendFilter, fault: { kind: 'reset' } });
      await assert.rejects(raiseEvent(hub, { instanceId: 'run-e2', eventName: 'Approval', eventData: 'true' }), /may or may not have been delivered/);
      assert.equal((await queuedEvents(hub, 'run-e2')).length, 0);
    });

    it('raise-event through 503 and 429 (storage refused it, provably not applied): retried, delivered once', async () => {
      await writeRunningApproval(writer, 'run-e3', CREATED);
      proxy.schedule({ ...sendFilter, fault: { kind: 'status', status: 503 } }, { ...sendFilter, nth: 2, fault: { kind: 'status', status: 429, retryAfterSeconds: 0 } });
      await raiseEvent(hub, { instanceId: 'run-e3', eventName: 'Approval', eventData: 'true' });
      assert.equal(proxy.requests(sendFilter).length, 3);
      assert.equal((await queuedEvents(hub, 'run-e3')).length, 1);
    });

    it('start-new: a duplicated ExecutionStarted carries the Instances row\'s ExecutionId, which the runtime dedupes', async () => {
      proxy.schedule({ ...sendFilter, fault: { kind: 'drop-response' } });
      const started = await startNew(hub, { name: 'Hello', instanceId: 'start-dup', input: '1' });
      const events = await queuedEvents(hub, 'start-dup');
      assert.equal(events.length, 2);
      assert.ok(events.every((e) => e.eventType === 0 && e.executionId === started.executionId));
      const row = await getInstance(hub, 'start-dup');
      assert.equal(row.runtimeStatus, 'Pending');
      assert.equal(row.executionId, started.executionId);
    });

    it('start-new: a dropped answer to the Instances row insert is retried; the 409 is the row we wrote', async () => {
      proxy.schedule({ service: 'table', method: 'POST', path: /Instances$/, fault: { kind: 'drop-response' } });
      const started = await startNew(hub, { name: 'Hello', instanceId: 'start-row', input: '2' });
      assert.equal(proxy.injected['drop-response'], 1);
      const row = await getInstance(hub, 'start-row');
      assert.equal(row.executionId, started.executionId);
      assert.equal((await queuedEvents(hub, 'start-row')).length, 1);
    });

    it('start-new: the send fails for good → an error and no Instances row (an orphan message is discarded by the runtime)', async () => {
      proxy.schedule({ ...sendFilter, fault: { kind: 'drop-response' }, times: Infinity });
      await assert.rejects(startNew(hub, { name: 'Hello', instanceId: 'start-fail', input: '3' }), UnreachableError);
      proxy.clearFaults();
      await assert.rejects(getInstance(hub, 'start-fail'), NotFoundError);
    });
  });

  describe('delete task hub interrupted, then re-run', () => {
    const neighbourLines = async (name: string): Promise<string[]> => {
      const names = hubResourceNames(name);
      const account = sharedAzurite().connectionString;
      const qs = QueueServiceClient.fromConnectionString(account);
      const queues: string[] = [];
      for await (const q of qs.listQueues()) {
        if (isControlQueueOf(name, q.name) || q.name === names.workItemQueue) {
          queues.push(q.name);
        }
      }
      return [...(await hubSnapshot(account, name)), ...queues.sort()];
    };
    const leftOf = async (name: string): Promise<string[]> => {
      const names = hubResourceNames(name);
      const probe = await createStorageClients({ kind: 'connectionString', connectionString: sharedAzurite().connectionString });
      const left: string[] = [];
      for await (const t of probe.tableService().listTables()) {
        if ([names.instancesTable, names.historyTable, names.partitionsTable].includes(t.name ?? '')) {
          left.push(`table:${t.name}`);
        }
      }
      for await (const q of probe.queueService().listQueues()) {
        if (isControlQueueOf(name, q.name) || q.name === names.workItemQueue) {
          left.push(`queue:${q.name}`);
        }
      }
      for await (const c of probe.blobService().listContainers()) {
        if ([names.largeMessagesContainer, names.leasesContainer, names.appLeaseContainer].includes(c.name)) {
          left.push(`container:${c.name}`);
        }
      }
      return left;
    };

    for (let seed = 1; seed <= 12; seed++) {
      it(`seed ${seed}: random resets, dropped answers and 503s, interrupted; re-run leaves nothing of the hub and all of its neighbour`, async () => {
        const name = `DelHub${seed}`;
        const neighbour = `DelHub${seed}x`;
        for (const [n, partitionCount, layout] of [[name, 1 + (seed % 5), seed % 2 ? 'table' : 'blob'], [neighbour, 2, 'table']] as const) {
          const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: n, partitionCount, layout, now: CREATED });
          await writeSmallCompleted(w, `${n}-a`, CREATED);
          await writeLargePayloads(w, `${n}-b`, CREATED);
        }
        const before = await neighbourLines(neighbour);
        proxy.randomFaults({ seed, probability: 0.35, faults: [{ kind: 'reset' }, { kind: 'drop-response' }, { kind: 'status', status: 503 }] });
        const stop = new AbortController();
        const interruptAfter = 1 + (seed % 7);
        const first = await deleteTaskHub(clients, {
          name,
          signal: stop.signal,
          onProgress: (p) => {
            if ((p.done ?? 0) >= interruptAfter) {
              stop.abort();
            }
          },
        }).then(
          () => 'completed',
          (e: Error) => e.name,
        );
        assert.ok(proxy.faultCount > 0 || first === 'CancelledError', 'faults were injected');
        proxy.clearFaults();
        await deleteTaskHub(clients, { name }).catch((e: unknown) => {
          // Only when the first run had already deleted everything.
          assert.ok(e instanceof NotFoundError, String(e));
        });
        assert.deepEqual(await leftOf(name), []);
        assert.deepEqual(await neighbourLines(neighbour), before, 'the neighbour hub is untouched');
      });
    }
  });

  describe('storage down', () => {
    /** Every command, four at a time: exit 1 within the bound, one line naming the endpoint. */
    async function everyCommandFails(connectionString: string, hubName: string): Promise<void> {
      await mapWithConcurrency(everyCommand(hubName), 4, async (argv) => {
        const r = await spawnCli(argv, { AzureWebJobsStorage: connectionString });
        downTimes.push({ command: argv.join(' '), ms: r.ms });
        assert.equal(r.code, 1, `${argv.join(' ')}: ${r.stderr}`);
        assert.ok(r.ms < DOWN_BOUND_MS, `${argv[0]} took ${r.ms} ms`);
        assert.match(r.stderr, /^error: Storage is unreachable at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 \(ECONNREFUSED\)\.\n$/, argv.join(' '));
      });
    }

    it('closed port: every CLI command fails within the bound, naming the endpoint, exit 1', async () => {
      const endpoint = `http://127.0.0.1:${await closedPort()}/devstoreaccount1`;
      await everyCommandFails(sharedAzurite().connectionString.replace(/(Blob|Queue|Table)Endpoint=[^;]+/g, (_m, s: string) => `${s}Endpoint=${endpoint}`), HUB);
    });

    it('Azurite stopped in the middle of a purge-history, then every command against it', async () => {
      const own = await startAzurite();
      try {
        const w = await HubWriter.create({ connectionString: own.connectionString, hubName: 'DownHub', now: CREATED });
        for (let i = 0; i < 300; i++) {
          await writeSmallCompleted(w, `down-${i}`, CREATED);
        }
        const rows = (): Promise<number> => countRows(own.connectionString, 'DownHubInstances');
        const purge = spawnCli(['purge-history', '--runtime-status', 'Completed', '--yes', '--task-hub-name', 'DownHub'], { AzureWebJobsStorage: own.connectionString });
        const deadline = Date.now() + 60_000;
        while ((await rows()) === 300 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await own.stop();
        const r = await purge;
        downTimes.push({ command: 'purge-history (Azurite stopped mid-way)', ms: r.ms });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`Storage is unreachable at ${own.tableEndpoint.replace(/[.]/g, '\\.')}|Storage is unreachable at http://127\\.0\\.0\\.1`));
        assert.match(r.stderr, /Purge stopped after deleting \d+ instances; run it again to finish\./);
        await everyCommandFails(own.connectionString, 'DownHub');
      } finally {
        await own.stop();
      }
    });

    it('a hung server (accepts, never answers): the idle timeout ends each try; the error names the endpoint', async () => {
      proxy.schedule({ service: 'table', fault: { kind: 'hang' }, times: Infinity });
      const started = Date.now();
      await assert.rejects(getInstance(hub, 'done-1'), (e: unknown) => e instanceof UnreachableError && e.message.includes(proxy.endpoints.table) && /ETIMEDOUT/.test(e.message));
      const ms = Date.now() - started;
      assert.equal(proxy.requests({ service: 'table' }).length, 4, 'four tries');
      assert.ok(ms < 4 * 1500 + 2000, `took ${ms} ms`);
    });
  });

  describe('cancellation (Ctrl-C) of a long purge-history', () => {
    it('SIGINT stops it cleanly: exit 130, says what was done; the re-run finishes; nothing else touched', async () => {
      const name = 'CancelHub';
      const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: name, now: CREATED });
      for (let i = 0; i < 120; i++) {
        await writeSmallCompleted(w, `c-${i}`, CREATED);
      }
      await writeRunningApproval(w, 'keep-running', CREATED);
      const keep = (await hubSnapshot(sharedAzurite().connectionString, name)).filter((l) => l.includes('keep-running'));
      // Slow every request down so the purge is still running when the signal arrives.
      proxy.schedule({ fault: { kind: 'delay', ms: 15 }, times: Infinity });
      const args = ['purge-history', '--runtime-status', 'Completed', '--yes', '--task-hub-name', name];
      const running: { child?: ChildProcess } = {};
      const run = spawnCli(args, { AzureWebJobsStorage: proxy.connectionString }, (c) => (running.child = c));
      const deadline = Date.now() + 60_000;
      while ((await countRows(sharedAzurite().connectionString, `${name}Instances`)) > 110 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      running.child?.kill('SIGINT');
      const r = await run;
      assert.equal(r.code, 130, r.stderr);
      const done = /Purge cancelled\. (\d+) instances and (\d+) rows were deleted before stopping\. Run the same command again to finish the job\./.exec(r.stderr);
      assert.ok(done, r.stderr);
      const left = await countRows(sharedAzurite().connectionString, `${name}Instances`);
      assert.ok(Number(done[1]) > 0 && left > 1, `stopped part-way: ${done[1]} deleted, ${left} rows left`);
      console.log(`      Ctrl-C: ${done[1]} of 120 instances purged before stopping, exit 130 after ${r.ms} ms`);
      proxy.clearFaults();
      const again = await spawnCli(args, { AzureWebJobsStorage: proxy.connectionString });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await hubSnapshot(sharedAzurite().connectionString, name), keep, 'only the running instance is left, untouched');
    });
  });
});

async function countRows(connectionString: string, table: string): Promise<number> {
  let n = 0;
  for await (const _ of TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true }).listEntities({ queryOptions: { select: ['PartitionKey'] } })) {
    n++;
  }
  return n;
}
