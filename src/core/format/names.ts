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

function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (c === ' ') {
    return 'a space';
  }
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
    return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return code > 0x7e ? `'${c}', which is not ASCII` : `'${c}'`;
}

export function validateHubName(hubName: string, field = 'task-hub-name'): string {
  if (HUB_NAME.test(hubName)) {
    return hubName;
  }
  // Say which rule it breaks: "1Hub" and "my-hub" fail for different reasons.
  const bad = [...hubName].find((c) => !/[A-Za-z0-9]/.test(c));
  const why =
    hubName.length === 0
      ? 'it is empty'
      : bad !== undefined
        ? `it contains ${describeChar(bad)}`
        : !/^[A-Za-z]/.test(hubName)
          ? 'it starts with a digit'
          : `it is ${hubName.length} characters long`;
  throw new ValidationError(
    field,
    `Invalid task hub name '${hubName}' (${field}): ${why}. A task hub name has 3 to 50 ASCII letters and digits and starts with a letter.`,
  );
}
