// What the CLI prints. Human output: aligned tables, key/value lines, times as ISO 8601 UTC.
// `--json` output: stable 2-space indented JSON on stdout, streamed for long lists so memory
// stays flat, and byte-for-byte what `JSON.stringify(whole, null, 2)` would print.
// Errors: one `error: <message>` line on stderr, secrets masked, exit 1 (2 for usage errors).
import { DurableError, maskSecrets } from '../core/errors';
import type { JsonValue } from '../core/model';
import { UsageError } from './args';

export type Write = (text: string) => void;

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** `wait`: the instance had not finished when the timeout passed (the runtime's HTTP 202). */
export const EXIT_TIMED_OUT = 3;
/** 128 + SIGINT, what shells report for a Ctrl-C'd program. */
export const EXIT_CANCELLED = 130;

// ---------------------------------------------------------------------------------------------
// JSON

/** Bigints (Int64 columns) print as numbers, exactly; nothing else is changed. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number.isSafeInteger(Number(value)) ? Number(value) : value.toString() : value;
}

/** `value` as 2-space indented JSON plus a newline. */
// Control characters and bidirectional overrides in untrusted text (instance ids, reasons,
// payloads) could move the cursor, recolour or rewrite the terminal: show them escaped instead.
// Newlines stay; JSON output is unaffected in meaning (the escape is what JSON would write).
const UNSAFE_FOR_TERMINAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const HAS_UNSAFE_FOR_TERMINAL = new RegExp(UNSAFE_FOR_TERMINAL.source);

export function sanitizeForTerminal(text: string): string {
  // A test is several times cheaper than a replace that finds nothing (megabytes of --all output).
  if (!HAS_UNSAFE_FOR_TERMINAL.test(text)) {
    return text;
  }
  return text.replace(UNSAFE_FOR_TERMINAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON.stringify with the bigint replacer, 2-space indented. Tries without the replacer first:
 * a replacer function takes JSON.stringify off its fast path, and only Int64 columns hold
 * bigints, which without a replacer throw (a TypeError) instead of printing anything.
 */
function stringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, null, 2);
  } catch (e) {
    if (e instanceof TypeError && /BigInt/i.test(e.message)) {
      return JSON.stringify(value, jsonReplacer, 2);
    }
    throw e;
  }
}

export function toJson(value: unknown): string {
  return `${stringify(value) ?? 'null'}\n`;
}

// JSON.stringify({ a: items }, null, 2) is `{\n  "a": [` + the items at the indent of a top-level
// field's array + `\n  ]\n}`: the middle is what JsonObjectWriter writes for those items.
const ARRAY_HEAD = '{\n  "a": ['.length;
const ARRAY_TAIL = '\n  ]\n}'.length;

function indentLines(text: string, indent: string): string {
  return text.split('\n').join(`\n${indent}`);
}

/**
 * Writes one top-level JSON object field by field, with at most one array streamed item by item,
 * so a 100,000-instance listing never sits in memory. The text equals `toJson(object)`.
 */
export class JsonObjectWriter {
  private fields = 0;
  private items = 0;
  private inArray = false;
  private ended = false;

  constructor(private readonly write: Write) {
    write('{');
  }

  private key(name: string): void {
    this.write(`${this.fields++ > 0 ? ',' : ''}\n  ${JSON.stringify(name)}: `);
  }

  field(name: string, value: unknown): this {
    this.key(name);
    this.write(indentLines(stringify(value) ?? 'null', '  '));
    return this;
  }

  beginArray(name: string): this {
    this.key(name);
    this.write('[');
    this.inArray = true;
    this.items = 0;
    return this;
  }

  item(value: unknown): this {
    this.write(`${this.items++ > 0 ? ',' : ''}\n    ${indentLines(stringify(value) ?? 'null', '    ')}`);
    return this;
  }

  /** Many items with one write (one JSON.stringify call): what `item` for each would write. */
  itemsOf(values: readonly unknown[]): this {
    if (values.length > 0) {
      const text = stringify({ a: values }) ?? '';
      this.write(`${this.items > 0 ? ',' : ''}${text.slice(ARRAY_HEAD, text.length - ARRAY_TAIL)}`);
      this.items += values.length;
    }
    return this;
  }

  endArray(): this {
    this.write(this.items > 0 ? '\n  ]' : ']');
    this.inArray = false;
    return this;
  }

  /** Closes the object (and an open array, e.g. after a failure mid-stream). */
  end(): void {
    if (this.ended) {
      return;
    }
    if (this.inArray) {
      this.endArray();
    }
    this.write(this.fields > 0 ? '\n}\n' : '}\n');
    this.ended = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Human output

/** An ISO 8601 UTC time (`2024-05-01T10:00:00Z`, or with milliseconds), `-` when absent. */
export function formatTime(value: string | Date | null | undefined, precision: 's' | 'ms' = 's'): string {
  if (value === null || value === undefined || value === '') {
    return '-';
  }
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value);
  }
  // Azure's "no value" DateTime.
  if (date.getUTCFullYear() <= 1601) {
    return '-';
  }
  const iso = date.toISOString();
  return precision === 'ms' ? iso : `${iso.slice(0, 19)}Z`;
}

/** A value on one short line: strings as they are, everything else as compact JSON, cut at `max`. */
export function shortValue(value: JsonValue | undefined, max = 60): string {
  if (value === undefined || value === null) {
    return '';
  }
  const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s*\n\s*/g, ' ');
  return truncate(text, max);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
}

function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - text.length));
  return align === 'right' ? fill + text : text + fill;
}

