// contextValues are composed from flags (`durable:instance+running+terminate+suspend…`) so the
// manifest's `viewItem =~ /…\+terminate\b/` menus offer only what is valid for a node. Pure: no
// `vscode` import, so the manifest test can enumerate every value the tree can produce.
import { RUNTIME_STATUSES, isTerminalStatus } from '../../core/model';

export type InstanceAction = 'terminate' | 'suspend' | 'resume' | 'raiseEvent' | 'rewind' | 'restart' | 'purge' | 'forcePurge';

/** The actions the Durable Functions API accepts for an instance in this status. */
export function actionsForStatus(status: string): InstanceAction[] {
  switch (status) {
    case 'Running':
    case 'Pending':
    case 'ContinuedAsNew':
      return ['raiseEvent', 'suspend', 'terminate', 'restart', 'forcePurge'];
    case 'Suspended':
      return ['raiseEvent', 'resume', 'terminate', 'restart', 'forcePurge'];
    case 'Failed':
      return ['rewind', 'restart', 'purge'];
    case 'Completed':
    case 'Terminated':
    case 'Canceled':
      return ['restart', 'purge'];
    default:
      // Unknown status written by a newer runtime: only the forced purge can be meaningful.
      return isTerminalStatus(status) ? ['purge'] : ['forcePurge'];
  }
}

/**
 * What only storage can do to an instance: a forced purge (the HTTP management API checks the
 * instance's state itself, with no way to override it).
 */
const STORAGE_ONLY_ACTIONS: readonly InstanceAction[] = ['forcePurge'];

/** The actions for an instance's status that its hub's transport can carry out. */
export function actionsForTransport(actions: readonly InstanceAction[], transport: 'storage' | 'host' = 'storage'): InstanceAction[] {
  return transport === 'storage' ? [...actions] : actions.filter((a) => !STORAGE_ONLY_ACTIONS.includes(a));
}

export function instanceContextValue(status: string, options: { pending?: boolean; entity?: boolean; transport?: 'storage' | 'host' } = {}): string {
  const parts = ['durable:instance', `+${status.toLowerCase() || 'unknown'}`];
  if (options.entity) {
    // Entities are not orchestrations: only viewing and purging apply.
    parts.push('+entity');
    parts.push(...actionsForTransport([isTerminalStatus(status) ? 'purge' : 'forcePurge'], options.transport).map((a) => `+${a}`));
  } else if (!options.pending) {
    parts.push(...actionsForTransport(actionsForStatus(status), options.transport).map((a) => `+${a}`));
  } else {
    parts.push('+pending');
  }
  if (options.transport === 'host') {
    parts.push('+host');
  }
  return parts.join('');
}

export type ConnectionKind = 'local' | 'emulator' | 'connectionString' | 'entra' | 'host';

/** `detected`: a running host found by probing (func start), not one the user added: nothing to remove. */
export function connectionContextValue(kind: ConnectionKind, options: { offerEmulatorStart?: boolean; detected?: boolean } = {}): string {
  const removable = kind === 'connectionString' || kind === 'entra' || (kind === 'host' && !options.detected);
  return `durable:connection+${kind}${removable ? '+removable' : ''}${options.detected ? '+detected' : ''}${options.offerEmulatorStart ? '+startEmulator' : ''}`;
}

/** A hub in storage: every hub command. */
export const HUB_CONTEXT_VALUE = 'durable:hub';
/** A hub reached through a running host: the storage-only commands' menus match `^durable:hub(?!\+host\b)`. */
export const HOST_HUB_CONTEXT_VALUE = 'durable:hub+host';
export const LOAD_MORE_CONTEXT_VALUE = 'durable:loadMore';

export function groupContextValue(status: string): string {
  return `durable:group+${status.toLowerCase()}`;
}

export function messageContextValue(options: { offerEmulatorStart?: boolean; error?: boolean } = {}): string {
  return `durable:message${options.error ? '+error' : ''}${options.offerEmulatorStart ? '+startEmulator' : ''}`;
}

/** Every contextValue the tree can produce (for the manifest test). */
export function allContextValues(): string[] {
  const statuses = [...RUNTIME_STATUSES, 'Unknown'];
  const values = new Set<string>([HUB_CONTEXT_VALUE, HOST_HUB_CONTEXT_VALUE, LOAD_MORE_CONTEXT_VALUE, 'durable:group+all']);
  for (const status of statuses) {
    for (const transport of ['storage', 'host'] as const) {
      values.add(instanceContextValue(status, { transport }));
      values.add(instanceContextValue(status, { pending: true, transport }));
      values.add(instanceContextValue(status, { entity: true, transport }));
    }
    values.add(groupContextValue(status));
  }
  for (const kind of ['local', 'emulator', 'connectionString', 'entra', 'host'] as const) {
    values.add(connectionContextValue(kind));
    values.add(connectionContextValue(kind, { offerEmulatorStart: true }));
  }
  values.add(connectionContextValue('host', { detected: true }));
  for (const error of [false, true]) {
    values.add(messageContextValue({ error }));
    values.add(messageContextValue({ error, offerEmulatorStart: true }));
  }
  return [...values];
}
