// delete-task-hub (reference §9): every artifact that exists — all `{h}-control-NN` queues
// whatever the partition count, `{h}-workitems`, the three tables and the three containers —
// and nothing of another hub, even one whose name shares a prefix. Re-running finishes the job.
import type { OperationOptions } from '../model';
import type { StorageClients } from '../storage/clients';
import { CancelledError, NotFoundError, throwIfAborted } from '../errors';
import { hubResourceNames, isControlQueueOf, validateHubName } from '../format/names';
import { isNotFound, toDurableError } from '../storage/errors';
import { assertSasAllowsDelete } from '../storage/sas';

export interface DeleteTaskHubOptions extends OperationOptions {
  name: string;
}

export interface DeleteTaskHubResult {
  taskHub: string;
  /** What was deleted, as `table:X`, `queue:x`, `container:x`. */
  deleted: string[];
}

export async function deleteTaskHub(clients: StorageClients, o: DeleteTaskHubOptions): Promise<DeleteTaskHubResult> {
  validateHubName(o.name);
  assertSasAllowsDelete(clients, 'delete-task-hub');
  const deleted: string[] = [];
  try {
    return await deleteHubArtifacts(clients, o, deleted);
  } catch (e) {
    if (o.signal?.aborted) {
      throw new CancelledError(`Delete of task hub '${o.name}' cancelled after ${deleted.length} deletions; run it again to finish.`, { deleted });
    }
    throw e;
  }
}

async function deleteHubArtifacts(clients: StorageClients, o: DeleteTaskHubOptions, deleted: string[]): Promise<DeleteTaskHubResult> {
  const names = hubResourceNames(o.name);
  const report = (what: string): void => {
    deleted.push(what);
    o.onProgress?.({ message: `Deleted ${what}`, done: deleted.length });
  };

  // Queues: list by prefix so control queues beyond the configured partition count go too.
  const queues: string[] = [];
  try {
    for await (const q of clients.queueService().listQueues({ prefix: names.controlQueuePrefix, abortSignal: o.signal })) {
      if (isControlQueueOf(o.name, q.name)) {
        queues.push(q.name);
      }
    }
  } catch (e) {
    throw toDurableError(e, { endpoint: clients.endpoints.queue, what: 'listing queues', secrets: clients.secrets });
  }
  queues.push(names.workItemQueue);
  for (const queue of queues) {
    throwIfAborted(o.signal, { deleted });
    try {
      const r = await clients.queue(queue).deleteIfExists({ abortSignal: o.signal });
      if (r.succeeded) {
        report(`queue:${queue}`);
      }
    } catch (e) {
      throw toDurableError(e, { endpoint: clients.endpoints.queue, what: `queue '${queue}'`, secrets: clients.secrets });
    }
  }

  for (const container of [names.largeMessagesContainer, names.leasesContainer, names.appLeaseContainer]) {
    throwIfAborted(o.signal, { deleted });
    if (await deleteContainer(clients, container, o.signal)) {
      report(`container:${container}`);
    }
  }

  // Tables last: while `{H}Instances` exists the hub is still discoverable, so an interrupted
  // delete can be found and re-run.
  for (const table of [names.partitionsTable, names.historyTable, names.instancesTable]) {
    throwIfAborted(o.signal, { deleted });
    try {
      await clients.table(table).deleteTable({ abortSignal: o.signal });
      report(`table:${table}`);
    } catch (e) {
      if (!isNotFound(e)) {
        throw toDurableError(e, { endpoint: clients.endpoints.table, what: `table '${table}'`, secrets: clients.secrets });
      }
    }
  }
  if (deleted.length === 0) {
    throw new NotFoundError(`Task hub '${o.name}' has nothing to delete in storage account '${clients.accountName}'.`);
  }
  return { taskHub: o.name, deleted };
}

/** Container deletes can fail with "concurrent operation" 409s while leases are held; retry briefly. */
async function deleteContainer(clients: StorageClients, name: string, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await clients.container(name).deleteIfExists({ abortSignal: signal });
      return r.succeeded;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 409 && attempt < 4) {
        await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
        continue;
      }
      throw toDurableError(e, { endpoint: clients.endpoints.blob, what: `container '${name}'`, secrets: clients.secrets });
    }
  }
}
