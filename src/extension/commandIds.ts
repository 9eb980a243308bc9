// Every command the extension contributes. `package.json` must list exactly these (a unit test
// checks), and `registerCommands` must register each (the type of its handler table enforces it).
export const COMMAND_IDS = [
  'durableExplorer.refresh',
  'durableExplorer.addConnection',
  'durableExplorer.addRunningHost',
  'durableExplorer.removeConnection',
  'durableExplorer.startEmulator',
  'durableExplorer.startNew',
  'durableExplorer.showInstance',
  'durableExplorer.goToInstance',
  'durableExplorer.openTaskHub',
  'durableExplorer.copyInstanceId',
  'durableExplorer.copyManagementUrls',
  'durableExplorer.setManagementKey',
  'durableExplorer.terminate',
  'durableExplorer.suspend',
  'durableExplorer.resume',
  'durableExplorer.rewind',
  'durableExplorer.restart',
  'durableExplorer.raiseEvent',
  'durableExplorer.purgeInstance',
  'durableExplorer.forcePurge',
  'durableExplorer.purgeHistory',
  'durableExplorer.deleteTaskHub',
  'durableExplorer.loadMore',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** The short name used in telemetry and logs: `durableExplorer.terminate` → `terminate`. */
export function commandShortName(id: CommandId): string {
  return id.slice('durableExplorer.'.length);
}

export const VIEW_ID = 'durableExplorer.taskHubs';
export const EXTENSION_ID = 'durable-explorer.durable-explorer';
