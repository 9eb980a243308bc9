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

/** One server page of a filtered query. */
export async function queryPage(
  table: TableClient,
  filter: string,
  options: { select?: string[]; pageSize?: number; continuationToken?: string | null; signal?: AbortSignal },
): Promise<QueryPage> {
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
