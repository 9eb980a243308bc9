// Every command, in the order `durable --help` lists them.
import type { CliCommand } from './common';
import { raiseEventCommand, resumeCommand, rewindCommand, suspendCommand, terminateCommand } from './control';
import { getHistoryCommand } from './history';
import { getInstancesCommand } from './instances';
import { getManagementUrlsCommand } from './managementUrls';
import { purgeHistoryCommand } from './purge';
import { restartCommand } from './restart';
import { startNewCommand } from './startNew';
import { getRuntimeStatusCommand } from './status';
import { deleteTaskHubCommand, listTaskHubsCommand } from './taskHubs';
import { waitCommand } from './wait';

export { COMMON_FLAGS } from './common';
export type { CliCommand, CommandContext } from './common';

export const COMMANDS: readonly CliCommand[] = [
  startNewCommand,
  getRuntimeStatusCommand,
  waitCommand,
  getHistoryCommand,
  getInstancesCommand,
  raiseEventCommand,
  terminateCommand,
  suspendCommand,
  resumeCommand,
  rewindCommand,
  restartCommand,
  getManagementUrlsCommand,
  purgeHistoryCommand,
  listTaskHubsCommand,
  deleteTaskHubCommand,
];
