// Which payload blobs of the large-messages container belong to an instance being purged, and
// deleting them: per instance by listing its folders, or from one listing of the whole container
// (BlobSnapshot) when a purge by filter covers many instances.
import type { TaskHub } from '../hub';
import { mapWithConcurrency } from '../concurrency';
import { escapePartitionKey } from '../format/keys';
import { hubResourceNames } from '../format/names';
import { isNotFound, toDurableError } from '../storage/errors';

/**
 * Whether a blob directly under `dir` (leaf = the rest of its name) is one of the instance's own
 * blobs: message blobs `{id}/message-…` (raw id) and history blobs `{escapedId}/history-…`. Only
 * those two kinds, each under its own form of the id, and only directly under it: otherwise
 * purging `a` took `a/b3/message-…` of instance `a/b3`, and purging `a^0b` the history blobs of
 * `a/b` (escaped `a^0b`) — both found by purge-property.test.ts.
 */
function ownsBlob(instanceId: string, escapedId: string, dir: string, leaf: string): boolean {
  if (leaf.includes('/')) {
    return false;
  }
  // When the id needs no escaping both forms are one folder (and legacy rows used it for history too).
  if (instanceId === escapedId) {
    return dir === instanceId;
  }
  return dir === (leaf.startsWith('message-') ? instanceId : escapedId);
}

/** Past this many blobs the container is not held in memory: each instance lists its own folders. */
const SNAPSHOT_MAX_BLOBS = 200_000;

/**
 * The large-messages container's blob names, grouped by folder (the name up to its last '/'),
 * listed once for a whole purge by filter instead of once or twice per instance. The instances a
 * purge by filter deletes are finished, so no blob of theirs appears after the listing; a blob
 * that disappears meanwhile is a 404 on delete, which counts as done.
 */
export class BlobSnapshot {
  private readonly byDir = new Map<string, string[]>();

  add(name: string): void {
    const slash = name.lastIndexOf('/');
    if (slash < 0) {
      return; // directly in the container: no instance's
    }
    const dir = name.slice(0, slash);
    const leaves = this.byDir.get(dir);
    if (leaves) {
      leaves.push(name.slice(slash + 1));
    } else {
      this.byDir.set(dir, [name.slice(slash + 1)]);
    }
  }

  /** The instance's blobs (full names), forgotten here so memory shrinks as the purge proceeds. */
  take(instanceId: string, escapedId: string): string[] {
    const taken: string[] = [];
    for (const dir of new Set([instanceId, escapedId])) {
      const leaves = this.byDir.get(dir);
      if (!leaves) {
        continue;
      }
      const rest = leaves.filter((leaf) => {
        if (ownsBlob(instanceId, escapedId, dir, leaf)) {
          taken.push(`${dir}/${leaf}`);
          return false;
        }
        return true;
      });
      if (rest.length > 0) {
        this.byDir.set(dir, rest);
      } else {
        this.byDir.delete(dir);
      }
    }
    return taken;
  }
}

/** Lists the large-messages container once; undefined when it is too big to hold (list per instance then). */
export async function snapshotBlobs(hub: TaskHub, signal?: AbortSignal): Promise<BlobSnapshot | undefined> {
  const containerName = hubResourceNames(hub.name).largeMessagesContainer;
  const snapshot = new BlobSnapshot();
  let count = 0;
  try {
    for await (const page of hub.clients.container(containerName).listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 5000 })) {
      for (const blob of page.segment.blobItems) {
        snapshot.add(blob.name);
      }
      count += page.segment.blobItems.length;
      if (count > SNAPSHOT_MAX_BLOBS) {
        return undefined;
      }
    }
  } catch (e) {
    if (isNotFound(e)) {
      return snapshot; // no large-messages container: no blobs to delete
    }
    throw toDurableError(e, { endpoint: hub.clients.endpoints.blob, what: `container '${containerName}'`, secrets: hub.clients.secrets });
  }
  return snapshot;
}

/**
 * The exact names the rows referenced, plus the blobs named after the instance (see ownsBlob):
 * from the purge's snapshot of the container when there is one, else by listing the instance's
 * folders.
 */
export async function deleteInstanceBlobs(hub: TaskHub, instanceId: string, referenced: Set<string>, signal?: AbortSignal, snapshot?: BlobSnapshot): Promise<number> {
  const containerName = hubResourceNames(hub.name).largeMessagesContainer;
  const names = new Set(referenced);
  const escapedId = escapePartitionKey(instanceId);
  if (snapshot) {
    for (const name of snapshot.take(instanceId, escapedId)) {
      names.add(name);
    }
  } else {
    const container = hub.clients.container(containerName);
    try {
      for (const dir of new Set([instanceId, escapedId])) {
        const prefix = `${dir}/`;
        for await (const blob of container.listBlobsFlat({ prefix, abortSignal: signal })) {
          if (ownsBlob(instanceId, escapedId, dir, blob.name.slice(prefix.length))) {
            names.add(blob.name);
          }
        }
      }
    } catch (e) {
      if (isNotFound(e)) {
        return 0; // no large-messages container: nothing to delete
      }
      throw toDurableError(e, { endpoint: hub.clients.endpoints.blob, what: `container '${containerName}'`, secrets: hub.clients.secrets });
    }
  }
  if (names.size === 0) {
    return 0; // most instances: no blobs, and no container client to build (not free)
  }
  const container = hub.clients.container(containerName);
  let deleted = 0;
  await mapWithConcurrency([...names], 8, async (name) => {
    try {
      const response = await container.deleteBlob(name, { abortSignal: signal });
      if (response) {
        deleted++;
      }
    } catch (e) {
      if (!isNotFound(e)) {
        throw toDurableError(e, { endpoint: hub.clients.endpoints.blob, what: `blob '${containerName}/${name}'`, secrets: hub.clients.secrets });
      }
    }
  });
  return deleted;
}

