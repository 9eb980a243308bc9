// Turns "which app setting" into a StorageConnection the way the Functions host and Core Tools
// would find it: environment first, then local.settings.json Values; a connection string, or an
// identity-based connection (`<name>__accountName` / `<name>__*ServiceUri`). Also resolves
// host.json's `%AppSetting%` hub name, which the Functions host does and `func durable` doesn't
// (reference §1.5, §10.1). No network: the credential is only created, never used here.
import type { TokenCredential } from '@azure/core-auth';
import { ValidationError, maskSecrets } from '../errors';
import type { StorageConnection } from '../storage/clients';
import type { ServiceEndpoints } from '../storage/connectionString';
import { connectionStringSecrets, parseConnectionString } from '../storage/connectionString';
import type { LocalSettings } from './settings';
import { LOCAL_SETTINGS_FILE, looksEncrypted, readHostJson, readLocalSettings } from './settings';

/** The app setting Functions uses for its own storage, and `func durable`'s default (§1.4). */
export const DEFAULT_CONNECTION_SETTING = 'AzureWebJobsStorage';

/** Extra identity settings (`<name>__clientId`, `<name>__tenantId`, `<name>__credential`) for building a credential. */
export interface IdentityConnectionSettings {
  /** Client id of a user-assigned managed identity / app registration. */
  clientId?: string;
  tenantId?: string;
  /** `managedidentity` when the app forces managed identity. */
  credential?: string;
}

export interface ResolveConnectionOptions {
  /** Directory to start the search for local.settings.json and host.json from. */
  cwd: string;
  /** Environment variables (usually `process.env`). */
  env: Record<string, string | undefined>;
  /** --connection-string-setting; default: host.json's connection setting name, else 'AzureWebJobsStorage'. */
  connectionSetting?: string;
  /**
   * Creates the TokenCredential for identity-based connections (the CLI passes DefaultAzureCredential).
   * Receives `<name>__clientId` etc. when set; a function that ignores them is fine.
   */
  createCredential?: (settings: IdentityConnectionSettings) => TokenCredential;
  /**
   * The hub the caller will use whatever host.json says (--task-hub-name). When given, an
   * unresolvable `%reference%` in host.json's hubName is not an error: `hostJson.hubName` is left out.
   */
  taskHubName?: string;
}

/** Where a setting's value came from. */
export type SettingSource = { kind: 'environment' } | { kind: 'local.settings.json'; path: string };

export interface ResolvedConnection {
  connection: StorageConnection;
  settingName: string;
  /** Where the value came from: 'environment' | 'local.settings.json' (with its path) */
  source: SettingSource;
  /** host.json facts, if a host.json was found. `hubName` has `%AppSetting%` references resolved. */
  hostJson?: { path: string; hubName?: string; partitionCount?: number; storageProviderType?: string };
  /** For masking in logs/errors. */
  secrets: string[];
}

/** A setting's value and where it was found. */
export interface SettingValue {
  value: string;
  source: SettingSource;
}

/**
 * Finds the storage connection and host.json hints for the function app around `o.cwd`.
 *
 * Setting name: `o.connectionSetting`, else host.json's connection setting, else `AzureWebJobsStorage`.
 * Value: the environment (exact name, then `:`/`__` spelled the other way), then
 * local.settings.json `Values` (case-insensitive key). A value must be a storage connection string
 * (`UseDevelopmentStorage=true` included). Without a value, identity-based settings
 * `<name>__accountName` or `<name>__{table,queue,blob}ServiceUri` give an identity connection.
 *
 * @throws ValidationError — field `connection-string-setting` when nothing is found; field = the
 *   setting name for a malformed connection string (the message never contains it) or an incomplete
 *   identity connection; field `local.settings.json` / `host.json` for unreadable or encrypted files;
 *   field `task-hub-name` for an unresolvable `%reference%` in host.json's hubName.
 */
