// The floor of a CLI run: a fresh process that loads only @azure/data-tables and makes the same
// query (bundled to .cache/bench/raw.cjs). Arguments: <table> <first-page|scan> <select,…>
// [<top> <filter>]; the connection string is in BENCH_CONNECTION. Prints the row count.
import { TableClient } from '@azure/data-tables';

async function main(): Promise<void> {
  const [tableName, mode, select, top, filter] = process.argv.slice(2);
  const table = TableClient.fromConnectionString(process.env.BENCH_CONNECTION ?? '', tableName, { allowInsecureConnection: true });
  const queryOptions = { select: select.split(','), ...(filter ? { filter } : {}) };
  let rows = 0;
  if (mode === 'first-page') {
    const page = await table.listEntities({ queryOptions }).byPage({ maxPageSize: Number(top) }).next();
    rows = page.done ? 0 : page.value.length;
  } else {
    for await (const page of table.listEntities({ queryOptions }).byPage({ maxPageSize: 1000 })) {
      rows += page.length;
    }
  }
  process.stdout.write(`${rows}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`raw child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
