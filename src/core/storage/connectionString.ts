// Parses Azure Storage connection strings into endpoints and a credential, so clients are built
// the same way for every form (account key, SAS, emulator shortcut) and errors can name the endpoint.
import { ValidationError } from '../errors';

export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface ServiceEndpoints {
  table: string;
  queue: string;
  blob: string;
}

export interface ParsedConnectionString {
  accountName: string;
  accountKey?: string;
  /** SAS token without the leading `?`. */
  sas?: string;
  endpoints: ServiceEndpoints;
  isEmulator: boolean;
}

/** The Azurite endpoints `UseDevelopmentStorage=true` stands for. */
export function developmentStorageEndpoints(host = 'http://127.0.0.1'): ServiceEndpoints {
  const base = host.replace(/\/+$/, '');
  return {
    blob: `${base}:10000/${DEV_ACCOUNT_NAME}`,
    queue: `${base}:10001/${DEV_ACCOUNT_NAME}`,
    table: `${base}:10002/${DEV_ACCOUNT_NAME}`,
  };
}

export function parseConnectionString(connectionString: string, field = 'connection'): ParsedConnectionString {
  const values = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const trimmed = part.trim();
    if (!trimmed) {
      continue;
    }
    const eq = trimmed.indexOf('=');
    if (eq <= 0) {
      throw new ValidationError(field, 'The storage connection string is malformed: every part must be Key=Value.');
    }
    values.set(trimmed.slice(0, eq).trim().toLowerCase(), trimmed.slice(eq + 1).trim());
  }

  if ((values.get('usedevelopmentstorage') ?? '').toLowerCase() === 'true') {
    const proxy = values.get('developmentstorageproxyuri');
    return {
      accountName: DEV_ACCOUNT_NAME,
      accountKey: DEV_ACCOUNT_KEY,
      endpoints: developmentStorageEndpoints(proxy ?? 'http://127.0.0.1'),
      isEmulator: true,
    };
  }

  const accountName = values.get('accountname');
  const accountKey = values.get('accountkey');
  const sas = values.get('sharedaccesssignature')?.replace(/^\?/, '');
  const protocol = values.get('defaultendpointsprotocol') ?? 'https';
  const suffix = values.get('endpointsuffix') ?? 'core.windows.net';
  const explicit = {
    table: values.get('tableendpoint'),
    queue: values.get('queueendpoint'),
    blob: values.get('blobendpoint'),
  };
  const derive = (service: keyof ServiceEndpoints): string | undefined => {
    const given = explicit[service];
    if (given) {
      return given.replace(/\/+$/, '');
    }
    return accountName ? `${protocol}://${accountName}.${service}.${suffix}` : undefined;
  };
  const table = derive('table');
  const queue = derive('queue');
  const blob = derive('blob');
  if (!table || !queue || !blob) {
    throw new ValidationError(
      field,
      'The storage connection string names no account: it needs AccountName (or TableEndpoint, QueueEndpoint and BlobEndpoint).',
    );
  }
  if (!accountKey && !sas) {
    throw new ValidationError(field, 'The storage connection string has neither AccountKey nor SharedAccessSignature.');
  }
  const name = accountName ?? accountNameFromEndpoint(table) ?? 'unknown';
  return {
    accountName: name,
    accountKey,
    sas,
    endpoints: { table, queue, blob },
    isEmulator: name === DEV_ACCOUNT_NAME,
  };
}

/** `https://acct.table.core.windows.net` → `acct`; path-style `http://host:port/acct` → `acct`. */
export function accountNameFromEndpoint(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint);
    const firstPath = url.pathname.split('/').filter(Boolean)[0];
    if (firstPath) {
      return firstPath;
    }
    const firstLabel = url.hostname.split('.')[0];
    return /^\d+$/.test(firstLabel) ? undefined : firstLabel;
  } catch {
    return undefined;
  }
}

/** Secret values to mask in logs and errors. */
export function connectionStringSecrets(connectionString: string): string[] {
  const secrets = [connectionString];
  const key = /AccountKey=([^;]+)/i.exec(connectionString)?.[1];
  const sas = /SharedAccessSignature=([^;]+)/i.exec(connectionString)?.[1];
  if (key) {
    secrets.push(key);
  }
  if (sas) {
    secrets.push(sas);
  }
  return secrets;
}