export async function resolveConnection(o: ResolveConnectionOptions): Promise<ResolvedConnection> {
  const [localSettings, host] = await Promise.all([readLocalSettings(o.cwd), readHostJson(o.cwd)]);
  const lookup = createSettingLookup(o.env, localSettings);
  const lookupValue = (name: string): string | undefined => lookup(name)?.value;

  const settingName = nonEmpty(o.connectionSetting) ?? host?.connectionSettingName ?? DEFAULT_CONNECTION_SETTING;

  let hostJson: ResolvedConnection['hostJson'];
  if (host) {
    hostJson = { path: host.path };
    if (host.hubName !== undefined) {
      try {
        hostJson.hubName = resolveAppSettingReferences(host.hubName, lookupValue, 'task-hub-name');
      } catch (e) {
        if (!(e instanceof ValidationError)) {
          throw e;
        }
        // With an explicit hub the host.json value is only a hint; don't fail over it.
        if (o.taskHubName === undefined) {
          throw new ValidationError(
            e.field,
            `${host.path}: hubName '${host.hubName}' cannot be resolved: ${e.message} ` +
              'Set it in the environment or in local.settings.json Values, or pass the hub name explicitly.',
            { cause: e },
          );
        }
      }
    }
    if (host.partitionCount !== undefined) {
      hostJson.partitionCount = host.partitionCount;
    }
    if (host.storageProviderType !== undefined) {
      hostJson.storageProviderType = host.storageProviderType;
    }
  }

  const base = { settingName, ...(hostJson ? { hostJson } : {}) };

  const found = lookup(settingName);
  if (found) {
    return { ...base, ...connectionStringConnection(settingName, found) };
  }

  const identity = identityConnection(settingName, lookup, o.createCredential);
  if (identity) {
    return { ...base, ...identity };
  }

  const searched = localSettings ? localSettings.path : `no local.settings.json found from ${o.cwd} upwards`;
  throw new ValidationError(
    'connection-string-setting',
    `No storage connection found: set the '${settingName}' app setting in the environment or in ` +
      `local.settings.json Values (searched: ${searched}).`,
  );
}

/**
 * Replaces app-setting references `%Name%` in `value` — the whole string (`%MyHub%`) or embedded
 * (`prefix%Env%suffix`) — with `lookup(Name)`.
 * @param field the ValidationError field for an unknown reference (default `task-hub-name`).
 * @throws ValidationError naming the first reference `lookup` does not know.
 */
export function resolveAppSettingReferences(
  value: string,
  lookup: (name: string) => string | undefined,
  field = 'task-hub-name',
): string {
  // App setting names: letters, digits, `_`, `.`, `-`, and `:` (nested-config spelling).
  return value.replace(/%([A-Za-z0-9_.:-]+)%/g, (_match, name: string) => {
    const resolved = lookup(name);
    if (resolved === undefined) {
      throw new ValidationError(field, `App setting '${name}' (referenced as '%${name}%') is not set.`);
    }
    return resolved;
  });
}

/**
 * A lookup over the environment, then local.settings.json `Values`.
 *
 * Both `:` and `__` spellings of nested names are tried (the Functions host treats them as the
 * same key; environment variables can't contain `:` on Linux). Empty values count as unset, as in
 * the host. Encrypted local.settings.json values can't be decrypted outside Core Tools, so using
 * one is an error rather than a confusing "malformed connection string" later.
 */
export function createSettingLookup(
  env: Record<string, string | undefined>,
  localSettings: LocalSettings | undefined,
): (name: string) => SettingValue | undefined {
  const localKeys = localSettings ? Object.keys(localSettings.values) : [];
  return (name) => {
    const spellings = [...new Set([name, name.replace(/:/g, '__'), name.replace(/__/g, ':')])];
    for (const s of spellings) {
      const v = nonEmpty(env[s]);
      if (v !== undefined) {
        return { value: v, source: { kind: 'environment' } };
      }
    }
    if (!localSettings) {
      return undefined;
    }
    for (const s of spellings) {
      // Exact spelling wins over a key that differs only by case.
      const key = Object.prototype.hasOwnProperty.call(localSettings.values, s)
        ? s
        : localKeys.find((k) => k.toLowerCase() === s.toLowerCase());
      const v = key === undefined ? undefined : nonEmpty(localSettings.values[key]);
      if (v === undefined) {
        continue;
      }
      if (localSettings.isEncrypted && looksEncrypted(v)) {
        throw new ValidationError(
          LOCAL_SETTINGS_FILE,
          `${localSettings.path}: '${key}' is encrypted (IsEncrypted: true), and encrypted local.settings.json ` +
            "values can only be read by Azure Functions Core Tools. Run 'func settings decrypt' in the project " +
            `folder, or set '${name}' in the environment.`,
        );
      }
      return { value: v, source: { kind: 'local.settings.json', path: localSettings.path } };
    }
    return undefined;
  };
}

