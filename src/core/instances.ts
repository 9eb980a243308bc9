// Instance queries over `{H}Instances`: server-side filters, `$select` projections, paging.
import type { InstanceStatus, OperationOptions, Page, RuntimeStatus } from './model';
import type { TaskHub } from './hub';
import type { Row } from './storage/rows';
import { RUNTIME_STATUSES } from './model';
import { NotFoundError, ValidationError, throwIfAborted } from './errors';
import { escapePartitionKey, instanceIdFromPartitionKey } from './format/keys';
import { hubResourceNames } from './format/names';
import { and, eq, odataDateTime, or, partitionKeyPrefix } from './format/odata';
import { int, normalizeRow, queryPage, str, validateContinuationToken } from './storage/rows';
import { isNotFound, toDurableError } from './storage/errors';
import { parseStoredValue, readBlobValueForDisplay, resolveInstanceValue } from './values';
import { mapWithConcurrency } from './concurrency';

export interface InstanceQuery {
  createdAfter?: Date;
  createdBefore?: Date;
  /** Any of these statuses; empty or absent means all. */
  statuses?: readonly RuntimeStatus[];
  instanceIdPrefix?: string;
  /** Orchestrator (or entity) name, exact. */
  name?: string;
  /** Durable entities (`@name@key` ids) are included unless this is false. */
  includeEntities?: boolean;
  showInput?: boolean;
  showOutput?: boolean;
}

export interface PageRequest {
  pageSize?: number;
  continuationToken?: string | null;
}

export const DEFAULT_PAGE_SIZE = 100;

const STATUS_COLUMNS = [
  'PartitionKey',
  'Name',
  'Version',
  'RuntimeStatus',
  'CreatedTime',
  'LastUpdatedTime',
  'CompletedTime',
  'CustomStatus',
  'ExecutionId',
  'Generation',
  'ScheduledStartTime',
  'Tags',
];

export function instanceColumns(q: { showInput?: boolean; showOutput?: boolean }): string[] {
  return [
    ...STATUS_COLUMNS,
    ...(q.showInput ? ['Input', 'InputBlobName'] : []),
    ...(q.showOutput ? ['Output'] : []),
  ];
}

/** Validates a status name case-insensitively and returns its canonical spelling. */
export function parseRuntimeStatus(value: string, field = 'runtime-status'): RuntimeStatus {
  const match = RUNTIME_STATUSES.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  if (!match) {
    throw new ValidationError(field, `Unknown runtime status '${value}'. Valid: ${RUNTIME_STATUSES.join(', ')}.`);
  }
  return match;
}

/** Excludes durable entities, whose ids (`@name@key`) are the only ones starting with '@'. */
export const NO_ENTITIES_FILTER = "PartitionKey lt '@' or PartitionKey ge 'A'";

/** The OData filter for a query (reference §2.5); '' means every instance. */
export function instanceFilter(q: InstanceQuery): string {
  if (q.createdAfter && q.createdBefore && q.createdAfter > q.createdBefore) {
    throw new ValidationError('created-after', 'created-after is later than created-before.');
  }
  const statuses = [...new Set(q.statuses ?? [])];
  return and(
    q.createdAfter && `CreatedTime ge ${odataDateTime(q.createdAfter)}`,
    q.createdBefore && `CreatedTime le ${odataDateTime(q.createdBefore, { endOfMillisecond: true })}`,
    statuses.length > 0 && or(...statuses.map((s) => eq('RuntimeStatus', s))),
    q.instanceIdPrefix ? partitionKeyPrefix(q.instanceIdPrefix) : undefined,
    q.name ? eq('Name', q.name) : undefined,
    q.includeEntities === false && NO_ENTITIES_FILTER,
  );
}

