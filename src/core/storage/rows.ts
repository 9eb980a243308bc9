// Table rows read with `disableTypeConversion` (every property arrives as `{ value, type }`),
// normalized to plain values without losing what JS `Date` would drop: DateTime stays the
// service's ISO text with its 100-ns digits, Int64 stays exact.
import type { TableClient } from '@azure/data-tables';
import { ValidationError } from '../errors';

export type CellValue = string | number | boolean;

export interface Row {
  partitionKey: string;
  rowKey: string;
  etag: string;
  columns: Record<string, CellValue>;
  /** Edm type of each column (String, Int32, Int64, Boolean, DateTime, Double, Guid, Binary). */
  types: Record<string, string>;
}

const SYSTEM = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.metadata', 'odata.etag']);

export function normalizeRow(raw: Record<string, unknown>): Row {
  const columns: Record<string, CellValue> = {};
  const types: Record<string, string> = {};
  for (const [key, cell] of Object.entries(raw)) {
    if (SYSTEM.has(key) || cell === undefined || cell === null) {
      continue;
    }
    if (typeof cell === 'object' && 'value' in (cell as object)) {
      const { value, type } = cell as { value: unknown; type?: string };
      const edm = type ?? 'String';
      types[key] = edm;
      columns[key] = convertCell(String(value), edm);
    } else if (typeof cell === 'string' || typeof cell === 'number' || typeof cell === 'boolean') {
      types[key] = typeof cell === 'string' ? 'String' : typeof cell === 'number' ? 'Double' : 'Boolean';
      columns[key] = cell;
    }
  }
  return {
    partitionKey: String(raw.partitionKey ?? ''),
    rowKey: String(raw.rowKey ?? ''),
    etag: String(raw.etag ?? ''),
    columns,
    types,
  };
}

/** A typed cell's text as the value `normalizeRow` gives it (exact Int64 beyond 2^53 stays text). */
export function convertCell(value: string, edm: string): CellValue {
  switch (edm) {
    case 'Int32':
    case 'Double':
      return Number(value);
    case 'Int64': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    case 'Boolean':
      return value === 'true';
    default:
      return value;
  }
}

export function str(row: Row, column: string): string | undefined {
  const v = row.columns[column];
  return v === undefined ? undefined : String(v);
}

export function int(row: Row, column: string): number | undefined {
  const v = row.columns[column];
  return typeof v === 'number' ? v : v === undefined ? undefined : Number(v);
}

export interface QueryPage {
  rows: Row[];
  continuationToken: string | null;
}

/**
 * Checks a table continuation token before it reaches the SDK, which would otherwise fail with
 * a JSON parse error or silently restart from the beginning.
 */
export function validateContinuationToken(token: string, field = 'continuation-token'): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { nextPartitionKey?: unknown; nextRowKey?: unknown } | undefined;
  if (!p || typeof p !== 'object' || typeof p.nextPartitionKey !== 'string') {
    throw new ValidationError(field, 'The continuation token is not valid: pass back the token a previous page returned, unchanged.');
  }
  return token;
}

// ---- Entities as the service sent them ---------------------------------------------------------
//
// A query's answer is taken as the service sent it: its JSON body parsed, and nothing more. The
// SDK would map the body onto its model and then convert every cell (a Date, a bigint or a
// `{ value, type }` object each), work that costs more than the request itself on a large listing
// and that we would undo: strings, numbers and booleans are kept as JSON gives them, every other
// type as text with its `<column>@odata.type` — the values `normalizeRow` gives from a
// `disableTypeConversion` read (DateTime keeps its 100-ns digits, Int64 stays exact). Errors still
// go through the SDK (its RestError, its retries). Should the service's entities not be at hand
// (an SDK that reads these options differently), the page is read again the ordinary way.

/** An entity as the service sent it (JSON, minimal metadata). */
export type ServiceEntity = Record<string, unknown>;

/** Keys of the service's JSON that are not the row's own columns (normalizeRow drops them too). */
const SERVICE_SYSTEM = new Set(['PartitionKey', 'RowKey', 'Timestamp', 'odata.etag', 'odata.metadata']);

/** The own columns of a service entity (system and annotation keys left out). */
export function isServiceColumn(key: string): boolean {
  return !SERVICE_SYSTEM.has(key) && !key.includes('@odata.type');
}