function connectionStringConnection(
  settingName: string,
  found: SettingValue,
): Pick<ResolvedConnection, 'connection' | 'source' | 'secrets'> {
  const connectionString = found.value;
  const secrets = connectionStringSecrets(connectionString);
  let parsed;
  try {
    // Validate now so a bad value fails with the setting's name, not later inside an SDK call.
    parsed = parseConnectionString(connectionString, settingName);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const where = found.source.kind === 'environment' ? 'the environment' : found.source.path;
    throw new ValidationError(
      settingName,
      maskSecrets(`The '${settingName}' app setting (from ${where}) is not a valid storage connection string: ${detail}`, secrets),
    );
  }
  // `UseDevelopmentStorage=true` holds no secret; masking it would only hide what was used.
  const hasSecret = /AccountKey=|SharedAccessSignature=/i.test(connectionString);
  return {
    connection: { kind: 'connectionString', connectionString },
    source: found.source,
    secrets: parsed.isEmulator && !hasSecret ? [] : secrets,
  };
}

const SERVICES = ['table', 'queue', 'blob'] as const;

function identityConnection(
  settingName: string,
  lookup: (name: string) => SettingValue | undefined,
  createCredential: ResolveConnectionOptions['createCredential'],
): Pick<ResolvedConnection, 'connection' | 'source' | 'secrets'> | undefined {
  // `__` and `:` spellings are both tried by the lookup.
  const sub = (key: string): SettingValue | undefined => lookup(`${settingName}__${key}`);
  const account = sub('accountName');
  const uris = {
    table: sub('tableServiceUri'),
    queue: sub('queueServiceUri'),
    // `__serviceUri` is the blob-only form the Functions host also accepts.
    blob: sub('blobServiceUri') ?? sub('serviceUri'),
  };
  const first = account ?? uris.table ?? uris.queue ?? uris.blob;
  if (!first) {
    return undefined;
  }

  let accountName: string | undefined;
  if (account) {
    accountName = account.value.trim();
    if (!/^[A-Za-z0-9]{3,24}$/.test(accountName)) {
      throw new ValidationError(
        settingName,
        `'${settingName}__accountName' must be a storage account name (3 to 24 letters and digits), got '${accountName}'.`,
      );
    }
    accountName = accountName.toLowerCase();
  }

  const endpoints: Partial<ServiceEndpoints> = {};
  const missing: string[] = [];
  for (const service of SERVICES) {
    const given = uris[service];
    if (given) {
      endpoints[service] = serviceUri(settingName, `${service}ServiceUri`, given.value);
    } else if (accountName) {
      endpoints[service] = `https://${accountName}.${service}.core.windows.net`;
    } else {
      missing.push(`'${settingName}__${service}ServiceUri'`);
    }
  }
  if (missing.length > 0) {
    throw new ValidationError(
      settingName,
      `The identity-based connection '${settingName}' is incomplete: Durable Functions uses tables, queues and blobs, ` +
        `so set '${settingName}__accountName' or also ${missing.join(' and ')}.`,
    );
  }
  if (!createCredential) {
    throw new ValidationError(
      settingName,
      `'${settingName}' is an identity-based connection, which needs an Azure credential, but none was provided.`,
    );
  }
  const credentialSettings: IdentityConnectionSettings = {};
  for (const key of ['clientId', 'tenantId', 'credential'] as const) {
    const v = sub(key)?.value;
    if (v !== undefined) {
      credentialSettings[key] = v;
    }
  }
  return {
    connection: { kind: 'identity', endpoints: endpoints as ServiceEndpoints, credential: createCredential(credentialSettings) },
    source: first.source,
    secrets: [],
  };
}

function serviceUri(settingName: string, key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ValidationError(settingName, `'${settingName}__${key}' is not a valid URL: '${value}'.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(settingName, `'${settingName}__${key}' must be an http(s) URL: '${value}'.`);
  }
  // Same normal form as parseConnectionString's endpoints.
  return value.trim().replace(/\/+$/, '');
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
