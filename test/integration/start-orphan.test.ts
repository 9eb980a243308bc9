// start-new with an input too large for a queue message uploads it to `{h}-largemessages` before
// the send. When the send is refused (here: the control queue is missing, a 404), no message will
// ever read that blob: start-new deletes it, and the error is what it was.
import assert from 'node:assert/strict';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { NotFoundError, createStorageClients, openTaskHub, raiseEvent, startNew } from '../../src/core';
import type { TaskHub } from '../../src/core';
import { controlQueueFor } from '../../src/core/format/partition';
import { HubWriter } from '../../tools/seed/hubWriter';
import { sharedAzurite } from './setup';

const HUB = 'StartOrphan';

async function blobNames(prefix: string): Promise<string[]> {
  const container = BlobServiceClient.fromConnectionString(sharedAzurite().connectionString).getContainerClient(`${HUB.toLowerCase()}-largemessages`);
  const names: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix })) {
    names.push(b.name);
  }
  return names;
}

describe('start-new: an offloaded input is not orphaned when the send fails (integration)', function () {
  this.timeout(60_000);
  let hub: TaskHub;
  const big = JSON.stringify({ text: 'x'.repeat(100_000) });

  before(async () => {
    const cs = sharedAzurite().connectionString;
    await HubWriter.create({ connectionString: cs, hubName: HUB, partitionCount: 4 });
    const clients = await createStorageClients({ kind: 'connectionString', connectionString: cs });
    hub = await openTaskHub({ clients, name: HUB });
  });

  it('a large start whose control queue is missing: NotFoundError, and its message blob is deleted', async () => {
    const id = 'orphan-start-1';
    const queue = controlQueueFor(HUB, id, hub.partitionCount);
    const queues = QueueServiceClient.fromConnectionString(sharedAzurite().connectionString);
    await queues.deleteQueue(queue);
    try {
      await assert.rejects(startNew(hub, { name: 'Work', instanceId: id, input: big }), (e: unknown) => e instanceof NotFoundError && /Control queue/.test(e.message));
      assert.deepEqual(await blobNames(`${id}/`), [], 'no message blob left behind');
    } finally {
      await queues.createQueue(queue);
    }
  });

  it('a large raise-event refused the same way leaves no blob either', async () => {
    const id = 'orphan-event-1';
    // An active instance to raise to: start it (small input), then remove its queue.
    await startNew(hub, { name: 'Work', instanceId: id, input: '"small"' });
    const queue = controlQueueFor(HUB, id, hub.partitionCount);
    const queues = QueueServiceClient.fromConnectionString(sharedAzurite().connectionString);
    await queues.deleteQueue(queue);
    try {
      await assert.rejects(raiseEvent(hub, { instanceId: id, eventName: 'Big', eventData: big }), NotFoundError);
      assert.deepEqual(await blobNames(`${id}/`), []);
    } finally {
      await queues.createQueue(queue);
    }
  });

  it('when the send succeeds the blob stays: the message needs it', async () => {
    const id = 'orphan-ok-1';
    await startNew(hub, { name: 'Work', instanceId: id, input: big });
    const names = await blobNames(`${id}/`);
    assert.equal(names.length, 1);
    assert.match(names[0], /^orphan-ok-1\/message-[0-9a-f]{32}-ExecutionStarted\.json\.gz$/);
  });
});
