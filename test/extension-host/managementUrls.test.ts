// "Copy Management URLs…", "Set Management Key…" and the instance page's "Copy status URL", inside
// VS Code: what reaches the clipboard is core's managementUrls() for the node's hub and connection
// setting, for the host in `durableExplorer.managementUrls.hostUrl`; the key kept in SecretStorage
// appears as `code=` only while it is set, and never in the log, telemetry, the quick pick or a
// page's reply.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_CONNECTION_SETTING, managementUrls, resolveConnection, startNew } from '../../src/core';
import type { ManagementUrls } from '../../src/core';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { RecordedEvent } from '../../src/extension/telemetry';
import type { HubNode, InstanceNode } from '../../src/extension/tree/nodes';
import type { ReceiveOutcome } from '../../src/extension/webviews/channel';
import type { Answer } from './support';
import { HUB, ScriptedUi, assertSucceeded, coreHub, extensionApi, hubNode, instanceNode, runCommand, waitFor } from './support';

const COPY = 'durableExplorer.copyManagementUrls';
const SET_KEY = 'durableExplorer.setManagementKey';
const SETTING = 'managementUrls.hostUrl';
const URL_NAMES = ['statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'rewindPostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri'] as const;
// Shaped like a Functions system key (base64 with `=` padding and a `/`).
const KEY = `Zk9${randomUUID().replace(/-/g, '')}/q+Lw==`;

/** Also keeps the quick pick's items, to check what the user is shown. */
class RecordingUi extends ScriptedUi {
  readonly shownItems: vscode.QuickPickItem[][] = [];

  override showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    this.shownItems.push([...items]);
    return super.showQuickPick(items, options);
  }
}

