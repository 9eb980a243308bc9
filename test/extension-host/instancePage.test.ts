// The instance page, host side, inside VS Code: opened by the tree's command, its HTML (strict CSP,
// a nonce, no instance data), and its protocol — driven here as the page would drive it, through
// the extension API's `instancePages.receive` — against the seeded SampleHub and the local worker.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { getInstance, startNew } from '../../src/core';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { ReceiveOutcome } from '../../src/extension/webviews/channel';
import type { ActionResult, HistoryPageResult, StatusResult } from '../../src/shared/protocol';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { ScriptedUi, assertSucceeded, coreHub, extensionApi, instanceNode, runCommand, statusOf, waitFor } from './support';

const unique = (prefix: string): string => `ext-page-${prefix}-${randomUUID().slice(0, 8)}`;

describe('Instance page (host side)', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  let nextId = 1;

  before(async () => {
    api = await extensionApi();
  });

  afterEach(() => {
    api.instancePages.closeAll();
    api.setUi(undefined);
  });

  async function openPage(instanceId: string, group = 'All'): Promise<void> {
    const r = await runCommand(api, 'durableExplorer.showInstance', [], await instanceNode(api, instanceId, group));
    assertSucceeded(r, 'durableExplorer.showInstance');
  }

  function send(instanceId: string, method: string, params: unknown): Promise<ReceiveOutcome> {
    return api.instancePages.receive(instanceId, { type: 'request', id: nextId++, method, params });
  }

  /** Sends a request and returns its result; fails on an error reply. */
  async function request<R>(instanceId: string, method: string, params: unknown): Promise<R> {
    const outcome = await send(instanceId, method, params);
    assert.equal(outcome.kind, 'reply', JSON.stringify(outcome));
    const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
    assert.ok(reply?.ok, `${method} failed: ${JSON.stringify(reply)}`);
    return reply.result as R;
  }

  it('"Show Instance" opens one page per instance; opening it again reveals the same page', async () => {
    await openPage('approval-approved');
    await openPage('approval-approved');
    const pages = api.instancePages.info().filter((p) => p.instanceId === 'approval-approved');
    assert.equal(pages.length, 1);
    assert.equal(pages[0].hubName, 'SampleHub');
    assert.equal(pages[0].title, 'approval-approved');
    assert.equal(pages[0].active, true);
  });

  it('the HTML is a static shell: strict CSP with a fresh nonce on its only script, and no instance data', async () => {
    await openPage('approval-approved');
    const { html } = api.instancePages.info().find((p) => p.instanceId === 'approval-approved') ?? { html: '' };
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.ok(csp, html);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /^default-src 'none'; script-src 'nonce-[^']+'; style-src [^;]+; font-src [^;]+; img-src [^;]+$/);
    assert.ok(!/unsafe-(inline|eval)/.test(csp));
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1, 'one script');
    assert.equal(scripts[0][2], '', 'no inline script');
    assert.ok(scripts[0][1].includes(`nonce="${nonce}"`), 'the script carries the nonce');
    assert.match(scripts[0][1], /src="[^"]*\/dist\/webview\/instance\.js"/);
    for (const data of ['approval-approved', 'ApprovalWorkflow', 'SampleHub']) {
      assert.ok(!html.includes(data), `${data} appears in the HTML`);
    }
    // A new page gets a new nonce.
    await openPage('approval-timed-out');
    const other = api.instancePages.info().find((p) => p.instanceId === 'approval-timed-out')?.html ?? '';
    assert.ok(!other.includes(nonce));
  });

  it('ready is answered, and a status request returns the instance (values from blobs included)', async () => {
    await openPage('long-history', 'Completed');
    assert.deepEqual(await api.instancePages.receive('long-history', { type: 'ready', protocol: PROTOCOL_VERSION }), { kind: 'ready' });
    const status = await request<StatusResult>('long-history', 'instance/status', {});
    assert.ok(status.found);
    const s = status.instance;
    assert.equal(s.instanceId, 'long-history');
    assert.equal(s.name, 'HelloCities');
    assert.equal(s.runtimeStatus, 'Completed');
    assert.equal(s.terminal, true);
    assert.deepEqual(s.actions, ['restart', 'purge']);
    assert.equal(s.parent, null);
    // The output (~47 K characters) is stored in a blob: it arrives as the value.
    assert.equal(s.output.kind, 'value');
    assert.ok(s.output.kind === 'value' && Array.isArray(s.output.value) && s.output.value.length === 2499, 'output read from its blob');
  });

  it('invalid messages are rejected before anything runs', async () => {
    await openPage('approval-approved');
    const bad = [
      { type: 'request', id: 1, method: 'instance/action', params: { action: 'terminate', reason: 42 } },
      { type: 'request', id: 2, method: 'instance/deleteTaskHub', params: {} },
      { type: 'request', id: 3, method: 'instance/action', params: { action: 'purge', force: true } },
      { type: 'request', id: 4, method: 'instance/history', params: { continuationToken: null, pageSize: 100_000 } },
      { type: 'execute', command: 'workbench.action.quit' },
      'terminate',
    ];
    for (const message of bad) {
      const outcome = await api.instancePages.receive('approval-approved', message);
      assert.equal(outcome.kind, 'rejected', JSON.stringify(message));
      if (typeof message === 'object' && message.type === 'request') {
        assert.equal(outcome.kind === 'rejected' && outcome.reply?.ok, false);
        assert.equal(outcome.kind === 'rejected' && outcome.reply && !outcome.reply.ok && outcome.reply.error.code, 'BadRequest');
      }
    }
    // Nothing happened to the instance.
    assert.equal((await statusOf('approval-approved'))?.runtimeStatus, 'Completed');
    assert.match(api.readLog(), /Rejected a message from the instance page: params\.reason: expected a string, got number/);
  });

  /** Reads long-history's 10,000 events page by page, checking the tokens; returns the first page. */
  async function readWholeHistory(): Promise<HistoryPageResult> {
    const first = await request<HistoryPageResult>('long-history', 'instance/history', { continuationToken: null, pageSize: 1000 });
    assert.equal(first.rows.length, 1000);
    assert.equal(first.rows[0].i, 0);
    assert.equal(first.rows[0].type, 'OrchestratorStarted');
    assert.ok(first.continuationToken);
    const second = await request<HistoryPageResult>('long-history', 'instance/history', { continuationToken: first.continuationToken, generation: first.generation, pageSize: 1000 });
    assert.equal(second.rows[0].i, 1000);
    // A token the host did not hand out for this reading, or a stale generation, is refused.
    const forged = await send('long-history', 'instance/history', { continuationToken: 'eyJrIjoiLi4uIn0', generation: first.generation });
    assert.equal(forged.kind === 'reply' && !forged.reply.ok && forged.reply.error.code, 'Stale');
    const stale = await send('long-history', 'instance/history', { continuationToken: second.continuationToken, generation: first.generation - 1 });
    assert.equal(stale.kind === 'reply' && !stale.reply.ok && stale.reply.error.code, 'Stale');
    // Read the rest: 10,000 events in all.
    let token = second.continuationToken;
    let count = 2000;
    while (token) {
      const page: HistoryPageResult = await request<HistoryPageResult>('long-history', 'instance/history', { continuationToken: token, generation: first.generation, pageSize: 1000 });
      count += page.rows.length;
      token = page.continuationToken;
    }
    assert.equal(count, 10_000);
    return first;
  }

  it('history is paged from core: pages with continuation tokens, only tokens the host handed out', async () => {
    await openPage('long-history', 'Completed');
    // The real page in the workbench reads the same panel's history when it loads, which starts a
    // new reading (a new generation): then this reading is refused as stale, and is started again.
    let first: HistoryPageResult | undefined;
    for (let attempt = 1; !first; attempt++) {
      try {
        first = await readWholeHistory();
      } catch (e) {
        if (attempt === 3 || !/being read again|no longer current/.test(String(e))) {
          throw e;
        }
      }
    }
    // A row's whole event, on request.
    const event = await request<{ event: { EventType: string; Name?: string; Input?: string } }>('long-history', 'instance/event', { generation: first.generation, index: 2 });
    assert.equal(event.event.EventType, 'TaskScheduled');
    assert.equal(event.event.Name, 'SayHello');
    assert.equal(event.event.Input, '"City-0001"');
  });

  it('a sub-orchestration names its parent; the parent link opens the parent\'s page', async () => {
    // ParentOrchestration's second child (index 1) is the one that fails.
    const child = 'parent-failed:1';
    await openPage(child);
    const status = await request<StatusResult>(child, 'instance/status', {});
    assert.ok(status.found);
    assert.deepEqual(status.instance.parent, { instanceId: 'parent-failed', name: 'ParentOrchestration' });
    assert.equal(status.instance.runtimeStatus, 'Failed');
    assert.ok(status.instance.failure && status.instance.failure.kind === 'value' && String(status.instance.failure.value).includes('failed'), JSON.stringify(status.instance.failure));
    assert.deepEqual(status.instance.actions, ['rewind', 'restart', 'purge']);
    await request(child, 'instance/openInstance', { instanceId: 'parent-failed' });
    assert.ok(api.instancePages.info().some((p) => p.instanceId === 'parent-failed'));
  });

  it('copy and "Open as JSON document" hand over whole values', async () => {
    await openPage('approval-approved');
    await request('approval-approved', 'instance/status', {});
    const ui = new ScriptedUi([]);
    api.setUi(ui);
    await request('approval-approved', 'instance/copy', { what: 'instanceId' });
    assert.equal(ui.clipboard, 'approval-approved');
    await request('approval-approved', 'instance/copy', { what: 'section', section: 'output' });
    assert.equal(ui.clipboard, 'Approved');
    await request('approval-approved', 'instance/openDocument', { what: 'section', section: 'input' });
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.scheme, 'durable-instance');
    const stored = await getInstance(await coreHub(), 'approval-approved', { showInput: true });
    assert.notEqual(stored.input, null);
    assert.deepEqual(JSON.parse(doc?.getText() ?? 'null'), stored.input);
  });

  it('terminate through the page protocol takes effect in storage', async () => {
    const id = unique('terminate');
    await startNew(await coreHub(), { name: 'ApprovalWorkflow', instanceId: id, input: '{"timeoutSeconds": 600}' });
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    await openPage(id, 'Running');
    const before = await request<StatusResult>(id, 'instance/status', {});
    assert.ok(before.found && before.instance.actions.includes('terminate'));
    const result = await request<ActionResult>(id, 'instance/action', { action: 'terminate', reason: 'from the page' });
    assert.equal(result.follow, true);
    assert.equal(result.previousStatus, 'Running');
    const done = await waitFor(id, (s) => s.runtimeStatus === 'Terminated');
    assert.equal(done.output, 'from the page');
    const after = await request<StatusResult>(id, 'instance/status', {});
    assert.ok(after.found);
    assert.equal(after.instance.runtimeStatus, 'Terminated');
    assert.deepEqual(after.instance.actions, ['restart', 'purge']);
    await api.statusSettled();
  });

  it('raise event: the host checks the JSON again; a refused action is an error reply, not a crash', async () => {
    const id = unique('raise');
    await startNew(await coreHub(), { name: 'ApprovalWorkflow', instanceId: id, input: '{"timeoutSeconds": 600}' });
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    await openPage(id, 'Running');
    const invalid = await send(id, 'instance/action', { action: 'raiseEvent', eventName: 'Approval', eventData: 'yes' });
    assert.equal(invalid.kind === 'reply' && !invalid.reply.ok && invalid.reply.error.code, 'Validation');
    assert.match(invalid.kind === 'reply' && !invalid.reply.ok ? invalid.reply.error.message : '', /Strings need quotes/);
    const sent = await request<ActionResult>(id, 'instance/action', { action: 'raiseEvent', eventName: 'Approval', eventData: 'true' });
    assert.equal(sent.follow, true);
    const done = await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    assert.equal(done.output, 'Approved');
    // Completed: the runtime's rules refuse a terminate; the page is told why.
    const refused = await send(id, 'instance/action', { action: 'terminate', reason: null });
    assert.equal(refused.kind === 'reply' && !refused.reply.ok && refused.reply.error.code, 'Conflict');
    await api.statusSettled();
  });

  it('purge through the page removes the instance; the page then reads "not found"', async () => {
    const id = unique('purge');
    await startNew(await coreHub(), { name: 'HelloCities', instanceId: id, input: '["Quito"]' });
    await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    await openPage(id, 'Completed');
    const result = await request<ActionResult>(id, 'instance/action', { action: 'purge' });
    assert.equal(result.gone, true);
    assert.equal(await statusOf(id), undefined);
    const status = await request<StatusResult>(id, 'instance/status', {});
    assert.equal(status.found, false);
  });
});
