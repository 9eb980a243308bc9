// GET instances/{id} and GET instances: HttpApiHandler.HandleGetStatusRequestAsync (both overloads).
import type { InstanceQuery, PageRequest, RuntimeStatus } from '../../../src/core';
import { iterateHistory, queryInstances } from '../../../src/core';
import type { ApiContext } from './context';
import { findStatus, json } from './context';
import { ORCHESTRATION_RUNTIME_STATUS, argumentException, tryParseBool, tryParseDateTime, tryParseEnum, tryParseInt } from './dotnet';
import type { ApiResponse } from './payloads';
import { historyEventsPayload, statusPayload } from './payloads';

/** GET instances/{id}: 202 while it runs (Location, Retry-After: 5), 200 once finished, 404 when unknown. */
export async function getStatus(ctx: ApiContext, instanceId: string, returnInternalServerErrorOnFailure?: boolean): Promise<ApiResponse> {
  const showHistory = tryParseBool(ctx.query.get('showHistory')) ?? false;
  const showHistoryOutput = tryParseBool(ctx.query.get('showHistoryOutput')) ?? false;
  const showInput = tryParseBool(ctx.query.get('showInput')) ?? true;
  const failIs500 = returnInternalServerErrorOnFailure ?? tryParseBool(ctx.query.get('returnInternalServerErrorOnFailure')) ?? false;
  const found = await findStatus(ctx, instanceId, { showInput, showOutput: true });
  if (!found) {
    return { status: 404 };
  }
  const { hub, status } = found;
  let history;
  // The host reads no history of a Pending instance (it has none yet).
  if (showHistory && status.runtimeStatus !== 'Pending') {
    const events = [];
    for await (const event of iterateHistory(hub, instanceId, { signal: ctx.signal })) {
      events.push(event);
    }
    history = historyEventsPayload(events, { showInput, showHistoryOutput });
  }
  const body = statusPayload(status, history);
  switch (status.runtimeStatus) {
    case 'Running':
    case 'Pending':
    case 'ContinuedAsNew':
    case 'Suspended':
      return json(202, body, { Location: ctx.requestUrl, 'Retry-After': '5' });
    case 'Failed':
      return json(failIs500 ? 500 : 200, body);
    case 'Canceled':
    case 'Terminated':
    case 'Completed':
      return json(200, body);
    default:
      return json(500, body);
  }
}

/**
 * The runtimeStatus filter of a listing: each comma-separated value Enum.TryParse'd (values that
 * do not parse are ignored); "Unknown" parses but the storage query refuses it. A value naming no
 * status (e.g. 99) matches nothing.
 */
function listStatuses(values: readonly string[]): { statuses: RuntimeStatus[]; matchesNothing: boolean } | undefined {
  const parsed = values.flatMap((v) => v.split(',')).flatMap((v) => tryParseEnum(v, ORCHESTRATION_RUNTIME_STATUS) ?? []);
  if (parsed.length === 0) {
    return undefined;
  }
  if (parsed.includes('Unknown')) {
    throw argumentException("Requested value 'Unknown' was not found.");
  }
  const statuses = parsed.filter((s): s is RuntimeStatus => typeof s === 'string');
  return { statuses, matchesNothing: statuses.length === 0 };
}

/** GET instances: one page (top, default 100), the next page's token in x-ms-continuation-token ('' on the last). */
export async function listInstances(ctx: ApiContext): Promise<ApiResponse> {
  const q = ctx.query;
  const query: InstanceQuery & PageRequest = { showInput: tryParseBool(q.get('showInput')) ?? true, showOutput: true, pageSize: tryParseInt(q.get('top')) ?? 100 };
  const prefix = q.get('instanceIdPrefix');
  if (prefix) {
    query.instanceIdPrefix = prefix;
  }
  query.createdAfter = tryParseDateTime(q.get('createdTimeFrom'));
  query.createdBefore = tryParseDateTime(q.get('createdTimeTo'));
  const filter = listStatuses(q.all('runtimeStatus'));
  query.statuses = filter?.statuses;
  const header = ctx.headers['x-ms-continuation-token'];
  query.continuationToken = (Array.isArray(header) ? header[0] : header) || null;
  const empty = json(200, [], { 'x-ms-continuation-token': '' });
  const hub = await ctx.hub();
  // An empty range or a status naming nothing: storage answers no rows (core would call it invalid).
  if (!hub || filter?.matchesNothing || (query.createdAfter && query.createdBefore && query.createdAfter > query.createdBefore)) {
    return empty;
  }
  const page = await queryInstances(hub, query, { signal: ctx.signal });
  return json(
    200,
    page.items.map((s) => statusPayload(s)),
    { 'x-ms-continuation-token': page.continuationToken ?? '' },
  );
}
