// The "Task Hubs" tree: connections → task hubs → status groups → instances, a page at a time.
// Each status group is its own server-side-filtered query (status + time window), so showing
// the first page never scans the table.
import * as vscode from 'vscode';
import { isDurableError, listTaskHubs, queryInstances } from '../../core';
import type { InstanceStatus, TaskHub, TaskHubInfo } from '../../core';
import { DEFAULT_PARTITION_COUNT } from '../../core/hub';
import type { ConnectionManager } from '../connections/manager';
import { isEmulatorEndpoint } from '../connections/emulator';
import type { ConnectionSpec, OpenedConnection } from '../connections/types';
import type { Log } from '../log';
import { readSettings } from '../settings';
import { ConnectionRecovery } from './recovery';
import { visibleText } from '../../shared/text';
import type { Telemetry } from '../telemetry';
import {
  HUB_CONTEXT_VALUE,
  LOAD_MORE_CONTEXT_VALUE,
  connectionContextValue,
  groupContextValue,
  instanceContextValue,
  messageContextValue,
} from './contextValues';
import type { ConnectionNode, GroupNode, HubNode, InstanceNode, LoadMoreNode, MessageNode, StatusGroup, TreeNode } from './nodes';
import { STATUS_GROUPS, groupStatuses } from './nodes';
import { instanceTooltip, statusIcon } from './presentation';
import { relativeTime } from './time';

interface GroupState {
  items: InstanceNode[];
  continuationToken: string | null;
  /** A page load in flight (so two expansions don't load twice). */
  loading?: Promise<void>;
  error?: MessageNode;
  loaded: boolean;
}

const CONNECTION_ICONS: Record<ConnectionSpec['kind'], string> = {
  local: 'folder',
  emulator: 'vm',
  connectionString: 'plug',
  entra: 'account',
};

export function oneLine(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim()) ?? text;
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