describe('Management URLs', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  let hub: HubNode;
  let node: InstanceNode;
  const suffix = randomUUID().slice(0, 8);
  // Spaces, `&`, `+` and a non-ASCII letter: each must be form-encoded as the runtime does.
  const instanceId = `ext-urls a&b+é ${suffix}`;
  let connectionName: string;
  const tempDirs: string[] = [];

  const setHost = (value: string | undefined): Thenable<void> =>
    vscode.workspace.getConfiguration('durableExplorer').update(SETTING, value, vscode.ConfigurationTarget.Global);

  /** Runs a command with a RecordingUi; returns it with the telemetry sent. */
  async function run(command: string, answers: Answer[], arg?: unknown): Promise<{ ui: RecordingUi; events: RecordedEvent[] }> {
    const ui = new RecordingUi(answers);
    const events: RecordedEvent[] = [];
    api.setUi(ui);
    api.setTelemetrySink((e) => events.push(e));
    try {
      await vscode.commands.executeCommand(command, arg);
    } finally {
      api.setUi(undefined);
      api.setTelemetrySink(undefined);
    }
    return { ui, events };
  }

  async function copy(pick: string, arg: unknown): Promise<{ ui: RecordingUi; events: RecordedEvent[] }> {
    const r = await run(COPY, [{ pick }], arg);
    assertSucceeded(r, COPY);
    return r;
  }

  /** An instance node on a hub of a local project at `folder`: nothing in storage is read for URLs. */
  function nodeIn(folder: string, id: string): InstanceNode {
    const spec = { id: `local:${folder}`, kind: 'local' as const, label: 'urls-test', folderPath: folder };
    const hubNodeOf = { ...hub, id: `${spec.id}/${HUB}`, parent: { type: 'connection' as const, id: spec.id, spec } };
    const group = { type: 'group' as const, id: `${hubNodeOf.id}/All`, parent: hubNodeOf, status: 'All' as const };
    return { type: 'instance', id: `${group.id}/${id}`, parent: group, instance: { ...node.instance, instanceId: id } };
  }

  before(async () => {
    api = await extensionApi();
    await setHost(undefined);
    await startNew(await coreHub(), { name: 'HelloCities', instanceId, input: '["Quito"]' });
    await waitFor(instanceId, (s) => s.runtimeStatus === 'Completed');
    node = await instanceNode(api, instanceId, 'All');
    hub = await hubNode(api);
    const spec = hub.parent.spec;
    // What the tree resolved the connection from (the manager's call: the project's own settings).
    connectionName = spec.kind === 'local' ? (await resolveConnection({ cwd: spec.folderPath, env: {} })).settingName : DEFAULT_CONNECTION_SETTING;
  });

  afterEach(async () => {
    api.instancePages.closeAll();
    api.setUi(undefined);
  });

  after(async () => {
    // Leave no key and no setting behind for the other suites.
    for (const host of ['https://myapp.example.net', 'http://localhost:7071']) {
      await setHost(host);
      await run(SET_KEY, [{ input: '' }]);
    }
    await setHost(undefined);
    for (const dir of tempDirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies each URL of a tree instance exactly, and "All as JSON" is the whole payload', async () => {
    const expected = managementUrls({ hostUrl: 'http://localhost:7071', instanceId, taskHub: HUB, connectionName });
    assert.equal(
      expected.statusQueryGetUri,
      `http://localhost:7071/runtime/webhooks/durabletask/instances/ext-urls+a%26b%2B%C3%A9+${suffix}?taskHub=${HUB}&connection=${connectionName}`,
    );
    for (const name of URL_NAMES) {
      const r = await copy(name, node);
      assert.equal(r.ui.clipboard, expected[name], name);
      assert.deepEqual(r.ui.infos, [`Copied ${name}.`]);
      // The pick shows every URL by name, with the URL as detail, then "All as JSON".
      const items = r.ui.shownItems[0];
      assert.deepEqual(items.map((i) => i.label), [...URL_NAMES, 'All as JSON']);
      assert.deepEqual(items.slice(0, 8).map((i) => i.detail), URL_NAMES.map((n) => expected[n]));
      // Telemetry names the command and its outcome: no id, hub or URL.
      const sent = JSON.stringify(r.events);
      for (const text of [instanceId, HUB, 'localhost']) {
        assert.ok(!sent.includes(text), `${text} in telemetry: ${sent}`);
      }
    }
    const all = await copy('All as JSON', node);
    assert.deepEqual(JSON.parse(all.ui.clipboard ?? ''), expected);
    assert.equal(all.ui.clipboard, JSON.stringify(expected, null, 2));
    assert.deepEqual(all.ui.infos, ['Copied the management URLs as JSON.']);
  });

  it("uses the host setting and a local project's own connection setting; an id with '/' is encoded", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'durable-urls-'));
    tempDirs.push(folder);
    writeFileSync(
      path.join(folder, 'host.json'),
      JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: HUB, storageProvider: { connectionName: 'OrdersStorage' } } } }),
    );
    await setHost('https://proxy.example.net/app/');
    const r = await copy('statusQueryGetUri', nodeIn(folder, 'a b/c'));
    assert.equal(r.ui.clipboard, `https://proxy.example.net/app/runtime/webhooks/durabletask/instances/a+b%2Fc?taskHub=${HUB}&connection=OrdersStorage`);
    assert.equal(r.ui.clipboard, managementUrls({ hostUrl: 'https://proxy.example.net/app/', instanceId: 'a b/c', taskHub: HUB, connectionName: 'OrdersStorage' }).statusQueryGetUri);
    // Entities have endpoints of their own (/entities/{name}/{key}), not these.
    const entity = await run(COPY, [], nodeIn(folder, '@counter@k'));
    assert.equal(entity.ui.clipboard, undefined);
    assert.match(entity.ui.errors[0] ?? '', /^Durable entities have no instance management URLs/);
  });

  it('a stored key is added as code= only while it is set, and never reaches the log, telemetry or the quick pick', async () => {
    await setHost('https://myapp.example.net/');
    const withKey = (code?: string): ManagementUrls =>
      managementUrls({ hostUrl: 'https://myapp.example.net', instanceId, taskHub: HUB, connectionName, ...(code ? { code } : {}) });
    let r = await copy('terminatePostUri', node);
    assert.equal(r.ui.clipboard, withKey().terminatePostUri);
    assert.ok(!r.ui.clipboard?.includes('code='));

    // A key with a space is refused as typed; the corrected one is stored.
    const set = await run(SET_KEY, [{ input: 'not a key', expectProblem: /no spaces/, retry: KEY }]);
    assertSucceeded(set, SET_KEY);
    assert.deepEqual(set.ui.infos, ['Stored the management key for https://myapp.example.net/.']);
    // The same host spelled without the slash finds the key.
    await setHost('https://myapp.example.net');
    const events: RecordedEvent[] = [...set.events];
    const shown: string[] = [];
    for (const name of URL_NAMES) {
      r = await copy(name, node);
      assert.equal(r.ui.clipboard, withKey(KEY)[name], name);
      assert.match(r.ui.clipboard ?? '', /[?&]code=/);
      assert.deepEqual(r.ui.infos, [`Copied ${name} (with the management key).`]);
      events.push(...r.events);
      shown.push(JSON.stringify(r.ui.shownItems), ...r.ui.infos, ...r.ui.errors);
    }
    r = await copy('All as JSON', node);
    assert.deepEqual(JSON.parse(r.ui.clipboard ?? ''), withKey(KEY));
    events.push(...r.events);
    shown.push(JSON.stringify(r.ui.shownItems));
    // The key's shapes (as typed, and %-encoded as it is in the URLs) appear nowhere but the clipboard.
    const shapes = [KEY, KEY.replace(/\+/g, '%2B'), encodeURIComponent(KEY)];
    for (const [where, text] of [['telemetry', JSON.stringify(events)], ['the quick pick and messages', shown.join('\n')], ['the log', api.readLog()]] as const) {
      for (const shape of shapes) {
        assert.ok(!text.includes(shape), `the key appears in ${where}`);
      }
    }

    // An empty key removes it: the URLs are built without code= again.
    const removed = await run(SET_KEY, [{ input: '' }]);
    assertSucceeded(removed, SET_KEY);
    assert.deepEqual(removed.ui.infos, ['Removed the management key for https://myapp.example.net.']);
    r = await copy('statusQueryGetUri', node);
    assert.equal(r.ui.clipboard, withKey().statusQueryGetUri);
    assert.deepEqual(r.ui.infos, ['Copied statusQueryGetUri.']);
  });

  it('a host setting that is not a base URL fails with an error naming the setting, and copies nothing', async () => {
    for (const bad of ['localhost:7071', 'ftp://myapp.example.net', 'https://myapp.example.net/?code=abc']) {
      await setHost(bad);
      for (const command of [COPY, SET_KEY]) {
        const r = await run(command, [], node);
        assert.equal(r.ui.clipboard, undefined);
        assert.equal(r.ui.errors.length, 1, `${command} with ${bad}`);
        assert.match(r.ui.errors[0], /^The setting 'durableExplorer\.managementUrls\.hostUrl' is not usable: /);
        r.ui.assertDone();
        const event = r.events.find((e) => e.name === 'command');
        assert.deepEqual([event?.properties.result, event?.properties.errorCode], ['Failed', 'Validation']);
      }
    }
  });

  it("the instance page's Copy status URL: the host copies it (key included), the page's reply holds neither", async () => {
    await setHost('https://myapp.example.net');
    assertSucceeded(await run(SET_KEY, [{ input: KEY }]), SET_KEY);
    const shown = await runCommand(api, 'durableExplorer.showInstance', [], node);
    assertSucceeded(shown, 'durableExplorer.showInstance');
    const ui = new ScriptedUi([]);
    api.setUi(ui);
    const events: RecordedEvent[] = [];
    api.setTelemetrySink((e) => events.push(e));
    let outcome: ReceiveOutcome;
    try {
      outcome = await api.instancePages.receive(instanceId, { type: 'request', id: 1, method: 'instance/copy', params: { what: 'statusUrl' } });
    } finally {
      api.setTelemetrySink(undefined);
    }
    assert.deepEqual(outcome, { kind: 'reply', reply: { type: 'reply', id: 1, ok: true, result: {} } });
    const expected = managementUrls({ hostUrl: 'https://myapp.example.net', instanceId, taskHub: HUB, connectionName, code: KEY }).statusQueryGetUri;
    assert.equal(ui.clipboard, expected);
    const requests = events.filter((e) => e.name === 'webviewRequest');
    assert.deepEqual(requests.map((e) => [e.properties.request, e.properties.result]), [['copy:statusUrl', 'Succeeded']]);

    // Only the declared shape is accepted.
    const extra = await api.instancePages.receive(instanceId, { type: 'request', id: 2, method: 'instance/copy', params: { what: 'statusUrl', hostUrl: 'https://evil.example' } });
    assert.equal(extra.kind, 'rejected');

    // A bad host setting: an error reply naming the setting, nothing copied.
    await setHost('not a url');
    ui.clipboard = undefined;
    const failed = await api.instancePages.receive(instanceId, { type: 'request', id: 3, method: 'instance/copy', params: { what: 'statusUrl' } });
    assert.equal(failed.kind, 'reply');
    const reply = failed.kind === 'reply' ? failed.reply : undefined;
    assert.ok(reply && !reply.ok);
    assert.match(reply.error.message, /durableExplorer\.managementUrls\.hostUrl/);
    assert.equal(reply.error.code, 'Validation');
    assert.equal(ui.clipboard, undefined);
    for (const text of [JSON.stringify([outcome, extra, failed]), api.instancePages.info().map((p) => p.html).join('\n')]) {
      assert.ok(!text.includes(KEY) && !text.includes('myapp.example.net'), text);
    }
    await setHost('https://myapp.example.net');
    assertSucceeded(await run(SET_KEY, [{ input: '' }]), SET_KEY);
  });
});
