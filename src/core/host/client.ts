// The `host` transport: the instance operations through the HTTP management API of a running
// Functions host (routes of azure-functions-durable-extension's HttpApiHandler), answering with the
// same types and errors as storage. Where the API cannot do what an option asks (force, a chosen
// restart id, a dry run, filters it has no parameter for), the operation is refused with
// TransportUnsupportedError rather than done differently.
import { randomUUID } from 'node:crypto';
import type {
  ClientControlResult,
  ClientInstanceStatus,
  ClientPurgeResult,
  ClientRestartResult,
  ClientStartResult,
  GetInstanceOptions,
  InstanceClient,
  QueryInstancesOptions,
  ReadHistoryOptions,
} from '../client';
import type { HistoryPage } from '../history';
import type { HistoryEvent, Page } from '../model';
import type { RaiseEventOptions, ReasonOptions } from '../operations/control';
import type { PurgeByFilterOptions, PurgeInstanceOptions } from '../operations/purge';
import type { RestartOptions } from '../operations/restart';
import type { RewindOptions } from '../operations/rewind';
import type { StartNewOptions } from '../operations/start';
import type { HostEndpoint, HostRequest, HostResponse } from './request';
import { ConflictError, TransportUnsupportedError, ValidationError } from '../errors';
import { instanceNotFound } from '../instances';
import { isTerminalStatus } from '../model';
import { validateInstanceId, validateJsonText } from '../operations/start';
import { purgeFilterStatuses } from '../operations/purge';
import { hostEndpoint, hostError, sendToHost, unexpectedBody } from './request';
import { historyFromPayload, isStatusPayload, statusFromPayload } from './payloads';

export interface HostClientOptions {
  /** The function app's base URL (`http://localhost:7071`, `https://app.azurewebsites.net`), or its webhook URL. */
  baseUrl: string;
  /** The `durabletask_extension` system key; a local `func start` needs none. */
  code?: string;
  /** Default: the function app's own task hub. */
  taskHub?: string;
  /** The connection's app setting name; default: the function app's. */
  connectionName?: string;
  /** For tests; default the global fetch. */
  fetch?: typeof fetch;
}

const GERUNDS = { terminate: 'Terminating', suspend: 'Suspending', resume: 'Resuming' } as const;
/** Why `force` is refused over a host (callers that must refuse it before any request use it too). */
export const UNSUPPORTED_FORCE = "the HTTP management API checks the instance's state itself, with no way to override it";

/** `force` (do it whatever the instance's state) is storage's alone. */
function refuseForce(operation: string, force: boolean | undefined): void {
  if (force) {
    throw new TransportUnsupportedError(operation, UNSUPPORTED_FORCE);
  }
}

function requireId(instanceId: string): void {
  if (!instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
}

interface HistoryCursor {
  /** Events already returned. */
  o: number;
  /** The history snapshot the pages are cut from (see readHistory). */
  s?: string;
}

function decodeHistoryCursor(token: string): HistoryCursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as HistoryCursor;
    if (Number.isInteger(c.o) && c.o >= 0 && (c.s === undefined || typeof c.s === 'string')) {
      return c;
    }
  } catch {
    // Falls through to the error below.
  }
  throw new ValidationError('continuation-token', 'The history continuation token is not valid.');
}

