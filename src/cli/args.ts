// Command-line parsing, our own (no commander): `durable <command> [flags]`. Flags are
// `--flag value` or `--flag=value`; booleans may be followed by `true`/`false` (`func durable`
// style, `--show-input true`); list flags take values until the next flag and also split commas;
// optional-value flags may stand alone (`--wait`) or take a value (`--wait 60`). Mistyped flags
// and commands get a "did you mean" suggestion. Parsing never touches I/O.

export type FlagKind = 'string' | 'boolean' | 'list' | 'optional';

export interface FlagSpec {
  /** Long name without dashes: `task-hub-name`. */
  name: string;
  /** One-letter alias without the dash: `y` for `-y`. */
  short?: string;
  kind: FlagKind;
  /** Placeholder shown in help: `ID`, `DATE`, `SECONDS`. */
  value?: string;
  description: string;
  required?: boolean;
  /** List flags only: split values at commas too (default true). */
  splitCommas?: boolean;
  /**
   * String and optional flags: accept `''`. Off by default: an empty value is nearly always an
   * unset shell variable (`--task-hub-name "$HUB"`), and silently treating it as "not given" could
   * pick another hub or instance.
   */
  allowEmpty?: boolean;
}

export interface CommandSpec {
  name: string;
  /** One line, shown in the command list. */
  summary: string;
  /** Paragraphs shown in the command's own help. */
  description?: string;
  flags: readonly FlagSpec[];
  examples?: readonly string[];
}

/** string for `string` flags and valued `optional` flags, true for an `optional` flag given alone. */
export type FlagValue = string | boolean | string[];
export type FlagValues = Record<string, FlagValue | undefined>;

export type ParseResult =
  | { kind: 'help'; command?: CommandSpec }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; values: FlagValues };

/** Bad command line: exit code 2. `command` lets the error point at that command's help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const HELP_FLAGS = new Set(['--help', '-h', '-?']);
const VERSION_FLAGS = new Set(['--version', '-V']);

/**
 * Levenshtein edit distance (insert, delete, substitute each cost 1), also counting a swap of two
 * adjacent letters as 1 (optimal string alignment), the commonest typo: `--tpo` for `--top`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) {
    d[0][j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate the user most likely meant, or undefined: a close edit (distance at most a third
 * of the word, at least 1, at most 3), else a unique candidate that starts with or contains it.
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const word = input.toLowerCase();
  if (!word) {
    return undefined;
  }
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= limit) {
    return best;
  }
  if (word.length >= 3) {
    const containing = candidates.filter((c) => c.toLowerCase().includes(word));
    if (containing.length === 1) {
      return containing[0];
    }
  }
  return undefined;
}

function didYouMean(suggestion: string | undefined): string {
  return suggestion ? ` Did you mean '${suggestion}'?` : '';
}

/** A token that starts a new flag (so it can't be a value): `--x`, `--`, or a one-letter `-x`. */
function looksLikeFlag(token: string): boolean {
  return token === '--' || (token.startsWith('--') && token.length > 2) || /^-[A-Za-z?]$/.test(token);
}

function parseBoolean(text: string, flag: string, command: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1' || t === 'yes') {
    return true;
  }
  if (t === 'false' || t === '0' || t === 'no') {
    return false;
  }
  throw new UsageError(`Flag --${flag} is a switch; it takes no value (or true/false), not '${text}'.`, command);
}

function splitList(values: readonly string[], commas: boolean): string[] {
  return values.flatMap((v) => (commas ? v.split(',') : [v])).map((v) => v.trim()).filter((v) => v.length > 0);
}

/**
 * Parses `argv` (without node and the script). `commonFlags` are accepted by every command.
 * Help wins over any other problem on the line, so `durable terminate --bogus --help` shows help.
 */
