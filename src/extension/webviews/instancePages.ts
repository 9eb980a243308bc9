// The instance pages: one panel per instance (per connection and hub); see pageRegistry.ts.
import type * as vscode from 'vscode';
import type { InstancePageSettings, PanelTarget } from '../../shared/protocol';
import { INSTANCE_VIEW_TYPE, panelTargetFromState } from '../../shared/protocol';
import { readSettings } from '../settings';
import type { HubNode } from '../tree/nodes';
import type { ReceiveOutcome } from './channel';
import type { InstancePanelDeps } from './instancePanel';
import { InstancePanel, panelKey } from './instancePanel';
import { panelTitle } from './pageHost';
import { PageRegistry } from './pageRegistry';

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

export class InstancePages implements vscode.Disposable {
  private readonly registry: PageRegistry<PanelTarget, InstancePanel>;

  constructor(deps: InstancePagesDeps) {
    const panelDeps: InstancePanelDeps = {
      ...deps,
      settings: pageSettings,
      openInstance: (hubNode, instanceId) => void this.show(hubNode, instanceId),
    };
    this.registry = new PageRegistry({
      viewType: INSTANCE_VIEW_TYPE,
      extensionUri: deps.extensionUri,
      tree: deps.tree,
      log: deps.log,
      settingsSections: ['durableExplorer.instancePage', 'durableExplorer.statusPollTimeoutSeconds'],
      keyOf: panelKey,
      titleOf: (target) => panelTitle(target.instanceId, 'Instance'),
      targetFromState: panelTargetFromState,
      create: (panel, target, hubNode, unavailable) => new InstancePanel(panel, target, hubNode, panelDeps, unavailable),
    });
  }

  /** Opens the page of an instance, or reveals (and refreshes) the one already open. */
  show(hubNode: HubNode, instanceId: string): InstancePanel {
    return this.registry.open(hubNode, { connectionId: hubNode.parent.spec.id, hubName: hubNode.info.name, instanceId });
  }

  list(): InstancePanel[] {
    return this.registry.list();
  }

  info(): InstancePageInfo[] {
    return this.registry.info().map(({ target, ...rest }) => ({ ...rest, instanceId: target.instanceId, hubName: target.hubName, connectionId: target.connectionId }));
  }

  /** Handles a message as if the page of `instanceId` (the first open one) had posted it. */
  receive(instanceId: string, raw: unknown): Promise<ReceiveOutcome> {
    if (!this.registry.list().some((p) => p.target.instanceId === instanceId)) {
      throw new Error(`No instance page is open for '${instanceId}'.`);
    }
    return this.registry.receive((t) => t.instanceId === instanceId, raw);
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