export function hostInstanceClient(options: HostClientOptions): InstanceClient {
  const endpoint: HostEndpoint = hostEndpoint(options);
  const send = (r: HostRequest): Promise<HostResponse> => sendToHost(endpoint, r);
  const instancePath = (instanceId: string, ...rest: string[]): string[] => ['instances', instanceId, ...rest];
  // The host returns the whole history at once: the last one read is kept, so the following pages
  // are cut from it (one request per reading, not one per page, and pages that fit together).
  let historySnapshot: { id: string; instanceId: string; events: HistoryEvent[] } | undefined;

  /** The status answer of GET instances/{id}: 200 finished, 202 running, 500 with a status for an unknown state. */
  async function readStatus(instanceId: string, query: Record<string, string>, signal?: AbortSignal) {
    requireId(instanceId);
    const r = await send({ method: 'GET', path: instancePath(instanceId), query, signal });
    if (r.status === 404) {
      throw instanceNotFound(instanceId);
    }
    if ((r.status === 200 || r.status === 202 || r.status === 500) && isStatusPayload(r.body)) {
      return r.body;
    }
    throw r.status === 200 || r.status === 202 ? unexpectedBody(endpoint, r, 'an instance status') : hostError(endpoint, r, 'id');
  }

  async function getInstance(o: GetInstanceOptions): Promise<ClientInstanceStatus> {
    const payload = await readStatus(o.instanceId, { showInput: String(Boolean(o.showInput)) }, o.signal);
    return statusFromPayload(payload, o);
  }

  async function queryInstances(o: QueryInstancesOptions): Promise<Page<ClientInstanceStatus>> {
    if (o.name) {
      throw new TransportUnsupportedError('Filtering by orchestrator name', 'the HTTP management API has no such filter');
    }
    if (o.includeEntities === false) {
      throw new TransportUnsupportedError('Leaving out durable entities', 'the HTTP management API lists them with the orchestrations');
    }
    const statuses = [...new Set(o.statuses ?? [])];
    const r = await send({
      method: 'GET',
      path: ['instances'],
      query: {
        createdTimeFrom: o.createdAfter?.toISOString(),
        createdTimeTo: o.createdBefore?.toISOString(),
        runtimeStatus: statuses.length > 0 ? statuses.join(',') : undefined,
        instanceIdPrefix: o.instanceIdPrefix || undefined,
        showInput: String(Boolean(o.showInput)),
        top: String(o.pageSize ?? 100),
      },
      headers: o.continuationToken ? { 'x-ms-continuation-token': o.continuationToken } : undefined,
      signal: o.signal,
    });
    if (r.status !== 200) {
      throw hostError(endpoint, r, 'runtime-status');
    }
    if (!Array.isArray(r.body) || !r.body.every(isStatusPayload)) {
      throw unexpectedBody(endpoint, r, 'a list of instance statuses');
    }
    const items = r.body.map((p) => statusFromPayload(p, o));
    o.onProgress?.({ message: `Read ${items.length} instances`, done: items.length });
    // The host sends an empty header on the last page.
    return { items, continuationToken: r.headers.get('x-ms-continuation-token') || null };
  }

  async function readHistory(o: ReadHistoryOptions): Promise<HistoryPage> {
    const pageSize = o.pageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new ValidationError('page-size', 'The history page size must be a whole number from 1 to 1000.');
    }
    const cursor = o.continuationToken ? decodeHistoryCursor(o.continuationToken) : { o: 0 };
    const from = cursor.o;
    let snapshot = historySnapshot;
    if (!snapshot || !cursor.s || cursor.s !== snapshot.id || snapshot.instanceId !== o.instanceId) {
      // A first page, or a token of a snapshot no longer kept: read the whole history again.
      const payload = await readStatus(o.instanceId, { showHistory: 'true', showHistoryOutput: 'true', showInput: 'true' }, o.signal);
      snapshot = { id: randomUUID(), instanceId: o.instanceId, events: historyFromPayload(payload) };
      historySnapshot = snapshot;
    }
    const all = snapshot.events;
    const events = all.slice(from, from + pageSize);
    const next = from + events.length;
    o.onProgress?.({ message: `Read ${events.length} history events`, done: events.length });
    return {
      instanceId: o.instanceId,
      executionId: null,
      events,
      continuationToken: next < all.length ? Buffer.from(JSON.stringify({ o: next, s: snapshot.id } satisfies HistoryCursor), 'utf8').toString('base64url') : null,
    };
  }

  /** POST orchestrators/… and instances/{id}/restart answer 202 with the check-status links (200 after a wait). */
  function startedId(r: HostResponse, field: string): string {
    if (r.status !== 200 && r.status !== 202) {
      throw hostError(endpoint, r, field);
    }
    const id = (r.body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || !id) {
      throw unexpectedBody(endpoint, r, 'the check-status payload of a started instance');
    }
    return id;
  }

  async function startNew(o: StartNewOptions): Promise<ClientStartResult> {
    refuseForce('Starting over an active instance', o.force);
    if (o.scheduledStartTime) {
      throw new TransportUnsupportedError('A scheduled start', 'the HTTP management API starts orchestrations at once');
    }
    if (o.tags && Object.keys(o.tags).length > 0) {
      throw new TransportUnsupportedError('Starting with tags', 'the HTTP management API takes no tags');
    }
    if (!o.name || !o.name.trim()) {
      throw new ValidationError('function-name', 'The orchestrator function name is required.');
    }
    if (o.instanceId !== undefined) {
      validateInstanceId(o.instanceId);
    }
    const input = validateJsonText(o.input, 'input');
    const r = await send({
      method: 'POST',
      path: o.instanceId === undefined ? ['orchestrators', o.name] : ['orchestrators', o.name, o.instanceId],
      body: input ?? undefined,
      signal: o.signal,
    });
    const instanceId = startedId(r, 'function-name');
    o.onProgress?.({ message: `Started '${o.name}' as '${instanceId}'` });
    return { instanceId };
  }

  /** POST instances/{id}/{operation}: 202; 404 unknown; 410 finished; a 500 when the state refuses it. */
  async function instanceAction(
    o: { instanceId: string; signal?: AbortSignal },
    operation: string[],
    gone: string,
    extra: Pick<HostRequest, 'query' | 'body'> = {},
  ): Promise<ClientControlResult> {
    requireId(o.instanceId);
    const r = await send({ method: 'POST', path: instancePath(o.instanceId, ...operation), ...extra, signal: o.signal });
    if (r.status === 404) {
      throw instanceNotFound(o.instanceId);
    }
    if (r.status === 410) {
      throw new ConflictError(`Cannot ${gone}`);
    }
    if (r.status !== 202) {
      throw hostError(endpoint, r, operation[0] === 'raiseEvent' ? 'event-data' : 'id');
    }
    return { instanceId: o.instanceId };
  }

  const finished = (o: { instanceId: string }, verb: string): string => `${verb} instance '${o.instanceId}': it has finished (Completed, Failed, Canceled or Terminated).`;

  async function raiseEvent(o: RaiseEventOptions): Promise<ClientControlResult> {
    refuseForce("Raising an event whatever the instance's state", o.force);
    if (!o.eventName) {
      throw new ValidationError('event-name', 'The event name is required.');
    }
    const data = validateJsonText(o.eventData, 'event-data');
    return instanceAction(o, ['raiseEvent', o.eventName], finished(o, 'raise an event to'), { body: data ?? 'null' });
  }

  async function reasonAction(o: ReasonOptions, operation: 'terminate' | 'suspend' | 'resume'): Promise<ClientControlResult> {
    refuseForce(`${GERUNDS[operation]} an instance whatever its state`, o.force);
    return instanceAction(o, [operation], finished(o, operation), { query: { reason: o.reason ?? undefined } });
  }

  async function rewindInstance(o: RewindOptions): Promise<ClientControlResult> {
    refuseForce('Rewinding an instance that is not Failed', o.force);
    // Rewind takes a Failed instance: 410 is for the other finished states.
    const gone = `rewind instance '${o.instanceId}': it is Completed, Canceled or Terminated; only Failed instances can be rewound.`;
    return instanceAction(o, ['rewind'], gone, { query: { reason: o.reason ?? undefined } });
  }

  async function restartInstance(o: RestartOptions): Promise<ClientRestartResult> {
    requireId(o.instanceId);
    refuseForce('Restarting over an active instance', o.force);
    if (typeof o.newInstanceId === 'string') {
      throw new TransportUnsupportedError('Restarting under an id of your choice', 'the HTTP management API picks a new id itself or keeps the same one');
    }
    const r = await send({
      method: 'POST',
      path: instancePath(o.instanceId, 'restart'),
      query: { restartWithNewInstanceId: String(o.newInstanceId === true) },
      signal: o.signal,
    });
    // DurableClient.RestartAsync's ArgumentException for an unknown id comes back as this 400.
    if (r.status === 400 && /was not found/i.test(String((r.body as { ExceptionMessage?: unknown } | undefined)?.ExceptionMessage))) {
      throw instanceNotFound(o.instanceId);
    }
    const instanceId = startedId(r, 'id');
    o.onProgress?.({ message: `Restarted '${o.instanceId}' as '${instanceId}'` });
    return { instanceId, restartedFrom: o.instanceId };
  }

  async function purgeInstance(o: PurgeInstanceOptions): Promise<ClientPurgeResult> {
    requireId(o.instanceId);
    if (!o.force) {
      // The host purges whatever the status; storage refuses an unfinished instance without force, and so does this.
      const { runtimeStatus } = await readStatus(o.instanceId, { showInput: 'false' }, o.signal);
      if (!isTerminalStatus(runtimeStatus)) {
        throw new ConflictError(`Instance '${o.instanceId}' is ${runtimeStatus}; only Completed, Failed, Canceled or Terminated instances are purged.`, {
          cliHint: 'Pass --force to purge it anyway (its queued messages are then dropped by the runtime).',
        });
      }
    }
    const r = await send({ method: 'DELETE', path: instancePath(o.instanceId), signal: o.signal });
    if (r.status === 404) {
      throw instanceNotFound(o.instanceId);
    }
    if (r.status !== 200) {
      throw hostError(endpoint, r, 'id');
    }
    const deleted = (r.body as { instancesDeleted?: unknown } | undefined)?.instancesDeleted;
    if (typeof deleted !== 'number') {
      throw unexpectedBody(endpoint, r, 'a purge result');
    }
    o.onProgress?.({ message: `Purged '${o.instanceId}'`, done: 1, total: 1 });
    return { instancesDeleted: deleted };
  }

  async function purgeInstances(o: PurgeByFilterOptions): Promise<ClientPurgeResult> {
    if (o.dryRun) {
      throw new TransportUnsupportedError('A dry run of a purge', 'the HTTP management API purges at once and cannot count first');
    }
    if (o.instanceIdPrefix || o.name || o.includeEntities === false) {
      throw new TransportUnsupportedError('Purging by instance id prefix, orchestrator name or without entities', 'the HTTP management API filters a purge by created time and status only');
    }
    if (!o.createdAfter) {
      throw new ValidationError('created-after', 'Purging by filter through a Functions host needs a created-after time: the HTTP management API requires createdTimeFrom.');
    }
    const statuses = purgeFilterStatuses(o.statuses);
    // The finished statuses are always named: without runtimeStatus the host purges every status.
    const r = await send({
      method: 'DELETE',
      path: ['instances'],
      query: {
        createdTimeFrom: o.createdAfter.toISOString(),
        createdTimeTo: o.createdBefore?.toISOString(),
        runtimeStatus: statuses.join(','),
      },
      signal: o.signal,
    });
    // 404: nothing matched (HandleDeleteHistoryWithFiltersRequestAsync answers so when none was deleted).
    const deleted = r.status === 404 ? 0 : (r.body as { instancesDeleted?: unknown } | undefined)?.instancesDeleted;
    if (r.status !== 404 && r.status !== 200) {
      throw hostError(endpoint, r, 'created-after');
    }
    if (typeof deleted !== 'number') {
      throw unexpectedBody(endpoint, r, 'a purge result');
    }
    o.onProgress?.({ message: `Purged ${deleted} instances`, done: deleted });
    return { instancesDeleted: deleted };
  }

  return {
    transport: 'host',
    description: `the Functions host at ${endpoint.origin}${options.taskHub ? ` (task hub '${options.taskHub}')` : ''}`,
    getInstance,
    queryInstances,
    readHistory,
    startNew,
    raiseEvent,
    terminateInstance: (o) => reasonAction(o, 'terminate'),
    suspendInstance: (o) => reasonAction(o, 'suspend'),
    resumeInstance: (o) => reasonAction(o, 'resume'),
    rewindInstance,
    restartInstance,
    purgeInstance,
    purgeInstances,
  };
}
