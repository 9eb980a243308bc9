// What every command shares: the common flags, the context a command runs in, the one
// connect → choose hub → open hub flow, confirmation of destructive operations and --wait polling.
import type { InstanceStatus, ResolvedConnection, StorageClients, TaskHub } from '../../core';
import { chooseTaskHubName, createStorageClients, maskSecrets, openTaskHub, openTaskHubForReading, resolveConnection, waitForStatus } from '../../core';
import { assertSasAllowsDelete as assertSasAllowsDeleteInCore } from '../../core';
import type { CommandSpec, FlagSpec, Flags } from '../args';
import { UsageError } from '../args';
import type { CliIo } from '../io';
import { parseInteger } from '../input';
import { ProgressLine, sanitizeForTerminal, toJson } from '../output';

export const COMMON_FLAGS: readonly FlagSpec[] = [
  {
    name: 'task-hub-name',
    kind: 'string',
    value: 'NAME',
    description: "Task hub (default: host.json's, else the account's only hub).",
  },
  {
    name: 'connection-string-setting',
    kind: 'string',
    value: 'NAME',
    description: "Setting holding the storage connection (default: host.json's, else AzureWebJobsStorage).",
  },
  { name: 'json', kind: 'boolean', description: 'Print JSON on stdout instead of text.' },
];

export const ID_FLAG: FlagSpec = { name: 'id', kind: 'string', value: 'ID', required: true, description: 'The orchestration instance id.' };
export const YES_FLAG: FlagSpec = { name: 'yes', short: 'y', kind: 'boolean', description: 'Do not ask for confirmation.' };
export const REASON_FLAG: FlagSpec = { name: 'reason', kind: 'string', value: 'TEXT', allowEmpty: true, description: 'Reason, recorded in the history.' };
export const DATE_HELP =
  'Dates are ISO 8601 (2024-05-01, 2024-05-01T10:00:00Z, 2024-05-01T12:00:00+02:00); a date or time ' +
  'without a zone is UTC. An age such as 30m, 24h or 7d means that long ago.';

/** Everything a command may use. Commands print through `out`/`err`, never `console`. */
export interface CommandContext {
  io: CliIo;
  flags: Flags;
  json: boolean;
  /** Values to mask in any error message; filled as the connection is resolved. */
  secrets: string[];
  signal?: AbortSignal;
  now(): Date;
  out(text: string): void;
  err(text: string): void;
  warn(message: string): void;
  /** Prints `value` as JSON on stdout. */
  printJson(value: unknown): void;
  progress: ProgressLine;
}

export interface CliCommand extends CommandSpec {
  run(ctx: CommandContext): Promise<number>;
}

export function createContext(io: CliIo, values: Flags, secrets: string[]): CommandContext {
  const json = values.boolean('json');
  return {
    io,
    flags: values,
    json,
    secrets,
    signal: io.signal,
    now: () => (io.now ? io.now() : new Date()),
    out: (text) => io.stdout(sanitizeForTerminal(text)),
    // Diagnostics may quote storage errors: mask them like error messages.
    err: (text) => io.stderr(sanitizeForTerminal(maskSecrets(text, secrets))),
    warn: (message) => io.stderr(sanitizeForTerminal(maskSecrets(`warning: ${message}\n`, secrets))),
    printJson: (value) => io.stdout(sanitizeForTerminal(toJson(value))),
    progress: new ProgressLine(io.stderr, io.isInteractive && !json),
  };
}

export interface Connected {
  clients: StorageClients;
  resolved: ResolvedConnection;
}

/** Resolves the connection setting and builds the storage clients; registers secrets first. */
export async function connect(ctx: CommandContext): Promise<Connected> {
  const explicitHub = ctx.flags.string('task-hub-name');
  const resolved = await resolveConnection({
    cwd: ctx.io.cwd,
    env: ctx.io.env,
    connectionSetting: ctx.flags.string('connection-string-setting'),
    createCredential: ctx.io.createCredential,
    ...(explicitHub !== undefined ? { taskHubName: explicitHub } : {}),
  });
  ctx.secrets.push(...resolved.secrets);
  const provider = resolved.hostJson?.storageProviderType;
  if (provider && provider.toLowerCase() !== 'azurestorage') {
    ctx.warn(`${resolved.hostJson?.path} configures the '${provider}' storage provider; durable works with the Azure Storage provider only.`);
  }
  const clients = await createStorageClients(resolved.connection);
  ctx.secrets.push(...clients.secrets);
  return { clients, resolved };
}

/** The hub named by --task-hub-name, else host.json, else the account's only hub. */
export async function chooseHubName(ctx: CommandContext, c: Connected): Promise<string> {
  return chooseTaskHubName(
    c.clients,
    { explicit: ctx.flags.string('task-hub-name'), fromHostJson: c.resolved.hostJson?.hubName },
    { signal: ctx.signal },
  );
}

export interface OpenedHub extends Connected {
  hub: TaskHub;
}

