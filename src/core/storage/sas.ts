// What a shared access signature permits, checked before an operation that deletes.
import { ForbiddenError } from '../errors';
import type { StorageClients } from './clients';

/**
 * A shared access signature says what it permits (`sp`). Refuse an operation that deletes when the
 * SAS does not allow deleting, before anything is deleted, rather than rely on each request being
 * refused: Azurite, for one, lets a read-only account SAS delete table rows in a batch, and purge
 * deletes History rows in batches before it tries the Instances row — which it then may not delete.
 * `needs` names the operation in the message (the CLI passes its command's name).
 */
export function assertSasAllowsDelete(clients: StorageClients, needs: string): void {
  const permissions = clients.sasPermissions;
  if (permissions !== null && !permissions.includes('d')) {
    throw new ForbiddenError(
      `The connection's shared access signature (permissions '${permissions}') does not allow deleting, which ${needs} needs; nothing was deleted.`,
    );
  }
}
