// UI operations on instances through the real workbench (code-server in headless Chromium): the
// Task Hubs tree, its context menus, input boxes and modal dialogs, driven with the mouse and the
// keyboard and read from the DOM; every outcome is checked twice, in what the tree renders and in
// storage (read back with core). The local worker plays the Durable Functions runtime, so
// terminate and rewind really take effect.
//
// The instances are this suite's own (started with core in `before`, ids `ui-…-<random>`), so the
// extension-host suite, which runs in the same environment, and this one never touch each other's.
// Screenshots go to test-results/screenshots/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { createStorageClients, getInstance, isDurableError, openTaskHub, purgeInstance, startNew, waitForStatus } from '../../src/core';
import type { InstanceStatus, TaskHub } from '../../src/core';
import type { TestEnvironment, Workbench } from '../support/vscodeEnvironment';
import {
  allTreeRows,
  answerInputBox,
  clickViewTitleAction,
  collapseTreeItem,
  confirmDialog,
  contextMenuEntries,
  dialog,
  expandTreeItem,
  findTreeItem,
  formatTreeRows,
  moveMouseAway,
  openView,
  openViewContainer,
  pickContextMenuEntry,
  quickInput,
  recordTreeItemDescriptions,
  renderedTreeRows,
  resizeSideBar,
  revealTreeItem,
  rightClick,
  screenshot,
  treeItemDescription,
  treeRowAncestors,
  waitForAnimations,
  waitForTreeItemDescription,
  waitForWorkbench,
} from '../support/workbenchUi';
import type { TreeRow } from '../support/workbenchUi';
import { vscodeEnvironment } from './setup';

const HUB = 'SampleHub';
/** The status groups under a hub, in the tree's order (src/extension/tree/nodes.ts). */
const GROUPS = ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated', 'All'] as const;
type Group = (typeof GROUPS)[number];
/** Wide enough that "<id>  <Name> · <Status> · 5m ago" is not cut off in the screenshots. */
const SIDE_BAR_WIDTH = 620;

