// A "Running host" connection (issue 8): the tree and the instance commands through a Functions
// host's HTTP management API, with no storage connection. The host here is the local worker's API
// (tools/worker/httpApi.ts), started in this extension host over the harness's Azurite; the harness's
// worker runs SampleHub's instances, so they move on as under `func start`. Results are checked
// through the API and through storage.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { hostInstanceClient, waitForStatus } from '../../src/core';
import type { ClientInstanceStatus, InstanceClient } from '../../src/core';
import type { HostSpec } from '../../src/extension/connections/types';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { RecordedEvent } from '../../src/extension/telemetry';
import type { ConnectionNode, GroupNode, HubNode, InstanceNode, TreeNode } from '../../src/extension/tree/nodes';
import type { ReceiveOutcome } from '../../src/extension/webviews/channel';
import type { ActionResult, HistoryPageResult, StatusResult } from '../../src/shared/protocol';
import type { ManagementApi } from '../../tools/worker/httpApi';
import { startManagementApi } from '../../tools/worker/httpApi';
import { EXTENSION_ID, HUB, assertSucceeded, connectionString, extensionApi, runCommand, statusOf, waitFor } from './support';
import { closedPort } from '../support/ports';

const KEY = `rh-key-${randomUUID()}`;
const unique = (prefix: string): string => `ext-rh-${prefix}-${randomUUID().slice(0, 8)}`;
const waiting = (s: ClientInstanceStatus): boolean => s.runtimeStatus === 'Running' && s.customStatus === 'Waiting for approval';

async function setDetectUrl(url: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('durableExplorer').update('runningHost.detectUrl', url, vscode.ConfigurationTarget.Global);
}

/** The view/item/context commands whose `when` a node with this contextValue satisfies (the manifest's own patterns). */
function menuCommands(contextValue: string): string[] {
  const menus = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.menus['view/item/context'] as { command: string; when: string }[];
  return menus
    .filter((m) => [...m.when.matchAll(/viewItem\s*=~\s*\/((?:\\\/|[^/])+)\/([a-z]*)/g)].every((r) => new RegExp(r[1], r[2]).test(contextValue)))
    .map((m) => m.command);
}

