// The "Task Hubs" tree: connections → task hubs → status groups → instances, a page at a time.
// Each status group is its own server-side-filtered query (status + time window), so showing
// the first page never scans the table. A running host's connection has one hub (the one it was
// added for, or the host's own) whose groups are the same queries through its HTTP management API.
import * as vscode from 'vscode';
import { isDurableError, listTaskHubs, openTaskHub, storageInstanceClient } from '../../core';
import type { ClientInstanceStatus, TaskHub, TaskHubInfo } from '../../core';
import { DEFAULT_PARTITION_COUNT } from '../../core/hub';
import type { ConnectionManager } from '../connections/manager';
import { isEmulatorEndpoint } from '../connections/emulator';
import type { HostSpec, OpenedConnection } from '../connections/types';
import type { Log } from '../log';
import { readSettings } from '../settings';
import { ConnectionRecovery } from './recovery';
import type { Telemetry } from '../telemetry';
import type { ConnectionNode, GroupNode, HubNode, InstanceNode, LoadMoreNode, MessageNode, StatusGroup, TreeNode } from './nodes';
import { STATUS_GROUPS, groupStatuses } from './nodes';
import { treeItem } from './items';

interface GroupState {
  items: InstanceNode[];
  continuationToken: string | null;
  /** A page load in flight (so two expansions don't load twice). */
  loading?: Promise<void>;
  error?: MessageNode;
  loaded: boolean;
}

/** The label of a running host's hub when the connection names none: the host's own hub, its name unknown here. */
export const DEFAULT_HOST_HUB_LABEL = 'default task hub';

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
    return treeItem(node, (hub, instanceId) => this.pending.get(pendingKey(hub, instanceId)));
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
    if (node.spec.kind === 'host') {
      return this.loadHostHub(node, node.spec);
    }
    const spec = node.spec;
    const started = Date.now();
    let opened: OpenedConnection | undefined;
    try {
      opened = await this.connections.open(spec);
      const infos = await listTaskHubs(opened.clients);
      const preferred = opened.preferredHub?.toLowerCase();
      infos.sort((a, b) => Number(b.name.toLowerCase() === preferred) - Number(a.name.toLowerCase() === preferred));
      this.recovery.cancel(node.id);
      this.telemetry.send('treeLoad', { level: 'hubs', connectionKind: node.spec.kind, result: 'Succeeded' }, { durationMs: Date.now() - started, count: infos.length });
      if (infos.length === 0) {
        const hint = opened.preferredHub ? ` (host.json names '${opened.preferredHub}'; it is created when the app first runs)` : '';
        return [this.message(node, 'no-hubs', `No task hubs in this storage account${hint}`)];
      }
      const connection = opened;
      return await Promise.all(infos.map((info) => this.hubNode(node, connection, info)));
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
          async (signal) => listTaskHubs((await this.connections.open(spec)).clients, { signal }),
          () => this.refresh(node),
        );
      }
      return [this.errorMessage(node, e, opened?.clients.endpoints.table)];
    }
  }

  /**
   * A running host's one hub: the host is asked for one instance first, so a host that doesn't
   * answer (or refuses the key) shows the error node, as an unreachable storage account does.
   */
  private async loadHostHub(node: ConnectionNode, spec: HostSpec): Promise<TreeNode[]> {
    const started = Date.now();
    const probe = async (signal?: AbortSignal): Promise<unknown> => (await this.connections.openHost(spec)).queryInstances({ pageSize: 1, signal });
    try {
      const client = await this.connections.openHost(spec);
      await probe();
      this.recovery.cancel(node.id);
      this.telemetry.send('treeLoad', { level: 'hubs', connectionKind: spec.kind, result: 'Succeeded' }, { durationMs: Date.now() - started, count: 1 });
      const hub: HubNode = {
        type: 'hub',
        id: `${node.id}/${spec.taskHub ?? '#default'}`,
        parent: node,
        info: { name: spec.taskHub ?? DEFAULT_HOST_HUB_LABEL, partitionCount: null, layout: 'unknown' },
        client,
        hub: undefined,
        preferred: true,
      };
      return [hub];
    } catch (e) {
      this.hubChildren.delete(node.id);
      this.telemetry.send('treeLoad', { level: 'hubs', connectionKind: spec.kind, result: 'Failed', errorCode: errorCode(e) }, { durationMs: Date.now() - started });
      if (errorCode(e) === 'Unreachable') {
        // `func start` may be started (again): the connection reloads when the host answers.
        this.recovery.schedule(node.id, probe, () => this.refresh(node));
      }
      return [this.errorMessage(node, e, undefined)];
    }
  }

  /** Whether a connection that failed as unreachable is being probed to come back by itself (tests). */
  isRecovering(node: ConnectionNode): boolean {
    return this.recovery.isScheduled(node.id);
  }

  private async hubNode(parent: ConnectionNode, opened: OpenedConnection, info: TaskHubInfo): Promise<HubNode> {
    let hub: TaskHub = {
      clients: opened.clients,
      name: info.name,
      partitionCount: info.partitionCount ?? opened.hostJsonPartitionCount ?? DEFAULT_PARTITION_COUNT,
      partitionCountSource:
        info.layout === 'table' ? 'partitions-table' : info.layout === 'blob' ? 'taskhub.json' : opened.hostJsonPartitionCount ? 'host.json' : 'default',
    };
    if (info.partitionCount === null) {
      // Partition metadata missing or unusable: route as the CLI does (by the hub's control queues,
      // with a warning) rather than by an assumed count that could send to a queue nobody reads.
      hub = await openTaskHub({ clients: opened.clients, name: info.name, hostJsonPartitionCount: opened.hostJsonPartitionCount }).catch(() => hub);
    }
    return {
      type: 'hub',
      id: `${parent.id}/${info.name}`,
      parent,
      info,
      client: storageInstanceClient(hub),
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
    const client = group.parent.client;
    // The HTTP management API lists entities with the orchestrations, with no filter: they are left out here.
    const overHost = client.transport === 'host';
    try {
      const page = await client.queryInstances({
        statuses: groupStatuses(group.status),
        createdAfter: settings.timeWindowDays > 0 ? new Date(Date.now() - settings.timeWindowDays * 86_400_000) : undefined,
        includeEntities: overHost ? undefined : settings.showEntities,
        pageSize: settings.pageSize,
        continuationToken: state.continuationToken,
      });
      const items = overHost && !settings.showEntities ? page.items.filter((i) => !i.instanceId.startsWith('@')) : page.items;
      state.items.push(...items.map((instance) => this.instanceNode(group, instance)));
      state.continuationToken = page.continuationToken;
      state.loaded = true;
      state.error = undefined;
      this.telemetry.send('treeLoad', { level: 'instances', result: 'Succeeded' }, { durationMs: Date.now() - started, count: page.items.length });
    } catch (e) {
      state.error = this.errorMessage(group, e, group.parent.hub?.clients.endpoints.table);
      // Keep what was loaded; the next expansion or "Refresh" retries the page.
      state.loaded = state.items.length > 0;
      this.telemetry.send('treeLoad', { level: 'instances', result: 'Failed', errorCode: errorCode(e) }, { durationMs: Date.now() - started });
    }
  }

  private instanceNode(group: GroupNode, instance: ClientInstanceStatus): InstanceNode {
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
  instanceChanged(hub: HubNode, instanceId: string, status: ClientInstanceStatus | undefined): void {
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
