// Reads a Functions project's `local.settings.json` and `host.json` the way Azure Functions Core
// Tools does (reference §10.1), so the CLI and the extension find the same connection and hub as
// `func` would. Pure file reading: no network, no VS Code.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors';

export const LOCAL_SETTINGS_FILE = 'local.settings.json';
export const HOST_JSON_FILE = 'host.json';

/** The contents of a `local.settings.json` that matter here. */
export interface LocalSettings {
  /** Absolute path of the file. */
  path: string;
  /** `Values` (app settings). Keys keep their spelling; look them up case-insensitively. */
  values: Record<string, string>;
  /** `IsEncrypted`; false when absent (see readLocalSettings). */
  isEncrypted: boolean;
}

/** Durable Task settings from a `host.json`. */
export interface HostJsonSettings {
  /** Absolute path of the file. */
  path: string;
  /** `hubName` exactly as written: may be an app-setting reference such as `%MyHub%`. */
  hubName?: string;
  /** Name of the app setting holding the storage connection. */
  connectionSettingName?: string;
  /** `storageProvider.partitionCount` (1..16). */
  partitionCount?: number;
  /** `storageProvider.type`, e.g. `AzureStorage`, `Netherite`, `MSSQL`; absent means Azure Storage. */
  storageProviderType?: string;
  /** 2 for the Functions v2+ shape (`"version": "2.0"`, section `extensions.durableTask`), else 1. */
  version: 1 | 2;
}

/**
 * Finds `fileName` in `startDir` or the nearest parent directory that has it.
 * @returns the absolute path of the file, or undefined when no directory up to the root has it.
 */
export async function findUp(startDir: string, fileName: string): Promise<string | undefined> {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, fileName);
    if (await isFile(candidate)) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

/**
 * The function app root as Core Tools finds it (`SecretsManager.AppSettingsFilePath`): the first
 * directory, walking up from `startDir`, that contains `host.json` or `local.settings.json`.
 */
export async function findFunctionAppRoot(startDir: string): Promise<string | undefined> {
  let dir = path.resolve(startDir);
  for (;;) {
    if ((await isFile(path.join(dir, LOCAL_SETTINGS_FILE))) || (await isFile(path.join(dir, HOST_JSON_FILE)))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

/**
 * Reads `local.settings.json` of the function app that contains `startDir`.
 *
 * The search stops at the function app root (first directory with `host.json` or
 * `local.settings.json`), like Core Tools: a `local.settings.json` above a project's `host.json`
 * belongs to some other app and must not be used.
 *
 * `IsEncrypted` is taken as false when absent. (Core Tools defaults it to true, but only writes
 * encrypted values when asked to, so an absent flag means plain values in practice.)
 *
 * Comments and trailing commas are tolerated. Values that are numbers or booleans are turned into
 * strings (as Json.NET would); `null` values are skipped.
 *
 * @returns undefined when there is no such file.
 * @throws ValidationError (field `local.settings.json`) when the file is not valid JSON or has the wrong shape.
 */
export async function readLocalSettings(startDir: string): Promise<LocalSettings | undefined> {
  const root = await findFunctionAppRoot(startDir);
  if (root === undefined) {
    return undefined;
  }
  const file = path.join(root, LOCAL_SETTINGS_FILE);
  if (!(await isFile(file))) {
    return undefined;
  }
  const json = await readJsonObject(file, LOCAL_SETTINGS_FILE);

  const rawValues = getCaseInsensitive(json, 'Values');
  const values: Record<string, string> = {};
  if (rawValues !== undefined && rawValues !== null) {
    if (!isPlainObject(rawValues)) {
      throw new ValidationError(LOCAL_SETTINGS_FILE, `${file}: "Values" must be an object of app settings.`);
    }
    for (const [key, value] of Object.entries(rawValues)) {
      if (value === null) {
        continue;
      }
      if (typeof value === 'string') {
        values[key] = value;
      } else if (typeof value === 'number' || typeof value === 'boolean') {
        values[key] = String(value);
      } else {
        throw new ValidationError(LOCAL_SETTINGS_FILE, `${file}: the value of "Values.${key}" must be a string.`);
      }
    }
  }

  const rawEncrypted = getCaseInsensitive(json, 'IsEncrypted');
  const isEncrypted = rawEncrypted === true || (typeof rawEncrypted === 'string' && rawEncrypted.toLowerCase() === 'true');
  return { path: file, values, isEncrypted };
}

/**
 * Reads the Durable Task section of the nearest `host.json` at or above `startDir`.
 *
 * Shape (as Core Tools decides it): top-level `"version": "2.0"` means the section is
 * `extensions.durableTask`; otherwise it is the Functions v1 top-level `durableTask`. Keys are
 * matched case-insensitively, as the Functions host's configuration binder does.
 *
 * The connection setting name is the first of `storageProvider.connectionName` (extension v3),
 * `storageProvider.connectionStringName` (v2), `azureStorageConnectionStringName` (v1; read at
 * the section or the `storageProvider` level). The partition count is `storageProvider.partitionCount`,
 * falling back to the v1 section-level `partitionCount`.
 *
 * @returns undefined when no host.json is found; a result without hub/connection when it has no Durable section.
 * @throws ValidationError (field `host.json`) for invalid JSON, a wrong shape, or a partition count outside 1..16.
 */
export async function readHostJson(startDir: string): Promise<HostJsonSettings | undefined> {
  const file = await findUp(startDir, HOST_JSON_FILE);
  if (file === undefined) {
    return undefined;
  }
  const json = await readJsonObject(file, HOST_JSON_FILE);

  const rawVersion = getCaseInsensitive(json, 'version');
  const version: 1 | 2 = (typeof rawVersion === 'string' && rawVersion.trim() === '2.0') || rawVersion === 2 ? 2 : 1;
  const section = version === 2
    ? objectAt(getCaseInsensitive(objectAt(getCaseInsensitive(json, 'extensions'), file, 'extensions'), 'durableTask'), file, 'extensions.durableTask')
    : objectAt(getCaseInsensitive(json, 'durableTask'), file, 'durableTask');
  const sectionName = version === 2 ? 'extensions.durableTask' : 'durableTask';

  const result: HostJsonSettings = { path: file, version };
  if (section === undefined) {
    return result;
  }
  const provider = objectAt(getCaseInsensitive(section, 'storageProvider'), file, `${sectionName}.storageProvider`);

  const hubName = stringAt(section, 'hubName', file, sectionName);
  if (hubName !== undefined) {
    result.hubName = hubName;
  }

  const connectionSettingName =
    stringAt(provider, 'connectionName', file, `${sectionName}.storageProvider`) ??
    stringAt(provider, 'connectionStringName', file, `${sectionName}.storageProvider`) ??
    stringAt(provider, 'azureStorageConnectionStringName', file, `${sectionName}.storageProvider`) ??
    stringAt(section, 'azureStorageConnectionStringName', file, sectionName);
  if (connectionSettingName !== undefined) {
    result.connectionSettingName = connectionSettingName;
  }

  const rawPartitions = getCaseInsensitive(provider, 'partitionCount') ?? getCaseInsensitive(section, 'partitionCount');
  if (rawPartitions !== undefined && rawPartitions !== null) {
    // The host's binder accepts "4" as well as 4; the runtime rejects anything outside 1..16 (§1.4).
    const n = typeof rawPartitions === 'string' && rawPartitions.trim() !== '' ? Number(rawPartitions) : rawPartitions;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 16) {
      throw new ValidationError(
        HOST_JSON_FILE,
        `${file}: partitionCount must be a whole number from 1 to 16, got ${JSON.stringify(rawPartitions)}.`,
      );
    }
    result.partitionCount = n;
  }

  const type = stringAt(provider, 'type', file, `${sectionName}.storageProvider`);
  if (type !== undefined) {
    result.storageProviderType = type;
  }
  return result;
}

/**
 * True when `value`, read from a `local.settings.json` with `IsEncrypted: true`, looks like a
 * Core Tools-encrypted secret: Base64 of ASP.NET Core Data Protection output (magic header
 * `09 F0 C9 F0` → `CfDJ8…`) or of Windows DPAPI output (`AQAAANCMnd8…`), or any long Base64 blob.
 * Connection strings (`Key=Value;…`) and ordinary names never match.
 */
export function looksEncrypted(value: string): boolean {
  const v = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v)) {
    return false;
  }
  return v.startsWith('CfDJ8') || v.startsWith('AQAAANCMnd8') || v.length >= 64;
}

