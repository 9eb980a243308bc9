// restart: start the same orchestrator again with the same input (and tags), under the same
// instance id or a new one.
import { randomUUID } from 'node:crypto';
import type { OperationOptions } from '../model';
import type { TaskHub } from '../hub';
import { ConflictError, ValidationError } from '../errors';
import { instanceNotFound, readInstanceRow } from '../instances';
import { CorruptValueError, downloadLargeMessage, parseStoredValue, resolveInstanceValue } from '../values';
import { str } from '../storage/rows';
import { startNew } from './start';

export interface RestartOptions extends OperationOptions {
  instanceId: string;
  /** `true` for a new GUID id, a string for that id; absent to restart under the same id. */
  newInstanceId?: string | true;
  /** Overwrite the instance even if it is still active (only with the same id). */
  force?: boolean;
}

export interface RestartResult {
  instanceId: string;
  executionId: string;
  restartedFrom: string;
  createdTime: string;
}

export async function restartInstance(hub: TaskHub, o: RestartOptions): Promise<RestartResult> {
  if (!o.instanceId) {
    throw new ValidationError('id', 'The instance id is required.');
  }
  const row = await readInstanceRow(hub, o.instanceId, undefined, o.signal);
  if (!row) {
    throw instanceNotFound(o.instanceId);
  }
  const name = str(row, 'Name');
  if (!name) {
    throw new ValidationError('id', `Instance '${o.instanceId}' has no orchestrator name to restart.`);
  }
  const inputBlob = str(row, 'InputBlobName');
  const storedInput = str(row, 'Input');
  let input: string | undefined;
  try {
    input = inputBlob && !storedInput ? await downloadLargeMessage(hub, inputBlob, o.signal) : await resolveInstanceValue(hub, storedInput, o.signal, 'strict');
  } catch (e) {
    // Starting again with a placeholder (or a lossy decode) of the input would run the
    // orchestrator on data the user never gave it: refuse, before anything is written.
    if (e instanceof CorruptValueError) {
      throw new ConflictError(`Cannot restart '${o.instanceId}': its input cannot be read (${e.message}).`, { cause: e });
    }
    throw e;
  }
  const tags = parseStoredValue(str(row, 'Tags'));
  const newId = o.newInstanceId === true ? randomUUID().replace(/-/g, '') : o.newInstanceId;
  const started = await startNew(hub, {
    name,
    instanceId: newId ?? o.instanceId,
    input: input === undefined || input === '' ? null : input,
    tags: tags && typeof tags === 'object' && !Array.isArray(tags) ? (tags as Record<string, string>) : undefined,
    force: o.force,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  return { instanceId: started.instanceId, executionId: started.executionId, restartedFrom: o.instanceId, createdTime: started.createdTime };
}
