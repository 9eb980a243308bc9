// get-management-urls: the HTTP management links a running host would return for an instance
// (statusQueryGetUri, sendEventPostUri, …), built locally: no host and no storage call is needed
// unless the task hub has to be found in the account.
import { managementUrls } from '../../core';
import { formatKeyValues } from '../output';
import type { CliCommand } from './common';
import { ID_FLAG, chooseHubName, connect } from './common';

export const DEFAULT_HOST_URL = 'http://localhost:7071';

export const getManagementUrlsCommand: CliCommand = {
  name: 'get-management-urls',
  summary: 'Print the HTTP management URLs of an instance, as a running host returns them.',
  description:
    'The same links as CreateHttpManagementPayload: status, raise event, terminate, rewind, purge, restart, suspend and ' +
    'resume, for the function app at --host (default http://localhost:7071). In Azure, pass the durabletask_extension ' +
    'system key with --code. {eventName} and {text} are left for you to fill in. The instance is not looked up.',
  flags: [
    ID_FLAG,
    { name: 'host', kind: 'string', value: 'URL', description: `The function app's base URL (default ${DEFAULT_HOST_URL}).` },
    { name: 'code', kind: 'string', value: 'KEY', description: 'The durabletask_extension system key (for a host in Azure).' },
  ],
  examples: [
    'durable get-management-urls --id abc123',
    'durable get-management-urls --id abc123 --host https://myapp.azurewebsites.net --code <systemKey> --json',
  ],
  async run(ctx) {
    const connected = await connect(ctx);
    const code = ctx.flags.string('code');
    if (code) {
      ctx.secrets.push(code);
    }
    const urls = managementUrls({
      hostUrl: ctx.flags.string('host') ?? DEFAULT_HOST_URL,
      instanceId: ctx.flags.string('id') ?? '',
      taskHub: await chooseHubName(ctx, connected),
      connectionName: connected.resolved.settingName,
      code,
    });
    if (ctx.json) {
      ctx.printJson(urls);
    } else {
      ctx.out(formatKeyValues(Object.entries(urls).map(([k, v]) => [k, v] as const)));
    }
    return 0;
  },
};