describe('Workbench UI operations (Task Hubs tree)', () => {
  const tag = randomBytes(3).toString('hex');
  const ids = {
    /** ApprovalWorkflow waiting for its event (10-minute timer): Running. */
    running: `ui-terminate-${tag}`,
    /** FailsUntilRewound: Failed, and Completed after a rewind. */
    failed: `ui-rewind-${tag}`,
    /** HelloCities: Completed (purged). */
    completed: `ui-purge-${tag}`,
    /** HelloCities: Completed (stays, next to the purged one). */
    neighbour: `ui-keep-${tag}`,
  };
  let env: TestEnvironment;
  let wb: Workbench | undefined;
  let hub: TaskHub;
  let workspaceName = '';

  async function statusOf(instanceId: string): Promise<InstanceStatus | undefined> {
    try {
      return await getInstance(hub, instanceId, { showOutput: true });
    } catch (e) {
      if (isDurableError(e) && e.code === 'NotFound') {
        return undefined;
      }
      throw e;
    }
  }

  /** Waits in storage until the instance has `status`; returns it with its output. */
  async function waitUntil(instanceId: string, status: string, timeoutMs = 60_000): Promise<InstanceStatus> {
    const r = await waitForStatus(hub, { instanceId, until: (s) => s.runtimeStatus === status, timeoutMs, intervalMs: 250 });
    assert.ok(!r.timedOut, `instance '${instanceId}' is still ${r.status.runtimeStatus} in storage after ${timeoutMs / 1000} s (expected ${status})`);
    const full = await statusOf(instanceId);
    assert.ok(full, `instance '${instanceId}' disappeared from storage`);
    return full;
  }

  function page(): Page {
    assert.ok(wb, 'no workbench (the before hook failed)');
    return wb.page;
  }

  /** The Task Hubs view, showing. */
  async function taskHubsView(): Promise<Locator> {
    await openViewContainer(page(), 'Durable Functions');
    return openView(page(), 'Task Hubs');
  }

  /** Expands SampleHub's `group` and collapses its other groups, so the tree is short and unambiguous. */
  async function showOnlyGroup(view: Locator, group: Group): Promise<void> {
    await expandTreeItem(await revealTreeItem(page(), HUB, { within: view, byLabel: true }));
    // SampleHub is the only hub the tests expand, so its groups are the only rows with these labels.
    // The others collapse first, so that rows arriving in the expanded one move nothing still to click.
    for (const g of GROUPS.filter((x) => x !== group)) {
      await collapseTreeItem(await revealTreeItem(page(), g, { within: view, byLabel: true }));
    }
    await expandTreeItem(await revealTreeItem(page(), group, { within: view, byLabel: true }));
  }

  /** The row of `name` in the whole tree (scrolling through it), and the names of its ancestors. */
  async function rowOf(view: Locator, name: string): Promise<{ row: TreeRow | undefined; ancestors: string[]; rows: TreeRow[] }> {
    const rows = await allTreeRows(view);
    const row = rows.find((r) => r.name === name);
    return { row, ancestors: row ? treeRowAncestors(rows, row) : [], rows };
  }

  /** Waits until no row of the tree (all of it, scrolled through) is labelled `name`. */
  async function waitForRowGone(view: Locator, name: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rendered = await renderedTreeRows(view);
      if (!rendered.some((r) => r.name === name)) {
        const { row, rows } = await rowOf(view, name);
        if (!row) {
          return;
        }
        if (Date.now() > deadline) {
          throw new Error(`'${name}' is still in the tree after ${timeoutMs / 1000} s:\n${formatTreeRows(rows)}`);
        }
      } else if (Date.now() > deadline) {
        throw new Error(`'${name}' is still in the tree after ${timeoutMs / 1000} s:\n${formatTreeRows(rendered)}`);
      }
      await page().waitForTimeout(200);
    }
  }

  async function shot(name: string): Promise<string> {
    await waitForAnimations(page());
    const file = await env.screenshot(page(), name);
    console.log(`      screenshot: ${path.relative(process.cwd(), file)}`);
    return file;
  }

  before(async function () {
    this.timeout(180_000);
    env = vscodeEnvironment(this);
    const started = Date.now();
    workspaceName = path.basename(env.workspaceFolder);
    hub = await openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString: env.connectionString }), name: HUB });
    await Promise.all([
      startNew(hub, { name: 'ApprovalWorkflow', instanceId: ids.running, input: '{"timeoutSeconds":600}' }),
      startNew(hub, { name: 'FailsUntilRewound', instanceId: ids.failed }),
      startNew(hub, { name: 'HelloCities', instanceId: ids.completed, input: '["Oslo","Lima"]' }),
      startNew(hub, { name: 'HelloCities', instanceId: ids.neighbour, input: '["Nairobi"]' }),
    ]);
    await Promise.all([
      waitUntil(ids.running, 'Running'),
      waitUntil(ids.failed, 'Failed'),
      waitUntil(ids.completed, 'Completed'),
      waitUntil(ids.neighbour, 'Completed'),
    ]);
    const ready = Date.now();
    wb = await env.openWorkbench();
    await waitForWorkbench(wb.page);
    await taskHubsView();
    await resizeSideBar(wb.page, SIDE_BAR_WIDTH);
    const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    console.log(`    (instances ${Object.values(ids).join(', ')} ready in ${secs(ready - started)}; workbench in ${secs(Date.now() - ready)})`);
  });

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') {
      await screenshot(wb.page, `FAILED ui-operations ${this.currentTest.title}`).catch(() => undefined);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.close();
    // Leave SampleHub as the other suites expect it (the purged one is gone already).
    if (hub) {
      for (const id of Object.values(ids)) {
        await purgeInstance(hub, { instanceId: id, force: true }).catch(() => undefined);
      }
    }
  });

  it('shows SampleHub and LegacyHub, and SampleHub › Running lists the running instances', async function () {
    this.timeout(120_000);
    const p = page();
    const view = await taskHubsView();

    const project = await findTreeItem(p, workspaceName, { within: view, byLabel: true });
    assert.equal(await treeItemDescription(project), 'local project');
    const sample = await findTreeItem(p, HUB, { within: view, byLabel: true });
    const legacy = await findTreeItem(p, 'LegacyHub', { within: view, byLabel: true });
    assert.match(await treeItemDescription(sample), /^4 partitions · layout v2\b/);
    assert.match(await treeItemDescription(legacy), /^\d+ partitions · layout v1\b/);

    // The instances were started before the workbench opened; Refresh as a user would anyway.
    await clickViewTitleAction(p, 'Refresh');
    await showOnlyGroup(view, 'Running');
    for (const id of ['approval-waiting', 'sample-running', ids.running]) {
      await revealTreeItem(p, id, { within: view, byLabel: true });
      await waitForTreeItemDescription(p, id, /^ApprovalWorkflow · Running · (\d+[smhd] ago)$/, { within: view, byLabel: true });
    }
    const { row, ancestors, rows } = await rowOf(view, ids.running);
    assert.ok(row, `'${ids.running}' is not in the tree:\n${formatTreeRows(rows)}`);
    assert.deepEqual(ancestors, ['Running', HUB, workspaceName], `'${ids.running}' is not under ${workspaceName} › ${HUB} › Running:\n${formatTreeRows(rows)}`);
    // Only running instances under Running.
    const running = rows.filter((r) => treeRowAncestors(rows, r)[0] === 'Running');
    assert.ok(running.length >= 3, `Running shows ${running.length} rows:\n${formatTreeRows(rows)}`);
    for (const r of running) {
      assert.match(r.description, /· Running ·/, `a row under Running is not Running:\n${formatTreeRows(rows)}`);
    }
    // Both hubs (and SampleHub's seven groups) are on screen.
    assert.ok(rows.some((r) => r.name === 'LegacyHub'), `no LegacyHub row:\n${formatTreeRows(rows)}`);
    assert.deepEqual(
      rows.filter((r) => treeRowAncestors(rows, r)[0] === HUB).map((r) => r.name),
      [...GROUPS],
    );

    await moveMouseAway(p);
    await shot('tree');
  });

  it('terminates a running instance from its context menu: pending, then Terminated (tree and storage)', async function () {
    this.timeout(120_000);
    const p = page();
    const id = ids.running;
    const reason = 'stopped from the UI test';
    const view = await taskHubsView();
    await showOnlyGroup(view, 'Running');
    const item = await revealTreeItem(p, id, { within: view, byLabel: true });
    assert.match(await treeItemDescription(item), /^ApprovalWorkflow · Running · /);

    // The context menu offers what a Running instance allows.
    await rightClick(item);
    const entries = await contextMenuEntries(p);
    for (const expected of ['Show Instance', 'Copy Instance Id', 'Raise Event…', 'Suspend…', 'Terminate…', 'Restart…', 'Force Purge…']) {
      assert.ok(entries.includes(expected), `the context menu of a Running instance has no '${expected}': ${JSON.stringify(entries)}`);
    }
    for (const unexpected of ['Resume…', 'Rewind…', 'Purge Instance…']) {
      assert.ok(!entries.includes(unexpected), `the context menu of a Running instance offers '${unexpected}': ${JSON.stringify(entries)}`);
    }
    await shot('context-menu');
    await pickContextMenuEntry(p, 'Terminate…');

    await quickInput(p).waitFor({ state: 'visible', timeout: 30_000 });
    await moveMouseAway(p, { dismiss: false });
    await shot('terminate-reason');
    const prompt = await answerInputBox(p, reason);
    assert.match(prompt, /^Terminate: reason/, `the input box asked: ${prompt}`);

    // Watch the row from now on: "Terminating…" lasts about a second.
    const recorder = await recordTreeItemDescriptions(p, id);
    await dialog(p).waitFor({ state: 'visible', timeout: 30_000 });
    await shot('terminate-confirm');
    const said = await confirmDialog(p, 'Terminate');
    assert.equal(said.message, `Terminate instance '${id}'?`);
    assert.match(said.detail, /cannot be resumed/);

    // The pending state, while the worker has not processed the message yet.
    try {
      await waitForTreeItemDescription(p, id, /^ApprovalWorkflow · Terminating… · /, { within: view, byLabel: true, timeout: 5000 });
      // (The mouse is where the dialog's button was, over the editor: no tooltip to wait for.)
      await shot('terminate-pending');
    } catch {
      // Too quick to catch by polling; the recorder below still has it.
    }

    const stored = await waitUntil(id, 'Terminated', 30_000);
    assert.equal(stored.output, reason, 'the reason is the terminated instance\'s output');

    // The tree follows the instance without a refresh: it leaves the Running group…
    await waitForRowGone(view, id);
    const seen = await recorder.seen();
    await recorder.stop();
    assert.ok(
      seen.some((d) => /^ApprovalWorkflow · Terminating… · /.test(d)),
      `the row never showed the pending state 'Terminating…'; it showed ${JSON.stringify(seen)}`,
    );

    // …and shows under Terminated, as Terminated, also after a Refresh.
    await showOnlyGroup(view, 'Terminated');
    await revealTreeItem(p, id, { within: view, byLabel: true });
    await waitForTreeItemDescription(p, id, /^ApprovalWorkflow · Terminated · /, { within: view, byLabel: true });
    await clickViewTitleAction(p, 'Refresh');
    await revealTreeItem(p, id, { within: view, byLabel: true });
    await waitForTreeItemDescription(p, id, /^ApprovalWorkflow · Terminated · /, { within: view, byLabel: true });
    const { row, ancestors, rows } = await rowOf(view, id);
    assert.ok(row, `'${id}' is not in the tree:\n${formatTreeRows(rows)}`);
    assert.deepEqual(ancestors.slice(0, 2), ['Terminated', HUB], `'${id}' is not under ${HUB} › Terminated:\n${formatTreeRows(rows)}`);

    await revealTreeItem(p, id, { within: view, byLabel: true });
    await moveMouseAway(p);
    await shot('terminated');
  });

  it('rewinds a failed instance from its context menu: it runs again and completes (tree and storage)', async function () {
    this.timeout(120_000);
    const p = page();
    const id = ids.failed;
    const view = await taskHubsView();
    await showOnlyGroup(view, 'Failed');
    const item = await revealTreeItem(p, id, { within: view, byLabel: true });
    assert.match(await treeItemDescription(item), /^FailsUntilRewound · Failed · /);

    await rightClick(item);
    const entries = await contextMenuEntries(p);
    for (const expected of ['Show Instance', 'Rewind…', 'Restart…', 'Purge Instance…']) {
      assert.ok(entries.includes(expected), `the context menu of a Failed instance has no '${expected}': ${JSON.stringify(entries)}`);
    }
    for (const unexpected of ['Terminate…', 'Suspend…', 'Resume…', 'Raise Event…', 'Force Purge…']) {
      assert.ok(!entries.includes(unexpected), `the context menu of a Failed instance offers '${unexpected}': ${JSON.stringify(entries)}`);
    }
    await pickContextMenuEntry(p, 'Rewind…');
    const recorder = await recordTreeItemDescriptions(p, id);
    const prompt = await answerInputBox(p, 'retry from the UI test');
    assert.match(prompt, /^Rewind: reason/, `the input box asked: ${prompt}`);

    // Storage: the worker replays it with FlakyActivity succeeding this time.
    const stored = await waitUntil(id, 'Completed', 60_000);
    assert.equal(stored.name, 'FailsUntilRewound');

    // The tree: it left the Failed group, and after a Refresh it is under Completed, Completed.
    await waitForRowGone(view, id);
    // (Rewind sets the instance Pending at once, so "Rewinding…" may never be rendered.)
    console.log(`      the row showed: ${JSON.stringify(await recorder.seen())}`);
    await recorder.stop();
    await clickViewTitleAction(p, 'Refresh');
    await showOnlyGroup(view, 'Completed');
    await revealTreeItem(p, id, { within: view, byLabel: true });
    await waitForTreeItemDescription(p, id, /^FailsUntilRewound · Completed · /, { within: view, byLabel: true });
    const { row, ancestors, rows } = await rowOf(view, id);
    assert.ok(row, `'${id}' is not in the tree:\n${formatTreeRows(rows)}`);
    assert.deepEqual(ancestors.slice(0, 2), ['Completed', HUB], `'${id}' is not under ${HUB} › Completed:\n${formatTreeRows(rows)}`);

    await revealTreeItem(p, id, { within: view, byLabel: true });
    await moveMouseAway(p);
    await shot('rewound');
  });

  it('purges a completed instance from its context menu: it is gone from the tree and from storage', async function () {
    this.timeout(120_000);
    const p = page();
    const id = ids.completed;
    const view = await taskHubsView();
    await showOnlyGroup(view, 'Completed');
    const item = await revealTreeItem(p, id, { within: view, byLabel: true });
    assert.match(await treeItemDescription(item), /^HelloCities · Completed · /);
    assert.ok(await statusOf(id), `'${id}' is not in storage before the purge`);

    await rightClick(item);
    const entries = await contextMenuEntries(p);
    for (const expected of ['Show Instance', 'Restart…', 'Purge Instance…']) {
      assert.ok(entries.includes(expected), `the context menu of a Completed instance has no '${expected}': ${JSON.stringify(entries)}`);
    }
    for (const unexpected of ['Terminate…', 'Rewind…', 'Force Purge…']) {
      assert.ok(!entries.includes(unexpected), `the context menu of a Completed instance offers '${unexpected}': ${JSON.stringify(entries)}`);
    }
    await pickContextMenuEntry(p, 'Purge Instance…');
    await dialog(p).waitFor({ state: 'visible', timeout: 30_000 });
    await shot('purge-confirm');
    const said = await confirmDialog(p, 'Purge');
    assert.equal(said.message, `Purge instance '${id}'?`);
    assert.match(said.detail, /cannot be undone/);

    // Storage: the purge is done when the command returns; the tree drops the row without a refresh.
    await waitForRowGone(view, id);
    assert.equal(await statusOf(id), undefined, `'${id}' is still in storage after the purge`);
    // The rest of the group is still there (the row went, not the whole group), also after a Refresh.
    await revealTreeItem(p, ids.neighbour, { within: view, byLabel: true });
    await clickViewTitleAction(p, 'Refresh');
    await revealTreeItem(p, ids.neighbour, { within: view, byLabel: true });
    await waitForTreeItemDescription(p, ids.neighbour, /^HelloCities · Completed · /, { within: view, byLabel: true });
    await waitForRowGone(view, id, 5000);

    // Where the purged row was: its neighbour (same creation time) in view.
    await revealTreeItem(p, ids.neighbour, { within: view, byLabel: true });
    await moveMouseAway(p);
    await shot('purged');
  });
});
