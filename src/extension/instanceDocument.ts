// Read-only JSON documents, served by a content provider so they never ask to be saved: the whole
// instance (status with input and output, and the history) — the instance page's "Open as JSON
// document" — and single values or events the page hands over.
import * as vscode from 'vscode';
import type { HistoryEvent, InstanceClient } from '../core';

export const INSTANCE_SCHEME = 'durable-instance';
const HISTORY_LIMIT = 5000;
/** Single-value documents kept (the oldest are forgotten; reopening them says so). */
const TEXT_LIMIT = 50;

export class InstanceDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly targets = new Map<string, { client: InstanceClient; hubName: string; instanceId: string }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly texts = new Map<string, string>();
  private next = 0;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(INSTANCE_SCHEME, this);
  }

  /** Opens (or re-reads) the document of one instance, read through its hub's client (either transport). */
  async show(client: InstanceClient, hubName: string, instanceId: string, column?: vscode.ViewColumn): Promise<vscode.TextEditor> {
    let key = [...this.targets].find(([, t]) => t.client === client && t.instanceId === instanceId)?.[0];
    if (!key) {
      key = String(++this.next);
      this.targets.set(key, { client, hubName, instanceId });
    }
    // The id is untrusted: keep only harmless characters in the tab title.
    const title = instanceId.replace(/[^\w.@-]+/g, '_').slice(0, 80) || 'instance';
    const uri = vscode.Uri.from({ scheme: INSTANCE_SCHEME, path: `/${hubName.replace(/[^\w.@-]+/g, '_')}/${key}/${title}.json` });
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: true, ...(column !== undefined ? { viewColumn: column } : {}) });
  }

  /** Opens a fixed JSON text (one value or event of an instance) as a read-only document. */
  async showText(hubName: string, name: string, text: string, column?: vscode.ViewColumn): Promise<vscode.TextEditor> {
    const key = `t${++this.next}`;
    this.texts.set(key, text);
    for (const old of this.texts.keys()) {
      if (this.texts.size <= TEXT_LIMIT) {
        break;
      }
      this.texts.delete(old);
    }
    const title = name.replace(/[^\w.@-]+/g, '_').slice(0, 100) || 'value';
    const uri = vscode.Uri.from({ scheme: INSTANCE_SCHEME, path: `/${hubName}/${key}/${title}.json` });
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: true, ...(column !== undefined ? { viewColumn: column } : {}) });
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const key = uri.path.split('/')[2];
    const text = key ? this.texts.get(key) : undefined;
    if (text !== undefined) {
      return text;
    }
    const target = key ? this.targets.get(key) : undefined;
    if (!target) {
      return JSON.stringify({ error: 'This instance document is no longer available; open it again from the tree.' }, null, 2);
    }
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      const { client, instanceId } = target;
      const status = await client.getInstance({ instanceId, showInput: true, showOutput: true, signal: controller.signal });
      const history: HistoryEvent[] = [];
      let continuationToken: string | null = null;
      do {
        const page = await client.readHistory({ instanceId, pageSize: 1000, continuationToken, signal: controller.signal });
        history.push(...page.events);
        continuationToken = page.continuationToken;
      } while (continuationToken && history.length < HISTORY_LIMIT);
      const truncated = continuationToken ? { historyTruncated: `first ${history.length} events shown; use \`durable get-history\` for all` } : {};
      return JSON.stringify({ taskHub: target.hubName, ...status, ...truncated, history }, null, 2);
    } catch (e) {
      return JSON.stringify({ error: (e as Error).message }, null, 2);
    } finally {
      subscription.dispose();
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