/**
 * Turns JSON-with-comments into plain JSON: `//` and `/* *\/` comments outside strings and
 * commas before `}` or `]` are replaced by spaces, so JSON.parse positions still match the file.
 * @throws Error for an unterminated block comment.
 */
export function stripJsonComments(text: string): string {
  const out = text.split('');
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) {
    out[0] = ' '; // BOM: JSON.parse rejects it, editors on Windows write it.
  }
  let pendingComma = -1; // index of a comma that is trailing if the next significant char closes.
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      pendingComma = -1;
      i++;
      while (i < n && text[i] !== '"') {
        i += text[i] === '\\' ? 2 : 1;
      }
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') {
        out[i++] = ' ';
      }
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        throw new Error(`unterminated /* comment starting at position ${i}`);
      }
      for (let j = i; j < end + 2; j++) {
        if (text[j] !== '\n' && text[j] !== '\r') {
          out[j] = ' ';
        }
      }
      i = end + 2;
      continue;
    }
    if (c === ',') {
      pendingComma = i;
    } else if (c === '}' || c === ']') {
      if (pendingComma >= 0) {
        out[pendingComma] = ' ';
      }
      pendingComma = -1;
    } else if (!/\s/.test(c)) {
      pendingComma = -1;
    }
    i++;
  }
  return out.join('');
}

async function readJsonObject(file: string, field: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ValidationError(field, `${file}: cannot be read: ${(e as Error).message}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripJsonComments(text));
  } catch (e) {
    throw new ValidationError(field, `${file}: invalid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isPlainObject(parsed)) {
    throw new ValidationError(field, `${file}: invalid JSON: expected an object at the top level.`);
  }
  return parsed;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Property lookup the way the .NET configuration binder does it: exact spelling first, then any case. */
function getCaseInsensitive(obj: Record<string, unknown> | undefined, key: string): unknown {
  if (obj === undefined) {
    return undefined;
  }
  if (Object.prototype.hasOwnProperty.call(obj, key)) {
    return obj[key];
  }
  const lower = key.toLowerCase();
  const match = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return match === undefined ? undefined : obj[match];
}

function objectAt(value: unknown, file: string, where: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!isPlainObject(value)) {
    throw new ValidationError(HOST_JSON_FILE, `${file}: "${where}" must be an object.`);
  }
  return value;
}

function stringAt(obj: Record<string, unknown> | undefined, key: string, file: string, where: string): string | undefined {
  const value = getCaseInsensitive(obj, key);
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new ValidationError(HOST_JSON_FILE, `${file}: "${where}.${key}" must be a string.`);
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
