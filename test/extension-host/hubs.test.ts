// Hub and connection commands: purge history by filter, delete task hub, add/remove connection.
// They work on hubs of their own (written with the seeding tools), never on SampleHub.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { discoverHubNames } from '../../src/core';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { ConnectionNode, HubNode } from '../../src/extension/tree/nodes';
import { HubWriter } from '../../tools/seed/hubWriter';
import { writeCompletedSequence, writeFailedActivity, writeRunningApproval, writeTerminated } from '../../tools/seed/sampleHubs';
import { assertSucceeded, connectionString, extensionApi, hubNode, runCommand, statusOf, storage } from './support';

async function writeHub(name: string): Promise<{ finished: string[]; running: string[] }> {
  const w = await HubWriter.create({ connectionString: connectionString(), hubName: name });
  const now = Date.now();
  const finished = ['c1', 'c2', 'c3'];
  await writeCompletedSequence(w, 'c1', new Date(now - 3 * 3600_000));
  await writeFailedActivity(w, 'c2', new Date(now - 2 * 3600_000));
  await writeTerminated(w, 'c3', new Date(now - 3600_000));
  await writeRunningApproval(w, 'r1', new Date(now - 3600_000));
  return { finished, running: ['r1'] };
}

async function localHub(api: DurableExplorerApi, name: string): Promise<HubNode> {
  const roots = (await api.tree.getChildren()) as ConnectionNode[];
  api.tree.refresh(roots[0]);
  return hubNode(api, name);
}

describe('Hub and connection commands', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  before(async () => {
    api = await extensionApi();
  });

  it('purge history: picks statuses and age, shows the count before asking, purges only finished instances', async () => {
    const name = `ExtPurge${randomUUID().slice(0, 6)}`;
    const written = await writeHub(name);
    const hub = await localHub(api, name);
    const r = await runCommand(
      api,
      'durableExplorer.purgeHistory',
      [{ pickMany: ['Completed', 'Failed', 'Canceled', 'Terminated'] }, { pick: 'Any age' }, { confirm: 'Purge 3 Instances' }],
      hub,
    );
    assertSucceeded(r, 'durableExplorer.purgeHistory');
    assert.equal(r.ui.prompts[2].title, `Purge 3 instances from ${name}?`);
    assert.match(r.ui.infos[0] ?? '', new RegExp(`^Purged 3 instances \\(\\d+ rows, \\d+ blobs?\\) from ${name}\\.$`));
    assert.equal(r.events.find((e) => e.name === 'command')?.measurements.count, 3);
    for (const id of written.finished) {
      assert.equal(await statusOf(id, name), undefined, id);
    }
    assert.equal((await statusOf('r1', name))?.runtimeStatus, 'Running');
  });

  it('purge history: nothing matching means nothing asked and nothing deleted', async () => {
    const name = `ExtPurgeNone${randomUUID().slice(0, 6)}`;
    await writeHub(name);
    const hub = await localHub(api, name);
    const r = await runCommand(api, 'durableExplorer.purgeHistory', [{ pickMany: ['Canceled'] }, { pick: 'Older than 30 days' }], hub);
    assertSucceeded(r, 'durableExplorer.purgeHistory');
    assert.match(r.ui.infos[0] ?? '', /^No Canceled instances created before .* to purge in /);
    assert.equal((await statusOf('c1', name))?.runtimeStatus, 'Completed');
  });

  it('delete task hub: the user must type the name; then every resource goes and the tree drops it', async () => {
    const name = `ExtDelete${randomUUID().slice(0, 6)}`;
    await writeHub(name);
    const hub = await localHub(api, name);
    const r = await runCommand(api, 'durableExplorer.deleteTaskHub', [{ input: 'wrong', expectProblem: /^Type '.*' exactly to confirm\.$/, retry: name }], hub);
    assertSucceeded(r, 'durableExplorer.deleteTaskHub');
    assert.ok(!(await discoverHubNames(await storage())).includes(name));
    const hubs = await api.tree.getChildren(hub.parent);
    assert.ok(!hubs.some((h) => h.type === 'hub' && h.info.name === name));
  });

  it('add connection: the connection string goes to SecretStorage only; the tree shows the account; remove deletes it', async () => {
    const before = api.connections.stored().length;
    const r = await runCommand(api, 'durableExplorer.addConnection', [{ pick: 'Connection string…' }, { input: 'AccountName=x', expectProblem: /./, retry: connectionString() }]);
    assertSucceeded(r, 'durableExplorer.addConnection');
    const stored = api.connections.stored();
    assert.equal(stored.length, before + 1);
    const added = stored[stored.length - 1];
    assert.equal(added.kind, 'connectionString');
    assert.equal(added.label, 'devstoreaccount1');
    const key = /AccountKey=([^;]+)/.exec(connectionString())?.[1] ?? '';
    assert.ok(!JSON.stringify(stored).includes(key), 'the key is in globalState');
    const userSettings = JSON.stringify(vscode.workspace.getConfiguration('durableExplorer'));
    assert.ok(!userSettings.includes(key), 'the key is in settings');

    const roots = (await api.tree.getChildren()) as ConnectionNode[];
    const node = roots.find((n) => n.spec.id === added.id);
    assert.ok(node);
    const item = api.tree.getTreeItem(node);
    assert.equal(item.contextValue, 'durable:connection+connectionString+removable');
    assert.ok(!JSON.stringify(item).includes(key));
    const hubs = await api.tree.getChildren(node);
    assert.ok(hubs.some((h) => h.type === 'hub' && h.info.name === 'SampleHub'));

    const removed = await runCommand(api, 'durableExplorer.removeConnection', [{ confirm: 'Remove' }], node);
    assertSucceeded(removed, 'durableExplorer.removeConnection');
    assert.equal(api.connections.stored().length, before);
    assert.ok(!((await api.tree.getChildren()) as ConnectionNode[]).some((n) => n.spec.id === added.id));
  });

  it('the log never contains the account key', () => {
    const key = /AccountKey=([^;]+)/.exec(connectionString())?.[1] ?? '';
    assert.ok(key.length > 10);
    assert.ok(!api.readLog().includes(key));
  });
});

