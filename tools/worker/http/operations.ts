// Actions on one instance and purges: raiseEvent, terminate, suspend, resume, rewind
// (HttpApiHandler.Handle*InstanceRequestAsync, with DurableClient's state checks) and
// DELETE instances[/{id}] (HandleDeleteHistoryByIdRequestAsync, ...WithFiltersRequestAsync).
import type { RuntimeStatus } from '../../../src/core';
import {
  TERMINAL_STATUSES,
  purgeInstance,
  purgeInstances,
  raiseEvent,
  resumeInstance,
  rewindInstance,
  suspendInstance,
  terminateInstance,
} from '../../../src/core';
import type { ApiContext } from './context';
import { COMPLETED, SUSPENDABLE, findStatus, isRunning, json } from './context';
import type { DotNetException } from './dotnet';
import { ORCHESTRATION_STATUS, invalidOperation, tryParseDateTime, tryParseEnum } from './dotnet';
import type { ApiResponse } from './payloads';
import { errorMessage, errorWithException } from './payloads';

/** POST instances/{id}/raiseEvent/{eventName}: 202; 404 unknown; 410 finished; 400 not JSON. */
export async function raiseEventRoute(ctx: ApiContext, instanceId: string, eventName: string): Promise<ApiResponse> {
  const found = await findStatus(ctx, instanceId);
  if (!found) {
    return { status: 404 };
  }
  if (COMPLETED.includes(found.status.runtimeStatus)) {
    return { status: 410 };
  }
  const contentType = ctx.headers['content-type'] ?? '';
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
    return errorMessage(400, 'Only application/json request content is supported');
  }
  let data: unknown;
  try {
    data = JSON.parse(await ctx.readBody());
  } catch (e) {
    return errorWithException(400, 'Invalid JSON content', { type: 'Newtonsoft.Json.JsonReaderException', message: (e as Error).message });
  }
  if (!isRunning(found.status)) {
    throw invalidOperation(`Cannot raise event ${eventName} for orchestration instance ${instanceId} because instance is in ${found.status.runtimeStatus} state`);
  }
  await raiseEvent(found.hub, { instanceId, eventName, eventData: JSON.stringify(data), signal: ctx.signal });
  return { status: 202 };
}

type InstanceOperation = 'terminate' | 'suspend' | 'resume' | 'rewind';

/** POST instances/{id}/{terminate|suspend|resume|rewind}?reason=: 202; 404 unknown; 410 finished. */
export async function instanceOperation(ctx: ApiContext, instanceId: string, operation: InstanceOperation): Promise<ApiResponse> {
  const found = await findStatus(ctx, instanceId);
  if (!found) {
    return { status: 404 };
  }
  const { hub, status } = found;
  const current = String(status.runtimeStatus);
  // Rewind takes a Failed instance: only the other finished states are gone for it.
  const gone = operation === 'rewind' ? ['Completed', 'Terminated', 'Canceled'] : COMPLETED;
  if (gone.includes(current)) {
    return { status: 410 };
  }
  const reason = ctx.query.get('reason') ?? null;
  const o = { instanceId, reason, signal: ctx.signal };
  const refused = (verb: string): DotNetException =>
    invalidOperation(`Cannot ${verb} the orchestration instance ${instanceId} because instance is in the ${current} state.`);
  switch (operation) {
    case 'terminate':
      if (!isRunning(status)) {
        throw refused('terminate');
      }
      await terminateInstance(hub, o);
      break;
    case 'suspend':
      if (!SUSPENDABLE.includes(current)) {
        throw refused('suspend');
      }
      await suspendInstance(hub, o);
      break;
    case 'resume':
      if (current !== 'Suspended') {
        throw refused('resume');
      }
      await resumeInstance(hub, o);
      break;
    case 'rewind':
      if (current !== 'Failed') {
        throw invalidOperation('The rewind operation is only supported on failed orchestration instances.');
      }
      await rewindInstance(hub, o);
      break;
  }
  return { status: 202 };
}

/** DELETE instances/{id}: 200 {"instancesDeleted":1} whatever its status; 404 unknown. */
export async function purgeOne(ctx: ApiContext, instanceId: string): Promise<ApiResponse> {
  const found = await findStatus(ctx, instanceId);
  if (!found) {
    return { status: 404 };
  }
  const result = await purgeInstance(found.hub, { instanceId, force: true, signal: ctx.signal });
  return json(200, { instancesDeleted: result.instancesDeleted });
}

/**
 * DELETE instances?createdTimeFrom=&createdTimeTo=&runtimeStatus=: createdTimeFrom is required,
 * createdTimeTo defaults to now, only finished statuses are kept. 200 with the count, 404 when
 * nothing was deleted.
 */
export async function purgeByFilter(ctx: ApiContext): Promise<ApiResponse> {
  const from = tryParseDateTime(ctx.query.get('createdTimeFrom'));
  if (!from) {
    return json(400, "Please provide value for 'createdTimeFrom' parameter.");
  }
  const to = tryParseDateTime(ctx.query.get('createdTimeTo')) ?? new Date();
  const statuses = ctx.query
    .all('runtimeStatus')
    .flatMap((v) => v.split(','))
    .map((v) => tryParseEnum(v, ORCHESTRATION_STATUS))
    .filter((s): s is RuntimeStatus => TERMINAL_STATUSES.includes(s as RuntimeStatus));
  const hub = await ctx.hub();
  if (!hub || from > to) {
    return { status: 404 };
  }
  const result = await purgeInstances(hub, { createdAfter: from, createdBefore: to, statuses, signal: ctx.signal });
  if (result.instancesDeleted === 0 && result.failures.length > 0) {
    throw new Error(result.failures[0].error);
  }
  return result.instancesDeleted === 0 ? { status: 404 } : json(200, { instancesDeleted: result.instancesDeleted });
}

