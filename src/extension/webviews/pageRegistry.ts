// The open pages of one kind (instance pages, task hub pages): one panel per subject, revealed when
// opened again, restored after a window reload by a WebviewPanelSerializer from the state the page
// keeps with setState (its connection, hub and subject; never a secret).
import * as vscode from 'vscode';
import type { Log } from '../log';
import type { HubNode } from '../tree/nodes';
import type { TaskHubTreeProvider } from '../tree/treeProvider';
import type { ReceiveOutcome } from './channel';
import { webviewOptions } from './pageHost';

export interface PageTarget {
  connectionId: string;
  hubName: string;
}

export interface RegisteredPage<Target extends PageTarget> {
  readonly key: string;
  readonly target: Target;
  readonly panel: vscode.WebviewPanel;
  readonly currentHtml: string;
  reveal(): void;
  settingsChanged(): void;
  receive(raw: unknown): Promise<ReceiveOutcome>;
  onDispose(callback: () => void): void;
  dispose(): void;
}

export interface PageRegistryOptions<Target extends PageTarget, P extends RegisteredPage<Target>> {
  viewType: string;
  extensionUri: vscode.Uri;
  tree: TaskHubTreeProvider;
  log: Log;
  /** Settings sections whose change is passed on to every open page. */
  settingsSections: readonly string[];
  keyOf(target: Target): string;
  titleOf(target: Target): string;
  /** The target a page saved with setState, or undefined if it is not one (another version…). */
  targetFromState(state: unknown): Target | undefined;
  create(panel: vscode.WebviewPanel, target: Target, hubNode: HubNode | undefined, unavailable?: string): P;
}

/** What tests see of an open page. */
export interface PageInfo<Target extends PageTarget> {
  key: string;
  target: Target;
  title: string;
  html: string;
  visible: boolean;
  active: boolean;
}

export class PageRegistry<Target extends PageTarget, P extends RegisteredPage<Target>> implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly pages = new Map<string, P>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly o: PageRegistryOptions<Target, P>) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(o.viewType, this),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (o.settingsSections.some((section) => e.affectsConfiguration(section))) {
          for (const page of this.pages.values()) {
            page.settingsChanged();
          }
        }
      }),
    );
  }

  /** Opens the page of a target, or reveals (and refreshes) the one already open. */
  open(hubNode: HubNode, target: Target): P {
    const existing = this.pages.get(this.o.keyOf(target));
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      this.o.viewType,
      this.o.titleOf(target),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(this.o.extensionUri),
    );
    return this.adopt(panel, target, hubNode);
  }

  /** Restores a page after a reload, from the state its page saved. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const target = this.o.targetFromState(state);
    if (!target || this.pages.has(this.o.keyOf(target))) {
      // Nothing to restore it from (state from another version, or none), or already open.
      panel.dispose();
      return;
    }
    let hubNode: HubNode | undefined;
    let unavailable: string | undefined;
    try {
      const hubs = await this.o.tree.allHubs();
      hubNode = hubs.find((h) => h.parent.spec.id === target.connectionId && h.info.name === target.hubName);
      if (!hubNode) {
        unavailable = `Task hub '${target.hubName}' is no longer in the Task Hubs view (its connection was removed or is unreachable).`;
      }
    } catch (e) {
      unavailable = `The task hubs could not be listed: ${this.o.log.mask((e as Error).message)}`;
    }
    this.adopt(panel, target, hubNode, unavailable);
  }

  /** Restores a page from a saved state in a new panel, as the workbench does after a reload (tests). */
  async restore(state: unknown): Promise<void> {
    const panel = vscode.window.createWebviewPanel(this.o.viewType, 'Restoring…', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, webviewOptions(this.o.extensionUri));
    await this.deserializeWebviewPanel(panel, state);
  }

  private adopt(panel: vscode.WebviewPanel, target: Target, hubNode: HubNode | undefined, unavailable?: string): P {
    let page: P;
    try {
      page = this.o.create(panel, target, hubNode, unavailable);
    } catch (e) {
      panel.dispose();
      throw e;
    }
    this.pages.set(page.key, page);
    page.onDispose(() => {
      if (this.pages.get(page.key) === page) {
        this.pages.delete(page.key);
      }
    });
    return page;
  }

  list(): P[] {
    return [...this.pages.values()];
  }

  info(): PageInfo<Target>[] {
    return this.list().map((p) => ({
      key: p.key,
      target: p.target,
      title: p.panel.title,
      html: p.currentHtml,
      visible: p.panel.visible,
      active: p.panel.active,
    }));
  }

  /** Handles a message as if the first open page matching `predicate` had posted it (tests). */
  receive(predicate: (target: Target) => boolean, raw: unknown): Promise<ReceiveOutcome> {
    const page = this.list().find((p) => predicate(p.target));
    if (!page) {
      throw new Error('No such page is open.');
    }
    return page.receive(raw);
  }

  closeAll(): void {
    for (const page of this.list()) {
      page.dispose();
    }
  }

  dispose(): void {
    this.closeAll();
    for (const d of this.disposables.splice(0)) {
      d.dispose();
    }
  }
}
