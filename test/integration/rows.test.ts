// Core reads query pages as the service sent them (storage/rows.ts: the SDK only parses the body
// of a success). Against a real Azurite: the rows and continuation tokens are exactly what the
// SDK's own typed read gives, page after page, for every Edm type; an error still throws.
import assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import { normalizeRow, queryPage, queryServicePage } from '../../src/core/storage/rows';
import { sharedAzurite } from './setup';

const TABLE = 'RowsServicePages';

function client(name = TABLE): TableClient {
  return TableClient.fromConnectionString(sharedAzurite().connectionString, name, { allowInsecureConnection: true });
}

/** The SDK's own read of one page, as core read every page before. */
async function sdkPage(filter: string, pageSize: number, token: string | null): Promise<{ rows: ReturnType<typeof normalizeRow>[]; token: string | null }> {
  const page = await client()
    .listEntities({ queryOptions: { filter: filter || undefined }, disableTypeConversion: true })
    .byPage({ maxPageSize: pageSize, continuationToken: token ?? undefined })
    .next();
  const value = page.value as Record<string, unknown>[] & { continuationToken?: string };
  return { rows: value.map((r) => normalizeRow(r)), token: value.continuationToken ?? null };
}

describe('query pages read as the service sent them (integration)', function () {
  this.timeout(60_000);

  before(async () => {
    const table = client();
    await table.createTable();
    for (let i = 0; i < 23; i++) {
      await table.createEntity({
        // Keys needing escapes in a continuation token, and more than one partition.
        partitionKey: i < 12 ? `p^1 ${i % 3}` : 'p-two',
        rowKey: `row ${String(i).padStart(3, '0')} é`,
        Text: `value ${i} "quoted" \u2028`,
        Empty: '',
        Int32: { value: String(i * 1000 - 7000), type: 'Int32' },
        Int64: { value: i % 2 ? '9007199254740993' : String(-i), type: 'Int64' },
        Double: { value: String(i + 0.25), type: 'Double' },
        Whole: { value: '3', type: 'Double' },
        Flag: i % 2 === 0,
        When: { value: `2026-11-2${i % 9}T10:11:12.${String(1234567 + i)}Z`, type: 'DateTime' },
        Id: { value: '0f8fad5b-d9cb-469f-a165-70867728950e', type: 'Guid' },
        Bytes: { value: Buffer.from(`bytes ${i}`).toString('base64'), type: 'Binary' },
      } as never);
    }
  });

  after(async () => {
    await client().deleteTable();
  });

  for (const [what, filter] of [
    ['the whole table', ''],
    ['a filter', "RowKey ge 'row 005'"],
  ] as const) {
    it(`${what}: every page's rows and continuation token equal the SDK's typed read`, async () => {
      let ours: string | null = null;
      let theirs: string | null = null;
      let pages = 0;
      let rows = 0;
      do {
        const a = await queryPage(client(), filter, { pageSize: 5, continuationToken: ours });
        const b = await sdkPage(filter, 5, theirs);
        assert.deepEqual(a.rows, b.rows);
        assert.equal(a.continuationToken, b.token);
        ours = a.continuationToken;
        theirs = b.token;
        pages++;
        rows += a.rows.length;
      } while (ours);
      assert.ok(pages >= 3, `${pages} pages`);
      assert.ok(rows >= 18, `${rows} rows`);
    });
  }

  it('keeps what a JS value would lose: 100-ns DateTime digits, Int64 beyond 2^53, Edm types', async () => {
    const page = await queryServicePage(client(), "RowKey eq 'row 001 é'", {});
    assert.ok(page, 'the service entities were handed over');
    const [row] = (await queryPage(client(), "RowKey eq 'row 001 é'", {})).rows;
    assert.equal(row.columns.When, '2026-11-21T10:11:12.1234568Z');
    assert.equal(row.columns.Int64, '9007199254740993');
    assert.equal(row.types.Int64, 'Int64');
    assert.equal(row.columns.Whole, 3);
    assert.equal(row.columns.Flag, false);
    assert.equal(row.types.Id, 'Guid');
    assert.equal(row.types.Bytes, 'Binary');
    assert.equal(row.columns.Empty, '');
  });

  it('a query of a missing table still fails with the service error, not an empty page', async () => {
    await assert.rejects(queryPage(client('RowsNoSuchTable'), '', {}), (e: { statusCode?: number }) => e.statusCode === 404);
  });
});
