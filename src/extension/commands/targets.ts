// What a command acts on: the node it was invoked on, or — from the Command Palette — what the
// user picks. Every command works from both places.
import type { ClientInstanceStatus } from '../../core';
import type { ConnectionNode, HubNode, InstanceNode, TreeNode } from '../tree/nodes';
import { hubOf, storageHub } from '../tree/nodes';
import type { TaskHubTreeProvider } from '../tree/treeProvider';
import type { Ui } from './ui';
import { required } from './ui';

export interface InstanceTarget {
  hubNode: HubNode;
  instanceId: string;
  /** The status as last seen (the node's, or read when picked). */
  status: string;
  node?: InstanceNode;
}

export function isTreeNode(value: unknown): value is TreeNode {
  return !!value && typeof value === 'object' && 'type' in value && 'id' in value;
}

/**
 * The hub a command acts on. `storageOnly` names an operation only storage can do: a hub reached
 * through a running host is then refused (TransportUnsupportedError), and left out of the picker.
 */
export async function pickHub(tree: TaskHubTreeProvider, ui: Ui, arg: unknown, storageOnly?: string): Promise<HubNode> {
  if (isTreeNode(arg)) {
    const hub = hubOf(arg);
    if (hub) {
      if (storageOnly) {
        storageHub(hub, storageOnly);
      }
      return hub;
    }
  }
  const all = await tree.allHubs();
  const hubs = storageOnly ? all.filter((h) => h.hub) : all;
  if (hubs.length === 0) {
    if (all.length > 0 && storageOnly) {
      // Only hosts' hubs: say why none can be picked.
      storageHub(all[0], storageOnly);
    }
    throw new Error('No task hubs found: add a connection or open a function app folder first.');
  }
  if (hubs.length === 1) {
    return hubs[0];
  }
  const picked = await ui.showQuickPick(
    hubs.map((h) => ({ label: h.info.name, description: h.parent.spec.label, hub: h })),
    { title: 'Task hub', placeHolder: 'Pick a task hub' },
  );
  return required(picked).hub;
}

/** Suggestions for an id prefix: a server-side range query, one small page. */
export async function suggestInstances(hubNode: HubNode, prefix: string): Promise<ClientInstanceStatus[]> {
  const page = await hubNode.client.queryInstances({ instanceIdPrefix: prefix || undefined, includeEntities: true, pageSize: 20 });
  return page.items;
}

export async function pickInstanceId(ui: Ui, hubNode: HubNode, title: string): Promise<string> {
  const id = await ui.pickWithSuggestions({
    title,
    placeholder: 'Type an instance id or its beginning',
    suggest: async (prefix) =>
      (await suggestInstances(hubNode, prefix)).map((i) => ({ label: i.instanceId, description: `${i.name} · ${i.runtimeStatus}` })),
  });
  return required(id);
}

export async function instanceTarget(tree: TaskHubTreeProvider, ui: Ui, arg: unknown, title: string): Promise<InstanceTarget> {
  if (isTreeNode(arg) && arg.type === 'instance') {
    return { hubNode: arg.parent.parent, instanceId: arg.instance.instanceId, status: String(arg.instance.runtimeStatus), node: arg };
  }
  const hubNode = await pickHub(tree, ui, arg);
  const instanceId = await pickInstanceId(ui, hubNode, title);
  const status = await hubNode.client.getInstance({ instanceId });
  return { hubNode, instanceId, status: String(status.runtimeStatus) };
}

export function connectionArg(arg: unknown): ConnectionNode | undefined {
  return isTreeNode(arg) && arg.type === 'connection' ? arg : undefined;
}
