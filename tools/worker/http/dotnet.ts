// How the Durable Functions host (a .NET process) reads query strings and writes values, so the
// local management API accepts and answers exactly what the real one does. Sources:
// azure-functions-durable-extension src/WebJobs.Extensions.DurableTask/HttpRequestMessageExtensions.cs
// (GetQueryNameValuePairs), HttpApiHandler.cs (TryGet*QueryParameterValue, ConvertFrom) and
// ContextImplementations/DurableClient.cs (ParseToJToken).
import type { JsonValue } from '../../../src/core';

/** An exception of the .NET host: its type decides the status code, both end up in the error body. */
export class DotNetException extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export const argumentException = (message: string): DotNetException => new DotNetException('System.ArgumentException', message);
export const invalidOperation = (message: string): DotNetException => new DotNetException('System.InvalidOperationException', message);

/** The query as a .NET NameValueCollection: names compared case-insensitively, a name may repeat. */
export class QueryValues {
  private readonly pairs: Array<[string, string]> = [];

  /** Splits on '&' and the first '='; names and values trimmed, then WebUtility.UrlDecode'd. */
  constructor(search: string) {
    const query = search.startsWith('?') ? search.slice(1) : search;
    if (query.length === 0) {
      return;
    }
    for (const part of query.split('&')) {
      const eq = part.indexOf('=');
      const name = eq >= 0 ? part.slice(0, eq) : '';
      const value = eq >= 0 ? part.slice(eq + 1) : part;
      this.pairs.push([urlDecode(name.trim()), urlDecode(value.trim())]);
    }
  }

  /** Every value of `name`, in order. */
  all(name: string): string[] {
    const key = name.toLowerCase();
    return this.pairs.filter(([n]) => n.toLowerCase() === key).map(([, v]) => v);
  }

  /** NameValueCollection's indexer: the values joined with ',', or undefined when absent. */
  get(name: string): string | undefined {
    const values = this.all(name);
    return values.length > 0 ? values.join(',') : undefined;
  }
}

/** .NET's WebUtility.UrlDecode: '+' is a space, %XX are UTF-8 bytes, a malformed escape stays as it is. */
export function urlDecode(text: string): string {
  if (!/[+%]/.test(text)) {
    return text;
  }
  const bytes: number[] = [];
  const spaced = text.replace(/\+/g, ' ');
  for (let i = 0; i < spaced.length; i++) {
    const c = spaced[i];
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(spaced.slice(i + 1, i + 3))) {
      bytes.push(parseInt(spaced.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** bool.TryParse: "true"/"false" in any case, surrounding white space allowed. */
export function tryParseBool(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** int.TryParse (NumberStyles.Integer): optional sign and digits, within Int32. */
export function tryParseInt(value: string | undefined): number | undefined {
  const v = value?.trim();
  if (!v || !/^[+-]?\d+$/.test(v)) {
    return undefined;
  }
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** double.TryParse for the timeout and pollingInterval seconds. */
export function tryParseDouble(value: string | undefined): number | undefined {
  const v = value?.trim();
  if (!v || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    return undefined;
  }
  return Number(v);
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * DateTime.TryParse of the ISO 8601 forms clients send (date, or date and time, with an optional
 * fraction and zone). A time without a zone is UTC, as it is on the host's UTC clock. Other forms
 * DateTime.TryParse would read by culture ("01/02/2024") are not recognized.
 */
export function tryParseDateTime(value: string | undefined): Date | undefined {
  const m = value ? ISO_DATE_TIME.exec(value.trim()) : null;
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(time);
  // Date.UTC rolls 2024-02-31 over to March; DateTime refuses it.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(time);
}

/**
 * Enum.TryParse<T>(value): a member name, exactly (case-sensitive), or any whole number (also one
 * naming no member). Returns the name, the number, or undefined when it does not parse.
 */
export function tryParseEnum(value: string, members: Readonly<Record<string, number>>): string | number | undefined {
  const v = value.trim();
  if (Object.prototype.hasOwnProperty.call(members, v)) {
    return v;
  }
  const n = tryParseInt(v);
  if (n === undefined) {
    return undefined;
  }
  const name = Object.keys(members).find((k) => members[k] === n);
  return name ?? n;
}

/** DurableTask.Core's OrchestrationStatus (the purge filter's type). */
export const ORCHESTRATION_STATUS: Readonly<Record<string, number>> = {
  Running: 0,
  Completed: 1,
  ContinuedAsNew: 2,
  Failed: 3,
  Canceled: 4,
  Terminated: 5,
  Pending: 6,
  Suspended: 7,
};

/** The Functions extension's OrchestrationRuntimeStatus (the list filter's type): also Unknown = -1. */
export const ORCHESTRATION_RUNTIME_STATUS: Readonly<Record<string, number>> = { Unknown: -1, ...ORCHESTRATION_STATUS };

const STORED_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/** `DateTime.ToString("s") + "Z"` of a UTC time: seconds, no fraction (createdTime, lastUpdatedTime). */
export function sortableUtc(stored: string | null): string {
  if (!stored) {
    return '0001-01-01T00:00:00Z';
  }
  const m = STORED_DATE_TIME.exec(stored);
  if (m) {
    return `${m[1]}Z`;
  }
  const t = new Date(stored);
  return Number.isNaN(t.getTime()) ? stored : `${t.toISOString().slice(0, 19)}Z`;
}

/** Json.NET's text of a UTC DateTime: up to 7 fraction digits, trailing zeros dropped. */
export function jsonNetDateTime(stored: string): string {
  const m = STORED_DATE_TIME.exec(stored);
  if (!m) {
    return stored;
  }
  const fraction = (m[2] ?? '').slice(0, 7).replace(/0+$/, '');
  return `${m[1]}${fraction ? `.${fraction}` : ''}Z`;
}

/** DurableClient.ParseToJToken: null stays null, blank text is "", JSON is parsed, anything else is the text. */
export function parseToken(value: unknown): JsonValue {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string') {
    return value as JsonValue;
  }
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    return '';
  }
  try {
    return JSON.parse(trimmed) as JsonValue;
  } catch {
    return trimmed;
  }
}