/** A service cell as `normalizeRow` would have it, or undefined when it has none. */
export function serviceCell(entity: ServiceEntity, column: string): CellValue | undefined {
  const value = entity[column];
  if (value === undefined || value === null) {
    return undefined;
  }
  const edm = entity[`${column}@odata.type`];
  if (typeof edm === 'string') {
    return convertCell(String(value), edm.startsWith('Edm.') ? edm.slice(4) : edm);
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/** A service entity as the Row `normalizeRow` makes of the SDK's typed read of it. */
export function rowFromServiceEntity(e: ServiceEntity): Row {
  const columns: Record<string, CellValue> = {};
  const types: Record<string, string> = {};
  for (const key in e) {
    if (!isServiceColumn(key)) {
      continue;
    }
    const value = serviceCell(e, key);
    if (value === undefined) {
      continue;
    }
    columns[key] = value;
    const edm = e[`${key}@odata.type`];
    types[key] =
      typeof edm === 'string' ? (edm.startsWith('Edm.') ? edm.slice(4) : edm) : typeof value === 'string' ? 'String' : typeof value === 'boolean' ? 'Boolean' : Number.isSafeInteger(value) ? 'Int32' : 'Double';
  }
  return { partitionKey: String(e.PartitionKey ?? ''), rowKey: String(e.RowKey ?? ''), etag: String(e['odata.etag'] ?? ''), columns, types };
}

export interface ServicePage {
  entities: ServiceEntity[];
  continuationToken: string | null;
}

/** The SDK's own continuation token for these response headers (base64 of its JSON), or null. */
function continuationTokenOf(nextPartitionKey: string | undefined, nextRowKey: string | undefined): string | null {
  if (!nextPartitionKey) {
    return null;
  }
  return Buffer.from(JSON.stringify({ nextPartitionKey, ...(nextRowKey ? { nextRowKey } : {}) })).toString('base64');
}

/**
 * One server page of a filtered query, its entities as the service sent them; undefined when the
 * SDK did not hand them over (the caller then reads the page with `queryPage`).
 */
export async function queryServicePage(
  table: TableClient,
  filter: string,
  options: { select?: string[]; pageSize?: number; continuationToken?: string | null; signal?: AbortSignal },
): Promise<ServicePage | undefined> {
  let page: ServicePage | undefined;
  const iterator = table
    .listEntities({
      queryOptions: { filter: filter || undefined, select: options.select },
      abortSignal: options.signal,
      // A success is only parsed (the body read below); an error is deserialized and thrown as ever.
      requestOptions: { shouldDeserialize: (response) => response.status !== 200 },
      onResponse: (raw, flat) => {
        const body = raw.parsedBody as { value?: unknown } | undefined;
        if (raw.status !== 200 || !Array.isArray(body?.value)) {
          return;
        }
        page = {
          entities: body.value as ServiceEntity[],
          continuationToken: continuationTokenOf(raw.headers.get('x-ms-continuation-NextPartitionKey'), raw.headers.get('x-ms-continuation-NextRowKey')),
        };
        // Nothing left for the SDK to convert: the page it builds is not used.
        (flat as { value?: unknown }).value = [];
      },
    })
    .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken ?? undefined });
  await iterator.next();
  return page;
}

/** One server page of a filtered query. */
export async function queryPage(
  table: TableClient,
  filter: string,
  options: { select?: string[]; pageSize?: number; continuationToken?: string | null; signal?: AbortSignal },
): Promise<QueryPage> {
  const service = await queryServicePage(table, filter, options);
  if (service) {
    return { rows: service.entities.map(rowFromServiceEntity), continuationToken: service.continuationToken };
  }
  const iterator = table
    .listEntities({
      queryOptions: { filter: filter || undefined, select: options.select },
      disableTypeConversion: true,
      abortSignal: options.signal,
    })
    .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken ?? undefined });
  const result = await iterator.next();
  if (result.done || !result.value) {
    return { rows: [], continuationToken: null };
  }
  const page = result.value as unknown as Record<string, unknown>[] & { continuationToken?: string };
  return { rows: page.map((r) => normalizeRow(r)), continuationToken: page.continuationToken ?? null };
}

/** Every row matching the filter, page by page, without holding them all. */
export async function* queryRows(
  table: TableClient,
  filter: string,
  options: { select?: string[]; pageSize?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Row[]> {
  let token: string | null = null;
  do {
    const page: QueryPage = await queryPage(table, filter, { ...options, continuationToken: token });
    if (page.rows.length > 0) {
      yield page.rows;
    }
    token = page.continuationToken;
  } while (token);
}
