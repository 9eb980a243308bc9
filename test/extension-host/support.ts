// Shared by the extension-host tests: the activated extension's API, a scripted `Ui` that answers
// prompts in order (and fails on any prompt it was not told about), and storage read-backs.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createStorageClients, getInstance, isDurableError, openTaskHub, waitForStatus } from '../../src/core';
import type { InstanceStatus, StorageClients, TaskHub } from '../../src/core';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { Suggestion, Ui } from '../../src/extension/commands/ui';
import type { RecordedEvent } from '../../src/extension/telemetry';
import type { GroupNode, HubNode, InstanceNode, TreeNode } from '../../src/extension/tree/nodes';

export const EXTENSION_ID = 'durable-explorer.durable-explorer';
export const HUB = 'SampleHub';

export function connectionString(): string {
  const value = process.env.DURABLE_TEST_CONNECTION;
  assert.ok(value, 'DURABLE_TEST_CONNECTION is not set');
  return value;
}

let apiPromise: Promise<DurableExplorerApi> | undefined;
export function extensionApi(): Promise<DurableExplorerApi> {
  apiPromise ??= (async () => {
    const ext = vscode.extensions.getExtension<DurableExplorerApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    return ext.activate();
  })();
  return apiPromise;
}

let clients: Promise<StorageClients> | undefined;
export function storage(): Promise<StorageClients> {
  clients ??= createStorageClients({ kind: 'connectionString', connectionString: connectionString() });
  return clients;
}

export async function coreHub(name = HUB): Promise<TaskHub> {
  return openTaskHub({ clients: await storage(), name });
}

export async function statusOf(instanceId: string, hub = HUB): Promise<InstanceStatus | undefined> {
  try {
    return await getInstance(await coreHub(hub), instanceId, { showOutput: true });
  } catch (e) {
    if (isDurableError(e) && e.code === 'NotFound') {
      return undefined;
    }
    throw e;
  }
}

export async function waitFor(instanceId: string, until: (s: InstanceStatus) => boolean, timeoutMs = 30_000, hub = HUB): Promise<InstanceStatus> {
  const r = await waitForStatus(await coreHub(hub), { instanceId, until, timeoutMs, intervalMs: 250 });
  assert.ok(!r.timedOut, `instance '${instanceId}' is still ${r.status.runtimeStatus} after ${timeoutMs} ms`);
  // waitForStatus reads the status columns only; read again with the output.
  const full = await statusOf(instanceId, hub);
  assert.ok(full, `instance '${instanceId}' disappeared`);
  return full;
}

// ---- The tree ---------------------------------------------------------------------------------

export async function hubNode(api: DurableExplorerApi, name = HUB): Promise<HubNode> {
  const hubs = await api.tree.allHubs();
  const local = hubs.find((h) => h.info.name === name && h.parent.spec.kind === 'local');
  const hub = local ?? hubs.find((h) => h.info.name === name);
  assert.ok(hub, `hub ${name} not in the tree; hubs: ${hubs.map((h) => `${h.parent.spec.label}/${h.info.name}`).join(', ')}`);
  return hub;
}

export async function groupNode(api: DurableExplorerApi, hub: HubNode, status: string): Promise<GroupNode> {
  const groups = (await api.tree.getChildren(hub)) as TreeNode[];
  const group = groups.find((g): g is GroupNode => g.type === 'group' && g.status === status);
  assert.ok(group, `no ${status} group`);
  return group;
}

/** The instance's node in a status group, reloading the group first (it may just have arrived). */
export async function instanceNode(api: DurableExplorerApi, instanceId: string, status = 'All', name = HUB): Promise<InstanceNode> {
  const hub = await hubNode(api, name);
  const group = await groupNode(api, hub, status);
  api.tree.refresh(group);
  let children = await api.tree.getChildren(group);
  // The id may be beyond the first page: load more until found or exhausted.
  for (;;) {
    const node = children.find((c): c is InstanceNode => c.type === 'instance' && c.instance.instanceId === instanceId);
    if (node) {
      return node;
    }
    const more = children.find((c) => c.type === 'loadMore');
    assert.ok(more && more.type === 'loadMore', `instance '${instanceId}' is not in the ${status} group`);
    await api.tree.loadMore(more);
    children = await api.tree.getChildren(group);
  }
}

// ---- Scripted prompts -------------------------------------------------------------------------

export type Answer =
  | { input: string | undefined; expectProblem?: RegExp; retry?: string }
  | { pick: string | undefined }
  | { pickMany: string[] | undefined }
  | { confirm: string | undefined }
  | { suggest: string | undefined; typed?: string; expectSuggestion?: string };

export interface Prompt {
  kind: string;
  title: string;
}

