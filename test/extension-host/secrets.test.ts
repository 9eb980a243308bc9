// The secrets audit: a connection added with a connection string is used for everything the
// extension does — the tree, both webview pages and their replies, a bulk action, commands that
// fail, a dead endpoint — and then its account key is looked for everywhere it must never be:
// settings, the stored connections (globalState), tree items, the log, telemetry, the pages' HTML
// and replies, and error messages. The key lives only in SecretStorage.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { RecordedEvent } from '../../src/extension/telemetry';
import type { ConnectionNode, HubNode, TreeNode } from '../../src/extension/tree/nodes';
import type { ReceiveOutcome } from '../../src/extension/webviews/channel';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { HUB, connectionString, extensionApi, runCommand } from './support';

const ALL = { createdAfter: null, createdBefore: null, statuses: [], name: null, instanceIdPrefix: null, includeEntities: true };

describe('Secrets audit', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;

  before(async () => {
    api = await extensionApi();
  });

  /**
   * A tree item as the workbench receives it. Command arguments (the node, which holds the hub's
   * storage clients) stay in the extension host: VS Code passes the UI a handle, not the objects.
   */
  function shownItem(node: TreeNode): string {
    const item = api.tree.getTreeItem(node);
    return JSON.stringify({ ...item, command: item.command ? { command: item.command.command, title: item.command.title } : undefined });
  }

  it('an account key used for everything appears in none of settings, state, tree, log, telemetry, page HTML, replies or errors', async () => {
    const cs = connectionString();
    const key = /AccountKey=([^;]+)/.exec(cs)?.[1] ?? '';
    assert.ok(key.length > 20);
    // The key as it would leak in other shapes: URL-encoded, and its decoded bytes in base64url.
    const shapes = [key, encodeURIComponent(key), Buffer.from(key, 'base64').toString('base64url')];
    const seen: string[] = [];
    const events: RecordedEvent[] = [];
    api.setTelemetrySink((e) => events.push(e));
    api.hubPages.closeAll();
    api.instancePages.closeAll();
    const spec = await api.connections.addConnectionString(cs, 'audit');
    const dead = await api.connections.addConnectionString(cs.replace(/:\d+\/devstoreaccount1/g, ':9/devstoreaccount1'), 'audit-dead');
    try {
      // The tree, down to instances, for the live and the dead connection.
      const roots = (await api.tree.getChildren()) as ConnectionNode[];
      for (const root of roots.filter((r) => r.spec.id === spec.id || r.spec.id === dead.id)) {
        seen.push(shownItem(root));
        for (const child of await api.tree.getChildren(root)) {
          seen.push(shownItem(child));
          if (child.type === 'hub') {
            for (const group of (await api.tree.getChildren(child)).slice(0, 2)) {
              for (const leaf of (await api.tree.getChildren(group)) as TreeNode[]) {
                seen.push(shownItem(leaf));
              }
            }
          }
        }
      }
      const hubNode = ((await api.tree.getChildren(roots.find((r) => r.spec.id === spec.id))) as HubNode[]).find((h) => h.type === 'hub' && h.info.name === HUB);
      assert.ok(hubNode, 'the added connection lists SampleHub');

      // Both pages, their requests and replies (errors included).
      const reply = (o: ReceiveOutcome): void => void seen.push(JSON.stringify(o));
      await runCommand(api, 'durableExplorer.openTaskHub', [], hubNode);
      reply(await api.hubPages.receive(HUB, { type: 'ready', protocol: PROTOCOL_VERSION }));
      reply(await api.hubPages.receive(HUB, { type: 'request', id: 1, method: 'hub/counts', params: { query: ALL } }));
      reply(await api.hubPages.receive(HUB, { type: 'request', id: 2, method: 'hub/instances', params: { query: ALL, continuationToken: null } }));
      reply(await api.hubPages.receive(HUB, { type: 'request', id: 3, method: 'hub/stuck', params: { thresholdMinutes: 1 } }));
      reply(await api.hubPages.receive(HUB, { type: 'request', id: 4, method: 'hub/bulk', params: { operationId: 'audit', action: { action: 'terminate', reason: null }, target: { kind: 'ids', ids: ['approval-approved', 'no-such'] } } }));
      reply(await api.hubPages.receive(HUB, { type: 'request', id: 5, method: 'hub/counts', params: { query: { ...ALL, createdAfter: 'not a date' } } }));
      seen.push(...api.hubPages.info().map((p) => p.html));
      await runCommand(api, 'durableExplorer.showInstance', [], { type: 'instance', id: 'audit', parent: { type: 'group', parent: hubNode }, instance: { instanceId: 'approval-approved' } });
      const instanceId = api.instancePages.info()[0]?.instanceId ?? 'approval-approved';
      reply(await api.instancePages.receive(instanceId, { type: 'request', id: 1, method: 'instance/status', params: {} }));
      reply(await api.instancePages.receive(instanceId, { type: 'request', id: 2, method: 'instance/history', params: { continuationToken: null } }));
      reply(await api.instancePages.receive(instanceId, { type: 'request', id: 3, method: 'instance/action', params: { action: 'terminate', reason: null } }));
      seen.push(...api.instancePages.info().map((p) => p.html));

      // A command that fails (the action is refused: the instance is Completed).
      const refused = await runCommand(api, 'durableExplorer.terminate', [{ input: '' }, { confirm: 'Terminate' }], { type: 'instance', id: 'audit-2', parent: { type: 'group', parent: hubNode }, instance: { instanceId: 'approval-approved', runtimeStatus: 'Completed' } });
      assert.equal(refused.ui.errors.length, 1, JSON.stringify(refused.ui.errors));
      seen.push(...refused.ui.errors, api.lastError('durableExplorer.terminate') ?? '');

      // Where it must never be.
      seen.push(JSON.stringify(api.connections.stored()));
      seen.push(JSON.stringify(vscode.workspace.getConfiguration('durableExplorer')));
      seen.push(JSON.stringify(vscode.workspace.getConfiguration().inspect('durableExplorer') ?? null));
      seen.push(api.readLog());
      seen.push(JSON.stringify(events));
      const everything = seen.join('\n');
      assert.ok(everything.length > 10_000, `audited ${everything.length} characters`);
      for (const [k, shape] of shapes.entries()) {
        const where = seen.filter((s) => s.includes(shape)).map((s) => s.slice(Math.max(0, s.indexOf(shape) - 200), s.indexOf(shape)));
        assert.deepEqual(where, [], `the account key (shape ${k}) leaked after: ${JSON.stringify(where)}`);
      }
      // Telemetry carries no account name either.
      assert.ok(!JSON.stringify(events).includes('devstoreaccount1'));
      assert.ok(events.length > 3, JSON.stringify(events));
    } finally {
      api.setTelemetrySink(undefined);
      api.hubPages.closeAll();
      api.instancePages.closeAll();
      await api.connections.remove(spec.id);
      await api.connections.remove(dead.id);
    }
  });
});