export function parseArgs(argv: readonly string[], commands: readonly CommandSpec[], commonFlags: readonly FlagSpec[] = []): ParseResult {
  const first = argv[0];
  if (first === undefined || HELP_FLAGS.has(first)) {
    const target = first === undefined ? undefined : argv.find((t, i) => i > 0 && !t.startsWith('-'));
    const command = target === undefined ? undefined : commands.find((c) => c.name === target);
    return { kind: 'help', command };
  }
  if (VERSION_FLAGS.has(first)) {
    return { kind: 'version' };
  }
  if (first === 'help') {
    const target = argv[1];
    if (target === undefined || target.startsWith('-')) {
      return { kind: 'help' };
    }
    const command = commands.find((c) => c.name === target);
    if (!command) {
      throw new UsageError(`Unknown command '${target}'.${didYouMean(suggest(target, commands.map((c) => c.name)))}`);
    }
    return { kind: 'help', command };
  }
  if (first.startsWith('-')) {
    if (argv.some((t) => HELP_FLAGS.has(t))) {
      return { kind: 'help' };
    }
    throw new UsageError(`Expected a command before '${first}': durable <command> [flags].`);
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    if (argv.some((t) => HELP_FLAGS.has(t))) {
      return { kind: 'help' };
    }
    throw new UsageError(`Unknown command '${first}'.${didYouMean(suggest(first, commands.map((c) => c.name)))}`);
  }
  return parseCommandFlags(command, argv.slice(1), commands, commonFlags);
}

function parseCommandFlags(
  command: CommandSpec,
  tokens: readonly string[],
  commands: readonly CommandSpec[],
  commonFlags: readonly FlagSpec[],
): ParseResult {
  const flags = [...command.flags, ...commonFlags];
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short as string, f]));
  const values: FlagValues = {};
  let help = false;
  let version = false;
  // The first problem is reported, but only once we know --help was not asked for.
  let problem: UsageError | undefined;
  const fail = (message: string): void => {
    problem ??= new UsageError(message, command.name);
  };

  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i++];
    if (HELP_FLAGS.has(token)) {
      help = true;
      continue;
    }
    if (VERSION_FLAGS.has(token)) {
      version = true;
      continue;
    }
    if (token === '--') {
      if (i < tokens.length) {
        fail(`Unexpected argument '${tokens[i]}': '${command.name}' takes flags only.`);
      }
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
      inline = eq >= 0 ? token.slice(eq + 1) : undefined;
      shown = `--${name}`;
      spec = byName.get(name);
      if (!spec) {
        fail(unknownFlagMessage(name, command, flags, commands));
        // Skip the values it might have had, so they don't raise a second, confusing error.
        while (i < tokens.length && !looksLikeFlag(tokens[i])) {
          i++;
        }
        continue;
      }
    } else if (looksLikeFlag(token) || (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token))) {
      const eq = token.indexOf('=');
      const short = eq >= 0 ? token.slice(1, eq) : token.slice(1);
      inline = eq >= 0 ? token.slice(eq + 1) : undefined;
      shown = `-${short}`;
      spec = byShort.get(short);
      if (!spec) {
        const long = byName.has(short) ? ` Long flags take two dashes: '--${short}'.` : '';
        fail(`Unknown flag '-${short}' for '${command.name}'.${long}`);
        continue;
      }
    } else {
      const previous = tokens[i - 2];
      const hint =
        previous !== undefined && byName.get(previous.replace(/^--/, ''))?.kind === 'boolean'
          ? ` (${previous} is a switch and takes no value)`
          : '';
      fail(`Unexpected argument '${token}'${hint}. Values go after a flag, e.g. --id <value>.`);
      continue;
    }

    const existing = values[spec.name];
    if (existing !== undefined && spec.kind !== 'list') {
      fail(`Flag --${spec.name} was given more than once.`);
    }
    switch (spec.kind) {
      case 'boolean': {
        if (inline !== undefined) {
          try {
            values[spec.name] = parseBoolean(inline, spec.name, command.name);
          } catch (e) {
            fail((e as Error).message);
          }
        } else if (i < tokens.length && /^(true|false)$/i.test(tokens[i])) {
          values[spec.name] = tokens[i++].toLowerCase() === 'true';
        } else {
          values[spec.name] = true;
        }
        break;
      }
      case 'string': {
        if (inline !== undefined) {
          values[spec.name] = inline;
        } else if (i < tokens.length && !looksLikeFlag(tokens[i])) {
          values[spec.name] = tokens[i++];
        } else {
          fail(`Flag ${shown} needs a value${spec.value ? ` (${spec.value})` : ''}.`);
        }
        if (values[spec.name] === '' && !spec.allowEmpty) {
          fail(`Flag ${shown} was given an empty value; it needs ${spec.value ?? 'a value'}.`);
        }
        break;
      }
      case 'optional': {
        if (inline !== undefined) {
          values[spec.name] = inline;
        } else if (i < tokens.length && !looksLikeFlag(tokens[i])) {
          values[spec.name] = tokens[i++];
        } else {
          values[spec.name] = true;
        }
        if (values[spec.name] === '' && !spec.allowEmpty) {
          fail(`Flag ${shown} was given an empty value; give ${spec.value ?? 'a value'} or leave the value out.`);
        }
        break;
      }
      case 'list': {
        const raw: string[] = inline !== undefined ? [inline] : [];
        while (i < tokens.length && !looksLikeFlag(tokens[i])) {
          raw.push(tokens[i++]);
        }
        const items = splitList(raw, spec.splitCommas !== false);
        if (items.length === 0) {
          fail(`Flag ${shown} needs at least one value${spec.value ? ` (${spec.value})` : ''}.`);
        }
        values[spec.name] = [...((existing as string[] | undefined) ?? []), ...items];
        break;
      }
    }
  }

  if (help) {
    return { kind: 'help', command };
  }
  if (version && !problem) {
    return { kind: 'version' };
  }
  if (!problem) {
    const missing = flags.filter((f) => f.required && values[f.name] === undefined);
    if (missing.length > 0) {
      fail(`Missing required flag${missing.length > 1 ? 's' : ''} ${missing.map((f) => `--${f.name}`).join(', ')}.`);
    }
  }
  if (problem) {
    throw problem;
  }
  return { kind: 'run', command, values };
}