export function toInstanceStatus(row: Row, q: { showInput?: boolean; showOutput?: boolean } = {}): InstanceStatus {
  const tagsText = str(row, 'Tags');
  const tags = parseStoredValue(tagsText);
  const status: InstanceStatus = {
    instanceId: instanceIdFromPartitionKey(row.partitionKey),
    name: str(row, 'Name') ?? '',
    runtimeStatus: str(row, 'RuntimeStatus') ?? 'Unknown',
    createdTime: str(row, 'CreatedTime') ?? null,
    lastUpdatedTime: str(row, 'LastUpdatedTime') ?? null,
    customStatus: parseStoredValue(str(row, 'CustomStatus')),
    executionId: str(row, 'ExecutionId') ?? null,
    completedTime: str(row, 'CompletedTime') ?? null,
    scheduledStartTime: str(row, 'ScheduledStartTime') ?? null,
    generation: int(row, 'Generation') ?? 0,
    version: str(row, 'Version') ?? null,
    tags: tags && typeof tags === 'object' && !Array.isArray(tags) ? (tags as Record<string, string>) : null,
  };
  if (q.showInput) {
    status.input = parseStoredValue(str(row, 'Input'));
  }
  if (q.showOutput) {
    status.output = parseStoredValue(str(row, 'Output'));
  }
  return status;
}

async function resolvePayloads(hub: TaskHub, row: Row, q: InstanceQuery, signal?: AbortSignal): Promise<void> {
  if (q.showInput) {
    const blobName = str(row, 'InputBlobName');
    const input = str(row, 'Input');
    row.columns.Input =
      // A corrupt or missing input blob shows as unreadable in place; the status is still worth showing.
      blobName && !input ? await readBlobValueForDisplay(hub, blobName, signal) : ((await resolveInstanceValue(hub, input, signal)) ?? 'null');
  }
  if (q.showOutput && row.columns.Output !== undefined) {
    row.columns.Output = (await resolveInstanceValue(hub, str(row, 'Output'), signal)) ?? 'null';
  }
}

function instancesError(hub: TaskHub, e: unknown): Error {
  return toDurableError(e, {
    endpoint: hub.clients.endpoints.table,
    what: `table '${hubResourceNames(hub.name).instancesTable}'`,
    secrets: hub.clients.secrets,
  });
}

/**
 * One page of instances. Azure Tables may return short (even empty) server pages with a
 * continuation token; this keeps reading until the page is full or the query is done.
 */
export async function queryInstances(
  hub: TaskHub,
  query: InstanceQuery & PageRequest,
  opts: OperationOptions = {},
): Promise<Page<InstanceStatus>> {
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new ValidationError('top', 'The page size must be a whole number from 1 to 1000.');
  }
  const table = hub.clients.table(hubResourceNames(hub.name).instancesTable);
  const filter = instanceFilter(query);
  const select = instanceColumns(query);
  const rows: Row[] = [];
  let token = query.continuationToken ? validateContinuationToken(query.continuationToken) : null;
  try {
    do {
      throwIfAborted(opts.signal);
      const page = await queryPage(table, filter, { select, pageSize: pageSize - rows.length, continuationToken: token, signal: opts.signal });
      rows.push(...page.rows);
      token = page.continuationToken;
    } while (token && rows.length < pageSize);
  } catch (e) {
    throw instancesError(hub, e);
  }
  if (query.showInput || query.showOutput) {
    // Blob-stored payloads are fetched a few at a time, not one after another.
    await mapWithConcurrency(rows, 8, (row) => resolvePayloads(hub, row, query, opts.signal));
  }
  const items = rows.map((row) => toInstanceStatus(row, query));
  opts.onProgress?.({ message: `Read ${items.length} instances`, done: items.length });
  return { items, continuationToken: token };
}

/** Every matching instance, page by page; memory stays bounded by one page. */
export async function* iterateInstances(
  hub: TaskHub,
  query: InstanceQuery & { pageSize?: number },
  opts: OperationOptions = {},
): AsyncGenerator<InstanceStatus> {
  let token: string | null = null;
  let done = 0;
  do {
    const page: Page<InstanceStatus> = await queryInstances(hub, { ...query, continuationToken: token, pageSize: query.pageSize ?? 1000 }, {
      signal: opts.signal,
    });
    for (const item of page.items) {
      yield item;
    }
    done += page.items.length;
    opts.onProgress?.({ message: `Read ${done} instances`, done });
    token = page.continuationToken;
  } while (token);
}

