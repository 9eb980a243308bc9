// Every instance command, run as from the tree's context menu with scripted prompts, while the
// local worker (started by the test runner) plays the Durable Functions runtime. Effects are read
// back from storage with core, not from the extension.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { DurableExplorerApi } from '../../src/extension/extension';
import { assertSucceeded, extensionApi, hubNode, instanceNode, runCommand, statusOf, waitFor } from './support';

const unique = (prefix: string): string => `ext-${prefix}-${randomUUID().slice(0, 8)}`;

describe('Instance commands (through the worker)', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  before(async () => {
    api = await extensionApi();
  });

  async function start(name: string, input: string, id = unique(name.toLowerCase())): Promise<string> {
    const r = await runCommand(api, 'durableExplorer.startNew', [{ input: name }, { input: id }, { input }], await hubNode(api));
    assertSucceeded(r, 'durableExplorer.startNew');
    assert.match(r.ui.infos[0] ?? '', new RegExp(`^Started '${id}'\\.$`));
    return id;
  }

  it('start new: validates the JSON input as typed, then the worker runs the instance to completion', async () => {
    const id = unique('hello');
    const r = await runCommand(
      api,
      'durableExplorer.startNew',
      [{ input: 'HelloCities' }, { input: id }, { input: '["Oslo",', expectProblem: /^Not valid JSON: /, retry: '["Oslo"]' }],
      await hubNode(api),
    );
    assertSucceeded(r, 'durableExplorer.startNew');
    const done = await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    assert.deepEqual(done.output, ['Hello Oslo!']);
  });

  it('terminate: asks for a reason and a modal confirmation, shows a pending state, then Terminated', async () => {
    const id = await start('ApprovalWorkflow', '{"timeoutSeconds": 600}');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    const node = await instanceNode(api, id, 'Running');
    const r = await runCommand(api, 'durableExplorer.terminate', [{ input: 'from the tree' }, { confirm: 'Terminate' }], node);
    assertSucceeded(r, 'durableExplorer.terminate');
    // The node shows the pending state until the worker has processed the message.
    await api.statusSettled();
    const status = await statusOf(id);
    assert.equal(status?.runtimeStatus, 'Terminated');
    assert.equal(status?.output, 'from the tree');
    const after = await instanceNode(api, id, 'All');
    assert.equal(after.instance.runtimeStatus, 'Terminated');
    assert.match(String(api.tree.getTreeItem(after).contextValue), /\+terminated\+restart\+purge$/);
  });

  it('terminate: declining the confirmation sends nothing and shows no error', async () => {
    const id = await start('ApprovalWorkflow', '{"timeoutSeconds": 600}');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    const node = await instanceNode(api, id, 'Running');
    const r = await runCommand(api, 'durableExplorer.terminate', [{ input: '' }, { confirm: undefined }], node);
    assert.deepEqual(r.ui.errors, []);
    assert.equal(r.events.find((e) => e.name === 'command')?.properties.result, 'Canceled');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await statusOf(id))?.runtimeStatus, 'Running');
  });

  it('raise event: validates the data, and the waiting orchestration completes with it', async () => {
    const id = await start('ApprovalWorkflow', '{"timeoutSeconds": 600}');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    const node = await instanceNode(api, id, 'Running');
    const r = await runCommand(
      api,
      'durableExplorer.raiseEvent',
      [{ input: 'Approval' }, { input: 'yes', expectProblem: /Strings need quotes/, retry: 'true' }],
      node,
    );
    assertSucceeded(r, 'durableExplorer.raiseEvent');
    const done = await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    assert.equal(done.output, 'Approved');
  });

  it('suspend, then resume', async () => {
    const id = await start('ApprovalWorkflow', '{"timeoutSeconds": 600}');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    let r = await runCommand(api, 'durableExplorer.suspend', [{ input: 'pause' }], await instanceNode(api, id, 'Running'));
    assertSucceeded(r, 'durableExplorer.suspend');
    await api.statusSettled();
    assert.equal((await statusOf(id))?.runtimeStatus, 'Suspended');
    const suspended = await instanceNode(api, id, 'Suspended');
    assert.match(String(api.tree.getTreeItem(suspended).contextValue), /\+resume\b/);
    r = await runCommand(api, 'durableExplorer.resume', [{ input: '' }], suspended);
    assertSucceeded(r, 'durableExplorer.resume');
    await api.statusSettled();
    assert.equal((await statusOf(id))?.runtimeStatus, 'Running');
  });

  it('rewind: a failed instance runs again and completes', async () => {
    const id = await start('FailsUntilRewound', 'null');
    await waitFor(id, (s) => s.runtimeStatus === 'Failed');
    const r = await runCommand(api, 'durableExplorer.rewind', [{ input: 'fixed the bug' }], await instanceNode(api, id, 'Failed'));
    assertSucceeded(r, 'durableExplorer.rewind');
    await waitFor(id, (s) => s.runtimeStatus === 'Completed');
  });

  it('restart as a new instance keeps the old one and runs the same input', async () => {
    const id = unique('restart');
    await start('HelloCities', '["Rome"]', id);
    await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    const r = await runCommand(api, 'durableExplorer.restart', [{ pick: 'Restart as a new instance' }], await instanceNode(api, id, 'Completed'));
    assertSucceeded(r, 'durableExplorer.restart');
    const newId = /^Restarted as '([^']+)'\.$/.exec(r.ui.infos[0] ?? '')?.[1];
    assert.ok(newId && newId !== id, r.ui.infos.join('\n'));
    const done = await waitFor(newId, (s) => s.runtimeStatus === 'Completed');
    assert.deepEqual(done.output, ['Hello Rome!']);
    assert.equal((await statusOf(id))?.runtimeStatus, 'Completed');
  });

  it('purge instance: confirms, deletes it, and removes it from the tree', async () => {
    const id = unique('purge');
    await start('HelloCities', '["Lima"]', id);
    await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    const node = await instanceNode(api, id, 'Completed');
    const r = await runCommand(api, 'durableExplorer.purgeInstance', [{ confirm: 'Purge' }], node);
    assertSucceeded(r, 'durableExplorer.purgeInstance');
    assert.equal(await statusOf(id), undefined);
    const children = await api.tree.getChildren(node.parent);
    assert.ok(!children.some((c) => c.type === 'instance' && c.instance.instanceId === id));
  });

  it('force purge removes a running instance', async () => {
    const id = await start('ApprovalWorkflow', '{"timeoutSeconds": 600}');
    await waitFor(id, (s) => s.runtimeStatus === 'Running');
    const r = await runCommand(api, 'durableExplorer.forcePurge', [{ confirm: 'Force Purge' }], await instanceNode(api, id, 'Running'));
    assertSucceeded(r, 'durableExplorer.forcePurge');
    assert.equal(await statusOf(id), undefined);
  });

  it('a refused operation shows one line naming the problem (terminate a completed instance from the palette)', async () => {
    const id = unique('done');
    await start('HelloCities', '["Kyiv"]', id);
    await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    const r = await runCommand(api, 'durableExplorer.terminate', [{ pick: 'SampleHub' }, { suggest: id, typed: id.slice(0, 12), expectSuggestion: id }, { input: '' }, { confirm: 'Terminate' }]);
    assert.deepEqual(r.ui.errors, [`Cannot terminate instance '${id}': it is Completed; only Running, Pending, Suspended, ContinuedAsNew instances can be terminated.`]);
    assert.equal(r.events.find((e) => e.name === 'command')?.properties.errorCode, 'Conflict');
    assert.equal(r.events.find((e) => e.name === 'command')?.properties.invokedFrom, 'palette');
  });

  it('go to instance: prefix suggestions, and a clear error for an unknown id', async () => {
    const hub = await hubNode(api);
    const unknown = await runCommand(api, 'durableExplorer.goToInstance', [{ suggest: 'no-such-instance' }], hub);
    assert.deepEqual(unknown.ui.errors, ["Could not find an orchestration instance with id 'no-such-instance'"]);
    const id = unique('goto');
    await start('HelloCities', '["Cairo"]', id);
    const r = await runCommand(api, 'durableExplorer.goToInstance', [{ suggest: id, typed: 'ext-goto', expectSuggestion: id }], hub);
    assertSucceeded(r, 'durableExplorer.goToInstance');
    // It opens the instance page.
    assert.ok(api.instancePages.info().some((p) => p.instanceId === id && p.hubName === 'SampleHub'), JSON.stringify(api.instancePages.info().map((p) => p.instanceId)));
    api.instancePages.closeAll();
  });

  it('show instance opens the instance page, whose "Open as JSON document" shows status, input, output and history', async () => {
    const id = unique('show');
    await start('HelloCities', '["Paris"]', id);
    await waitFor(id, (s) => s.runtimeStatus === 'Completed');
    const r = await runCommand(api, 'durableExplorer.showInstance', [], await instanceNode(api, id, 'Completed'));
    assertSucceeded(r, 'durableExplorer.showInstance');
    assert.ok(api.instancePages.info().some((p) => p.instanceId === id), 'no instance page opened');
    // The whole-instance JSON document is reached through the page.
    await api.instancePages.receive(id, { type: 'request', id: 1, method: 'instance/status', params: {} });
    const opened = await api.instancePages.receive(id, { type: 'request', id: 2, method: 'instance/openDocument', params: { what: 'instance' } });
    assert.equal(opened.kind === 'reply' && opened.reply.ok, true, JSON.stringify(opened));
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc);
    assert.equal(doc.uri.scheme, 'durable-instance');
    const shown = JSON.parse(doc.getText()) as { instanceId: string; input: unknown; output: unknown; history: { EventType: string }[] };
    assert.equal(shown.instanceId, id);
    assert.deepEqual(shown.input, ['Paris']);
    assert.deepEqual(shown.output, ['Hello Paris!']);
    assert.equal(shown.history[0].EventType, 'OrchestratorStarted');
    assert.ok(shown.history.some((e) => e.EventType === 'ExecutionCompleted'));
    api.instancePages.closeAll();
  });

  it('copy instance id', async () => {
    const node = await instanceNode(api, 'approval-waiting', 'All');
    const r = await runCommand(api, 'durableExplorer.copyInstanceId', [], node);
    assertSucceeded(r, 'durableExplorer.copyInstanceId');
    assert.equal(r.ui.clipboard, 'approval-waiting');
  });

  it('telemetry carries no instance id, hub name or account name', async () => {
    const id = unique('telemetry');
    const r = await runCommand(api, 'durableExplorer.startNew', [{ input: 'HelloCities' }, { input: id }, { input: '' }], await hubNode(api));
    assertSucceeded(r, 'durableExplorer.startNew');
    const text = JSON.stringify(r.events);
    for (const forbidden of [id, 'SampleHub', 'devstoreaccount1']) {
      assert.ok(!text.includes(forbidden), `${forbidden} in ${text}`);
    }
  });
});
