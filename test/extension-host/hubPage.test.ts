// The task hub page, host side, inside VS Code: opened by the hub's command, its HTML (strict CSP,
// no hub data), and its protocol — driven as the page would, through `hubPages.receive` — on
// SampleHub (reads) and on hubs of its own (stuck instances, bulk actions).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStorageClients, iterateInstances, openTaskHub } from '../../src/core';
import type { TaskHub } from '../../src/core';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { ConnectionNode, HubNode } from '../../src/extension/tree/nodes';
import type { ReceiveOutcome } from '../../src/extension/webviews/channel';
import type { BulkSummary, HubCountsResult, HubInstancesResult, HubLoadAllResult, HubQuery, HubStuckResult } from '../../src/shared/protocol';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { HubWriter } from '../../tools/seed/hubWriter';
import { writeCompletedSequence, writeRunningApproval, writeTerminated } from '../../tools/seed/sampleHubs';
import { belongsTo, hubSnapshot } from '../support/storageSnapshot';
import { HUB, assertSucceeded, connectionString, extensionApi, hubNode, runCommand } from './support';

const ALL: HubQuery = { createdAfter: null, createdBefore: null, statuses: [], name: null, instanceIdPrefix: null, includeEntities: true };

async function localHub(api: DurableExplorerApi, name: string): Promise<HubNode> {
  const roots = (await api.tree.getChildren()) as ConnectionNode[];
  api.tree.refresh(roots[0]);
  return hubNode(api, name);
}

async function coreHubNamed(name: string): Promise<TaskHub> {
  return openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString: connectionString() }), name });
}

