// The instance pages: one panel per instance (per connection and hub), revealed when opened again,
// restored after a window reload by a WebviewPanelSerializer from the state the page keeps with
// setState (its connection, hub and instance id; never a secret).
import * as vscode from 'vscode';
import type { InstancePageSettings, PanelTarget } from '../../shared/protocol';
import { INSTANCE_VIEW_TYPE, panelTargetFromState } from '../../shared/protocol';
import { readSettings } from '../settings';
import type { HubNode } from '../tree/nodes';
import type { ReceiveOutcome } from './channel';
import type { InstancePanelDeps } from './instancePanel';
import { InstancePanel, panelKey, panelTitle, webviewOptions } from './instancePanel';

export type InstancePagesDeps = Omit<InstancePanelDeps, 'openInstance' | 'settings'>;

/** What tests see of an open page. */
export interface InstancePageInfo {
  key: string;
  instanceId: string;
  hubName: string;
  connectionId: string;
  title: string;
  html: string;
  visible: boolean;
  active: boolean;
}

export function pageSettings(): InstancePageSettings {
  const s = readSettings();
  return { refreshSeconds: s.instancePageRefreshSeconds, pollTimeoutSeconds: s.statusPollTimeoutSeconds };
}

export class InstancePages implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, InstancePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panelDeps: InstancePanelDeps;

  constructor(deps: InstancePagesDeps) {
    this.panelDeps = {
      ...deps,
      settings: pageSettings,
      openInstance: (hubNode, instanceId) => void this.show(hubNode, instanceId),
    };
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(INSTANCE_VIEW_TYPE, this),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('durableExplorer.instancePage') || e.affectsConfiguration('durableExplorer.statusPollTimeoutSeconds')) {
          for (const panel of this.panels.values()) {
            panel.settingsChanged();
          }
        }
      }),
    );
  }

  /** Opens the page of an instance, or reveals (and refreshes) the one already open. */
  show(hubNode: HubNode, instanceId: string): InstancePanel {
    const target: PanelTarget = { connectionId: hubNode.parent.spec.id, hubName: hubNode.info.name, instanceId };
    const existing = this.panels.get(panelKey(target));
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(INSTANCE_VIEW_TYPE, panelTitle(instanceId), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(this.panelDeps.extensionUri));
    return this.adopt(panel, target, hubNode);
  }

  /** Restores a page after a reload, from the state its page saved. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const target = panelTargetFromState(state);
    if (!target) {
      // Nothing to restore it from (state from another version, or none): close it.
      panel.dispose();
      return;
    }
    if (this.panels.has(panelKey(target))) {
      panel.dispose();
      return;
    }
    let hubNode: HubNode | undefined;
    let unavailable: string | undefined;
    try {
      const hubs = await this.panelDeps.tree.allHubs();
      hubNode = hubs.find((h) => h.parent.spec.id === target.connectionId && h.info.name === target.hubName);
      if (!hubNode) {
        unavailable = `Task hub '${target.hubName}' is no longer in the Task Hubs view (its connection was removed or is unreachable).`;
      }
    } catch (e) {
      unavailable = `The task hubs could not be listed: ${this.panelDeps.log.mask((e as Error).message)}`;
    }
    this.adopt(panel, target, hubNode, unavailable);
  }

  private adopt(panel: vscode.WebviewPanel, target: PanelTarget, hubNode: HubNode | undefined, unavailable?: string): InstancePanel {
    let page: InstancePanel;
    try {
      page = new InstancePanel(panel, target, hubNode, this.panelDeps, unavailable);
    } catch (e) {
      panel.dispose();
      throw e;
    }
    this.panels.set(page.key, page);
    page.onDispose(() => {
      if (this.panels.get(page.key) === page) {
        this.panels.delete(page.key);
      }
    });
    return page;
  }

  list(): InstancePanel[] {
    return [...this.panels.values()];
  }

  info(): InstancePageInfo[] {
    return this.list().map((p) => ({
      key: p.key,
      instanceId: p.target.instanceId,
      hubName: p.target.hubName,
      connectionId: p.target.connectionId,
      title: p.panel.title,
      html: p.currentHtml,
      visible: p.panel.visible,
      active: p.panel.active,
    }));
  }

  /** Handles a message as if the page of `instanceId` (the first open one) had posted it. */
  receive(instanceId: string, raw: unknown): Promise<ReceiveOutcome> {
    const page = this.list().find((p) => p.target.instanceId === instanceId);
    if (!page) {
      throw new Error(`No instance page is open for '${instanceId}'.`);
    }
    return page.receive(raw);
  }

  closeAll(): void {
    for (const panel of this.list()) {
      panel.dispose();
    }
  }

  dispose(): void {
    this.closeAll();
    for (const d of this.disposables.splice(0)) {
      d.dispose();
    }
  }
}
