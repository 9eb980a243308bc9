// A shared access signature without delete permission is refused by core itself — purge by id,
// purge by filter, a bulk purge by ids or by query, delete task hub — before anything is deleted, so the extension
// gets the same protection as the CLI (Azurite, for one, lets a read-only SAS delete History rows
// in a batch). A dry run, which deletes nothing, still works; a SAS that may delete is not refused.
import assert from 'node:assert/strict';
import { ForbiddenError, createStorageClients, deleteTaskHub, openTaskHub, purgeInstance, purgeInstances, runBulkAction } from '../../src/core';
import type { TaskHub } from '../../src/core';
import { HistoryBuilder, HubWriter } from '../../tools/seed/hubWriter';
import { sasConnectionString as sasWith } from '../support/badInput';
import { belongsTo, hubSnapshot } from '../support/storageSnapshot';
import { sharedAzurite } from './setup';

const HUB = 'PurgeSas';

function sasConnectionString(permissions: string): string {
  return sasWith(sharedAzurite(), permissions);
}

async function hubWith(connectionString: string): Promise<TaskHub> {
  return openTaskHub({ clients: await createStorageClients({ kind: 'connectionString', connectionString }), name: HUB });
}

const refused = (e: unknown): boolean =>
  e instanceof ForbiddenError &&
  e.message === "The connection's shared access signature (permissions 'rl') does not allow deleting, which purge needs; nothing was deleted.";

describe('purge with a SAS that may not delete: refused by core before anything is deleted (integration)', function () {
  this.timeout(60_000);
  const ids = ['sas-done-1', 'sas-done-2', 'sas-done-3'];
  let readOnly: TaskHub;

  before(async () => {
    const w = await HubWriter.create({ connectionString: sharedAzurite().connectionString, hubName: HUB });
    for (const id of ids) {
      const h = new HistoryBuilder(new Date('2026-11-20T10:00:00Z'));
      h.orchestratorStarted();
      h.executionStarted({ name: 'Work', input: JSON.stringify('x'.repeat(40_000)) });
      h.executionCompleted('Completed', '"done"');
      h.orchestratorCompleted();
      await w.writeInstance({ instanceId: id, history: h });
    }
    readOnly = await hubWith(sasConnectionString('rl'));
  });

  it('purge by filter, purge by id and bulk purges are refused; nothing in the hub changes', async () => {
    const before = await hubSnapshot(sharedAzurite().connectionString, HUB);
    assert.ok(before.length > 10);
    await assert.rejects(purgeInstances(readOnly, {}), refused);
    await assert.rejects(purgeInstance(readOnly, { instanceId: ids[0] }), refused);
    await assert.rejects(runBulkAction(readOnly, { action: { kind: 'purge' }, target: { kind: 'ids', instanceIds: ids } }), refused);
    await assert.rejects(runBulkAction(readOnly, { action: { kind: 'purge' }, target: { kind: 'query', query: {} } }), refused);
    assert.deepEqual(await hubSnapshot(sharedAzurite().connectionString, HUB), before);
  });

  it('delete task hub is refused too, before anything is deleted', async () => {
    const before = await hubSnapshot(sharedAzurite().connectionString, HUB);
    await assert.rejects(
      deleteTaskHub(readOnly.clients, { name: HUB }),
      (e: unknown) =>
        e instanceof ForbiddenError &&
        e.message === "The connection's shared access signature (permissions 'rl') does not allow deleting, which delete-task-hub needs; nothing was deleted.",
    );
    assert.deepEqual(await hubSnapshot(sharedAzurite().connectionString, HUB), before);
  });

  it('a dry run deletes nothing and is allowed', async () => {
    const r = await purgeInstances(readOnly, { dryRun: true });
    assert.equal(r.matched, ids.length);
    assert.equal(r.instancesDeleted, 0);
  });

  it('a SAS with delete permission is not refused, and the purge completes', async () => {
    const hub = await hubWith(sasConnectionString('rwdlacu'));
    const r = await purgeInstances(hub, {});
    assert.equal(r.instancesDeleted, ids.length);
    assert.deepEqual(r.failures, []);
    const left = (await hubSnapshot(sharedAzurite().connectionString, HUB)).filter((line) => ids.some((id) => belongsTo(line, id)));
    assert.deepEqual(left, []);
  });
});