/** Answers prompts in order. A prompt with no answer left, or of another kind, fails the test. */
export class ScriptedUi implements Ui {
  readonly prompts: Prompt[] = [];
  readonly infos: string[] = [];
  readonly errors: string[] = [];
  readonly problems: string[] = [];
  readonly suggestions: Suggestion[][] = [];
  clipboard: string | undefined;
  unexpected: string | undefined;

  constructor(private readonly answers: Answer[]) {}

  private next<K extends string>(kind: K, title: string): Extract<Answer, Record<K, unknown>> | undefined {
    this.prompts.push({ kind, title });
    const answer = this.answers.shift();
    if (!answer || !(kind in answer)) {
      this.unexpected ??= `unexpected ${kind} prompt "${title}" (next answer: ${JSON.stringify(answer)})`;
      return undefined;
    }
    return answer as Extract<Answer, Record<K, unknown>>;
  }

  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const a = this.next('input', options.title ?? options.prompt ?? '');
    if (!a || a.input === undefined) {
      return undefined;
    }
    const problem = await options.validateInput?.(a.input);
    const text = typeof problem === 'string' ? problem : problem && typeof problem === 'object' ? problem.message : undefined;
    if (text) {
      this.problems.push(text);
      if (a.expectProblem && a.retry !== undefined) {
        assert.match(text, a.expectProblem);
        // The user fixes the value, as they would in the box.
        const again = await options.validateInput?.(a.retry);
        assert.ok(!again, `the corrected value is still refused: ${JSON.stringify(again)}`);
        return a.retry;
      }
      // A real input box would not accept it: the user gives up.
      return undefined;
    }
    assert.ok(!a.expectProblem, `expected a validation problem for ${JSON.stringify(a.input)}`);
    return a.input;
  }

  async showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    const a = this.next('pick', options.title ?? options.placeHolder ?? '');
    if (!a || a.pick === undefined) {
      return undefined;
    }
    const item = items.find((i) => i.label === a.pick);
    assert.ok(item, `no item '${a.pick}' in [${items.map((i) => i.label).join(', ')}]`);
    return item;
  }

  async showQuickPickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<readonly T[] | undefined> {
    const a = this.next('pickMany', options.title ?? '');
    if (!a || a.pickMany === undefined) {
      return undefined;
    }
    return items.filter((i) => a.pickMany?.includes(i.label));
  }

  async confirm(message: string, _detail: string, button: string): Promise<string | undefined> {
    const a = this.next('confirm', message);
    if (a?.confirm !== undefined) {
      assert.equal(a.confirm, button, `the confirmation button is '${button}'`);
    }
    return a?.confirm;
  }

  async showInformationMessage(message: string): Promise<string | undefined> {
    this.infos.push(message);
    return undefined;
  }

  async showErrorMessage(message: string): Promise<string | undefined> {
    this.errors.push(message);
    return undefined;
  }

  async pickWithSuggestions(options: { title: string; suggest: (value: string) => Promise<Suggestion[]> }): Promise<string | undefined> {
    const a = this.next('suggest', options.title);
    if (!a || a.suggest === undefined) {
      return undefined;
    }
    if (a.typed !== undefined) {
      const suggestions = await options.suggest(a.typed);
      this.suggestions.push(suggestions);
      if (a.expectSuggestion) {
        assert.ok(
          suggestions.some((s) => s.label === a.expectSuggestion),
          `'${a.expectSuggestion}' not suggested for '${a.typed}': ${suggestions.map((s) => s.label).join(', ')}`,
        );
      }
    }
    return a.suggest;
  }

  async writeClipboard(text: string): Promise<void> {
    this.clipboard = text;
  }

  /** Every answer used and no unexpected prompt. */
  assertDone(): void {
    assert.equal(this.unexpected, undefined);
    assert.deepEqual(this.answers, [], 'answers left unused');
  }
}

/** Runs a command with scripted answers; returns the Ui (for its messages) and the telemetry sent. */
export async function runCommand(
  api: DurableExplorerApi,
  command: string,
  answers: Answer[],
  ...args: unknown[]
): Promise<{ ui: ScriptedUi; events: RecordedEvent[] }> {
  const ui = new ScriptedUi(answers);
  const events: RecordedEvent[] = [];
  api.setUi(ui);
  api.setTelemetrySink((e) => events.push(e));
  try {
    await vscode.commands.executeCommand(command, ...args);
  } finally {
    api.setUi(undefined);
    api.setTelemetrySink(undefined);
  }
  return { ui, events };
}

/** The command succeeded: no error shown, every prompt answered. */
export function assertSucceeded(r: { ui: ScriptedUi; events: RecordedEvent[] }, command: string): void {
  assert.deepEqual(r.ui.errors, [], `errors shown by ${command}`);
  r.ui.assertDone();
  const event = r.events.find((e) => e.name === 'command' && e.properties.command === command.replace('durableExplorer.', ''));
  assert.equal(event?.properties.result, 'Succeeded', `telemetry for ${command}: ${JSON.stringify(r.events)}`);
}
