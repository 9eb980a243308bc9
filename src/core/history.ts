// History of an instance's current execution, read as DTAS's `GetHistoryEventsAsync` does
// (reference §3.1): the sentinel names the execution; reading stops at the first row of an
// older execution (ContinueAsNew leftovers); `<Prop>BlobName` columns are inlined. Paged.
import type { HistoryEvent, JsonValue, OperationOptions } from './model';
import type { TaskHub } from './hub';
import type { Row, ServiceEntity } from './storage/rows';
import { ValidationError, throwIfAborted } from './errors';
import { escapePartitionKey } from './format/keys';
import { hubResourceNames } from './format/names';
import { and, eq } from './format/odata';
import { VARIABLE_SIZE_PROPERTIES } from './format/payload';
import { isServiceColumn, normalizeRow, queryPage, queryServicePage, rowFromServiceEntity, serviceCell, str } from './storage/rows';
import { mapWithConcurrency } from './concurrency';
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

/** Resolves after the pending microtasks and ticks have run (a request just started is sent by then). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Marks a promise's rejection as handled (it is awaited later, or dropped when no longer needed). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

// ---- Server pages ---------------------------------------------------------------------------
//
// Pages are read as the service sent them (`queryServicePage` in storage/rows.ts) and turned into
// events directly; should the service's entities not be at hand, the page is read again the
// ordinary way (`queryPage`).

type WireEntity = ServiceEntity;

/** Reads what the pipeline needs from the rows of a page, whichever way they were read. */
interface RowAccess<T> {
  rowKey(row: T): string;
  executionId(row: T): string | null;
  /** The row names a blob (`<Prop>BlobName`) whose value must be inlined. */
  hasBlobs(row: T): boolean;
  toRow(row: T): Row;
  toEvent(row: T): HistoryEvent;
}

interface ServerPage<T> {
  rows: T[];
  access: RowAccess<T>;
  continuationToken: string | null;
}

const WIRE_ACCESS: RowAccess<WireEntity> = {
  rowKey: (e) => String(e.RowKey ?? ''),
  executionId: (e) => {
    const v = serviceCell(e, 'ExecutionId');
    return v === undefined ? null : String(v);
  },
  hasBlobs: (e) => {
    for (const key in e) {
      if (key.endsWith('BlobName') && isServiceColumn(key)) {
        return true;
      }
    }
    return false;
  },
  toRow: rowFromServiceEntity,
  toEvent: (e) => {
    const type = serviceCell(e, 'EventType');
    const eventId = serviceCell(e, 'EventId');
    const time = serviceCell(e, '_Timestamp');
    const event: HistoryEvent = {
      EventType: type === undefined ? 'Unknown' : String(type),
      EventId: typeof eventId === 'number' ? eventId : -1,
      Timestamp: time === undefined ? null : String(time),
    };
    for (const key in e) {
      if (!isServiceColumn(key) || SKIPPED_COLUMNS.has(key) || key.endsWith('BlobName')) {
        continue;
      }
      const value = serviceCell(e, key);
      if (value !== undefined) {
        event[key] = JSON_COLUMNS.has(key) && typeof value === 'string' ? parseStoredValue(value) : value;
      }
    }
    return event;
  },
};

/** The event of a History entity as the service sent it (what a page's `onResponse` gives). */
export function historyEventFromServiceEntity(entity: Record<string, unknown>): HistoryEvent {
  return WIRE_ACCESS.toEvent(entity);
}

/** A History entity as the service sent it, as a Row (what `normalizeRow` makes of the SDK's typed read). */
export function historyRowFromServiceEntity(entity: Record<string, unknown>): Row {
  return WIRE_ACCESS.toRow(entity);
}

const ROW_ACCESS: RowAccess<Row> = {
  rowKey: (row) => row.rowKey,
  executionId: (row) => str(row, 'ExecutionId') ?? null,
  hasBlobs: (row) => {
    for (const column in row.columns) {
      if (column.endsWith('BlobName')) {
        return true;
      }
    }
    return false;
  },
  toRow: (row) => row,
  toEvent: (row) => toHistoryEvent(row),
};