export class TaskHubTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly recovery = new ConnectionRecovery();
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly groups = new Map<string, GroupState>();
  private readonly hubChildren = new Map<string, Promise<TreeNode[]>>();
  /** Instances with an operation the runtime has not processed yet: `hubId|instanceId` → label. */
  private readonly pending = new Map<string, string>();
  private readonly nodes = new Map<string, TreeNode>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly connections: ConnectionManager,
    private readonly log: Log,
    private readonly telemetry: Telemetry,
  ) {
    this.disposables.push(
      connections.onDidChange(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('durableExplorer')) {
          this.groups.clear();
          this.changed.fire(undefined);
        }
      }),
    );
  }

  // ---- TreeDataProvider -------------------------------------------------------------------

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'connection':
        return this.connectionItem(node);
      case 'hub':
        return this.hubItem(node);
      case 'group':
        return this.groupItem(node);
      case 'instance':
        return this.instanceItem(node);
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = LOAD_MORE_CONTEXT_VALUE;
        item.command = { command: 'durableExplorer.loadMore', title: 'Load More', arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info', node.error ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.tooltip = node.detail ?? node.text;
        item.contextValue = messageContextValue({ error: node.error, offerEmulatorStart: node.offerEmulatorStart });
        if (node.offerEmulatorStart) {
          item.command = { command: 'durableExplorer.startEmulator', title: 'Start Local Emulator' };
        }
        return item;
      }
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.type) {
      case 'connection':
        return undefined;
      case 'message':
        return node.parent;
      default:
        return node.parent;
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const children = await this.childrenOf(node);
    for (const c of children) {
      this.nodes.set(c.id, c);
    }
    return children;
  }

  // ---- Loading ----------------------------------------------------------------------------

  private async childrenOf(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      return this.rootNodes();
    }
    switch (node.type) {
      case 'connection':
        return this.hubNodes(node);
      case 'hub':
        // The same objects every time, so getParent of an instance is the group VS Code holds.
        return STATUS_GROUPS.map((status) => {
          const id = `${node.id}/${status}`;
          const known = this.nodes.get(id);
          return known?.type === 'group' && known.parent === node ? known : { type: 'group', id, parent: node, status };
        });
      case 'group':
        return this.groupChildren(node);
      default:
        return [];
    }
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const started = Date.now();
    await vscode.commands.executeCommand('setContext', 'durableExplorer.loading', true);
    try {
      const specs = await this.connections.roots();
      this.telemetry.send('treeLoad', { level: 'roots', result: 'Succeeded' }, { durationMs: Date.now() - started, count: specs.length });
      return specs.map((spec) => ({ type: 'connection', id: spec.id, spec }));
    } finally {
      await vscode.commands.executeCommand('setContext', 'durableExplorer.loading', false);
    }
  }

  private hubNodes(node: ConnectionNode): Promise<TreeNode[]> {
    let loading = this.hubChildren.get(node.id);
    if (!loading) {
      loading = this.loadHubs(node);
      this.hubChildren.set(node.id, loading);
    }
    return loading;
  }

  private async loadHubs(node: ConnectionNode): Promise<TreeNode[]> {
    const started = Date.now();
    let opened: OpenedConnection | undefined;
    try {
      opened = await this.connections.open(node.spec);
      const infos = await listTaskHubs(opened.clients);
      const preferred = opened.preferredHub?.toLowerCase();
      infos.sort((a, b) => Number(b.name.toLowerCase() === preferred) - Number(a.name.toLowerCase() === preferred));
      this.recovery.cancel(node.id);
      this.telemetry.send('treeLoad', { level: 'hubs', connectionKind: node.spec.kind, result: 'Succeeded' }, { durationMs: Date.now() - started, count: infos.length });
      if (infos.length === 0) {
        const hint = opened.preferredHub ? ` (host.json names '${opened.preferredHub}'; it is created when the app first runs)` : '';
        return [this.message(node, 'no-hubs', `No task hubs in this storage account${hint}`)];
      }
      return infos.map((info) => this.hubNode(node, opened as OpenedConnection, info));
    } catch (e) {
      // Forget the failure so the next expansion or refresh tries again.
      this.hubChildren.delete(node.id);
      this.telemetry.send(
        'treeLoad',
        { level: 'hubs', connectionKind: node.spec.kind, result: 'Failed', errorCode: errorCode(e) },
        { durationMs: Date.now() - started },
      );
      if (errorCode(e) === 'Unreachable') {
        // Storage may come back (Azurite restarted): reload the connection when it answers again.
        this.recovery.schedule(
          node.id,
          async (signal) => listTaskHubs((await this.connections.open(node.spec)).clients, { signal }),
          () => this.refresh(node),
        );
      }
      return [this.errorMessage(node, e, opened?.clients.endpoints.table)];
    }
  }

  /** Whether a connection that failed as unreachable is being probed to come back by itself (tests). */
  isRecovering(node: ConnectionNode): boolean {
    return this.recovery.isScheduled(node.id);
  }

  private hubNode(parent: ConnectionNode, opened: OpenedConnection, info: TaskHubInfo): HubNode {
    const hub: TaskHub = {
      clients: opened.clients,
      name: info.name,
      partitionCount: info.partitionCount ?? opened.hostJsonPartitionCount ?? DEFAULT_PARTITION_COUNT,
      partitionCountSource:
        info.layout === 'table' ? 'partitions-table' : info.layout === 'blob' ? 'taskhub.json' : opened.hostJsonPartitionCount ? 'host.json' : 'default',
    };
    return {
      type: 'hub',
      id: `${parent.id}/${info.name}`,
      parent,
      info,
      hub,
      preferred: info.name.toLowerCase() === opened.preferredHub?.toLowerCase(),
    };
  }

  private async groupChildren(group: GroupNode): Promise<TreeNode[]> {
    let state = this.groups.get(group.id);
    if (!state) {
      state = { items: [], continuationToken: null, loaded: false };
      this.groups.set(group.id, state);
    }
    if (!state.loaded && !state.loading) {
      state.loading = this.loadPage(group, state).finally(() => (state.loading = undefined));
    }
    await state.loading;
    if (state.error) {
      return [...state.items, state.error];
    }
    const children: TreeNode[] = [...state.items];
    if (state.continuationToken) {
      children.push({ type: 'loadMore', id: `${group.id}/#more`, parent: group } satisfies LoadMoreNode);
    } else if (state.items.length === 0) {
      const settings = readSettings();
      const window = settings.timeWindowDays > 0 ? ` created in the last ${settings.timeWindowDays} days` : '';
      children.push(this.message(group, 'empty', `No ${group.status === 'All' ? '' : `${group.status.toLowerCase()} `}instances${window}`));
    }
    return children;
  }

  private async loadPage(group: GroupNode, state: GroupState): Promise<void> {
    const settings = readSettings();
    const started = Date.now();
    try {
      const page = await queryInstances(group.parent.hub, {
        statuses: groupStatuses(group.status),
        createdAfter: settings.timeWindowDays > 0 ? new Date(Date.now() - settings.timeWindowDays * 86_400_000) : undefined,
        includeEntities: settings.showEntities,
        pageSize: settings.pageSize,
        continuationToken: state.continuationToken,
      });
      state.items.push(...page.items.map((instance) => this.instanceNode(group, instance)));
      state.continuationToken = page.continuationToken;
      state.loaded = true;
      state.error = undefined;
      this.telemetry.send('treeLoad', { level: 'instances', result: 'Succeeded' }, { durationMs: Date.now() - started, count: page.items.length });
    } catch (e) {
      state.error = this.errorMessage(group, e, group.parent.hub.clients.endpoints.table);
      // Keep what was loaded; the next expansion or "Refresh" retries the page.
      state.loaded = state.items.length > 0;
      this.telemetry.send('treeLoad', { level: 'instances', result: 'Failed', errorCode: errorCode(e) }, { durationMs: Date.now() - started });
    }
  }

  private instanceNode(group: GroupNode, instance: InstanceStatus): InstanceNode {
    return { type: 'instance', id: `${group.id}/${instance.instanceId}`, parent: group, instance };
  }

  private message(parent: TreeNode, key: string, text: string): MessageNode {
    return { type: 'message', id: `${parent.id}/#${key}`, parent, text };
  }

  private errorMessage(parent: TreeNode, e: unknown, endpoint: string | undefined): MessageNode {
    const text = this.log.mask(e instanceof Error ? e.message : String(e));
    this.log.error(`Loading '${parent.type}' failed`, e);
    const unreachable = isDurableError(e) && e.code === 'Unreachable';
    const emulatorDown = unreachable && (parent.type === 'connection' ? parent.spec.kind === 'emulator' || isEmulatorEndpoint(endpoint) : isEmulatorEndpoint(endpoint));
    return {
      type: 'message',
      id: `${parent.id}/#error`,
      parent,
      text: emulatorDown ? 'The local emulator is not running — click to start it' : oneLine(text),
      detail: text,
      error: true,
      offerEmulatorStart: emulatorDown,
    };
  }

  // ---- Items ------------------------------------------------------------------------------

  private connectionItem(node: ConnectionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.spec.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(CONNECTION_ICONS[node.spec.kind]);
    item.contextValue = connectionContextValue(node.spec.kind, { offerEmulatorStart: node.spec.kind === 'emulator' });
    switch (node.spec.kind) {
      case 'local':
        item.description = 'local project';
        item.tooltip = `Function app in ${node.spec.folderPath} (host.json, local.settings.json)`;
        item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        break;
      case 'emulator':
        item.description = 'Azurite';
        item.tooltip = 'The local storage emulator at its default endpoints (UseDevelopmentStorage=true)';
        break;
      case 'connectionString':
        // Only the account name; the string itself never leaves SecretStorage.
        item.description = `${node.spec.accountName} · connection string`;
        item.tooltip = `Storage account ${node.spec.accountName} (connection string stored in VS Code's secret storage: ***)`;
        break;
      case 'entra':
        item.description = `${node.spec.accountName} · Entra ID`;
        item.tooltip = `Storage account ${node.spec.accountName}, signed in with Microsoft Entra ID`;
        break;
    }
    return item;
  }

  private hubItem(node: HubNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.info.name, node.preferred ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    // The hub host.json names is the one the app uses: coloured, first, and expanded.
    item.iconPath = new vscode.ThemeIcon('database', node.preferred ? new vscode.ThemeColor('charts.blue') : undefined);
    const layout = node.info.layout === 'table' ? 'layout v2' : node.info.layout === 'blob' ? 'layout v1' : 'layout unknown';
    const partitions = node.info.partitionCount === null ? `${node.hub.partitionCount} partitions (assumed)` : `${node.info.partitionCount} partitions`;
    item.description = `${partitions} · ${layout}`;
    item.tooltip =
      `Task hub ${node.info.name}${node.preferred ? ' (named in host.json)' : ''}\n${partitions}, ` +
      (node.info.layout === 'table'
        ? `partition table ${node.info.name}Partitions (DurableTask.AzureStorage v2)`
        : node.info.layout === 'blob'
          ? `leases in ${node.info.name.toLowerCase()}-leases (DurableTask.AzureStorage v1)`
          : 'no partition metadata found');
    item.contextValue = HUB_CONTEXT_VALUE;
    return item;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.status, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = statusIcon(node.status);
    const settings = readSettings();
    const window = settings.timeWindowDays > 0 ? `created in the last ${settings.timeWindowDays} days` : 'of any age';
    // The window is said once, on "All", and in every group's tooltip (durableExplorer.timeWindowDays).
    item.description = node.status === 'All' ? window : undefined;
    item.tooltip = `${node.status === 'All' ? 'All instances' : `${node.status} instances`} ${window}, ${settings.pageSize} per page`;
    item.contextValue = groupContextValue(node.status);
    return item;
  }

  private instanceItem(node: InstanceNode): vscode.TreeItem {
    const { instance } = node;
    const pending = this.pending.get(pendingKey(node.parent.parent, instance.instanceId));
    // Ids and names are untrusted: a bidi override or a control character must not reorder the row.
    const item = new vscode.TreeItem(visibleText(instance.instanceId), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const parts = [visibleText(instance.name), pending ?? String(instance.runtimeStatus), relativeTime(instance.createdTime)].filter(Boolean);
    item.description = parts.join(' · ');
    item.tooltip = instanceTooltip(instance, pending);
    item.iconPath = pending ? new vscode.ThemeIcon('loading~spin') : statusIcon(String(instance.runtimeStatus));
    item.contextValue = instanceContextValue(String(instance.runtimeStatus), { pending: !!pending, entity: instance.instanceId.startsWith('@') });
    item.command = { command: 'durableExplorer.showInstance', title: 'Show Instance', arguments: [node] };
    return item;
  }

  // ---- Updates ----------------------------------------------------------------------------

  /** Re-reads a node's children (a connection re-opens; a hub or group reloads its first page). */
  refresh(node?: TreeNode): void {
    if (!node) {
      this.connections.invalidate();
      this.hubChildren.clear();
      this.groups.clear();
      this.changed.fire(undefined);
      return;
    }
    switch (node.type) {
      case 'connection':
        this.recovery.cancel(node.id);
        this.connections.invalidate(node.spec.id);
        this.hubChildren.delete(node.id);
        this.clearGroupsUnder(node.id);
        break;
      case 'hub':
        this.clearGroupsUnder(node.id);
        break;
      case 'group':
        this.groups.delete(node.id);
        break;
      default: {
        const parent = this.getParent(node);
        if (parent) {
          this.refresh(parent);
          return;
        }
      }
    }
    this.changed.fire(node);
  }

  private clearGroupsUnder(prefix: string): void {
    for (const id of [...this.groups.keys()]) {
      if (id.startsWith(`${prefix}/`)) {
        this.groups.delete(id);
      }
    }
  }

  async loadMore(node: LoadMoreNode): Promise<void> {
    const state = this.groups.get(node.parent.id);
    if (!state || !state.continuationToken) {
      return;
    }
    if (!state.loading) {
      state.loading = this.loadPage(node.parent, state).finally(() => (state.loading = undefined));
    }
    await state.loading;
    this.changed.fire(node.parent);
  }

  /** Shows "Terminating…" (etc.) on every node of this instance until `clearPending`. */
  setPending(hub: HubNode, instanceId: string, label: string): void {
    this.pending.set(pendingKey(hub, instanceId), label);
    this.fireInstance(hub, instanceId);
  }

  clearPending(hub: HubNode, instanceId: string): void {
    this.pending.delete(pendingKey(hub, instanceId));
    this.fireInstance(hub, instanceId);
  }

  /**
   * The instance changed: update it in place where it still belongs, drop it from status
   * groups it left, and reload the group of its new status (so it appears there).
   */
  instanceChanged(hub: HubNode, instanceId: string, status: InstanceStatus | undefined): void {
    for (const [groupId, state] of this.groups) {
      if (!groupId.startsWith(`${hub.id}/`)) {
        continue;
      }
      const group = groupId.slice(hub.id.length + 1) as StatusGroup;
      const index = state.items.findIndex((n) => n.instance.instanceId === instanceId);
      const belongs = status !== undefined && (group === 'All' || group === status.runtimeStatus);
      if (index >= 0) {
        if (belongs) {
          const old = state.items[index];
          state.items[index] = { ...old, instance: status };
        } else {
          state.items.splice(index, 1);
        }
      } else if (belongs) {
        this.groups.delete(groupId);
      }
    }
    this.changed.fire(undefined);
  }

  private fireInstance(hub: HubNode, instanceId: string): void {
    for (const [groupId, state] of this.groups) {
      if (groupId.startsWith(`${hub.id}/`)) {
        for (const n of state.items) {
          if (n.instance.instanceId === instanceId) {
            this.changed.fire(n);
          }
        }
      }
    }
  }

  /** The instance's node in the hub's "All" group, if that page is loaded (for reveal). */
  findInstanceNode(hub: HubNode, instanceId: string): InstanceNode | undefined {
    return this.groups.get(`${hub.id}/All`)?.items.find((n) => n.instance.instanceId === instanceId);
  }

  /** Loads hubs of every connection (for palette pickers). */
  async allHubs(): Promise<HubNode[]> {
    const roots = await this.getChildren();
    const hubs: HubNode[] = [];
    for (const root of roots) {
      for (const child of await this.getChildren(root)) {
        if (child.type === 'hub') {
          hubs.push(child);
        }
      }
    }
    return hubs;
  }

  dispose(): void {
    this.recovery.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

function pendingKey(hub: HubNode, instanceId: string): string {
  return `${hub.id}|${instanceId}`;
}

export function errorCode(e: unknown): string {
  return isDurableError(e) ? e.code : 'Other';
}
