// The HTTP management URLs of an instance in VS Code: core builds them (as the runtime does) for the
// function app at the `durableExplorer.managementUrls.hostUrl` setting. The app's system key, when
// one is set for that host, lives only in SecretStorage; it goes into the URLs and the clipboard,
// and is masked in the log — never in telemetry, messages or a webview.
import type * as vscode from 'vscode';
import { DEFAULT_CONNECTION_SETTING, ValidationError, managementUrls, managementWebhookBase } from '../../core';
import type { ManagementUrls } from '../../core';
import { readHostJson } from '../../core/connection/settings';
import type { ConnectionSpec } from '../connections/types';
import type { Log } from '../log';
import { MANAGEMENT_HOST_URL_SETTING, readSettings } from '../settings';
import type { HubNode } from '../tree/nodes';

/** The payload's URLs, in its order (every key but `id`). */
export const MANAGEMENT_URL_NAMES = [
  'statusQueryGetUri',
  'sendEventPostUri',
  'terminatePostUri',
  'rewindPostUri',
  'purgeHistoryDeleteUri',
  'restartPostUri',
  'suspendPostUri',
  'resumePostUri',
] as const satisfies readonly (keyof ManagementUrls)[];

const KEY_PREFIX = 'durableExplorer.managementKey.';
const ENTITY_URLS = 'Durable entities have no instance management URLs: the HTTP API reaches them under /entities/{name}/{key}.';

/** The configured host: its URL and the webhook base URLs start with (the key is stored per base). */
export interface ManagementHost {
  hostUrl: string;
  base: string;
}

/** The host at `hostUrl`, as its key is stored (core's webhook base check: a ValidationError for field 'host'). */
export function managementHost(hostUrl: string): ManagementHost {
  return { hostUrl, base: managementWebhookBase(hostUrl) };
}

export class ManagementUrlService {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
  ) {}

  /**
   * The host setting, checked by core itself (the same rules as `--host`). Its webhook base is
   * what core writes before `/instances/`, so `http://h:7071` and `http://h:7071/` share a key.
   * @throws ValidationError naming the setting.
   */
  host(): ManagementHost {
    const hostUrl = readSettings().managementUrlsHostUrl;
    return { hostUrl, base: withSettingName(() => managementWebhookBase(hostUrl)) };
  }

  /** The instance's URLs, with the host's key as `code` when one is stored. */
  async urls(hubNode: HubNode, instanceId: string): Promise<ManagementUrls> {
    if (instanceId.startsWith('@')) {
      throw new ValidationError('id', ENTITY_URLS);
    }
    const host = this.host();
    const [code, connectionName] = await Promise.all([this.key(host), connectionSettingName(hubNode.parent.spec)]);
    return managementUrls({ hostUrl: host.hostUrl, instanceId, taskHub: hubNode.info.name, connectionName, code });
  }

  async key(host: ManagementHost): Promise<string | undefined> {
    const key = await this.secrets.get(KEY_PREFIX + host.base);
    if (key) {
      this.log.addSecrets([key]);
    }
    return key || undefined;
  }

  /** Stores the key for the host, or forgets it (`''`). */
  async setKey(host: ManagementHost, key: string): Promise<void> {
    if (key) {
      this.log.addSecrets([key]);
      await this.secrets.store(KEY_PREFIX + host.base, key);
    } else {
      await this.secrets.delete(KEY_PREFIX + host.base);
    }
  }
}

/**
 * The URLs of an instance, and the host they are for: a running host's connection builds them for
 * its own URL and key, with the hub it was added for (none: the host's own hub, and its own
 * connection); other connections for the configured host.
 */
export async function hubManagementUrls(service: ManagementUrlService, hubNode: HubNode, instanceId: string): Promise<{ urls: ManagementUrls; hostUrl: string }> {
  const spec = hubNode.parent.spec;
  if (spec.kind !== 'host') {
    return { urls: await service.urls(hubNode, instanceId), hostUrl: service.host().hostUrl };
  }
  if (instanceId.startsWith('@')) {
    throw new ValidationError('id', ENTITY_URLS);
  }
  const code = await service.key(managementHost(spec.baseUrl));
  return { urls: managementUrls({ hostUrl: spec.baseUrl, instanceId, taskHub: spec.taskHub, code }), hostUrl: spec.baseUrl };
}

/** Core's host check, reported against the setting rather than the CLI's `--host`. */
function withSettingName<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof ValidationError && e.field === 'host') {
      throw new ValidationError(MANAGEMENT_HOST_URL_SETTING, `The setting '${MANAGEMENT_HOST_URL_SETTING}' is not usable: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/**
 * The app setting the function app reads its storage connection from: for a local project the one
 * the tree resolved (host.json's connection name, else AzureWebJobsStorage: resolveConnection's
 * rule, with no override, as the connection manager calls it); for the other kinds the default.
 */
export async function connectionSettingName(spec: ConnectionSpec): Promise<string> {
  if (spec.kind !== 'local') {
    return DEFAULT_CONNECTION_SETTING;
  }
  return (await readHostJson(spec.folderPath))?.connectionSettingName ?? DEFAULT_CONNECTION_SETTING;
}
