// What every command shares: the common flags, the context a command runs in, the one
// connect → choose hub → open hub flow (or, with --host, the running host's API instead),
// confirmation of destructive operations and --wait polling.
import type { ClientInstanceStatus, InstanceClient, ResolvedConnection, StorageClients, TaskHub } from '../../core';
import {
  TransportUnsupportedError,
  UNSUPPORTED_FORCE,
  chooseTaskHubName,
  createStorageClients,
  hostInstanceClient,
  maskSecrets,
  openTaskHub,
  openTaskHubForReading,
  resolveConnection,
  storageInstanceClient,
  waitForStatus,
  whileHubExists,
} from '../../core';
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
    description: "Task hub (default: host.json's, else the account's only hub; with --host, the host's own).",
  },
  {
    name: 'connection-string-setting',
    kind: 'string',
    value: 'NAME',
    description: "Setting holding the storage connection (default: host.json's, else AzureWebJobsStorage; with --host, the host's own).",
  },
  { name: 'json', kind: 'boolean', description: 'Print JSON on stdout instead of text.' },
];

export const ID_FLAG: FlagSpec = { name: 'id', kind: 'string', value: 'ID', required: true, description: 'The orchestration instance id.' };
export const YES_FLAG: FlagSpec = { name: 'yes', short: 'y', kind: 'boolean', description: 'Do not ask for confirmation.' };
export const REASON_FLAG: FlagSpec = { name: 'reason', kind: 'string', value: 'TEXT', allowEmpty: true, description: 'Reason, recorded in the history.' };
/** --host on an instance command: the operations go to that host's HTTP management API instead of storage. */
export const VIA_HOST_FLAG: FlagSpec = {
  name: 'host',
  kind: 'string',
  value: 'URL',
  description:
    "Go through the HTTP management API of the running Functions host at this base URL (http://localhost:7071, " +
    'https://<app>.azurewebsites.net) instead of storage: no connection string is needed.',
};
export const HOST_KEY_FLAG: FlagSpec = {
  name: 'code',
  kind: 'string',
  value: 'KEY',
  description: "With --host: the host's durabletask_extension system key (for a host in Azure; sent in a header, masked in messages).",
};
export const DATE_HELP =
  'Dates are ISO 8601 (2024-05-01, 2024-05-01T10:00:00Z, 2024-05-01T12:00:00+02:00); a date or time ' +
  'without a zone is UTC. An age such as 30m, 24h or 7d means that long ago.';

/** Everything a command may use. Commands print through `out`/`err`, never `console`. */
export interface CommandContext {
  io: CliIo;
  /** The command's name, for usage errors that point at its help. */
  command: string;
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

export function createContext(io: CliIo, values: Flags, secrets: string[], command = ''): CommandContext {
  const json = values.boolean('json');
  return {
    io,
    command,
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

export interface OpenedClient {
  /** The instance operations, over storage or over the host's HTTP management API (--host). */
  client: InstanceClient;
  /** Storage only: the connection and hub behind `client` (SAS checks, the management links' hub and setting). */
  storage?: OpenedHub;
  /** Where the operations go, for messages: `task hub 'X'` over storage, the host's description over --host. */
  where: string;
}

export interface OpenClientOptions {
  /**
   * Listing only: no storage call to open the hub (see openHubForReading); a hub that does not
   * exist fails the query with openHub's error.
   */
  forReading?: boolean;
  /** --code without --host means the key put in the printed management links (wait, start-new --wait). */
  codeForLinks?: boolean;
}

function codeWithoutHost(ctx: CommandContext): UsageError {
  return new UsageError('--code is the key of the host given with --host; pass --host too.', ctx.command || undefined);
}

/** The --code value, registered as a secret before anything can print it. */
export function hostKey(ctx: CommandContext): string | undefined {
  const code = ctx.flags.string('code');
  if (code) {
    ctx.secrets.push(code);
  }
  return code;
}

/**
 * What every instance command goes through: with --host, the host's HTTP management API (no
 * storage, no local.settings.json; --task-hub-name and --connection-string-setting are passed on,
 * else the host uses its own); otherwise storage, opened as openHub (or openHubForReading) does.
 */
export async function openInstanceClient(ctx: CommandContext, o: OpenClientOptions = {}): Promise<OpenedClient> {
  const host = ctx.flags.string('host');
  const code = hostKey(ctx);
  if (host === undefined) {
    if (code !== undefined && !o.codeForLinks) {
      throw codeWithoutHost(ctx);
    }
    const opened = o.forReading ? await openHubForReading(ctx) : await openHub(ctx);
    const client = storageInstanceClient(opened.hub);
    if (o.forReading) {
      const query = client.queryInstances;
      client.queryInstances = (q) => whileHubExists(opened.hub, () => query(q), q);
    }
    return { client, storage: opened, where: `task hub '${opened.hub.name}'` };
  }
  const taskHub = ctx.flags.string('task-hub-name');
  const connectionName = ctx.flags.string('connection-string-setting');
  const client = hostInstanceClient({
    baseUrl: host,
    ...(code !== undefined ? { code } : {}),
    ...(taskHub !== undefined ? { taskHub } : {}),
    ...(connectionName !== undefined ? { connectionName } : {}),
  });
  return { client, where: client.description };
}

/**
 * Refuses a storage-only command given --host, before anything is sent anywhere (list-task-hubs,
 * delete-task-hub: the HTTP management API works on instances of one task hub).
 */
export function refuseHost(ctx: CommandContext, operation: string, reason: string): void {
  if (ctx.flags.has('host')) {
    throw new TransportUnsupportedError(operation, reason);
  }
  if (hostKey(ctx) !== undefined) {
    throw codeWithoutHost(ctx);
  }
}

/**
 * Over --host, the operation itself refuses --force (the HTTP management API checks the
 * instance's state, with no override); refusing it here comes before the reads some commands
 * make first (the status a confirmation shows), so the host is sent nothing.
 */
export function refuseForceOverHost(ctx: CommandContext, opened: OpenedClient, command: string): void {
  if (opened.client.transport === 'host' && ctx.flags.boolean('force')) {
    throw new TransportUnsupportedError(`${command} --force`, UNSUPPORTED_FORCE);
  }
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
  client: InstanceClient,
  instanceId: string,
  seconds: number,
  until: (s: ClientInstanceStatus) => boolean,
  stop: (s: ClientInstanceStatus) => boolean = () => false,
): Promise<{ status: ClientInstanceStatus; reached: boolean; timedOut: boolean }> {
  try {
    const r = await waitForStatus(client, {
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
