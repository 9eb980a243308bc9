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

/** Where a problem is, 1-based: `character 8` on one line, `line 2, column 5` in multi-line text. */
function locate(text: string, index: number): string {
  if (!text.includes('\n')) {
    return `character ${index + 1}`;
  }
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return `line ${line}, column ${index - before.lastIndexOf('\n')}`;
}

function quoteChar(c: string): string {
  return /[\u0000-\u001f\u007f-\u009f]/.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `'${c}'`;
}

/**
 * Why `text` is not JSON, as a short phrase with where ("a trailing comma before '}' at
 * character 8"), or undefined when it is JSON. Our own scan rather than JSON.parse's message:
 * that wording changes between Node versions and does not name the usual mistakes.
 */
export function jsonSyntaxProblem(text: string): string | undefined {
  let i = 0;
  const at = (phrase: string, index = i): Error => new Error(`${phrase} at ${locate(text, index)}`);
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) {
      i++;
    }
  };
  const unexpected = (): Error => {
    if (i >= text.length) {
      return new Error('the text ends before the JSON is complete');
    }
    if (text[i] === "'") {
      return at('single quotes (JSON needs double quotes)');
    }
    return at(`unexpected ${quoteChar(text[i])}`);
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) {
        throw new Error('a string is not closed (the text ends before its closing quote)');
      }
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') {
        throw at(`a raw control character (${quoteChar(c)}) inside a string`);
      }
      if (c === '\\') {
        const e = text[i + 1] ?? '';
        if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(e) || e === '') {
          throw at(`an invalid escape '\\${e}'`);
        }
        i += e === 'u' ? 6 : 2;
        continue;
      }
      i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') {
            if (text[i] !== undefined && /[A-Za-z_$]/.test(text[i])) {
              throw at('a property name without double quotes');
            }
            throw unexpected();
          }
          string();
          ws();
          if (text[i] !== ':') {
            throw i >= text.length ? unexpected() : at(`expected ':' after the property name but found ${quoteChar(text[i])}`);
          }
          i++;
        }
        value();
        ws();
        if (text[i] === close) {
          i++;
          return;
        }
        if (text[i] !== ',') {
          throw i >= text.length ? unexpected() : at(`expected ',' or '${close}' but found ${quoteChar(text[i])}`);
        }
        const comma = i++;
        ws();
        if (text[i] === close) {
          throw at(`a trailing comma before '${close}'`, comma);
        }
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (c !== undefined && /[-\d]/.test(c)) {
      if (!number.test(text)) {
        throw at('an invalid number');
      }
      i = number.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    throw unexpected();
  };
  try {
    ws();
    if (i >= text.length) {
      return 'it is empty';
    }
    value();
    ws();
    if (i < text.length) {
      throw at(`unexpected text after the JSON value (${quoteChar(text[i])})`);
    }
  } catch (e) {
    return (e as Error).message;
  }
  // The scan and the parser agree on every case we know of; if not, trust the parser.
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Inline text the user meant as JSON: it opens like JSON (or like JSON in leaked shell quotes). */
function looksLikeJson(text: string): boolean {
  return /^(?:[{["]|'[{[])/.test(text);
}

/** Decodes a payload file: UTF-8 only (a BOM is dropped); UTF-16 and broken UTF-8 are refused. */
function decodeFile(bytes: Buffer, flag: string, full: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ValidationError(flag, `The --${flag} file '${full}' is UTF-16 text; save it as UTF-8.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    // TextDecoder does not say where. The lenient decoder marks each bad sequence with U+FFFD;
    // the first one that is not a real U+FFFD in the file (EF BF BD) is the culprit.
    const decoded = bytes.toString('utf8');
    let offset = bytes.length;
    for (let k = decoded.indexOf('\uFFFD'); k >= 0; k = decoded.indexOf('\uFFFD', k + 1)) {
      const at = Buffer.byteLength(decoded.slice(0, k), 'utf8');
      if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) {
        offset = at;
        break;
      }
    }
    const shown = offset < bytes.length ? `byte 0x${bytes[offset].toString(16).toUpperCase().padStart(2, '0')} at offset ${offset}` : 'an invalid byte';
    throw new ValidationError(flag, `The --${flag} file '${full}' is not valid UTF-8 (${shown}); save it as UTF-8.`);
  }
}

/**
 * A payload flag's value as serialized JSON text (what core's `input`/`eventData` take):
 * - `@path/to/file.json`: the file (relative to `cwd`), which must hold JSON, in UTF-8;
 * - inline valid JSON (`{"a":1}`, `42`, `"x"`, `true`): that JSON, compacted;
 * - inline text that starts like JSON (`{`, `[`, `"`) but is not: an error saying where, since
 *   sending `{"a":1,}` as a string would hide the typo;
 * - blank text: an error (usually an unset shell variable);
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
    let bytes: Buffer;
    try {
      bytes = readFileSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'EACCES' || code === 'EPERM'
              ? 'permission denied'
              : (e as Error).message;
      throw new ValidationError(flag, `Cannot read the --${flag} file '${full}': ${why}.`);
    }
    const text = decodeFile(bytes, flag, full);
    if (text.trim().length === 0) {
      throw new ValidationError(flag, `The --${flag} file '${full}' is empty; it must hold JSON, e.g. {} or "text".`);
    }
    const problem = jsonSyntaxProblem(text);
    if (problem) {
      throw new ValidationError(flag, `The --${flag} file '${full}' is not valid JSON: ${problem}. Fix the file.`);
    }
    return compactJson(text.trim());
  }
  const text = value.trim();
  if (text.length === 0) {
    throw new ValidationError(flag, `--${flag} is blank: pass JSON, text or @file (to send blank text, write it as a JSON string: '"${value}"').`);
  }
  const problem = jsonSyntaxProblem(text);
  if (!problem) {
    return compactJson(text);
  }
  if (looksLikeJson(text)) {
    throw new ValidationError(flag, `--${flag} is not valid JSON: ${problem}. Fix the JSON (text starting with {, [ or " is read as JSON).`);
  }
  return JSON.stringify(value);
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
    return inStorageRange(new Date(now.getTime() + (options.relative === 'future' ? ms : -ms)), value, flag);
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
      return inStorageRange(new Date(utc(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000), value, flag);
    }
  }
  throw invalidDate(value, flag);
}

// Azure Table DateTime values (and .NET's DateTime in the runtime) run from 1601 to 9999: a filter
// outside that range is refused by the service, so say so here, before anything is sent.
const MIN_DATE = Date.UTC(1601, 0, 1);
const MAX_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function inStorageRange(date: Date, value: string, flag: string): Date {
  const t = date.getTime();
  if (!(t >= MIN_DATE && t <= MAX_DATE)) {
    throw new ValidationError(flag, `--${flag} '${value}' is out of range: dates go from 1601-01-01 to 9999-12-31.`);
  }
  return date;
}

/** Date.UTC without its two-digit-year rule (Date.UTC(99, 0) is 1999): year 0099 stays 0099. */
function utc(year: number, monthIndex: number, day = 1, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
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
      `--created-after (${createdAfter.toISOString()}) is later than --created-before (${createdBefore.toISOString()}); nothing can match. Swap the two dates.`,
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
