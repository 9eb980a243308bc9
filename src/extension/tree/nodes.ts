// The tree's elements: plain data with parent links (so `getParent` and `reveal` work) and ids
// that stay the same across refreshes.
import { TransportUnsupportedError } from '../../core';
import type { ClientInstanceStatus, InstanceClient, RuntimeStatus, TaskHub, TaskHubInfo } from '../../core';
import type { ConnectionSpec } from '../connections/types';

export interface ConnectionNode {
  readonly type: 'connection';
  readonly id: string;
  readonly spec: ConnectionSpec;
}

export interface HubNode {
  readonly type: 'hub';
  readonly id: string;
  readonly parent: ConnectionNode;
  /** For a hub reached through a running host: its name (or "default task hub"), no partition count, layout unknown. */
  readonly info: TaskHubInfo;
  /**
   * The instance operations, over storage or over a running host's HTTP management API: every
   * instance command, the status follower and the instance page go through it.
   */
  readonly client: InstanceClient;
  /**
   * The storage handle, for what only storage can do (the task hub page, purge history, delete task
   * hub); its partition count comes from the listing (probed only when storage has no usable record).
   * Undefined for a hub reached through a running host: use `storageHub`, which refuses it.
   */
  readonly hub: TaskHub | undefined;
  /** host.json names this hub (or it is the one hub of a running host). */
  readonly preferred: boolean;
}

/** The status groups under a hub, in the order the tree shows them. */
export const STATUS_GROUPS = ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated', 'All'] as const;
export type StatusGroup = (typeof STATUS_GROUPS)[number];

export interface GroupNode {
  readonly type: 'group';
  readonly id: string;
  readonly parent: HubNode;
  readonly status: StatusGroup;
}

export interface InstanceNode {
  readonly type: 'instance';
  readonly id: string;
  readonly parent: GroupNode;
  /** Over a running host: no generation or execution id, times to the second. */
  readonly instance: ClientInstanceStatus;
}

export interface LoadMoreNode {
  readonly type: 'loadMore';
  readonly id: string;
  readonly parent: GroupNode;
}

export interface MessageNode {
  readonly type: 'message';
  readonly id: string;
  readonly parent: TreeNode | undefined;
  readonly text: string;
  readonly detail?: string;
  readonly error?: boolean;
  /** The message is "storage unreachable" for the emulator: offer to start it. */
  readonly offerEmulatorStart?: boolean;
}

export type TreeNode = ConnectionNode | HubNode | GroupNode | InstanceNode | LoadMoreNode | MessageNode;

export function groupStatuses(group: StatusGroup): RuntimeStatus[] | undefined {
  return group === 'All' ? undefined : [group];
}

/** The hub an instance-level node belongs to. */
export function hubOf(node: TreeNode): HubNode | undefined {
  switch (node.type) {
    case 'hub':
      return node;
    case 'group':
      return node.parent;
    case 'instance':
    case 'loadMore':
      return node.parent.parent;
    default:
      return undefined;
  }
}

/**
 * The hub's storage handle, for an operation only storage can do; a hub reached through a running
 * host refuses it with TransportUnsupportedError naming `operation` ("Opening the task hub page").
 */
export function storageHub(node: HubNode, operation: string): TaskHub {
  if (!node.hub) {
    throw new TransportUnsupportedError(
      operation,
      `'${node.parent.spec.label}' reaches its task hub through the HTTP management API of a running Functions host, which has no such operation. Add a connection to the hub's storage account for it.`,
    );
  }
  return node.hub;
}

/** Whether the hub is reached through a running host (storage-only features are hidden for it). */
export function isHostHub(node: HubNode): boolean {
  return node.client.transport === 'host';
}