describe('Task hub page (host side)', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  let nextId = 1;

  before(async () => {
    api = await extensionApi();
  });

  afterEach(() => {
    api.hubPages.closeAll();
    api.setUi(undefined);
  });

  async function openPage(name = HUB): Promise<void> {
    const node = name === HUB ? await hubNode(api) : await localHub(api, name);
    const r = await runCommand(api, 'durableExplorer.openTaskHub', [], node);
    assertSucceeded(r, 'durableExplorer.openTaskHub');
  }

  function send(hub: string, method: string, params: unknown): Promise<ReceiveOutcome> {
    return api.hubPages.receive(hub, { type: 'request', id: nextId++, method, params });
  }

  async function request<R>(hub: string, method: string, params: unknown): Promise<R> {
    const outcome = await send(hub, method, params);
    assert.equal(outcome.kind, 'reply', JSON.stringify(outcome));
    const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
    assert.ok(reply?.ok, `${method} failed: ${JSON.stringify(reply)}`);
    return reply.result as R;
  }

  async function failure(hub: string, method: string, params: unknown): Promise<{ code: string; message: string }> {
    const outcome = await send(hub, method, params);
    const reply = outcome.kind === 'reply' || outcome.kind === 'rejected' ? outcome.reply : undefined;
    assert.ok(reply && !reply.ok, `${method} should fail: ${JSON.stringify(outcome)}`);
    return reply.error;
  }

  it('"Open Task Hub Page" opens one page per hub, a static shell with a strict CSP', async () => {
    await openPage();
    await openPage();
    const pages = api.hubPages.info().filter((p) => p.target.hubName === HUB);
    assert.equal(pages.length, 1);
    assert.equal(pages[0].title, HUB);
    const html = pages[0].html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.match(csp ?? '', /^default-src 'none'; script-src 'nonce-[^']+'; style-src [^;]+; font-src [^;]+; img-src [^;]+$/);
    assert.match(html, /<script nonce="[^"]+" src="[^"]*\/dist\/webview\/hub\.js"><\/script>/);
    assert.match(html, /data-view="hub"/);
    assert.ok(!html.includes(HUB), 'the hub name is not in the HTML');
    assert.deepEqual(await api.hubPages.receive(HUB, { type: 'ready', protocol: PROTOCOL_VERSION }), { kind: 'ready' });
  });

  it('lists instances with the filter, page by page, and counts per status from the same query', async () => {
    await openPage();
    const hub = await coreHubNamed(HUB);
    const expected: Record<string, number> = {};
    for await (const s of iterateInstances(hub, { includeEntities: false })) {
      expected[String(s.runtimeStatus)] = (expected[String(s.runtimeStatus)] ?? 0) + 1;
    }
    const counts = await request<HubCountsResult>(HUB, 'hub/counts', { query: { ...ALL, includeEntities: false } });
    assert.deepEqual(counts.counts, expected);
    assert.equal(counts.total, Object.values(expected).reduce((a, b) => a + b, 0));

    const failed = await request<HubInstancesResult>(HUB, 'hub/instances', { query: { ...ALL, statuses: ['Failed'] }, continuationToken: null });
    assert.equal(failed.rows.length, expected.Failed);
    assert.ok(failed.rows.every((r) => r.runtimeStatus === 'Failed'));

    const seen = new Set<string>();
    let token: string | null = null;
    let pages = 0;
    do {
      const page: HubInstancesResult = await request<HubInstancesResult>(HUB, 'hub/instances', { query: { ...ALL, includeEntities: false }, continuationToken: token, pageSize: 7 });
      assert.ok(page.rows.length <= 7);
      page.rows.forEach((r) => seen.add(r.instanceId));
      token = page.continuationToken;
      pages++;
    } while (token);
    assert.equal(seen.size, counts.total);
    assert.ok(pages > 1);

    const prefixed = await request<HubInstancesResult>(HUB, 'hub/instances', { query: { ...ALL, instanceIdPrefix: 'approval-' }, continuationToken: null });
    assert.ok(prefixed.rows.length > 0 && prefixed.rows.every((r) => r.instanceId.startsWith('approval-')));
  });

  it('"load all and sort" returns every row under the limit, and says so when more match', async () => {
    await openPage();
    const all = await request<HubLoadAllResult>(HUB, 'hub/loadAll', { query: ALL, limit: 10_000 });
    assert.equal(all.complete, true);
    assert.ok(all.rows.length > 10);
    const few = await request<HubLoadAllResult>(HUB, 'hub/loadAll', { query: ALL, limit: 5 });
    assert.deepEqual({ complete: few.complete, rows: few.rows.length }, { complete: false, rows: 0 });
  });

  it('refuses bad queries before anything runs: unknown status, reversed dates, not a date, too many ids', async () => {
    await openPage();
    assert.equal((await failure(HUB, 'hub/instances', { query: { ...ALL, statuses: ['Sleeping'] }, continuationToken: null })).code, 'BadRequest');
    const reversed = await failure(HUB, 'hub/counts', { query: { ...ALL, createdAfter: '2026-05-02T00:00:00Z', createdBefore: '2026-05-01T00:00:00Z' } });
    assert.deepEqual(reversed, { code: 'Validation', message: 'The time range ends before it starts.' });
    assert.equal((await failure(HUB, 'hub/counts', { query: { ...ALL, createdAfter: 'yesterday-ish' } })).code, 'Validation');
    const ids = Array.from({ length: 10_001 }, (_, i) => `x${i}`);
    const tooMany = await failure(HUB, 'hub/bulk', { operationId: 'op', action: { action: 'terminate', reason: null }, target: { kind: 'ids', ids } });
    assert.equal(tooMany.code, 'BadRequest');
    assert.equal((await failure(HUB, 'hub/bulk', { operationId: 'op', action: { action: 'deleteTaskHub' }, target: { kind: 'ids', ids: ['a'] } })).code, 'BadRequest');
  });

  it('finds stuck instances (Running/Pending, not updated for the threshold) with their control queues', async () => {
    const name = `ExtStuck${randomUUID().slice(0, 6)}`;
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: name });
    const now = Date.now();
    await writeRunningApproval(w, 'old-running', new Date(now - 5 * 3600_000));
    await writeRunningApproval(w, 'older-running', new Date(now - 9 * 3600_000));
    await writeCompletedSequence(w, 'old-done', new Date(now - 5 * 3600_000));
    await openPage(name);
    const stuck = await request<HubStuckResult>(name, 'hub/stuck', { thresholdMinutes: 60 });
    assert.deepEqual(
      stuck.rows.map((r) => r.instanceId),
      ['older-running', 'old-running'],
    );
    assert.ok(stuck.rows.every((r) => new RegExp(`^${name.toLowerCase()}-control-\\d\\d$`).test(r.controlQueue)));
    const hub = await coreHubNamed(name);
    assert.equal(stuck.queues.length, hub.partitionCount + 1);
    assert.equal(stuck.queues.at(-1)?.queue, `${name.toLowerCase()}-workitems`);
    const none = await request<HubStuckResult>(name, 'hub/stuck', { thresholdMinutes: 60 * 24 });
    assert.deepEqual(none.rows, []);
  });

  it('bulk terminate on a selection: sent for the running ones, skipped for the finished and unknown, with telemetry free of ids', async () => {
    const name = `ExtBulk${randomUUID().slice(0, 6)}`;
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: name });
    const now = Date.now();
    const running = Array.from({ length: 12 }, (_, i) => `run-${i}`);
    for (const id of running) {
      await writeRunningApproval(w, id, new Date(now - 3600_000));
    }
    await writeTerminated(w, 'done-1', new Date(now - 3600_000));
    await openPage(name);
    const events: { name: string; properties: Record<string, string> }[] = [];
    api.setTelemetrySink((e) => events.push(e));
    try {
      const summary = await request<BulkSummary>(name, 'hub/bulk', {
        operationId: 'op-1',
        action: { action: 'terminate', reason: 'bulk test' },
        target: { kind: 'ids', ids: [...running, 'done-1', 'no-such-instance', 'run-0'] },
        concurrency: 4,
      });
      assert.deepEqual(
        { total: summary.total, succeeded: summary.succeeded, skipped: summary.skipped, failed: summary.failed, cancelled: summary.cancelled },
        { total: 14, succeeded: 12, skipped: 2, failed: 0, cancelled: false },
      );
      assert.match(summary.message, /^Terminate: 14 instances — 12 succeeded, 0 failed, 2 skipped\.$/);
    } finally {
      api.setTelemetrySink(undefined);
    }
    // Twelve terminate messages wait in the hub's control queues (no worker serves this hub).
    const hub = await coreHubNamed(name);
    let terminates = 0;
    for (let p = 0; p < hub.partitionCount; p++) {
      const q = hub.clients.queue(`${name.toLowerCase()}-control-${String(p).padStart(2, '0')}`);
      for (const m of (await q.peekMessages({ numberOfMessages: 32 })).peekedMessageItems) {
        // Base64 of the JSON, as the runtime's queue client reads it.
        terminates += Buffer.from(m.messageText, 'base64').toString('utf8').includes('ExecutionTerminatedEvent') ? 1 : 0;
      }
    }
    assert.equal(terminates, 12);
    const bulkEvent = events.find((e) => e.name === 'webviewRequest' && e.properties.request === 'bulk:terminate:ids');
    assert.ok(bulkEvent, JSON.stringify(events));
    const text = JSON.stringify(events);
    for (const secret of [name, 'run-0', 'done-1', 'bulk test']) {
      assert.ok(!text.includes(secret), `${secret} in telemetry`);
    }
  });

  it('bulk purge by filter deletes exactly the matching finished instances', async () => {
    const name = `ExtBulkPurge${randomUUID().slice(0, 6)}`;
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: name });
    const now = Date.now();
    for (const id of ['keep-a', 'old-a', 'old-b']) {
      await writeCompletedSequence(w, id, new Date(now - 3600_000));
    }
    await writeRunningApproval(w, 'old-running', new Date(now - 3600_000));
    await openPage(name);
    const query: HubQuery = { ...ALL, statuses: ['Completed', 'Failed', 'Canceled', 'Terminated'], instanceIdPrefix: 'old-' };
    const preview = await request<HubCountsResult>(name, 'hub/counts', { query });
    assert.equal(preview.total, 2);
    const summary = await request<BulkSummary>(name, 'hub/bulk', { operationId: 'purge-1', action: { action: 'purge' }, target: { kind: 'filter', query } });
    assert.deepEqual({ succeeded: summary.succeeded, failed: summary.failed }, { succeeded: 2, failed: 0 });
    const left = await request<HubInstancesResult>(name, 'hub/instances', { query: ALL, continuationToken: null });
    assert.deepEqual(left.rows.map((r) => r.instanceId).sort(), ['keep-a', 'old-running']);
    // Active statuses are never purged by filter.
    const refused = await failure(name, 'hub/bulk', { operationId: 'purge-2', action: { action: 'purge' }, target: { kind: 'filter', query: { ...ALL, statuses: ['Running'] } } });
    assert.equal(refused.code, 'Validation');
    assert.equal((await request<{ cancelled: boolean }>(name, 'hub/cancelBulk', { operationId: 'nothing-running' })).cancelled, false);
  });

  it('a bulk purge cancelled part-way stops, says what it did, and did exactly that', async () => {
    const name = `ExtCancel${randomUUID().slice(0, 6)}`;
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: name });
    const created = new Date(Date.now() - 3600_000);
    const doomed = Array.from({ length: 300 }, (_, i) => `old-${String(i).padStart(3, '0')}`);
    for (const id of doomed) {
      await writeCompletedSequence(w, id, created);
    }
    await writeCompletedSequence(w, 'keep-a', created);
    const before = await hubSnapshot(connectionString(), name);
    const linesOf = (lines: string[], id: string): string[] => lines.filter((l) => belongsTo(l, id));
    assert.ok(linesOf(before, 'keep-a').length > 0);
    await openPage(name);
    const query: HubQuery = { ...ALL, statuses: ['Completed'], instanceIdPrefix: 'old-' };
    const hub = await coreHubNamed(name);
    const remaining = async (): Promise<number> => {
      let n = 0;
      for await (const _ of iterateInstances(hub, { statuses: ['Completed'], instanceIdPrefix: 'old-' })) {
        n++;
      }
      return n;
    };
    const running = request<BulkSummary>(name, 'hub/bulk', { operationId: 'cancel-me', action: { action: 'purge' }, target: { kind: 'filter', query }, concurrency: 1 });
    // Cancel once some are gone, as the page's Cancel button does.
    const deadline = Date.now() + 60_000;
    while ((await remaining()) > doomed.length - 20) {
      assert.ok(Date.now() < deadline, 'the purge did not start');
    }
    assert.equal((await request<{ cancelled: boolean }>(name, 'hub/cancelBulk', { operationId: 'cancel-me' })).cancelled, true);
    const summary = await running;
    assert.equal(summary.cancelled, true);
    assert.ok(summary.succeeded >= 20 && summary.succeeded < doomed.length, JSON.stringify(summary));
    assert.equal(summary.failed, 0);
    assert.match(summary.message, new RegExp(`^Purge: cancelled after ${summary.total} instances — ${summary.succeeded} succeeded`));
    // What it reported is what storage shows: every instance gone entirely or untouched, the other one untouched.
    assert.equal(await remaining(), doomed.length - summary.succeeded);
    const after = await hubSnapshot(connectionString(), name);
    assert.deepEqual(linesOf(after, 'keep-a'), linesOf(before, 'keep-a'));
    let gone = 0;
    for (const id of doomed) {
      const left = linesOf(after, id);
      gone += left.length === 0 ? 1 : 0;
      assert.ok(left.length === 0 || JSON.stringify(left) === JSON.stringify(linesOf(before, id)), `${id} is half-purged: ${left.length} lines left`);
    }
    assert.equal(gone, summary.succeeded);
  });

  it('the serializers restore pages from their saved state (as after a window reload), and refuse anything else', async () => {
    const connectionId = (await hubNode(api)).parent.spec.id;
    try {
      await api.hubPages.restore({ v: 1, target: { connectionId, hubName: HUB }, ui: { tab: 'stuck' } });
      assert.deepEqual(api.hubPages.info().map((p) => p.target), [{ connectionId, hubName: HUB }]);
      assert.equal(api.hubPages.info()[0].title, HUB);
      const counts = await request<HubCountsResult>(HUB, 'hub/counts', { query: ALL });
      assert.ok(counts.total > 0);

      // A hub that is no longer in the tree: the page opens and says why it cannot show it.
      api.hubPages.closeAll();
      await api.hubPages.restore({ v: 1, target: { connectionId: 'removed-connection', hubName: HUB } });
      assert.equal(api.hubPages.info().length, 1);
      const gone = await failure(HUB, 'hub/counts', { query: ALL });
      assert.equal(gone.code, 'Unavailable');
      assert.match(gone.message, /no longer in the Task Hubs view/);

      // State of another version, or not ours: no page.
      api.hubPages.closeAll();
      for (const state of [undefined, { v: 2, target: { connectionId, hubName: HUB } }, { v: 1, target: { connectionId, hubName: '' } }, { v: 1, target: { connectionId } }]) {
        await api.hubPages.restore(state);
      }
      assert.deepEqual(api.hubPages.info(), []);

      await api.instancePages.restore({ v: 1, target: { connectionId, hubName: HUB, instanceId: 'approval-approved' } });
      assert.deepEqual(
        api.instancePages.info().map((p) => p.instanceId),
        ['approval-approved'],
      );
      const outcome = await api.instancePages.receive('approval-approved', { type: 'request', id: nextId++, method: 'instance/status', params: {} });
      assert.ok(outcome.kind === 'reply' && outcome.reply.ok && (outcome.reply.result as { found: boolean }).found);
    } finally {
      api.instancePages.closeAll();
    }
  });
});