describe('Running host connection', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  let host: ManagementApi;
  /** What the tests check results with: the API itself, with the key. */
  let direct: InstanceClient;
  let spec: HostSpec;
  const events: RecordedEvent[] = [];
  const record = (): void => api.setTelemetrySink((e) => events.push(e));

  async function roots(): Promise<ConnectionNode[]> {
    return (await api.tree.getChildren()) as ConnectionNode[];
  }

  async function hostHub(id = spec.id): Promise<HubNode> {
    const root = (await roots()).find((r) => r.spec.id === id);
    assert.ok(root, `no root ${id}`);
    const hubs = await api.tree.getChildren(root);
    assert.equal(hubs.length, 1, JSON.stringify(hubs.map((h) => h.id)));
    assert.equal(hubs[0].type, 'hub', JSON.stringify(hubs.map((h) => (h.type === 'message' ? h.text : h.id))));
    return hubs[0] as HubNode;
  }

  async function group(hub: HubNode, status: string): Promise<GroupNode> {
    const g = (await api.tree.getChildren(hub)).find((c): c is GroupNode => c.type === 'group' && c.status === status);
    assert.ok(g, `no ${status} group`);
    return g;
  }

  /** The instance's node in a status group of the host's hub, the group read again first. */
  async function node(instanceId: string, status = 'All'): Promise<InstanceNode> {
    const g = await group(await hostHub(), status);
    api.tree.refresh(g);
    let children: TreeNode[] = await api.tree.getChildren(g);
    for (;;) {
      const found = children.find((c): c is InstanceNode => c.type === 'instance' && c.instance.instanceId === instanceId);
      if (found) {
        return found;
      }
      const more = children.find((c) => c.type === 'loadMore');
      assert.ok(more && more.type === 'loadMore', `'${instanceId}' is not in the ${status} group: ${children.map((c) => c.id).join(', ')}`);
      await api.tree.loadMore(more);
      children = await api.tree.getChildren(g);
    }
  }

  async function until(instanceId: string, done: (s: ClientInstanceStatus) => boolean): Promise<ClientInstanceStatus> {
    const r = await waitForStatus(direct, { instanceId, until: done, timeoutMs: 45_000, intervalMs: 250 });
    assert.ok(!r.timedOut, `'${instanceId}' is still ${r.status.runtimeStatus}`);
    // waitForStatus reads the status alone: read it again with the values.
    return direct.getInstance({ instanceId, showInput: true, showOutput: true });
  }

  async function startWaiting(prefix: string): Promise<string> {
    const id = unique(prefix);
    await direct.startNew({ name: 'ApprovalWorkflow', instanceId: id, input: '{"timeoutSeconds": 600}' });
    await until(id, waiting);
    return id;
  }

  async function run(command: string, answers: Parameters<typeof runCommand>[2], ...args: unknown[]): ReturnType<typeof runCommand> {
    const r = await runCommand(api, command, answers, ...args);
    events.push(...r.events);
    // runCommand took the sink over while it ran: record the tree's loads again.
    record();
    return r;
  }

  before(async () => {
    api = await extensionApi();
    host = await startManagementApi({ connectionString: connectionString(), defaultTaskHub: 'RhDefaultUnused', key: KEY });
    direct = hostInstanceClient({ baseUrl: host.url, code: KEY, taskHub: HUB });
    record();
  });

  after(async () => {
    api.setTelemetrySink(undefined);
    api.instancePages.closeAll();
    for (const s of api.connections.stored().filter((c) => c.kind === 'host')) {
      await api.connections.remove(s.id);
    }
    await setDetectUrl(undefined);
    await host?.stop();
  });

  it('Add Running Host… checks the URL, keeps the key in secret storage only, and shows the host with its one hub', async () => {
    const r = await run('durableExplorer.addRunningHost', [
      { input: 'localhost:7071/?code=x', expectProblem: /not an http or https URL|query/, retry: host.url },
      { input: 'bad hub!', expectProblem: /./, retry: HUB },
      { input: KEY },
    ]);
    assertSucceeded(r, 'durableExplorer.addRunningHost');
    const stored = api.connections.stored().filter((s): s is HostSpec => s.kind === 'host');
    assert.equal(stored.length, 1);
    spec = stored[0];
    assert.deepEqual({ baseUrl: spec.baseUrl, taskHub: spec.taskHub }, { baseUrl: host.url, taskHub: HUB });
    assert.ok(!JSON.stringify(api.connections.stored()).includes(KEY), 'the key is not in globalState');

    const root = (await roots()).find((s) => s.spec.id === spec.id);
    assert.ok(root);
    const rootItem = api.tree.getTreeItem(root);
    assert.equal(rootItem.contextValue, 'durable:connection+host+removable');
    assert.equal(rootItem.description, 'running host');
    assert.ok(!String(rootItem.tooltip).includes(KEY));
    const hub = await hostHub();
    assert.equal(hub.info.name, HUB);
    assert.equal(hub.client.transport, 'host');
    assert.equal(hub.hub, undefined);
    const hubItem = api.tree.getTreeItem(hub);
    assert.equal(hubItem.contextValue, 'durable:hub+host');
    assert.equal(hubItem.description, 'HTTP management API');
  });

  it('lists the instances by status through the API, with menus for what the API can do', async () => {
    const id = await startWaiting('list');
    const hub = await hostHub();
    assert.deepEqual(
      (await api.tree.getChildren(hub)).map((g) => (g.type === 'group' ? g.status : g.type)),
      ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated', 'All'],
    );
    const running = await node(id, 'Running');
    assert.equal(running.instance.name, 'ApprovalWorkflow');
    assert.equal(running.instance.generation, null, 'the host reports no generation');
    const item = api.tree.getTreeItem(running);
    // No forced purge: the API checks the instance's state itself.
    assert.equal(item.contextValue, 'durable:instance+running+raiseEvent+suspend+terminate+restart+host');
    const menu = menuCommands(String(item.contextValue));
    for (const c of ['terminate', 'suspend', 'raiseEvent', 'restart', 'showInstance', 'copyManagementUrls']) {
      assert.ok(menu.includes(`durableExplorer.${c}`), c);
    }
    assert.ok(!menu.includes('durableExplorer.forcePurge'));
    // Every group holds its status only, as over storage.
    const completed = (await api.tree.getChildren(await group(hub, 'Completed'))).filter((c): c is InstanceNode => c.type === 'instance');
    assert.ok(completed.length > 0, 'seeded completed instances');
    assert.ok(completed.every((c) => c.instance.runtimeStatus === 'Completed'));
  });

  it('raise event through the tree: the instance gets it (read back through the API and storage)', async () => {
    const id = await startWaiting('event');
    const r = await run('durableExplorer.raiseEvent', [{ input: 'Approval' }, { input: 'true' }], await node(id, 'Running'));
    assertSucceeded(r, 'durableExplorer.raiseEvent');
    await api.statusSettled();
    const done = await until(id, (s) => s.runtimeStatus === 'Completed');
    assert.equal(done.customStatus, 'Approved');
    assert.equal((await waitFor(id, (s) => s.runtimeStatus === 'Completed')).output, 'Approved');
    // The follower updated the node where it now belongs.
    assert.equal((await node(id, 'Completed')).instance.runtimeStatus, 'Completed');
  });

  it('terminate, then purge through the tree: terminated, then gone from the API, storage and the tree', async () => {
    const id = await startWaiting('terminate');
    const t = await run('durableExplorer.terminate', [{ input: 'rh test' }, { confirm: 'Terminate' }], await node(id, 'Running'));
    assertSucceeded(t, 'durableExplorer.terminate');
    await api.statusSettled();
    assert.equal((await until(id, (s) => s.runtimeStatus === 'Terminated')).output, 'rh test');
    assert.equal((await statusOf(id))?.runtimeStatus, 'Terminated');

    const terminated = await node(id, 'Terminated');
    assert.match(String(api.tree.getTreeItem(terminated).contextValue), /\+purge\b/);
    const p = await run('durableExplorer.purgeInstance', [{ confirm: 'Purge' }], terminated);
    assertSucceeded(p, 'durableExplorer.purgeInstance');
    await assert.rejects(direct.getInstance({ instanceId: id }), (e: Error) => /not found|Could not find/i.test(e.message));
    assert.equal(await statusOf(id), undefined);
    const all = await api.tree.getChildren(await group(await hostHub(), 'All'));
    assert.ok(!all.some((c) => c.type === 'instance' && c.instance.instanceId === id));
  });

  it('storage-only commands are hidden on the host hub and refused with the reason if invoked anyway', async () => {
    const hub = await hostHub();
    const menu = menuCommands(String(api.tree.getTreeItem(hub).contextValue));
    assert.ok(menu.includes('durableExplorer.startNew') && menu.includes('durableExplorer.goToInstance'), menu.join());
    for (const c of ['openTaskHub', 'purgeHistory', 'deleteTaskHub']) {
      assert.ok(!menu.includes(`durableExplorer.${c}`), c);
    }
    // A storage hub keeps them.
    assert.ok(menuCommands('durable:hub').includes('durableExplorer.deleteTaskHub'));

    for (const c of ['openTaskHub', 'purgeHistory', 'deleteTaskHub']) {
      const r = await run(`durableExplorer.${c}`, [], hub);
      r.ui.assertDone();
      assert.equal(r.ui.errors.length, 1, c);
      assert.match(r.ui.errors[0], /needs a storage connection: .*HTTP management API of a running Functions host/, c);
      assert.equal(r.events.find((e) => e.name === 'command')?.properties.errorCode, 'Validation');
    }
    assert.equal(api.hubPages.info().length, 0, 'no task hub page opened');

    // Forced purge of a running instance: refused before anything is asked.
    const id = await startWaiting('force');
    const f = await run('durableExplorer.forcePurge', [], await node(id, 'Running'));
    f.ui.assertDone();
    assert.match(f.ui.errors[0] ?? '', /^Force purge .*needs a storage connection/);
    assert.equal((await direct.getInstance({ instanceId: id })).runtimeStatus, 'Running');
    await direct.terminateInstance({ instanceId: id, reason: 'cleanup' });
  });

  it('start new and go to instance work through the host; the instance page reads status and history through it', async () => {
    const hub = await hostHub();
    const id = unique('page');
    const r = await run('durableExplorer.startNew', [{ input: 'HelloCities' }, { input: id }, { input: '["Lima"]' }], hub);
    assertSucceeded(r, 'durableExplorer.startNew');
    assert.deepEqual((await until(id, (s) => s.runtimeStatus === 'Completed')).output, ['Hello Lima!']);

    const go = await run('durableExplorer.goToInstance', [{ suggest: id, typed: id.slice(0, 12), expectSuggestion: id }], hub);
    assertSucceeded(go, 'durableExplorer.goToInstance');
    const page = api.instancePages.info().find((p) => p.instanceId === id);
    assert.ok(page, 'the page opened');
    let n = 1;
    const request = async <R>(method: string, params: unknown): Promise<R> => {
      const outcome: ReceiveOutcome = await api.instancePages.receive(id, { type: 'request', id: n++, method, params });
      assert.equal(outcome.kind, 'reply', JSON.stringify(outcome));
      const reply = outcome.kind === 'reply' ? outcome.reply : undefined;
      assert.ok(reply?.ok, `${method}: ${JSON.stringify(reply)}`);
      return reply.result as R;
    };
    const status = await request<StatusResult>('instance/status', {});
    assert.ok(status.found);
    assert.equal(status.instance.runtimeStatus, 'Completed');
    assert.deepEqual(status.instance.output, { kind: 'value', value: ['Hello Lima!'], size: JSON.stringify(['Hello Lima!'], null, 2).length });
    assert.equal(status.instance.executionId, null);
    assert.deepEqual(status.instance.actions, ['restart', 'purge']);
    const history = await request<HistoryPageResult>('instance/history', { continuationToken: null });
    const types = history.rows.map((row) => row.type);
    assert.ok(types.includes('ExecutionStarted') && types.includes('ExecutionCompleted'), types.join());
    // The host folds TaskScheduled into its completion: the row is named from its FunctionName.
    const completions = history.rows.filter((row) => row.type === 'TaskCompleted');
    assert.ok(completions.length > 0 && completions.every((row) => !!row.name), JSON.stringify(completions));

    // Management URLs for the connection's own host, hub and key (not durableExplorer.managementUrls.hostUrl).
    const urls = await run('durableExplorer.copyManagementUrls', [{ pick: 'statusQueryGetUri' }], await node(id, 'Completed'));
    assertSucceeded(urls, 'durableExplorer.copyManagementUrls');
    assert.equal(urls.ui.clipboard, `${host.url}/runtime/webhooks/durabletask/instances/${id}?taskHub=${HUB}&code=${KEY}`);

    // Purge from the page, through the host.
    const purged = await request<ActionResult>('instance/action', { action: 'purge' });
    assert.equal(purged.gone, true);
    assert.equal(await statusOf(id), undefined);
  });

  it('a wrong key or a host that does not answer shows the error node, and the key never reaches the log or telemetry', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const port = await closedPort();
    await run('durableExplorer.addRunningHost', [{ input: `http://127.0.0.1:${port}` }, { input: '' }, { input: '' }]);
    // Another base URL for the same host: its own key slot.
    await run('durableExplorer.addRunningHost', [{ input: `${host.url}/runtime/webhooks/durabletask/` }, { input: HUB }, { input: wrong }]);
    const added = api.connections.stored().filter((s): s is HostSpec => s.kind === 'host' && s.id !== spec.id);
    assert.equal(added.length, 2);
    const [down, refused] = added;

    const messageOf = async (s: HostSpec): Promise<string> => {
      const root = (await roots()).find((x) => x.spec.id === s.id);
      assert.ok(root);
      const children = await api.tree.getChildren(root);
      assert.equal(children.length, 1);
      assert.equal(children[0].type, 'message');
      const item = api.tree.getTreeItem(children[0]);
      assert.equal(item.contextValue, 'durable:message+error');
      return String(item.label);
    };
    assert.match(await messageOf(down), new RegExp(`^No Functions host answered at http://127\\.0\\.0\\.1:${port}`));
    assert.ok(api.tree.isRecovering((await roots()).find((x) => x.spec.id === down.id) as ConnectionNode), 'retries when func start comes up');
    // The same host and key slot as the first connection (same webhook base): its stored key was replaced.
    assert.match(await messageOf(refused), /refused the request \(HTTP 401\): the system key is wrong/);

    const log = api.readLog();
    assert.ok(log.includes('the system key is wrong'), 'the failure is logged');
    for (const secret of [KEY, wrong]) {
      assert.ok(!log.includes(secret), 'a key in the log');
      assert.ok(!JSON.stringify(events).includes(secret), 'a key in telemetry');
    }
    assert.ok(events.some((e) => e.name === 'treeLoad' && e.properties.connectionKind === 'host'), 'tree loads were recorded');
  });

  it('detection: a host answering at durableExplorer.runningHost.detectUrl shows as "Running host (func start)"; nothing when nothing answers', async () => {
    const local = await startManagementApi({ connectionString: connectionString(), defaultTaskHub: HUB });
    try {
      await setDetectUrl(local.url);
      const found = await api.connections.detectHosts();
      assert.equal(found.length, 1);
      const detected = (await roots()).find((r) => r.spec.kind === 'host' && r.spec.detected);
      assert.ok(detected, 'the detected host is a root');
      assert.equal(detected.spec.label, 'Running host (func start)');
      const item = api.tree.getTreeItem(detected);
      assert.equal(item.contextValue, 'durable:connection+host+detected');
      assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
      // The host's own hub, unnamed: its instances are SampleHub's.
      const hub = await hostHub(detected.spec.id);
      assert.equal(hub.info.name, 'default task hub');
      const all = await api.tree.getChildren(await group(hub, 'All'));
      const approved = all.find((c): c is InstanceNode => c.type === 'instance' && c.instance.instanceId === 'approval-approved');
      assert.ok(approved, all.map((c) => c.id).join());
      // The host's own hub and connection: the links name neither, and need no key.
      const urls = await run('durableExplorer.copyManagementUrls', [{ pick: 'statusQueryGetUri' }], approved);
      assertSucceeded(urls, 'durableExplorer.copyManagementUrls');
      assert.equal(urls.ui.clipboard, `${local.url}/runtime/webhooks/durabletask/instances/approval-approved`);
    } finally {
      await local.stop();
    }
    assert.deepEqual(await api.connections.detectHosts(), [], 'gone once the host stops');
    assert.ok(!(await roots()).some((r) => r.spec.kind === 'host' && r.spec.detected));

    await setDetectUrl(`http://127.0.0.1:${await closedPort()}`);
    assert.deepEqual(await api.connections.detectHosts(), []);
    assert.ok(!(await roots()).some((r) => r.spec.kind === 'host' && r.spec.detected));
  });
});
