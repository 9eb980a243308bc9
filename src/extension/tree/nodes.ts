// The tree's elements: plain data with parent links (so `getParent` and `reveal` work) and ids
// that stay the same across refreshes.
import type { InstanceStatus, RuntimeStatus, TaskHub, TaskHubInfo } from '../../core';
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
  readonly info: TaskHubInfo;
  /** The handle operations take; its partition count comes from the listing (probed only when storage has no usable record). */
  readonly hub: TaskHub;
  /** host.json names this hub. */
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
  readonly instance: InstanceStatus;
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