async function queryServerPage(hub: TaskHub, key: string, token: string | null, pageSize: number, signal?: AbortSignal): Promise<ServerPage<WireEntity> | ServerPage<Row>> {
  const table = hub.clients.table(hubResourceNames(hub.name).historyTable);
  const filter = and(eq('PartitionKey', key));
  const options = { pageSize, continuationToken: token, signal };
  const service = await queryServicePage(table, filter, options);
  if (service) {
    return { rows: service.entities, access: WIRE_ACCESS, continuationToken: service.continuationToken };
  }
  const rows = await queryPage(table, filter, options);
  return { rows: rows.rows, access: ROW_ACCESS, continuationToken: rows.continuationToken };
}

type AnyServerPage = ServerPage<WireEntity> | ServerPage<Row>;

/** One server page of the history partition, its failure already a DurableError. */
function fetchHistoryPage(hub: TaskHub, key: string, token: string | null, pageSize: number, signal?: AbortSignal): Promise<AnyServerPage> {
  return quiet(
    queryServerPage(hub, key, token, pageSize, signal).catch((e: unknown) => {
      throw historyError(hub, e);
    }),
  );
}

/** Where the first page of a history starts: its partition, its execution and that page (already requested). */
interface HistoryStart {
  cursor: HistoryCursor;
  first: Promise<AnyServerPage>;
}

/**
 * The instance row (it must exist; its PartitionKey is the history's, raw for pre-1.8.4 rows), the
 * sentinel (it names the execution) and the first page of the partition are read at once, on the
 * escaped key; only an instance stored under its raw (legacy) key reads them again under that key.
 */
async function startHistory(hub: TaskHub, instanceId: string, pageSize: number, signal?: AbortSignal): Promise<HistoryStart> {
  const escaped = escapePartitionKey(instanceId);
  const instanceRow = readInstanceRow(hub, instanceId, ['PartitionKey', 'ExecutionId'], signal);
  let sentinel = quiet(readSentinelExecutionId(hub, escaped, signal));
  let first = fetchHistoryPage(hub, escaped, null, pageSize, signal);
  const row = await instanceRow;
  if (!row) {
    throw instanceNotFound(instanceId);
  }
  const key = row.partitionKey || escaped;
  if (key !== escaped) {
    sentinel = quiet(readSentinelExecutionId(hub, key, signal));
    first = fetchHistoryPage(hub, key, null, pageSize, signal);
  }
  const executionId = (await sentinel) ?? null;
  return { cursor: { k: key, e: executionId, t: null }, first };
}

/**
 * The rows of a server page that belong to the execution, in order (the sentinel skipped); `ended`
 * when a row of an older execution was met (nothing after it is read). Sets the execution from the
 * first row when there was no sentinel (very old rows).
 */
function currentRows<T>(page: ServerPage<T>, state: { executionId: string | null }): { rows: T[]; access: RowAccess<T>; ended: boolean } {
  const out: T[] = [];
  const { access } = page;
  for (const row of page.rows) {
    if (access.rowKey(row) === SENTINEL_ROW_KEY) {
      continue;
    }
    const rowExecution = access.executionId(row);
    state.executionId ??= rowExecution;
    if (rowExecution !== null && state.executionId !== null && rowExecution !== state.executionId) {
      return { rows: out, access, ended: true };
    }
    out.push(row);
  }
  return { rows: out, access, ended: false };
}

