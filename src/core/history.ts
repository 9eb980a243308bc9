// History of an instance's current execution, read as DTAS's `GetHistoryEventsAsync` does
// (reference §3.1): the sentinel names the execution; reading stops at the first row of an
// older execution (ContinueAsNew leftovers); `<Prop>BlobName` columns are inlined. Paged.
import type { HistoryEvent, JsonValue, OperationOptions } from './model';
import type { TaskHub } from './hub';
import type { Row } from './storage/rows';
import { ValidationError, throwIfAborted } from './errors';
import { escapePartitionKey } from './format/keys';
import { hubResourceNames } from './format/names';
import { and, eq } from './format/odata';
import { VARIABLE_SIZE_PROPERTIES } from './format/payload';
import { normalizeRow, queryPage, str } from './storage/rows';
import { isNotFound, toDurableError } from './storage/errors';
import { instanceNotFound, readInstanceRow } from './instances';
import { parseStoredValue, readBlobValueForDisplay } from './values';

export const SENTINEL_ROW_KEY = 'sentinel';

/** History columns that hold JSON-serialized objects (Json.NET), parsed for output. */
const JSON_COLUMNS = new Set(['OrchestrationInstance', 'ParentInstance', 'FailureDetails', 'Tags', 'ParentTraceContext', 'State']);
const SKIPPED_COLUMNS = new Set(['EventType', 'EventId', '_Timestamp', 'ExecutionId']);

export interface HistoryPage {
  instanceId: string;
  executionId: string | null;
  events: HistoryEvent[];
  /** Opaque; null when the history is complete. */
  continuationToken: string | null;
}

interface HistoryCursor {
  /** PartitionKey actually used (escaped, or raw for pre-1.8.4 rows). */
  k: string;
  e: string | null;
  t: string | null;
}

function encodeCursor(c: HistoryCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(token: string): HistoryCursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as HistoryCursor;
    if (typeof c.k !== 'string') {
      throw new Error('bad');
    }
    return c;
  } catch {
    throw new ValidationError('continuation-token', 'The history continuation token is not valid.');
  }
}

function historyError(hub: TaskHub, e: unknown): Error {
  return toDurableError(e, {
    endpoint: hub.clients.endpoints.table,
    what: `table '${hubResourceNames(hub.name).historyTable}'`,
    secrets: hub.clients.secrets,
  });
}

async function readSentinelExecutionId(hub: TaskHub, partitionKey: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const raw = await hub.clients
      .table(hubResourceNames(hub.name).historyTable)
      .getEntity(partitionKey, SENTINEL_ROW_KEY, { disableTypeConversion: true, abortSignal: signal });
    return str(normalizeRow(raw as unknown as Record<string, unknown>), 'ExecutionId');
  } catch (e) {
    if (isNotFound(e)) {
      return undefined;
    }
    throw historyError(hub, e);
  }
}

/** Converts a History row into an event, with large properties already inlined. */
export function toHistoryEvent(row: Row): HistoryEvent {
  const event: HistoryEvent = {
    EventType: str(row, 'EventType') ?? 'Unknown',
    EventId: typeof row.columns.EventId === 'number' ? row.columns.EventId : -1,
    Timestamp: str(row, '_Timestamp') ?? null,
  };
  for (const [column, value] of Object.entries(row.columns)) {
    if (SKIPPED_COLUMNS.has(column) || column.endsWith('BlobName')) {
      continue;
    }
    if (JSON_COLUMNS.has(column) && typeof value === 'string') {
      event[column] = parseStoredValue(value);
    } else {
      event[column] = value as JsonValue;
    }
  }
  return event;
}

async function inlineBlobColumns(hub: TaskHub, row: Row, signal?: AbortSignal): Promise<void> {
  for (const prop of VARIABLE_SIZE_PROPERTIES) {
    const blobName = str(row, `${prop}BlobName`);
    if (blobName) {
      // A corrupt or missing blob shows as that one value's error; the rest of the history still reads.
      row.columns[prop] = await readBlobValueForDisplay(hub, blobName, signal);
      row.types[prop] = 'String';
    }
  }
}

/**
 * One page of the current execution's history, in order. Pass the returned token back for the
 * next page; a 10,000-event history never has to be held whole.
 */
export async function readHistory(
  hub: TaskHub,
  instanceId: string,
  page: { pageSize?: number; continuationToken?: string | null } = {},
  opts: OperationOptions = {},
): Promise<HistoryPage> {
  const pageSize = page.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new ValidationError('page-size', 'The history page size must be a whole number from 1 to 1000.');
  }
  throwIfAborted(opts.signal);
  const table = hub.clients.table(hubResourceNames(hub.name).historyTable);
  let cursor: HistoryCursor;
  if (page.continuationToken) {
    cursor = decodeCursor(page.continuationToken);
  } else {
    const row = await readInstanceRow(hub, instanceId, ['PartitionKey', 'ExecutionId'], opts.signal);
    if (!row) {
      throw instanceNotFound(instanceId);
    }
    const key = row.partitionKey || escapePartitionKey(instanceId);
    const executionId = (await readSentinelExecutionId(hub, key, opts.signal)) ?? null;
    cursor = { k: key, e: executionId, t: null };
  }

  const events: HistoryEvent[] = [];
  let token: string | null = cursor.t;
  let executionId = cursor.e;
  let finished = false;
  try {
    do {
      throwIfAborted(opts.signal);
      const result = await queryPage(table, and(eq('PartitionKey', cursor.k)), {
        pageSize: pageSize - events.length,
        continuationToken: token,
        signal: opts.signal,
      });
      for (const row of result.rows) {
        if (row.rowKey === SENTINEL_ROW_KEY) {
          continue;
        }
        const rowExecution = str(row, 'ExecutionId') ?? null;
        // No sentinel (very old rows): the first row's execution is the current one.
        executionId ??= rowExecution;
        if (rowExecution !== null && executionId !== null && rowExecution !== executionId) {
          finished = true;
          break;
        }
        await inlineBlobColumns(hub, row, opts.signal);
        events.push(toHistoryEvent(row));
      }
      token = finished ? null : result.continuationToken;
    } while (token && events.length < pageSize);
  } catch (e) {
    throw historyError(hub, e);
  }
  opts.onProgress?.({ message: `Read ${events.length} history events`, done: events.length });
  return {
    instanceId,
    executionId,
    events,
    continuationToken: token ? encodeCursor({ k: cursor.k, e: executionId, t: token }) : null,
  };
}

/** Every event of the current execution, streamed page by page. */
export async function* iterateHistory(
  hub: TaskHub,
  instanceId: string,
  opts: OperationOptions & { pageSize?: number } = {},
): AsyncGenerator<HistoryEvent, { executionId: string | null }> {
  let token: string | null = null;
  let executionId: string | null;
  let done = 0;
  do {
    const page: HistoryPage = await readHistory(hub, instanceId, { pageSize: opts.pageSize ?? 1000, continuationToken: token }, { signal: opts.signal });
    executionId = page.executionId;
    for (const e of page.events) {
      yield e;
    }
    done += page.events.length;
    opts.onProgress?.({ message: `Read ${done} history events`, done });
    token = page.continuationToken;
  } while (token);
  return { executionId };
}
