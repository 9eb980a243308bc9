// The TreeItem of each node: labels, descriptions, icons, tooltips, menus (contextValue) and the
// command a click runs. Untrusted ids and names are escaped (visibleText); no storage access here.
import * as vscode from 'vscode';
import { visibleText } from '../../shared/text';
import type { TaskHub } from '../../core';
import type { ConnectionSpec } from '../connections/types';
import { readSettings } from '../settings';
import {
  HOST_HUB_CONTEXT_VALUE,
  HUB_CONTEXT_VALUE,
  LOAD_MORE_CONTEXT_VALUE,
  connectionContextValue,
  groupContextValue,
  instanceContextValue,
  messageContextValue,
} from './contextValues';
import type { ConnectionNode, GroupNode, HubNode, InstanceNode, TreeNode } from './nodes';
import { instanceTooltip, statusIcon } from './presentation';
import { relativeTime } from './time';

/** The pending-operation label of an instance ("Terminating…"), if one is being followed. */
export type PendingLabel = (hub: HubNode, instanceId: string) => string | undefined;

const CONNECTION_ICONS: Record<ConnectionSpec['kind'], string> = {
  local: 'folder',
  emulator: 'vm',
  connectionString: 'plug',
  entra: 'account',
  host: 'server-process',
};

export function treeItem(node: TreeNode, pendingLabel: PendingLabel): vscode.TreeItem {
  switch (node.type) {
    case 'connection':
      return connectionItem(node);
    case 'hub':
      return hubItem(node);
    case 'group':
      return groupItem(node);
    case 'instance':
      return instanceItem(node, pendingLabel);
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

function connectionItem(node: ConnectionNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.spec.label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(CONNECTION_ICONS[node.spec.kind]);
  item.contextValue = connectionContextValue(node.spec.kind, { offerEmulatorStart: node.spec.kind === 'emulator', detected: node.spec.kind === 'host' && node.spec.detected });
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
    case 'host':
      // The URL only; a key, if one is stored, stays in SecretStorage.
      item.description = node.spec.detected ? `${node.spec.baseUrl} · running host` : 'running host';
      item.tooltip =
        `The Functions host at ${node.spec.baseUrl}, through its HTTP management API (no storage connection)` +
        (node.spec.detected ? `\nFound answering at durableExplorer.runningHost.detectUrl: the local project's func start.` : '') +
        '\nInstances can be listed, viewed and controlled; the task hub page, purge history and delete task hub need a storage connection.';
      item.collapsibleState = node.spec.detected ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
      break;
  }
  return item;
}

/** Where a hub's partition count came from when storage has no usable record of it. */
const FALLBACK_SOURCE: Partial<Record<TaskHub['partitionCountSource'], string>> = {
  'control-queues': 'from its control queues',
  'host.json': 'from host.json',
  default: 'assumed',
};

function hubItem(node: HubNode): vscode.TreeItem {
  if (!node.hub) {
    return hostHubItem(node);
  }
  const hub = node.hub;
  const item = new vscode.TreeItem(node.info.name, node.preferred ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  // The hub host.json names is the one the app uses: coloured, first, and expanded.
  item.iconPath = new vscode.ThemeIcon('database', node.preferred ? new vscode.ThemeColor('charts.blue') : undefined);
  const layout = node.info.layout === 'table' ? 'layout v2' : node.info.layout === 'blob' ? 'layout v1' : 'layout unknown';
  const partitions =
    node.info.partitionCount === null ? `${hub.partitionCount} partitions (${FALLBACK_SOURCE[hub.partitionCountSource] ?? 'assumed'})` : `${node.info.partitionCount} partitions`;
  item.description = `${partitions} · ${layout}`;
  item.tooltip =
    `Task hub ${node.info.name}${node.preferred ? ' (named in host.json)' : ''}\n${partitions}, ` +
    (node.info.layout === 'table'
      ? `partition table ${node.info.name}Partitions (DurableTask.AzureStorage v2)`
      : node.info.layout === 'blob'
        ? `leases in ${node.info.name.toLowerCase()}-leases (DurableTask.AzureStorage v1)`
        : 'no partition metadata found') +
    (hub.partitionWarning ? `\n⚠ ${hub.partitionWarning}` : '');
  item.contextValue = HUB_CONTEXT_VALUE;
  return item;
}

/** A hub reached through a running host: no partition count or layout (no storage); the host's default when unnamed. */
function hostHubItem(node: HubNode): vscode.TreeItem {
  const spec = node.parent.spec;
  const named = spec.kind === 'host' && !!spec.taskHub;
  const item = new vscode.TreeItem(node.info.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('database', new vscode.ThemeColor('charts.blue'));
  item.description = 'HTTP management API';
  item.tooltip =
    (named ? `Task hub ${node.info.name}` : "The host's own task hub (host.json's hubName)") +
    `, through ${node.client.description}.\nNo task hub page, purge history, counts or delete task hub: they need a storage connection.`;
  item.contextValue = HOST_HUB_CONTEXT_VALUE;
  return item;
}

function groupItem(node: GroupNode): vscode.TreeItem {
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

function instanceItem(node: InstanceNode, pendingLabel: PendingLabel): vscode.TreeItem {
  const { instance } = node;
  const pending = pendingLabel(node.parent.parent, instance.instanceId);
  // Ids and names are untrusted: a bidi override or a control character must not reorder the row.
  const item = new vscode.TreeItem(visibleText(instance.instanceId), vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const parts = [visibleText(instance.name), pending ?? String(instance.runtimeStatus), relativeTime(instance.createdTime)].filter(Boolean);
  item.description = parts.join(' · ');
  item.tooltip = instanceTooltip(instance, pending);
  item.iconPath = pending ? new vscode.ThemeIcon('loading~spin') : statusIcon(String(instance.runtimeStatus));
  item.contextValue = instanceContextValue(String(instance.runtimeStatus), {
    pending: !!pending,
    entity: instance.instanceId.startsWith('@'),
    transport: node.parent.parent.client.transport,
  });
  item.command = { command: 'durableExplorer.showInstance', title: 'Show Instance', arguments: [node] };
  return item;
}