/** The events of a page's current rows: blob-held values inlined (only rows that name a blob wait), the rest converted as they are. */
async function pageEvents<T>(hub: TaskHub, rows: T[], access: RowAccess<T>, signal?: AbortSignal): Promise<HistoryEvent[]> {
  const withBlobs: { at: number; row: Row }[] = [];
  for (let at = 0; at < rows.length; at++) {
    if (access.hasBlobs(rows[at])) {
      withBlobs.push({ at, row: access.toRow(rows[at]) });
    }
  }
  const events: HistoryEvent[] = new Array<HistoryEvent>(rows.length);
  if (withBlobs.length > 0) {
    try {
      await mapWithConcurrency(withBlobs, BLOB_CONCURRENCY, ({ row }) => inlineBlobColumns(hub, row, signal));
    } catch (e) {
      throw historyError(hub, e);
    }
    for (const { at, row } of withBlobs) {
      events[at] = toHistoryEvent(row);
    }
  }
  for (let at = 0; at < rows.length; at++) {
    events[at] ??= access.toEvent(rows[at]);
  }
  return events;
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

/** Blob reads of one page in flight at once. */
const BLOB_CONCURRENCY = 8;

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

interface CurrentRows {
  /** A row of an older execution ended the history. */
  ended: boolean;
  /** Rows of the execution on the page. */
  count: number;
  events: () => Promise<HistoryEvent[]>;
}

/** A server page's current rows and the events they make (see pageEvents). */
function eventsOf(hub: TaskHub, page: AnyServerPage, state: { executionId: string | null }, signal?: AbortSignal): CurrentRows {
  // Generic over the page's row type; the two kinds of page are handled alike.
  const run = <T>(p: ServerPage<T>): CurrentRows => {
    const { rows, access, ended } = currentRows(p, state);
    return { ended, count: rows.length, events: () => pageEvents(hub, rows, access, signal) };
  };
  return run(page as ServerPage<unknown>);
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
  let cursor: HistoryCursor;
  let pending: Promise<AnyServerPage>;
  if (page.continuationToken) {
    cursor = decodeCursor(page.continuationToken);
    pending = fetchHistoryPage(hub, cursor.k, cursor.t, pageSize, opts.signal);
  } else {
    ({ cursor, first: pending } = await startHistory(hub, instanceId, pageSize, opts.signal));
  }

  const events: HistoryEvent[] = [];
  const state = { executionId: cursor.e };
  let token: string | null;
  do {
    throwIfAborted(opts.signal);
    const result = await pending;
    const current = eventsOf(hub, result, state, opts.signal);
    token = current.ended ? null : result.continuationToken;
    const missing = pageSize - events.length - current.count;
    // A short server page: the rest of this page is asked for before this part is converted.
    if (token && missing > 0) {
      pending = fetchHistoryPage(hub, cursor.k, token, missing, opts.signal);
      await nextTurn();
    }
    for (const event of await current.events()) {
      events.push(event);
    }
  } while (token && events.length < pageSize);
  opts.onProgress?.({ message: `Read ${events.length} history events`, done: events.length });
  return {
    instanceId,
    executionId: state.executionId,
    events,
    continuationToken: token ? encodeCursor({ k: cursor.k, e: state.executionId, t: token }) : null,
  };
}

/**
 * Every event of the current execution, streamed page by page. The next page is asked for as soon
 * as the current one has arrived, so it is on its way while this one is converted and consumed.
 */
export async function* iterateHistory(
  hub: TaskHub,
  instanceId: string,
  opts: OperationOptions & { pageSize?: number } = {},
): AsyncGenerator<HistoryEvent, { executionId: string | null }> {
  const pageSize = opts.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new ValidationError('page-size', 'The history page size must be a whole number from 1 to 1000.');
  }
  throwIfAborted(opts.signal);
  const { cursor, first } = await startHistory(hub, instanceId, pageSize, opts.signal);
  const state = { executionId: cursor.e };
  let pending: Promise<AnyServerPage> | null = first;
  let done = 0;
  while (pending) {
    throwIfAborted(opts.signal);
    const result: AnyServerPage = await pending;
    const current = eventsOf(hub, result, state, opts.signal);
    const token: string | null = current.ended ? null : result.continuationToken;
    if (token) {
      pending = fetchHistoryPage(hub, cursor.k, token, pageSize, opts.signal);
      // Let the request go out (the SDK's pipeline runs in microtasks and ticks) before this
      // page is converted: it is then served while the conversion and the consumer run.
      await nextTurn();
    } else {
      pending = null;
    }
    const events = await current.events();
    for (const e of events) {
      yield e;
    }
    done += events.length;
    opts.onProgress?.({ message: `Read ${done} history events`, done });
  }
  return { executionId: state.executionId };
}