/** The flow every instance command starts with: connect, pick the hub, open it (checks it exists). */
export async function openHub(ctx: CommandContext): Promise<OpenedHub> {
  const connected = await connect(ctx);
  const name = await chooseHubName(ctx, connected);
  const host = connected.resolved.hostJson;
  // host.json's partitionCount describes host.json's hub; only use it for that hub.
  const hostCount =
    host?.partitionCount !== undefined && (!host.hubName || host.hubName.toLowerCase() === name.toLowerCase()) ? host.partitionCount : undefined;
  const hub = await openTaskHub({
    clients: connected.clients,
    name,
    ...(hostCount !== undefined ? { hostJsonPartitionCount: hostCount } : {}),
    signal: ctx.signal,
  });
  if (hub.partitionWarning) {
    ctx.warn(hub.partitionWarning);
  }
  return { ...connected, hub };
}

/**
 * For commands that only list instances: connect and pick the hub, with no storage call to open
 * it (no existence check, no partition metadata: listing routes no message). Run the reads
 * through core's `whileHubExists`, which gives openHub's error for a hub that does not exist.
 */
export async function openHubForReading(ctx: CommandContext): Promise<OpenedHub> {
  const connected = await connect(ctx);
  const name = await chooseHubName(ctx, connected);
  return { ...connected, hub: openTaskHubForReading({ clients: connected.clients, name }) };
}

/**
 * Refuses a deleting command the connection's SAS does not allow, before anything is deleted
 * (core's check, which core's purge also makes; here it runs before the confirmation prompt).
 */
export function assertSasAllowsDelete(c: Connected, command: string): void {
  assertSasAllowsDeleteInCore(c.clients, command);
}

export interface ConfirmOptions {
  /** `yes`: the user must type 'yes' (purge, delete); `yn`: a [y/N] question. */
  style: 'yes' | 'yn';
  /** Completes "Type 'yes' to …" / "…? [y/N]", e.g. "terminate instance 'abc'". */
  action: string;
  /** Without a terminal and without --yes: refuse (purge, delete) or go ahead (terminate, rewind: `func durable` parity). */
  whenNotInteractive: 'refuse' | 'proceed';
  command: string;
}

/** True when confirm() would prompt: a terminal and no --yes. */
export function willAsk(ctx: CommandContext): boolean {
  return ctx.io.isInteractive && !ctx.flags.boolean('yes');
}

/**
 * Asks before a destructive operation. Returns false when the user declined (the caller then
 * exits 1 having changed nothing); throws a usage error when it must refuse without a terminal.
 */
export async function confirm(ctx: CommandContext, o: ConfirmOptions): Promise<boolean> {
  if (ctx.flags.boolean('yes')) {
    return true;
  }
  if (!ctx.io.isInteractive) {
    if (o.whenNotInteractive === 'proceed') {
      return true;
    }
    throw new UsageError(`${o.command} is destructive; pass --yes to confirm.`, o.command);
  }
  const question = o.style === 'yes' ? `Type 'yes' to ${o.action}: ` : `${o.action.charAt(0).toUpperCase()}${o.action.slice(1)}? [y/N] `;
  const answer = (await ctx.io.prompt(question)).trim().toLowerCase();
  const ok = o.style === 'yes' ? answer === 'yes' : answer === 'y' || answer === 'yes';
  if (!ok) {
    ctx.err('Cancelled; nothing was changed.\n');
  }
  return ok;
}

export const DEFAULT_WAIT_SECONDS = 30;

/** `--wait` alone → 30 s, `--wait N` → N s, absent → undefined. */
export function waitSeconds(flags: Flags): number | undefined {
  const wait = flags.optional('wait');
  if (wait === undefined) {
    return undefined;
  }
  return wait === true ? DEFAULT_WAIT_SECONDS : parseInteger(wait, 'wait', 0, 24 * 3600);
}

export const WAIT_FLAG: FlagSpec = {
  name: 'wait',
  kind: 'optional',
  value: 'SECONDS',
  description: `Wait until the instance reaches the new state (default ${DEFAULT_WAIT_SECONDS} s when no value is given).`,
};

/** Polls until `until` holds, `stop` holds (the instance went elsewhere) or the timeout passes. */
export async function waitFor(
  ctx: CommandContext,
  hub: TaskHub,
  instanceId: string,
  seconds: number,
  until: (s: InstanceStatus) => boolean,
  stop: (s: InstanceStatus) => boolean = () => false,
): Promise<{ status: InstanceStatus; reached: boolean; timedOut: boolean }> {
  try {
    const r = await waitForStatus(hub, {
      instanceId,
      until: (s) => until(s) || stop(s),
      timeoutMs: seconds * 1000,
      intervalMs: 1000,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress.update(p.message),
    });
    return { status: r.status, reached: !r.timedOut && until(r.status), timedOut: r.timedOut };
  } finally {
    ctx.progress.clear();
  }
}