/** The filter fields of a query (what `instanceFilter` reads). */
export type InstanceFilterQuery = Pick<InstanceQuery, 'createdAfter' | 'createdBefore' | 'statuses' | 'instanceIdPrefix' | 'name' | 'includeEntities'>;

/**
 * The id of every matching instance, reading only PartitionKey, one server page at a time: memory
 * stays bounded by a page however many match. Rows may be deleted or changed between pages
 * (the continuation token is a key position, so nothing is skipped or repeated).
 */
export async function* iterateInstanceIds(
  hub: TaskHub,
  query: InstanceFilterQuery,
  opts: OperationOptions & { pageSize?: number } = {},
): AsyncGenerator<string> {
  const table = hub.clients.table(hubResourceNames(hub.name).instancesTable);
  const filter = instanceFilter(query);
  let token: string | null = null;
  let done = 0;
  do {
    throwIfAborted(opts.signal);
    let page;
    try {
      page = await queryPage(table, filter, { select: ['PartitionKey'], pageSize: opts.pageSize ?? 1000, continuationToken: token, signal: opts.signal });
    } catch (e) {
      throw instancesError(hub, e);
    }
    for (const row of page.rows) {
      yield instanceIdFromPartitionKey(row.partitionKey);
    }
    done += page.rows.length;
    opts.onProgress?.({ message: `Read ${done} instance ids`, done });
    token = page.continuationToken;
  } while (token);
}

/** Counts per runtime status, reading only the RuntimeStatus column. */
export async function countInstancesByStatus(
  hub: TaskHub,
  query: InstanceFilterQuery,
  opts: OperationOptions = {},
): Promise<Record<string, number>> {
  const table = hub.clients.table(hubResourceNames(hub.name).instancesTable);
  const counts: Record<string, number> = {};
  let token: string | null = null;
  let total = 0;
  try {
    do {
      throwIfAborted(opts.signal);
      const page = await queryPage(table, instanceFilter(query), { select: ['RuntimeStatus'], pageSize: 1000, continuationToken: token, signal: opts.signal });
      for (const row of page.rows) {
        const s = str(row, 'RuntimeStatus') ?? 'Unknown';
        counts[s] = (counts[s] ?? 0) + 1;
      }
      total += page.rows.length;
      opts.onProgress?.({ message: `Counted ${total} instances`, done: total });
      token = page.continuationToken;
    } while (token);
  } catch (e) {
    throw instancesError(hub, e);
  }
  return counts;
}

/** Reads the raw Instances row, or undefined. Falls back to the unescaped key of pre-1.8.4 rows. */
export async function readInstanceRow(hub: TaskHub, instanceId: string, select?: string[], signal?: AbortSignal): Promise<Row | undefined> {
  const table = hub.clients.table(hubResourceNames(hub.name).instancesTable);
  const keys = [escapePartitionKey(instanceId)];
  if (keys[0] !== instanceId && !/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(instanceId)) {
    keys.push(instanceId);
  }
  for (const key of keys) {
    try {
      const raw = await table.getEntity(key, '', { disableTypeConversion: true, abortSignal: signal, ...(select ? { queryOptions: { select } } : {}) });
      return normalizeRow(raw as unknown as Record<string, unknown>);
    } catch (e) {
      if (!isNotFound(e)) {
        throw instancesError(hub, e);
      }
    }
  }
  return undefined;
}

export function instanceNotFound(instanceId: string): NotFoundError {
  return new NotFoundError(`Could not find an orchestration instance with id '${instanceId}'`);
}

/** One instance's status; throws NotFound with the `func durable` message. */
export async function getInstance(
  hub: TaskHub,
  instanceId: string,
  q: { showInput?: boolean; showOutput?: boolean } = {},
  opts: OperationOptions = {},
): Promise<InstanceStatus> {
  throwIfAborted(opts.signal);
  const row = await readInstanceRow(hub, instanceId, instanceColumns(q), opts.signal);
  if (!row) {
    throw instanceNotFound(instanceId);
  }
  await resolvePayloads(hub, row, q, opts.signal);
  const status = toInstanceStatus(row, q);
  // Keep the id the caller asked for, even for a legacy raw-key row.
  status.instanceId = instanceId;
  return status;
}
