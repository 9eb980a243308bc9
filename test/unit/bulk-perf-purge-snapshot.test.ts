// A purge by filter lists the large-messages container once (BlobSnapshot) instead of once or
// twice per instance. What each instance takes from the snapshot must be exactly what listing its
// own folders took: message blobs directly under the raw id, other blobs directly under the
// escaped id (one folder when the id needs no escaping), nothing nested, nothing of a neighbour.
import assert from 'node:assert/strict';
import { BlobSnapshot } from '../../src/core/operations/purgeBlobs';
import { escapePartitionKey } from '../../src/core/format/keys';

/** The per-instance listing rule, as deleteInstanceBlobs applies it without a snapshot. */
function listed(all: readonly string[], instanceId: string): string[] {
  const escaped = escapePartitionKey(instanceId);
  const out: string[] = [];
  for (const dir of new Set([instanceId, escaped])) {
    for (const name of all.filter((n) => n.startsWith(`${dir}/`))) {
      const leaf = name.slice(dir.length + 1);
      const owns = !leaf.includes('/') && (instanceId === escaped ? dir === instanceId : dir === (leaf.startsWith('message-') ? instanceId : escaped));
      if (owns) {
        out.push(name);
      }
    }
  }
  return out.sort();
}

describe('purge: the one-listing blob snapshot', () => {
  const ids = ['a', 'a/b3', 'a/b', 'order1', 'order10', 'x#y', 'sp ace', '@ent@key', 'a^0b'];
  const blobs: string[] = [];
  for (const id of ids) {
    const escaped = escapePartitionKey(id);
    blobs.push(`${id}/message-1-ExecutionStarted.json.gz`, `${escaped}/history-1-Input.json.gz`, `${escaped}/Input`, `${id}/nested/message-2.json.gz`);
  }
  blobs.push('loose-blob.json.gz', 'order1', 'order10x/message-3.json.gz');

  it('each instance takes exactly what listing its folders would, whatever the order', () => {
    const snapshot = new BlobSnapshot();
    for (const name of blobs) {
      snapshot.add(name);
    }
    for (const id of [...ids].reverse()) {
      assert.deepEqual(snapshot.take(id, escapePartitionKey(id)).sort(), listed(blobs, id), id);
    }
  });

  it('taking is idempotent (a re-run or a retry finds nothing more) and leaves neighbours alone', () => {
    const snapshot = new BlobSnapshot();
    for (const name of blobs) {
      snapshot.add(name);
    }
    assert.deepEqual(snapshot.take('a', 'a').sort(), listed(blobs, 'a'));
    assert.deepEqual(snapshot.take('a', 'a'), []);
    assert.deepEqual(snapshot.take('a/b3', escapePartitionKey('a/b3')).sort(), listed(blobs, 'a/b3'));
    assert.ok(listed(blobs, 'a/b3').length > 0);
  });
});
