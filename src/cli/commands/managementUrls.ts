// get-management-urls: the HTTP management links a running host would return for an instance
// (statusQueryGetUri, sendEventPostUri, …), built locally: no host and no storage call is needed
// unless the task hub has to be found in the account. `wait` prints the same links when it times out.
import { DEFAULT_MANAGEMENT_HOST_URL, managementUrls } from '../../core';
import type { CheckStatusPayload, ManagementUrls } from '../../core';
import type { FlagSpec } from '../args';
import { formatKeyValues } from '../output';
import type { CliCommand, CommandContext, Connected, OpenedClient } from './common';
import { ID_FLAG, chooseHubName, connect, hostKey } from './common';


export const HOST_FLAG: FlagSpec = { name: 'host', kind: 'string', value: 'URL', description: `The function app's base URL (default ${DEFAULT_MANAGEMENT_HOST_URL}).` };
export const CODE_FLAG: FlagSpec = { name: 'code', kind: 'string', value: 'KEY', description: 'The durabletask_extension system key (for a host in Azure).' };

/** The links for --host and --code; a bad --host fails here, before anything else is done. */
export function managementUrlsFor(ctx: CommandContext, connected: Connected, taskHub: string, instanceId: string): ManagementUrls {
  return managementUrls({
    hostUrl: ctx.flags.string('host') ?? DEFAULT_MANAGEMENT_HOST_URL,
    instanceId,
    taskHub,
    connectionName: connected.resolved.settingName,
    code: hostKey(ctx),
  });
}

/**
 * The links `wait` prints when it times out. Over storage, the get-management-urls links of the
 * local host for the hub in use (with --code's key). Over --host, that host's: its task hub and
 * connection are in them only when given (--task-hub-name, --connection-string-setting), as in
 * the requests, which otherwise leave the host to use its own.
 */
export function completionLinksFor(ctx: CommandContext, opened: OpenedClient, instanceId: string): ManagementUrls {
  if (opened.storage) {
    return managementUrlsFor(ctx, opened.storage, opened.storage.hub.name, instanceId);
  }
  return managementUrls({
    hostUrl: ctx.flags.required('host'),
    instanceId,
    taskHub: ctx.flags.string('task-hub-name'),
    connectionName: ctx.flags.string('connection-string-setting'),
    code: hostKey(ctx),
  });
}

/** `--json`: the payload object; else `name: url` lines. */
export function printManagementUrls(ctx: CommandContext, urls: ManagementUrls | CheckStatusPayload): void {
  if (ctx.json) {
    ctx.printJson(urls);
  } else {
    ctx.out(formatKeyValues(Object.entries(urls).map(([k, v]) => [k, v] as const)));
  }
}

export const getManagementUrlsCommand: CliCommand = {
  name: 'get-management-urls',
  summary: 'Print the HTTP management URLs of an instance, as a running host returns them.',
  description:
    'The same links as CreateHttpManagementPayload: status, raise event, terminate, rewind, purge, restart, suspend and ' +
    'resume, for the function app at --host (default http://localhost:7071). In Azure, pass the durabletask_extension ' +
    'system key with --code. {eventName} and {text} are left for you to fill in. The instance is not looked up.',
  flags: [ID_FLAG, HOST_FLAG, CODE_FLAG],
  examples: [
    'durable get-management-urls --id abc123',
    'durable get-management-urls --id abc123 --host https://myapp.azurewebsites.net --code <systemKey> --json',
  ],
  async run(ctx) {
    const connected = await connect(ctx);
    printManagementUrls(ctx, managementUrlsFor(ctx, connected, await chooseHubName(ctx, connected), ctx.flags.string('id') ?? ''));
    return 0;
  },
};
