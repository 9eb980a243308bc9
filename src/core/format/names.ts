// Storage resource names of a task hub (reference §1) and hub-name validation (§1.5).
import { ValidationError } from '../errors';

export const MAX_PARTITIONS = 16;

export interface HubResourceNames {
  instancesTable: string;
  historyTable: string;
  partitionsTable: string;
  workItemQueue: string;
  controlQueuePrefix: string;
  largeMessagesContainer: string;
  leasesContainer: string;
  appLeaseContainer: string;
}

export function hubResourceNames(hubName: string): HubResourceNames {
  const h = hubName.toLowerCase();
  return {
    instancesTable: `${hubName}Instances`,
    historyTable: `${hubName}History`,
    partitionsTable: `${hubName}Partitions`,
    workItemQueue: `${h}-workitems`,
    controlQueuePrefix: `${h}-control-`,
    largeMessagesContainer: `${h}-largemessages`,
    leasesContainer: `${h}-leases`,
    appLeaseContainer: `${h}-applease`,
  };
}

export function controlQueueName(hubName: string, index: number): string {
  return `${hubName.toLowerCase()}-control-${String(index).padStart(2, '0')}`;
}

/** True for `{h}-control-NN` of exactly this hub (never of a hub whose name merely shares a prefix). */
export function isControlQueueOf(hubName: string, queueName: string): boolean {
  const prefix = `${hubName.toLowerCase()}-control-`;
  return queueName.startsWith(prefix) && /^\d{2}$/.test(queueName.slice(prefix.length));
}

// The Functions extension's rule (table, queue and container names derived from the hub must all
// be valid): a letter, then letters or digits; 3..45 characters is what the docs promise, and a
// name over 49 characters makes `{h}-largemessages` longer than the 63 a container may have.
const HUB_NAME = /^[A-Za-z][A-Za-z0-9]{2,49}$/;

export function validateHubName(hubName: string, field = 'task-hub-name'): string {
  if (!HUB_NAME.test(hubName)) {
    throw new ValidationError(
      field,
      `Invalid task hub name '${hubName}' (${field}): it must start with a letter, contain only letters and digits, ` +
        'and be 3 to 50 characters long (45 or fewer is recommended).',
    );
  }
  return hubName;
}
