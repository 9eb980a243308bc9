// The Task Hubs tree against the seeded Azurite: roots, hubs, status groups, paging.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { ConnectionNode, HubNode, InstanceNode, TreeNode } from '../../src/extension/tree/nodes';
import { HUB, extensionApi, groupNode, hubNode } from './support';

async function setPageSize(size: number | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('durableExplorer').update('pageSize', size, vscode.ConfigurationTarget.Global);
}

describe('Task Hubs tree', () => {
  let api: DurableExplorerApi;
  before(async () => {
    api = await extensionApi();
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = api.commandIds.filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  it('shows the local project first, then the emulator', async () => {
    const roots = (await api.tree.getChildren()) as ConnectionNode[];
    assert.ok(roots.length >= 2, JSON.stringify(roots.map((r) => r.id)));
    assert.equal(roots[0].spec.kind, 'local');
    assert.equal(roots[0].spec.label, vscode.workspace.workspaceFolders?.[0].name);
    assert.equal(roots[1].spec.kind, 'emulator');
    const item = api.tree.getTreeItem(roots[0]);
    assert.equal(item.contextValue, 'durable:connection+local');
    assert.equal(item.id, roots[0].id);
  });

  it('lists the project hub (from host.json) first, with partition count and layout', async () => {
    const roots = (await api.tree.getChildren()) as ConnectionNode[];
    const hubs = (await api.tree.getChildren(roots[0])) as HubNode[];
    assert.equal(hubs[0].type, 'hub');
    assert.equal(hubs[0].info.name, HUB);
    assert.ok(hubs[0].preferred);
    const item = api.tree.getTreeItem(hubs[0]);
    assert.equal(item.description, '4 partitions · layout v2');
    assert.match(String(item.tooltip), /^Task hub SampleHub \(named in host\.json\)\n/);
    assert.equal(item.contextValue, 'durable:hub');
    const legacy = hubs.find((h) => h.info.name === 'LegacyHub');
    assert.ok(legacy, `hubs: ${hubs.map((h) => h.info.name).join(', ')}`);
    assert.equal(api.tree.getTreeItem(legacy).description, '6 partitions · layout v1');
  });

  it('groups instances by status, each group holding only its status', async () => {
    const hub = await hubNode(api);
    const groups = await api.tree.getChildren(hub);
    assert.deepEqual(
      groups.map((g) => (g.type === 'group' ? g.status : g.type)),
      ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated', 'All'],
    );
    for (const status of ['Running', 'Failed', 'Completed']) {
      const group = await groupNode(api, hub, status);
      api.tree.refresh(group);
      const children = await api.tree.getChildren(group);
      const instances = children.filter((c): c is InstanceNode => c.type === 'instance');
      assert.ok(instances.length > 0, `no ${status} instances`);
      for (const n of instances) {
        assert.equal(n.instance.runtimeStatus, status, n.instance.instanceId);
      }
    }
  });

  it('describes an instance (name · status · age) with a status icon, a stable id and menus for its status', async () => {
    const hub = await hubNode(api);
    const failed = await groupNode(api, hub, 'Failed');
    const node = (await api.tree.getChildren(failed)).find((c): c is InstanceNode => c.type === 'instance');
    assert.ok(node);
    const item = api.tree.getTreeItem(node);
    assert.equal(item.label, node.instance.instanceId);
    assert.match(String(item.description), new RegExp(`^${node.instance.name} · Failed · \\d+[smhd] ago$`));
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(String(item.contextValue), /^durable:instance\+failed\+rewind\+restart\+purge$/);
    assert.equal(item.id, `${hub.id}/Failed/${node.instance.instanceId}`);
    assert.ok(item.tooltip instanceof vscode.MarkdownString);
    assert.equal(api.tree.getParent(node), failed);
    assert.equal(api.tree.getParent(failed), hub);
  });

  it('pages with "Load more…" (durableExplorer.pageSize), never repeating an instance', async () => {
    await setPageSize(5);
    try {
      const hub = await hubNode(api);
      const all = await groupNode(api, hub, 'All');
      api.tree.refresh(all);
      let children: TreeNode[] = await api.tree.getChildren(all);
      assert.equal(children.filter((c) => c.type === 'instance').length, 5);
      const more = children.find((c) => c.type === 'loadMore');
      assert.ok(more && more.type === 'loadMore');
      assert.equal(api.tree.getTreeItem(more).command?.command, 'durableExplorer.loadMore');
      await vscode.commands.executeCommand('durableExplorer.loadMore', more);
      children = await api.tree.getChildren(all);
      const ids = children.filter((c): c is InstanceNode => c.type === 'instance').map((c) => c.instance.instanceId);
      assert.equal(ids.length, 10);
      assert.equal(new Set(ids).size, 10);
    } finally {
      await setPageSize(undefined);
    }
  });

  it('says so when a status group is empty', async () => {
    const hub = await hubNode(api, 'LegacyHub');
    const pending = await groupNode(api, hub, 'Pending');
    const children = await api.tree.getChildren(pending);
    if (children.every((c) => c.type === 'message')) {
      assert.match(api.tree.getTreeItem(children[0]).label as string, /^No pending instances created in the last 7 days$/);
    } else {
      assert.ok(children.every((c) => c.type !== 'instance' || c.instance.runtimeStatus === 'Pending'));
    }
  });
});
