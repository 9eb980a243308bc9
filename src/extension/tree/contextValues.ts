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

export function instanceContextValue(status: string, options: { pending?: boolean; entity?: boolean } = {}): string {
  const parts = ['durable:instance', `+${status.toLowerCase() || 'unknown'}`];
  if (options.entity) {
    // Entities are not orchestrations: only viewing and purging apply.
    parts.push('+entity');
    parts.push(isTerminalStatus(status) ? '+purge' : '+forcePurge');
  } else if (!options.pending) {
    parts.push(...actionsForStatus(status).map((a) => `+${a}`));
  } else {
    parts.push('+pending');
  }
  return parts.join('');
}

export type ConnectionKind = 'local' | 'emulator' | 'connectionString' | 'entra';

export function connectionContextValue(kind: ConnectionKind, options: { offerEmulatorStart?: boolean } = {}): string {
  const removable = kind === 'connectionString' || kind === 'entra';
  return `durable:connection+${kind}${removable ? '+removable' : ''}${options.offerEmulatorStart ? '+startEmulator' : ''}`;
}

export const HUB_CONTEXT_VALUE = 'durable:hub';
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
  const values = new Set<string>([HUB_CONTEXT_VALUE, LOAD_MORE_CONTEXT_VALUE, 'durable:group+all']);
  for (const status of statuses) {
    values.add(instanceContextValue(status));
    values.add(instanceContextValue(status, { pending: true }));
    values.add(instanceContextValue(status, { entity: true }));
    values.add(groupContextValue(status));
  }
  for (const kind of ['local', 'emulator', 'connectionString', 'entra'] as const) {
    values.add(connectionContextValue(kind));
    values.add(connectionContextValue(kind, { offerEmulatorStart: true }));
  }
  for (const error of [false, true]) {
    values.add(messageContextValue({ error }));
    values.add(messageContextValue({ error, offerEmulatorStart: true }));
  }
  return [...values];
}