describe('Connections that fail', function () {
  this.timeout(60_000);
  it('unreachable storage: the connection shows one line naming the endpoint, within seconds, and recovers nothing silently', async () => {
    const api = await extensionApi();
    const dead = connectionString().replace(/:\d+\/devstoreaccount1/g, ':9/devstoreaccount1');
    const spec = await api.connections.addConnectionString(dead, 'dead');
    try {
      const node = ((await api.tree.getChildren()) as ConnectionNode[]).find((n) => n.spec.id === spec.id);
      assert.ok(node);
      const started = Date.now();
      const children = await api.tree.getChildren(node);
      const elapsed = Date.now() - started;
      assert.equal(children.length, 1);
      const message = children[0];
      assert.equal(message.type, 'message');
      const item = api.tree.getTreeItem(message);
      assert.match(String(item.label), /^Storage is unreachable at http:\/\/127\.0\.0\.1:9\/devstoreaccount1\b/);
      assert.equal(item.contextValue, 'durable:message+error');
      assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
      const key = /AccountKey=([^;]+)/.exec(dead)?.[1] ?? '';
      assert.ok(!JSON.stringify(item).includes(key));
    } finally {
      await api.connections.remove(spec.id);
    }
  });

  it('a local project refreshes when its host.json changes', async () => {
    const api = await extensionApi();
    const folder = vscode.workspace.workspaceFolders?.[0].uri;
    assert.ok(folder);
    const hostJson = vscode.Uri.joinPath(folder, 'host.json');
    const original = await vscode.workspace.fs.readFile(hostJson);
    try {
      await vscode.workspace.fs.writeFile(hostJson, Buffer.from(JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: 'LegacyHub' } } })));
      // No manual refresh: the file watcher must bring the change in.
      const deadline = Date.now() + 10_000;
      let first: HubNode | undefined;
      while (Date.now() < deadline) {
        const roots = (await api.tree.getChildren()) as ConnectionNode[];
        first = ((await api.tree.getChildren(roots[0])) as HubNode[])[0];
        if (first?.info.name === 'LegacyHub') {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(first?.info.name, 'LegacyHub', 'the tree did not pick up the host.json change within 10 s');
      assert.ok(first.preferred);
    } finally {
      await vscode.workspace.fs.writeFile(hostJson, original);
      api.tree.refresh();
    }
  });
});