function unknownFlagMessage(name: string, command: CommandSpec, flags: readonly FlagSpec[], commands: readonly CommandSpec[]): string {
  const suggestion = suggest(name, flags.map((f) => f.name));
  if (suggestion) {
    return `Unknown flag '--${name}' for '${command.name}'. Did you mean '--${suggestion}'?`;
  }
  const elsewhere = commands.filter((c) => c !== command && c.flags.some((f) => f.name === name)).map((c) => c.name);
  if (elsewhere.length > 0) {
    return `Unknown flag '--${name}' for '${command.name}'; it is a flag of ${elsewhere.join(', ')}.`;
  }
  return `Unknown flag '--${name}' for '${command.name}'.`;
}

/** Typed access to parsed values; `flag` names are the long names without dashes. */
export class Flags {
  constructor(readonly values: FlagValues) {}

  has(flag: string): boolean {
    return this.values[flag] !== undefined;
  }

  string(flag: string): string | undefined {
    const v = this.values[flag];
    return typeof v === 'string' ? v : undefined;
  }

  /** For required flags: the parser has already ensured presence. */
  required(flag: string): string {
    const v = this.string(flag);
    if (v === undefined) {
      throw new UsageError(`Missing required flag --${flag}.`);
    }
    return v;
  }

  boolean(flag: string): boolean {
    return this.values[flag] === true;
  }

  list(flag: string): string[] | undefined {
    const v = this.values[flag];
    return Array.isArray(v) ? v : undefined;
  }

  /** An `optional` flag: undefined when absent, true when given alone, else its value. */
  optional(flag: string): string | true | undefined {
    const v = this.values[flag];
    return v === true ? true : typeof v === 'string' ? v : undefined;
  }
}