function renderRow(cells: readonly string[], widths: readonly number[], columns: readonly TableColumn[]): string {
  const last = cells.length - 1;
  return cells
    .map((cell, i) => (i === last && columns[i]?.align !== 'right' ? cell : pad(cell, widths[i], columns[i]?.align)))
    .join('  ')
    .trimEnd();
}

function columnWidths(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): number[] {
  return columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
}

/** Columns separated by two spaces, padded to the widest cell; no trailing spaces. */
export function formatTable(columns: readonly TableColumn[], unsafeRows: readonly (readonly string[])[]): string {
  // Escape first, so widths are those of what is printed.
  const rows = unsafeRows.map((r) => r.map(sanitizeForTerminal));
  const widths = columnWidths(columns, rows);
  const lines = [renderRow(columns.map((c) => c.header), widths, columns), ...rows.map((r) => renderRow(r, widths, columns))];
  return `${lines.join('\n')}\n`;
}

/**
 * A table printed while rows arrive: the first `sample` rows fix the column widths, later rows
 * reuse them (a longer cell just pushes its line's later cells right).
 */
export class StreamingTable {
  private buffered: string[][] = [];
  private widths: number[] | undefined;
  private count = 0;

  constructor(
    private readonly write: Write,
    private readonly columns: readonly TableColumn[],
    private readonly sample = 100,
  ) {}

  get rows(): number {
    return this.count;
  }

  add(unsafeRow: string[]): void {
    const row = unsafeRow.map(sanitizeForTerminal);
    this.count++;
    if (this.widths) {
      this.write(`${renderRow(row, this.widths, this.columns)}\n`);
      return;
    }
    this.buffered.push(row);
    if (this.buffered.length >= this.sample) {
      this.flush();
    }
  }

  private flush(): void {
    this.widths = columnWidths(this.columns, this.buffered);
    this.write(formatTable(this.columns, this.buffered));
    this.buffered = [];
  }

  /** Prints what is buffered; returns the number of rows. With no rows nothing is printed. */
  end(): number {
    if (!this.widths && this.buffered.length > 0) {
      this.flush();
    }
    return this.count;
  }
}

/** `Label:  value` lines with the values aligned; undefined values are skipped. */
export function formatKeyValues(pairs: readonly (readonly [string, string | undefined])[]): string {
  const shown = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length + 1));
  return shown.map(([k, v]) => `${pad(`${k}:`, width)}  ${v.replace(/\n/g, `\n${' '.repeat(width + 2)}`)}`.trimEnd()).join('\n') + '\n';
}

/** Progress on one rewritten stderr line; only used when stderr is a terminal. */
export class ProgressLine {
  private shown = false;

  constructor(
    private readonly write: Write,
    private readonly enabled: boolean,
  ) {}

  update(message: string): void {
    if (this.enabled) {
      this.write(`\r\x1b[K${truncate(sanitizeForTerminal(message), 100)}`);
      this.shown = true;
    }
  }

  clear(): void {
    if (this.shown) {
      this.write('\r\x1b[K');
      this.shown = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

export interface FormattedError {
  /** What to write to stderr: `error: <message>\n` (plus the stack when debugging). */
  text: string;
  exitCode: number;
}

export const FORBIDDEN_HINT =
  'Forbidden: these credentials may not do this. Use a SAS with the permissions the command needs ' +
  '(read, add, update, delete) or an identity with the Storage Table, Queue and Blob Data Contributor roles.';

function isAbort(e: unknown): boolean {
  return (e as { name?: string } | undefined)?.name === 'AbortError' || (e instanceof DurableError && e.code === 'Cancelled');
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError || (e instanceof DurableError && e.code === 'Validation')) {
    return EXIT_USAGE;
  }
  if (isAbort(e)) {
    return EXIT_CANCELLED;
  }
  return EXIT_FAILURE;
}

/**
 * The one error path. The message is masked with `secrets` (the resolved connection string,
 * key and SAS) and by pattern (`AccountKey=…`, `sig=…`) and folded onto one line.
 */
export function formatError(e: unknown, secrets: readonly string[] = [], options: { debug?: boolean } = {}): FormattedError {
  const exitCode = exitCodeFor(e);
  let message: string;
  if (exitCode === EXIT_CANCELLED) {
    message = e instanceof DurableError && e.message ? e.message : 'The operation was cancelled.';
  } else if (e instanceof Error) {
    message = e.message || e.name;
  } else {
    message = String(e);
  }
  message = maskSecrets(message, secrets).replace(/\s*\r?\n\s*/g, ' ').trim();
  // The queue SDK's text for an error answer without a body; the service's error code says more.
  message = message.replace(/Unexpected status code: (\d+)/, (_m, status: string) => {
    const code = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    return typeof code === 'string' && /^[A-Za-z]+$/.test(code) ? `${code} (HTTP ${status})` : `HTTP ${status}`;
  });
  if (e instanceof DurableError && e.cliHint) {
    message = `${message} ${e.cliHint}`;
  }
  if (e instanceof DurableError && e.code === 'Forbidden' && !/check the account key/.test(message)) {
    // Storage knew who we are and refused: the credentials lack a permission (a read-only SAS).
    message = `${message.replace(/\.?$/, '.')} ${FORBIDDEN_HINT}`;
  }
  if (e instanceof UsageError && e.command) {
    message += ` See 'durable ${e.command} --help'.`;
  } else if (e instanceof UsageError) {
    message += " See 'durable --help'.";
  }
  let text = `error: ${message}\n`;
  if (options.debug && e instanceof Error && e.stack) {
    text += `${maskSecrets(e.stack, secrets)}\n`;
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.stack) {
      text += `caused by: ${maskSecrets(cause.stack, secrets)}\n`;
    }
  }
  return { text, exitCode };
}
