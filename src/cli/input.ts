// Turns flag text into the values core takes: JSON payloads (`--input`, `--event-data`), dates,
// whole numbers and tags. Every failure is a ValidationError naming the flag.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../core/errors';

/**
 * JSON text without insignificant whitespace. Done on the text rather than by
 * `JSON.stringify(JSON.parse(text))` so number literals keep every digit (a 19-digit id stays exact).
 * `text` must already be valid JSON.
 */
export function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      out += c;
    }
  }
  return out;
}

function isValidJson(text: string): { ok: true } | { ok: false; message: string } {
  try {
    JSON.parse(text);
    return { ok: true };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/**
 * A payload flag's value as serialized JSON text (what core's `input`/`eventData` take):
 * - `@path/to/file.json`: the file (relative to `cwd`), which must hold JSON;
 * - inline valid JSON (`{"a":1}`, `42`, `"x"`, `true`): that JSON, compacted;
 * - any other inline text: a JSON string, so `--input hello` is `--input '"hello"'`.
 * To pass a string that starts with `@`, quote it as JSON: `--input '"@home"'`.
 */
export function parseJsonValue(value: string, flag: string, cwd: string): string {
  if (value.startsWith('@')) {
    const file = value.slice(1);
    if (!file) {
      throw new ValidationError(flag, `--${flag} '@' must be followed by a file path, e.g. --${flag} @data.json.`);
    }
    const full = path.resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      throw new ValidationError(flag, `Cannot read the --${flag} file '${full}': ${why}.`);
    }
    text = text.replace(/^\uFEFF/, '');
    const check = isValidJson(text);
    if (!check.ok) {
      throw new ValidationError(flag, `The --${flag} file '${full}' is not valid JSON: ${check.message}`);
    }
    return compactJson(text.trim());
  }
  return isValidJson(value).ok ? compactJson(value.trim()) : JSON.stringify(value);
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
// Date, optional time (minutes, seconds and up to 7 fraction digits optional), optional zone.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface DateOptions {
  /** What a relative value like `30m` means: that long ago (filters, default) or from now (schedules). */
  relative?: 'past' | 'future';
}

/**
 * A date flag: ISO 8601 (`2024-05-01`, `2024-05-01T10:00`, `2024-05-01T10:00:00.1234567Z`,
 * `2024-05-01T12:00:00+02:00`), where a value without a zone is **UTC** (as `func durable`
 * documents), or a relative age `30s`, `30m`, `24h`, `7d`, `2w` meaning that long before `now`.
 */
export function parseDate(value: string, flag: string, now: Date = new Date(), options: DateOptions = {}): Date {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  if (relative) {
    const ms = Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()];
    return new Date(now.getTime() + (options.relative === 'future' ? ms : -ms));
  }
  const m = ISO.exec(text);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
    const valid =
      month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
    if (valid) {
      let offsetMinutes = 0;
      if (zone && zone.toUpperCase() !== 'Z') {
        const sign = zone[0] === '-' ? -1 : 1;
        const digits = zone.slice(1).replace(':', '');
        const oh = Number(digits.slice(0, 2));
        const om = Number(digits.slice(2) || '0');
        if (oh > 14 || om > 59) {
          throw invalidDate(value, flag);
        }
        offsetMinutes = sign * (oh * 60 + om);
      }
      return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
    }
  }
  throw invalidDate(value, flag);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function invalidDate(value: string, flag: string): ValidationError {
  return new ValidationError(
    flag,
    `Invalid date '${value}' for --${flag}: use ISO 8601 (2024-05-01, 2024-05-01T10:00:00Z, 2024-05-01T12:00:00+02:00; no zone means UTC) or an age such as 30m, 24h or 7d.`,
  );
}

/** `--created-after` / `--created-before`, checked for order. */
export function parseDateRange(
  after: string | undefined,
  before: string | undefined,
  now: Date = new Date(),
): { createdAfter?: Date; createdBefore?: Date } {
  const createdAfter = after === undefined ? undefined : parseDate(after, 'created-after', now);
  const createdBefore = before === undefined ? undefined : parseDate(before, 'created-before', now);
  if (createdAfter && createdBefore && createdAfter.getTime() > createdBefore.getTime()) {
    throw new ValidationError(
      'created-after',
      `--created-after (${createdAfter.toISOString()}) is later than --created-before (${createdBefore.toISOString()}); nothing can match.`,
    );
  }
  return { ...(createdAfter ? { createdAfter } : {}), ...(createdBefore ? { createdBefore } : {}) };
}

/** A whole number within bounds, e.g. `--top`, `--page-size`, `--wait`. */
export function parseInteger(value: string, flag: string, min: number, max: number): number {
  const text = value.trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ValidationError(flag, `--${flag} must be a whole number from ${min} to ${max}, not '${value}'.`);
  }
  return n;
}

/**
 * `--tags k=v,k2=v2` (or space-separated pairs: `--tags k=v k2=v2`) or one JSON object of
 * strings: `--tags '{"k":"v"}'`.
 */
export function parseTags(values: readonly string[], flag = 'tags'): Record<string, string> {
  const joined = values.join(' ').trim();
  if (joined.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(joined);
    } catch (e) {
      throw new ValidationError(flag, `--${flag} is not a valid JSON object: ${(e as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new ValidationError(flag, `--${flag} as JSON must be an object of string values.`);
    }
    return parsed as Record<string, string>;
  }
  const tags: Record<string, string> = {};
  const pairs = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
  if (pairs.length === 0) {
    throw new ValidationError(flag, `--${flag} needs at least one key=value pair.`);
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!key) {
      throw new ValidationError(flag, `--${flag} entries must be key=value, not '${pair}'.`);
    }
    if (key in tags) {
      throw new ValidationError(flag, `--${flag} names '${key}' more than once.`);
    }
    tags[key] = pair.slice(eq + 1).trim();
  }
  return tags;
}
