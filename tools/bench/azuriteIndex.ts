// A key-ordered index for Azurite's table queries, installed in the bench's own Azurite process
// only (azuriteChild.ts). Same answers, other cost.
//
// Azurite answers every table query page by running the filter over every row of the table and
// sorting all that remain after the continuation key (LokiTableMetadataStore.queryTableEntities).
// Paging through 100k instances is then 100 pages × (filter 100k rows + sort), minutes per scan,
// and a history query (`PartitionKey eq …`) filters every row of the History table: the bench
// would measure Azurite's sort, not the client. Azure Storage serves these queries in key order
// from its index; so does this: the rows are kept sorted by (PartitionKey, RowKey) — re-sorted
// lazily when rows were inserted or replaced since the last query, deletions just skipped — a
// page starts at the continuation key by binary search, a `PartitionKey eq` query scans only that
// partition, and the scan stops once the page is full.
import { createRequire } from 'node:module';

type Doc = Record<string, unknown> & { PartitionKey: string; RowKey: string };

interface Collection {
  data: Doc[];
  on(event: 'insert' | 'update' | 'delete', listener: (doc: Doc | Doc[]) => void): void;
}

interface IndexState {
  sorted: Doc[];
  dirty: boolean;
  removed: WeakSet<Doc>;
}

const INDEX = Symbol.for('durable-explorer.bench.azuriteIndex');

const before = (a: Doc, pk: string, rk: string): boolean => a.PartitionKey < pk || (a.PartitionKey === pk && a.RowKey < rk);

function compare(a: Doc, b: Doc): number {
  if (a.PartitionKey !== b.PartitionKey) {
    return a.PartitionKey > b.PartitionKey ? 1 : -1;
  }
  return a.RowKey === b.RowKey ? 0 : a.RowKey > b.RowKey ? 1 : -1;
}

function indexOf(c: Collection & { [INDEX]?: IndexState }): IndexState {
  let state = c[INDEX];
  if (!state) {
    const s: IndexState = { sorted: [], dirty: true, removed: new WeakSet() };
    c.on('insert', (docs) => {
      s.dirty = true;
      for (const d of Array.isArray(docs) ? docs : [docs]) {
        s.removed.delete(d);
      }
    });
    c.on('update', () => {
      s.dirty = true;
    });
    c.on('delete', (docs) => {
      for (const d of Array.isArray(docs) ? docs : [docs]) {
        s.removed.add(d);
      }
    });
    c[INDEX] = state = s;
  }
  if (state.dirty) {
    state.sorted = c.data.slice().sort(compare);
    state.dirty = false;
    state.removed = new WeakSet();
  }
  return state;
}

/** First position whose key is ≥ (pk, rk). */
function lowerBound(sorted: Doc[], pk: string, rk: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid], pk, rk)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** The partition key of a filter that is exactly `PartitionKey eq '…'`, else undefined. */
export function exactPartitionKey(filter: string | undefined): string | undefined {
  const m = filter ? /^\s*\(?\s*PartitionKey\s+eq\s+'((?:[^']|'')*)'\s*\)?\s*$/.exec(filter) : null;
  return m ? m[1].replace(/''/g, "'") : undefined;
}

interface Store {
  getEntityCollection(account: string, table: string, context: unknown): Collection;
  getMaxResultsOption(queryOptions: unknown): number;
  decodeContinuationHeader(input: string | undefined): string | undefined;
  adjustQueryResultforTop(result: Doc[], maxResults: number): { nextPartitionKeyResponse?: string; nextRowKeyResponse?: string };
}

/** Replaces LokiTableMetadataStore.queryTableEntities in this process (idempotent). */
export function installAzuriteIndex(): void {
  const azRequire = createRequire(require.resolve('azurite/package.json'));
  const Store = azRequire('azurite/dist/src/table/persistence/LokiTableMetadataStore').default as { prototype: Record<string | symbol, unknown> };
  const Generator = azRequire('azurite/dist/src/table/persistence/LokiTableStoreQueryGenerator').default as {
    generateQueryForPersistenceLayer(queryOptions: unknown, context: unknown): (doc: Doc) => boolean;
  };
  if (Store.prototype[INDEX]) {
    return;
  }
  Store.prototype[INDEX] = true;
  Store.prototype.queryTableEntities = async function (
    this: Store,
    context: unknown,
    account: string,
    table: string,
    queryOptions: { filter?: string },
    nextPartitionKey?: string,
    nextRowKey?: string,
  ): Promise<[Doc[], string | undefined, string | undefined]> {
    const collection = this.getEntityCollection(account, table, context);
    const where = Generator.generateQueryForPersistenceLayer(queryOptions, context);
    const maxResults = this.getMaxResultsOption(queryOptions);
    const nextPk = this.decodeContinuationHeader(nextPartitionKey);
    const nextRk = this.decodeContinuationHeader(nextRowKey);
    const partition = exactPartitionKey(queryOptions.filter);
    const { sorted, removed } = indexOf(collection);
    let start = 0;
    if (nextPk !== undefined) {
      start = lowerBound(sorted, nextPk, nextRk ?? '');
    }
    if (partition !== undefined && (nextPk === undefined || partition > nextPk)) {
      start = Math.max(start, lowerBound(sorted, partition, ''));
    }
    const result: Doc[] = [];
    for (let i = start; i < sorted.length && result.length <= maxResults; i++) {
      const doc = sorted[i];
      if (partition !== undefined && doc.PartitionKey !== partition) {
        break;
      }
      if (!removed.has(doc) && where(doc)) {
        result.push(doc);
      }
    }
    const response = this.adjustQueryResultforTop(result, maxResults);
    return [result, response.nextPartitionKeyResponse, response.nextRowKeyResponse];
  };
}
