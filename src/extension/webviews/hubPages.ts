// The task hub pages: one panel per hub (per connection); see pageRegistry.ts.
import type * as vscode from 'vscode';
import type { HubPageSettings, HubTarget } from '../../shared/protocol';
import { HUB_VIEW_TYPE, hubTargetFromState } from '../../shared/protocol';
import { readSettings } from '../settings';
import type { HubNode } from '../tree/nodes';
import type { ReceiveOutcome } from './channel';
import type { HubPanelDeps } from './hubPanel';
import { HubPanel, hubPanelKey, hubPanelTitle } from './hubPanel';
import type { PageInfo } from './pageRegistry';
import { PageRegistry } from './pageRegistry';

export type HubPagesDeps = Omit<HubPanelDeps, 'settings' | 'bulkConcurrency'>;

/** "Load all and sort" reads at most this many instances. */
export const LOAD_ALL_LIMIT = 10_000;

export function hubPageSettings(): HubPageSettings {
  const s = readSettings();
  return {
    pageSize: s.pageSize,
    timeWindowDays: s.timeWindowDays,
    showEntities: s.showEntities,
    loadAllLimit: LOAD_ALL_LIMIT,
    stuckThresholdMinutes: s.hubPageStuckThresholdMinutes,
  };
}

export class HubPages implements vscode.Disposable {
  private readonly registry: PageRegistry<HubTarget, HubPanel>;

  constructor(deps: HubPagesDeps) {
    const panelDeps: HubPanelDeps = { ...deps, settings: hubPageSettings, bulkConcurrency: () => readSettings().hubPageBulkConcurrency };
    this.registry = new PageRegistry({
      viewType: HUB_VIEW_TYPE,
      extensionUri: deps.extensionUri,
      tree: deps.tree,
      log: deps.log,
      settingsSections: ['durableExplorer.hubPage', 'durableExplorer.pageSize', 'durableExplorer.timeWindowDays', 'durableExplorer.showEntities'],
      keyOf: hubPanelKey,
      titleOf: hubPanelTitle,
      targetFromState: hubTargetFromState,
      create: (panel, target, hubNode, unavailable) => new HubPanel(panel, target, hubNode, panelDeps, unavailable),
    });
  }

  /** Opens the page of a task hub, or reveals (and refreshes) the one already open. */
  show(hubNode: HubNode): HubPanel {
    return this.registry.open(hubNode, { connectionId: hubNode.parent.spec.id, hubName: hubNode.info.name });
  }

  info(): PageInfo<HubTarget>[] {
    return this.registry.info();
  }

  /** Handles a message as if the page of `hubName` (the first open one) had posted it. */
  receive(hubName: string, raw: unknown): Promise<ReceiveOutcome> {
    if (!this.registry.list().some((p) => p.target.hubName === hubName)) {
      throw new Error(`No task hub page is open for '${hubName}'.`);
    }
    return this.registry.receive((t) => t.hubName === hubName, raw);
  }

  /** Restores a page from the state its page saved, as after a window reload (tests). */
  restore(state: unknown): Promise<void> {
    return this.registry.restore(state);
  }

  closeAll(): void {
    this.registry.closeAll();
  }

  dispose(): void {
    this.registry.dispose();
  }
}
