// Bad input, one table: every row runs the built CLI (`node dist/cli.js`) against the shared
// Azurite and checks the exact error, the exit code, and that storage is exactly as before (every
// row, blob and queue message: accountSnapshot). Broken stored data (corrupt blobs, unknown history
// events, broken partition metadata) must be shown or handled, never crash or mis-route.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { RunningAzurite } from '../../tools/azurite';
import { controlQueueFor } from '../../src/core';
import { accountSnapshot, belongsTo, hubSnapshot } from '../support/storageSnapshot';
import type { BadInputHubs, PayloadFiles } from '../support/badInput';
import {
  BROKEN,
  BatchRunner,
  CLI_JS,
  asUserWhoCannotRead,
  hubListOf,
  inGroups,
  literal,
  readOnlySasConnectionString,
  spawnCli,
  writeBadInputHubs,
  payloadFiles,
  wrongKeyConnectionString,
} from '../support/badInput';
import { sharedAzurite } from './setup';

/** What a row may depend on that exists only once Azurite runs. */
interface Fixture {
  az: RunningAzurite;
  hubs: BadInputHubs;
  /** "A, B, C": the hubs an unknown-hub error lists. */
  hubList: string;
}

type Expect = string | RegExp | ((f: Fixture) => string | RegExp);

interface Case {
  what: string;
  argv: string[];
  /** The connection: the account key (default), a wrong key, a read-only SAS, or no connection string at all. */
  as?: 'key' | 'wrong-key' | 'read-only-sas' | 'garbage';
  exit: number;
  /** The whole of stderr: exact text, or a pattern where a part varies (an endpoint, a time). */
  stderr: Expect;
  /** stdout: exact, a pattern, or a check (default: empty). */
  stdout?: string | RegExp | ((out: string, f: Fixture) => void);
  /** Storage after vs. before: default "identical". */
  written?: (before: string[], after: string[], f: Fixture) => void;
  /** Run as this user (the unreadable-file rows under root). */
  user?: { uid: number; gid: number };
  /** Why this row cannot run here; it is then skipped and says why. */
  skip?: string;
}

const HUB = 'BadInput';
const H = ['--task-hub-name', HUB];
const RUNNING = 'sample-running';
const SUSPENDED = 'sample-suspended';
const FAILED = 'sample-failed';
const COMPLETED = 'sample-completed';
const files: PayloadFiles = payloadFiles();
const usage = (command: string, message: string): string => `error: ${message} See 'durable ${command} --help'.\n`;
const err = (message: string): string => `error: ${message}\n`;
/** A value for a test title: quoted, long ones cut, invisible and direction-changing characters escaped. */
const label = (text: string): string =>
  JSON.stringify(text.length > 40 ? `${text.slice(0, 10)}…(${text.length})` : text).replace(
    /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

// --- JSON payloads: --input (start-new) and --event-data (raise-event) ----------------------
const INLINE_JSON: [string, string, string][] = [
  ['a trailing comma', '{"a":1,}', "a trailing comma before '}' at character 7"],
  ['a trailing comma in an array', '[1,2,]', "a trailing comma before ']' at character 5"],
  ['single quotes', "{'a':1}", 'single quotes (JSON needs double quotes) at character 2'],
  ['JSON wrapped in leaked shell quotes', '\'{"a":1}\'', 'single quotes (JSON needs double quotes) at character 1'],
  ['a property name without quotes', '{a:1}', 'a property name without double quotes at character 2'],
  ['a truncated object', '{"a":', 'the text ends before the JSON is complete'],
  ['an unclosed array', '[1, 2', 'the text ends before the JSON is complete'],
  ['an unterminated string', '"abc', 'a string is not closed (the text ends before its closing quote)'],
  ['a missing comma', '[1 2]', "expected ',' or ']' but found '2' at character 4"],
  ['a missing colon', '{"a" 1}', "expected ':' after the property name but found '1' at character 6"],
  ['text after the value', '{"a":1} and more', "unexpected text after the JSON value ('a') at character 9"],
  ['NaN', '{"a":NaN}', "unexpected 'N' at character 6"],
  ['a raw tab inside a string', '"a\tb"', 'a raw control character (\\u0009) inside a string at character 3'],
  ['an invalid escape', '"\\q"', "an invalid escape '\\q' at character 2"],
  ['a bad unicode escape', '"\\u12"', "an invalid escape '\\u' at character 2"],
  ['a leading zero', '[01]', "expected ',' or ']' but found '1' at character 3"],
];
const FILE_PROBLEMS: [string, string, (flag: string, file: string) => string][] = [
  ['a missing @file', 'missing.json', (f, p) => `Cannot read the --${f} file '${p}': no such file.`],
  ['an @file that is a directory', 'a-directory.json', (f, p) => `Cannot read the --${f} file '${p}': it is a directory.`],
  ['an unreadable @file (mode 000)', 'unreadable.json', (f, p) => `Cannot read the --${f} file '${p}': permission denied.`],
  ['an @file with invalid UTF-8', 'invalid-utf8.json', (f, p) => `The --${f} file '${p}' is not valid UTF-8 (byte 0xC3 at offset 6); save it as UTF-8.`],
  ['a UTF-16 @file', 'utf16.json', (f, p) => `The --${f} file '${p}' is UTF-16 text; save it as UTF-8.`],
  ['an empty @file', 'empty.json', (f, p) => `The --${f} file '${p}' is empty; it must hold JSON, e.g. {} or "text".`],
  ['a blank @file', 'blank.json', (f, p) => `The --${f} file '${p}' is empty; it must hold JSON, e.g. {} or "text".`],
  ['an @file with a trailing comma', 'trailing-comma.json', (f, p) => `The --${f} file '${p}' is not valid JSON: a trailing comma before '}' at line 1, column 8. Fix the file.`],
  ['an @file with single quotes', 'single-quotes.json', (f, p) => `The --${f} file '${p}' is not valid JSON: single quotes (JSON needs double quotes) at line 1, column 2. Fix the file.`],
  ['a truncated @file', 'truncated.json', (f, p) => `The --${f} file '${p}' is not valid JSON: the text ends before the JSON is complete. Fix the file.`],
];

function payloadCases(): Case[] {
  const targets = [
    { flag: 'input', command: 'start-new', argv: (v: string) => ['start-new', ...H, '--function-name', 'Hello', '--id', 'bad-input-start', '--input', v] },
    { flag: 'event-data', command: 'raise-event', argv: (v: string) => ['raise-event', ...H, '--id', RUNNING, '--event-name', 'Approval', '--event-data', v] },
  ];
  return targets.flatMap(({ flag, command, argv }): Case[] => [
    ...INLINE_JSON.map(([what, value, problem]): Case => ({
      what: `--${flag} with ${what}`,
      argv: argv(value),
      exit: 2,
      stderr: err(`--${flag} is not valid JSON: ${problem}. Fix the JSON (text starting with {, [ or " is read as JSON).`),
    })),
    { what: `--${flag} empty`, argv: argv(''), exit: 2, stderr: usage(command, `Flag --${flag} was given an empty value; it needs VALUE.`) },
    { what: `--${flag} blank`, argv: argv('   '), exit: 2, stderr: err(`--${flag} is blank: pass JSON, text or @file (to send blank text, write it as a JSON string: '"   "').`) },
    { what: `--${flag} @ without a path`, argv: argv('@'), exit: 2, stderr: err(`--${flag} '@' must be followed by a file path, e.g. --${flag} @data.json.`) },
    ...FILE_PROBLEMS.map(([what, name, message]): Case => {
      const as = name === 'unreadable.json' ? asUserWhoCannotRead() : {};
      return {
        what: `--${flag} ${what}${as.user ? ' (run as nobody: root can read it)' : ''}`,
        argv: argv(`@${name}`),
        exit: 2,
        stderr: err(message(flag, files.path(name))),
        ...as,
      };
    }),
  ]);
}

// --- Dates and statuses -----------------------------------------------------------------------
const INVALID_DATES = [
  '2026-02-30', '2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-05-01T24:00', '2026-05-01T10:60',
  '2026-05-01T10:00:60Z', '2026-05-01T10:00+15:00', '05/01/2026', '1 May 2026', 'yesterday', '1714557600',
  '2026-05-01T10:00:00Zjunk', '-7d', '7 days', 'P7D', '10000-01-01',
];
const OUT_OF_RANGE_DATES = ['0000-01-01', '1600-12-31T23:59:59Z', '9999-12-31T23:59:59-01:00', '9999999d'];
const invalidDate = (value: string, flag: string): string =>
  err(`Invalid date '${value}' for --${flag}: use ISO 8601 (2024-05-01, 2024-05-01T10:00:00Z, 2024-05-01T12:00:00+02:00; no zone means UTC) or an age such as 30m, 24h or 7d.`);
const STATUSES = 'Running, Completed, ContinuedAsNew, Failed, Canceled, Terminated, Pending, Suspended';

function dateAndStatusCases(): Case[] {
  // Spread over the commands that take dates; purge-history always with --yes, so only the check stops it.
  const dateFlags: [string, string[]][] = [
    ['created-after', ['get-instances', ...H]],
    ['created-before', ['purge-history', ...H, '--yes']],
    ['created-after', ['purge-history', ...H, '--yes']],
    ['scheduled-start-time', ['start-new', ...H, '--function-name', 'Hello']],
  ];
  const pick = (i: number): [string, string[]] => dateFlags[i % dateFlags.length];
  return [
    ...INVALID_DATES.map((value, i): Case => {
      const [flag, argv] = pick(i);
      return { what: `${argv[0]} --${flag} ${value}`, argv: [...argv, `--${flag}`, value], exit: 2, stderr: invalidDate(value, flag) };
    }),
    ...OUT_OF_RANGE_DATES.map((value, i): Case => {
      const [flag, argv] = pick(i + 1);
      return { what: `${argv[0]} --${flag} ${value} (out of range)`, argv: [...argv, `--${flag}`, value], exit: 2, stderr: err(`--${flag} '${value}' is out of range: dates go from 1601-01-01 to 9999-12-31.`) };
    }),
    {
      what: 'get-instances with reversed dates',
      argv: ['get-instances', ...H, '--created-after', '2026-05-01', '--created-before', '2026-04-01'],
      exit: 2,
      stderr: err('--created-after (2026-05-01T00:00:00.000Z) is later than --created-before (2026-04-01T00:00:00.000Z); nothing can match. Swap the two dates.'),
    },
    {
      what: 'purge-history with reversed ages (after 1d, before 7d)',
      argv: ['purge-history', ...H, '--created-after', '1d', '--created-before', '7d', '--yes'],
      exit: 2,
      stderr: /^error: --created-after \(\S+Z\) is later than --created-before \(\S+Z\); nothing can match\. Swap the two dates\.\n$/,
    },
    { what: 'purge-history --created-before empty', argv: ['purge-history', ...H, '--created-before', '', '--yes'], exit: 2, stderr: usage('purge-history', 'Flag --created-before was given an empty value; it needs DATE.') },
    ...[
      ['get-instances', 'Runing', " Did you mean 'Running'?"],
      ['get-instances', 'Running,Bogus', ''],
      ['get-instances', '6', ''],
      ['purge-history', 'Compleeted', " Did you mean 'Completed'?"],
      ['purge-history', 'completed;failed', ''],
      ['purge-history', 'all', ''],
    ].map(([command, value, hint]): Case => ({
      what: `${command} --runtime-status ${value}`,
      argv: [command, ...H, '--runtime-status', value, ...(command === 'purge-history' ? ['--yes'] : [])],
      exit: 2,
      stderr: err(`Unknown runtime status '${value === 'Running,Bogus' ? 'Bogus' : value}'.${hint} Valid: ${STATUSES}.`),
    })),
    ...['Running', 'Pending Suspended'].map((value): Case => ({
      what: `purge-history --runtime-status ${value} (not finished)`,
      argv: ['purge-history', ...H, '--runtime-status', ...value.split(' '), '--yes'],
      exit: 2,
      stderr: err(
        `Purging by filter only deletes finished instances (Completed, Failed, Canceled, Terminated); refused: ${value.split(' ').join(', ')}. ` +
          'To remove one stuck instance, purge it by id with --force.',
      ),
    })),
  ];
}

// --- Task hub names -----------------------------------------------------------------------------
const HUB_NAMES: [string, string][] = [
  ['ab', 'it is 2 characters long'],
  ['A'.repeat(51), 'it is 51 characters long'],
  ['1Hub', 'it starts with a digit'],
  ['my-hub', "it contains '-'"],
  ['my_hub', "it contains '_'"],
  ['Hüb', "it contains 'ü', which is not ASCII"],
  ['My Hub', 'it contains a space'],
  ['../BadInput', "it contains '.'"],
  ['Bad.Input', "it contains '.'"],
  ['Hub😀', "it contains '😀', which is not ASCII"],
  ['Hub\tTab', 'it contains the control character U+0009'],
  ['BadInput;drop', "it contains ';'"],
];

function hubCases(): Case[] {
  const commands = [
    (hub: string) => ['get-instances', '--task-hub-name', hub],
    (hub: string) => ['delete-task-hub', '--task-hub-name', hub, '--yes'],
    (hub: string) => ['purge-history', '--task-hub-name', hub, '--yes'],
    (hub: string) => ['start-new', '--task-hub-name', hub, '--function-name', 'Hello'],
    (hub: string) => ['terminate', '--task-hub-name', hub, '--id', RUNNING],
    (hub: string) => ['get-history', '--task-hub-name', hub, '--id', COMPLETED],
  ];
  const unknownHub = (f: Fixture): string => err(`Task hub 'NoSuchHub' was not found in storage account 'devstoreaccount1'. Task hubs found: ${f.hubList}.`);
  return [
    ...HUB_NAMES.map(([name, why], i): Case => ({
      what: `${commands[i % commands.length](name)[0]} on the invalid hub name ${label(name)}`,
      argv: commands[i % commands.length](name),
      exit: 2,
      stderr: err(`Invalid task hub name '${name.replace(/\t/g, '\\u0009')}' (task-hub-name): ${why}. A task hub name has 3 to 50 ASCII letters and digits and starts with a letter.`),
    })),
    ...commands.map((argv): Case => ({ what: `${argv('x')[0]} on an unknown hub`, argv: argv('NoSuchHub'), exit: 1, stderr: unknownHub })),
    { what: 'delete-task-hub --task-hub-name empty', argv: ['delete-task-hub', '--task-hub-name', '', '--yes'], exit: 2, stderr: usage('delete-task-hub', 'Flag --task-hub-name was given an empty value; it needs NAME.') },
    { what: 'purge-history --task-hub-name empty', argv: ['purge-history', '--task-hub-name', '', '--yes'], exit: 2, stderr: usage('purge-history', 'Flag --task-hub-name was given an empty value; it needs NAME.') },
  ];
}

// --- Instance ids ---------------------------------------------------------------------------------
const ID_RULES = "instance ids must not contain '/', '\\', '#', '?' or control characters.";
const INVALID_IDS: [string, string, string][] = [
  ['a slash', 'a/b', "it contains '/' at character 2"],
  ['a backslash', 'a\\b', "it contains '\\' at character 2"],
  ['a hash', 'a#b', "it contains '#' at character 2"],
  ['a question mark', 'a?b', "it contains '?' at character 2"],
  ['U+0001', 'a\u0001b', 'it contains the control character U+0001 at character 2'],
  ['U+001F', '\u001fab', 'it contains the control character U+001F at character 1'],
  ['DEL', 'ab\u007f', 'it contains the control character U+007F at character 3'],
  ['the C1 control NEL', 'a\u0085b', 'it contains the control character U+0085 at character 2'],
  ['a newline', 'a\nb', 'it contains the control character U+000A at character 2'],
  ['a carriage return', 'a\rb', 'it contains the control character U+000D at character 2'],
  ['a tab', 'a\tb', 'it contains the control character U+0009 at character 2'],
  ['a slash after an emoji', '😀/', "it contains '/' at character 2"],
];

function idCases(): Case[] {
  const invalid = (message: string): string => err(`Invalid instance id: ${message}`);
  // As printed: newlines folded to a space (one line), other control characters escaped.
  const shown = (id: string): string => id.replace(/\n/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const notFound = (id: string): string => err(`Could not find an orchestration instance with id '${shown(id)}'`);
  return [
    ...INVALID_IDS.map(([what, id, why]): Case => ({
      what: `start-new --id with ${what}`,
      argv: ['start-new', ...H, '--function-name', 'Hello', '--id', id],
      exit: 2,
      stderr: invalid(`${why}; ${ID_RULES}`),
    })),
    { what: 'start-new --id starting with @', argv: ['start-new', ...H, '--function-name', 'Hello', '--id', '@counter@x'], exit: 2, stderr: invalid("it must not start with '@', which is reserved for durable entities (@name@key).") },
    ...[257, 1000, 5000].map((n): Case => ({ what: `start-new --id of ${n} characters`, argv: ['start-new', ...H, '--function-name', 'Hello', '--id', 'x'.repeat(n)], exit: 2, stderr: invalid(`it is ${n} characters long; the maximum is 256.`) })),
    { what: 'start-new --id of 1,000 é', argv: ['start-new', ...H, '--function-name', 'Hello', '--id', 'é'.repeat(1000)], exit: 2, stderr: invalid('it is 1000 characters long; the maximum is 256.') },
    { what: 'start-new --id empty', argv: ['start-new', ...H, '--function-name', 'Hello', '--id', ''], exit: 2, stderr: usage('start-new', 'Flag --id was given an empty value; it needs ID.') },
    { what: 'restart --new-id with a hash', argv: ['restart', ...H, '--id', COMPLETED, '--new-id', 'a#b'], exit: 2, stderr: invalid(`it contains '#' at character 2; ${ID_RULES}`) },
    { what: 'restart --new-id of 1,000 characters', argv: ['restart', ...H, '--id', COMPLETED, '--new-id', 'y'.repeat(1000)], exit: 2, stderr: invalid('it is 1000 characters long; the maximum is 256.') },
    { what: 'restart --new-id starting with @', argv: ['restart', ...H, '--id', COMPLETED, '--new-id', '@x@y'], exit: 2, stderr: invalid("it must not start with '@', which is reserved for durable entities (@name@key).") },
    // Ids like these can exist (escaped keys), so a lookup is the right answer: not found, nothing sent.
    ...([
      ['terminate', 'no\u0001such'],
      ['raise-event', 'x'.repeat(1000)],
      ['suspend', 'a/b/c'],
      ['resume', '#?'],
      ['rewind', 'ctl\u007f'],
      ['get-history', 'z'.repeat(5000)],
      ['get-runtime-status', 'new\nline'],
      ['purge-history', 'a\\b'],
      ['restart', 'q?x'],
    ] as const).map(([command, id]): Case => ({
      what: `${command} --id ${label(id)} (no such instance)`,
      argv: [command, ...H, '--id', id, ...(command === 'purge-history' ? ['--yes'] : [])],
      exit: 1,
      stderr: notFound(id),
    })),
    { what: 'terminate --id empty', argv: ['terminate', ...H, '--id', ''], exit: 2, stderr: usage('terminate', 'Flag --id was given an empty value; it needs ID.') },
  ];
}

// --- Connections ------------------------------------------------------------------------------------
/** [what, argv, where a read-only SAS is refused: the first write, or undefined for the deleting commands' own check]. */
const WRITES: [string, string[], ((f: Fixture) => string) | undefined][] = [
  ['start-new', ['start-new', ...H, '--function-name', 'Hello', '--id', 'bad-input-sas'], (f) => queueRefused(f, 'bad-input-sas')],
  ['terminate', ['terminate', ...H, '--id', RUNNING], (f) => queueRefused(f, RUNNING)],
  ['raise-event', ['raise-event', ...H, '--id', RUNNING, '--event-name', 'Approval', '--event-data', 'true'], (f) => queueRefused(f, RUNNING)],
  ['suspend', ['suspend', ...H, '--id', RUNNING], (f) => queueRefused(f, RUNNING)],
  ['resume', ['resume', ...H, '--id', SUSPENDED], (f) => queueRefused(f, SUSPENDED)],
  // rewind rewrites History rows before it sends anything.
  ['rewind', ['rewind', ...H, '--id', FAILED], (f) => `${f.az.tableEndpoint} (table '${HUB}History'): This request is not authorized to perform this operation using this permission.`],
  ['restart', ['restart', ...H, '--id', COMPLETED], (f) => queueRefused(f, COMPLETED)],
  ['purge-history by filter', ['purge-history', ...H, '--yes'], undefined],
  ['purge-history by filter and status', ['purge-history', ...H, '--runtime-status', 'Completed', '--created-before', '2030-01-01', '--yes'], undefined],
  ['purge-history --id', ['purge-history', ...H, '--id', COMPLETED, '--yes'], undefined],
  ['delete-task-hub', ['delete-task-hub', ...H, '--yes'], undefined],
];
function queueRefused(f: Fixture, id: string): string {
  return `${f.az.queueEndpoint} (queue '${controlQueueFor(HUB, id, 4)}'): AuthorizationPermissionMismatch (HTTP 403).`;
}
const FORBIDDEN_HINT =
  'Forbidden: these credentials may not do this. Use a SAS with the permissions the command needs (read, add, update, delete) ' +
  'or an identity with the Storage Table, Queue and Blob Data Contributor roles.';

function connectionCases(): Case[] {
  return [
    ...WRITES.map(([what, argv]): Case => ({
      what: `${what} with a wrong account key`,
      argv,
      as: 'wrong-key',
      exit: 1,
      stderr: (f) => err(`Storage rejected the credentials at ${f.az.tableEndpoint} (AuthorizationFailure): check the account key, SAS or signed-in identity.`),
    })),
    ...WRITES.map(([what, argv, refused]): Case => ({
      what: `${what} with a read-only SAS`,
      argv,
      as: 'read-only-sas',
      exit: 1,
      stderr: (f) =>
        refused
          ? err(`Access denied at ${refused(f)} ${FORBIDDEN_HINT}`)
          : // Refused from the SAS's own permissions, before anything is deleted.
            err(`The connection's shared access signature (permissions 'rl') does not allow deleting, which ${argv[0]} needs; nothing was deleted. ${FORBIDDEN_HINT}`),
    })),
    {
      what: 'a connection setting that is not set',
      argv: ['purge-history', ...H, '--connection-string-setting', 'NoSuchSetting', '--yes'],
      exit: 2,
      stderr: err(`No storage connection found: set the 'NoSuchSetting' app setting in the environment or in local.settings.json Values (searched: no local.settings.json found from ${files.dir} upwards).`),
    },
    {
      what: '--connection-string-setting empty',
      argv: ['delete-task-hub', ...H, '--connection-string-setting', '', '--yes'],
      exit: 2,
      stderr: usage('delete-task-hub', 'Flag --connection-string-setting was given an empty value; it needs NAME.'),
    },
    {
      what: 'a connection string that is not Key=Value',
      argv: ['get-instances', ...H],
      as: 'garbage',
      exit: 2,
      stderr: err("The 'AzureWebJobsStorage' app setting (from the environment) is not a valid storage connection string: The storage connection string is malformed: every part must be Key=Value."),
    },
  ];
}

// --- Stored data: partition metadata, corrupt blobs, odd history ----------------------------------
/** Storage changed by exactly one new message, on `queue`. */
function oneMessageOn(queue: (f: Fixture) => string): Case['written'] {
  return (before, after, f) => {
    const added = after.filter((l) => !before.includes(l));
    const removed = before.filter((l) => !after.includes(l));
    assert.ok(added.length > 0, 'a message was sent');
    assert.deepEqual([...added, ...removed].filter((l) => !l.startsWith(`queue|${queue(f)}|`)), [], 'only the right control queue changed');
  };
}
const unreadable = (blob: string, why: string): string => `[unreadable: blob 'badinput-largemessages/${blob}' ${why}]`;

function storedDataCases(): Case[] {
  const routeTo = (hub: string) => (f: Fixture) => controlQueueFor(hub, f.hubs.running, 6);
  return [
    {
      what: 'terminate on a hub whose {H}Partitions rows were deleted: routed by its 6 control queues, with a warning',
      argv: ['terminate', '--task-hub-name', 'BadInputNoRows', '--id', 'route-me', '--json'],
      exit: 0,
      stderr: err("Task hub 'BadInputNoRows': table 'BadInputNoRowsPartitions' has no rows; using 6 partitions, from its control queues.").replace('error:', 'warning:'),
      stdout: (out, f) => assert.equal(JSON.parse(out).queue, routeTo('BadInputNoRows')(f)),
      written: oneMessageOn(routeTo('BadInputNoRows')),
    },
    {
      what: 'terminate on a hub whose taskhub.json is not JSON: routed by its 6 control queues, with a warning',
      argv: ['terminate', '--task-hub-name', 'BadInputBadJson', '--id', 'route-me', '--json'],
      exit: 0,
      stderr: err("Task hub 'BadInputBadJson': blob 'badinputbadjson-leases/taskhub.json' is not valid JSON; using 6 partitions, from its control queues.").replace('error:', 'warning:'),
      stdout: (out, f) => assert.equal(JSON.parse(out).queue, routeTo('BadInputBadJson')(f)),
      written: oneMessageOn(routeTo('BadInputBadJson')),
    },
    ...(['terminate', 'start-new'] as const).map((command): Case => ({
      what: `${command} on a hub with a corrupt taskhub.json and no control queues`,
      argv: command === 'terminate' ? ['terminate', '--task-hub-name', 'BadInputNoQueues', '--id', 'route-me'] : ['start-new', '--task-hub-name', 'BadInputNoQueues', '--function-name', 'Hello', '--id', 'route-me-too'],
      exit: 1,
      stderr: new RegExp(
        `^warning: Task hub 'BadInputNoQueues': blob 'badinputnoqueues-leases/taskhub\\.json' is not valid JSON, and it has no control queues; messages cannot be delivered until a function app host has started on it\\.\\n` +
          `error: Control queue 'badinputnoqueues-control-0\\d' does not exist\\. The task hub 'BadInputNoQueues' may use a different partition count \\(using 4, from default\\) or was never started\\.\\n$`,
      ),
    })),
    {
      what: 'rewind on a hub with no control queues: refused before any History row is rewritten',
      argv: ['rewind', '--task-hub-name', 'BadInputNoQueues', '--id', 'failed-here'],
      exit: 1,
      stderr:
        "warning: Task hub 'BadInputNoQueues': blob 'badinputnoqueues-leases/taskhub.json' is not valid JSON, and it has no control queues; messages cannot be delivered until a function app host has started on it.\n" +
        err(
          "Cannot rewind: control queues 'badinputnoqueues-control-00', 'badinputnoqueues-control-01', 'badinputnoqueues-control-02', 'badinputnoqueues-control-03' " +
            "of task hub 'BadInputNoQueues' do not exist (using 4 partitions, from default); nothing was changed.",
        ),
    },
    {
      what: 'get-runtime-status --show-input of an input blob that is not gzip',
      argv: ['get-runtime-status', ...H, '--id', BROKEN.notGzip, '--show-input', '--json'],
      exit: 0,
      stderr: '',
      stdout: (out) => assert.equal(JSON.parse(out).input, unreadable(`${BROKEN.notGzip}/history-input.json.gz`, 'is not gzip data (incorrect header check)')),
    },
    {
      what: 'get-runtime-status --show-input of an InputBlobName blob that is not gzip',
      argv: ['get-runtime-status', ...H, '--id', BROKEN.inputBlobName, '--show-input', '--json'],
      exit: 0,
      stderr: '',
      stdout: (out) => assert.equal(JSON.parse(out).input, unreadable(`${BROKEN.inputBlobName}/history-input.json.gz`, 'is not gzip data (incorrect header check)')),
    },
    {
      what: 'get-runtime-status --show-output of an output blob that is not UTF-8 (human output)',
      argv: ['get-runtime-status', ...H, '--id', BROKEN.notUtf8, '--show-output'],
      exit: 0,
      stderr: '',
      stdout: new RegExp(`^Output: +${literal(JSON.stringify(unreadable(`${BROKEN.notUtf8}/history-output.json.gz`, 'is not valid UTF-8 text')))}$`, 'm'),
    },
    {
      what: 'get-runtime-status --show-input of a start-message blob that is not JSON',
      argv: ['get-runtime-status', ...H, '--id', BROKEN.badStartMessage, '--show-input', '--json'],
      exit: 0,
      stderr: '',
      stdout: (out) => assert.equal(JSON.parse(out).input, unreadable(`${BROKEN.badStartMessage}/message-${'0'.repeat(32)}-ExecutionStarted.json.gz`, 'is not a start message (not JSON)')),
    },
    {
      what: 'get-instances --show-input --show-output over the broken instances',
      argv: ['get-instances', ...H, '--instance-id-prefix', 'broken-not-', '--show-input', '--show-output', '--json'],
      exit: 0,
      stderr: '',
      stdout: (out) => {
        const byId = new Map((JSON.parse(out).instances as { instanceId: string; input: unknown; output: unknown }[]).map((s) => [s.instanceId, s]));
        assert.match(String(byId.get(BROKEN.notGzip)?.input), /^\[unreadable: .* is not gzip data/);
        assert.match(String(byId.get(BROKEN.notUtf8)?.output), /^\[unreadable: .* is not valid UTF-8 text\]$/);
      },
    },
    {
      what: 'get-history with one result blob not gzip and one missing',
      argv: ['get-history', ...H, '--id', BROKEN.badHistoryBlob, '--json'],
      exit: 0,
      stderr: '',
      stdout: (out) => {
        const results = (JSON.parse(out).historyEvents as { EventType: string; Result?: string }[]).filter((e) => e.EventType === 'TaskCompleted').map((e) => e.Result);
        assert.deepEqual(results, [
          unreadable(`${BROKEN.badHistoryBlob}/history-bad-Result.json.gz`, 'is not gzip data (incorrect header check)'),
          unreadable(`${BROKEN.badHistoryBlob}/history-gone-Result.json.gz`, 'does not exist'),
          '"Hello London!"',
        ]);
      },
    },
    {
      what: 'get-history with unknown, missing and numeric event types (JSON)',
      argv: ['get-history', ...H, '--id', BROKEN.oddEvents, '--json'],
      exit: 0,
      stderr: '',
      stdout: (out) => {
        const events = JSON.parse(out).historyEvents as Record<string, unknown>[];
        assert.deepEqual(events.slice(1, 4).map((e) => [e.EventType, e.EventId]), [['QuantumLeap', -1], ['Unknown', -1], ['5', -1]]);
        assert.equal(events[1].Leap, 'somewhere');
        assert.equal(events[2].Note, 'no EventType at all');
      },
    },
    {
      what: 'get-history with unknown event types (table)',
      argv: ['get-history', ...H, '--id', BROKEN.oddEvents],
      exit: 0,
      stderr: '',
      stdout: /^\S+ +QuantumLeap +HelloCities/m,
    },
    {
      what: 'restart of an instance whose input blob is not gzip',
      argv: ['restart', ...H, '--id', BROKEN.notGzip],
      exit: 1,
      stderr: err(`Cannot restart '${BROKEN.notGzip}': its input cannot be read (blob 'badinput-largemessages/${BROKEN.notGzip}/history-input.json.gz' is not gzip data (incorrect header check)).`),
    },
  ];
}

// --- The command line itself ----------------------------------------------------------------------
function commandLineCases(): Case[] {
  return [
    { what: 'purge-history with a misspelt filter flag', argv: ['purge-history', ...H, '--created-befor', '2020-01-01', '--yes'], exit: 2, stderr: usage('purge-history', "Unknown flag '--created-befor' for 'purge-history'. Did you mean '--created-before'?") },
    { what: 'purge-history without --yes and no terminal', argv: ['purge-history', ...H], exit: 2, stderr: usage('purge-history', 'purge-history is destructive; pass --yes to confirm.') },
    { what: 'delete-task-hub without --yes and no terminal', argv: ['delete-task-hub', ...H], exit: 2, stderr: usage('delete-task-hub', 'delete-task-hub is destructive; pass --yes to confirm.') },
    { what: 'purge-history --runtime-status without a value', argv: ['purge-history', ...H, '--runtime-status', '--yes'], exit: 2, stderr: usage('purge-history', 'Flag --runtime-status needs at least one value (STATUS).') },
    { what: 'purge-history --id mixed with a filter', argv: ['purge-history', ...H, '--id', COMPLETED, '--created-before', '2020-01-01', '--yes'], exit: 2, stderr: usage('purge-history', '--id purges one instance; it cannot be combined with --created-before.') },
    { what: 'get-instances --top 0', argv: ['get-instances', ...H, '--top', '0'], exit: 2, stderr: err("--top must be a whole number from 1 to 1000, not '0'.") },
    { what: 'get-instances --top ten', argv: ['get-instances', ...H, '--top', 'ten'], exit: 2, stderr: err("--top must be a whole number from 1 to 1000, not 'ten'.") },
    { what: 'get-instances --continuation-token that no page returned', argv: ['get-instances', ...H, '--continuation-token', 'not-a-token'], exit: 2, stderr: err('The continuation token is not valid: pass back the token a previous page returned, unchanged.') },
    { what: 'get-history --page-size 1e3', argv: ['get-history', ...H, '--id', COMPLETED, '--page-size', '1e3'], exit: 2, stderr: err("--page-size must be a whole number from 1 to 1000, not '1e3'.") },
    { what: 'terminate --wait soon', argv: ['terminate', ...H, '--id', RUNNING, '--wait', 'soon'], exit: 2, stderr: err("--wait must be a whole number from 0 to 86400, not 'soon'.") },
    { what: 'start-new --tags with a number value', argv: ['start-new', ...H, '--function-name', 'Hello', '--tags', '{"a":1}'], exit: 2, stderr: err('--tags as JSON must be an object of string values.') },
    { what: 'start-new --tags without =', argv: ['start-new', ...H, '--function-name', 'Hello', '--tags', 'team'], exit: 2, stderr: err("--tags entries must be key=value, not 'team'.") },
    { what: 'start-new --function-name empty', argv: ['start-new', ...H, '--function-name', ''], exit: 2, stderr: usage('start-new', 'Flag --function-name was given an empty value; it needs NAME.') },
    { what: 'raise-event --event-name empty', argv: ['raise-event', ...H, '--id', RUNNING, '--event-name', ''], exit: 2, stderr: usage('raise-event', 'Flag --event-name was given an empty value; it needs NAME.') },
  ];
}

const CASES: Case[] = [...payloadCases(), ...dateAndStatusCases(), ...hubCases(), ...idCases(), ...connectionCases(), ...storedDataCases(), ...commandLineCases()];

// Valid ids with every special character class: they must work end to end.
const VALID_IDS = [
  "quote'single", 'quote"double', 'percent%20x', 'amp&plus+eq=', 'space in id', ' padded ', 'caret^^x', 'colon:semi;comma,',
  'star*pipe|lt<gt>', 'brackets[]{}()', 'tilde~back`tick', '$filter=x', "odata' or '1' eq '1", 'ümlaut-ß', '中文标识', 'emoji-😀',
  'rtl-\u202Eoverride', 'zero\u200Bwidth', 'nbsp\u00A0x', 'mid@at', 'x'.repeat(256),
];

/** At most this many rows run at once; storage is snapshotted around each batch. */
const BATCH = 8;

describe('bad input (CLI, real Azurite): exact error, non-zero exit, nothing written', function () {
  this.timeout(120_000);
  let f: Fixture;
  const tried = { run: 0, skipped: 0, validIds: 0 };

  before(async function () {
    this.timeout(300_000);
    assert.ok(existsSync(CLI_JS), `${CLI_JS} is missing: run node scripts/build.mjs first`);
    files.write();
    const az = sharedAzurite();
    const hubs = await writeBadInputHubs(az);
    f = { az, hubs, hubList: hubListOf(await accountSnapshot(az.connectionString)) };
  });

  after(() => {
    files.remove();
    // The lead reports this number in the README.
    console.log(`      bad-input: ${tried.run} bad inputs tried (${tried.skipped} skipped), nothing written; ${tried.validIds} valid special ids round-tripped`);
  });

  function connectionFor(c: Case): string {
    switch (c.as) {
      case 'wrong-key':
        return wrongKeyConnectionString(f.az);
      case 'read-only-sas':
        return readOnlySasConnectionString(f.az);
      case 'garbage':
        return 'not a connection string';
      default:
        return f.az.connectionString;
    }
  }

  const runner = new BatchRunner(
    CASES.filter((c) => !c.skip),
    BATCH,
    (c) => c.written !== undefined,
    (c) => spawnCli(c.argv, { AzureWebJobsStorage: connectionFor(c) }, files.dir, c.user),
    () => accountSnapshot(f.az.connectionString),
  );

  for (const c of CASES) {
    it(c.skip ? `${c.what} — skipped: ${c.skip}` : c.what, async function () {
      if (c.skip) {
        tried.skipped++;
        this.skip();
      }
      const { r, before, after, together } = await runner.outcomeOf(c);
      tried.run++;
      const shown = `exit ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 2000)}`;
      assert.equal(r.code, c.exit, shown);
      const expected = typeof c.stderr === 'function' ? c.stderr(f) : c.stderr;
      if (typeof expected === 'string') {
        assert.equal(r.stderr, expected, shown);
      } else {
        assert.match(r.stderr, expected, shown);
      }
      if (typeof c.stdout === 'function') {
        c.stdout(r.stdout, f);
      } else if (c.stdout instanceof RegExp) {
        assert.match(r.stdout, c.stdout, shown);
      } else {
        assert.equal(r.stdout, c.stdout ?? '', shown);
      }
      if (c.written) {
        c.written(before, after, f);
      } else {
        assert.deepEqual(after, before, together > 1 ? `storage changed while this row and ${together - 1} others ran; run it alone (--grep) to tell` : 'storage changed');
      }
    });
  }

  describe('valid ids with special characters work end to end (start, raise, read, purge)', () => {
    let lifecycles: Map<string, Promise<void>> | undefined;
    /** One id's round trip; the ids run a few at a time (each only touches its own rows). */
    async function lifecycle(id: string): Promise<void> {
      const env = { AzureWebJobsStorage: f.az.connectionString };
      const cli = async (argv: string[]): Promise<string> => {
        const r = await spawnCli([...argv, ...H], env, files.dir);
        assert.equal(r.code, 0, `${argv[0]} ${JSON.stringify(id)}: exit ${r.code}, stderr: ${r.stderr}`);
        return r.stdout;
      };
      const started = JSON.parse(await cli(['start-new', '--function-name', 'Hello', '--id', id, '--input', '"x"', '--json']));
      assert.equal(started.instanceId, id);
      const raised = JSON.parse(await cli(['raise-event', '--id', id, '--event-name', 'Ping', '--event-data', '{"n":1}', '--json']));
      assert.equal(raised.queue, controlQueueFor(HUB, id, 4), 'routed by FNV-1a over the UTF-8 id');
      const status = JSON.parse(await cli(['get-runtime-status', '--id', id, '--show-input', '--json']));
      assert.deepEqual([status.instanceId, status.runtimeStatus, status.input], [id, 'Pending', 'x']);
      await cli(['purge-history', '--id', id, '--force', '--yes', '--json']);
      assert.deepEqual((await hubSnapshot(f.az.connectionString, HUB)).filter((l) => belongsTo(l, id)), [], 'purged completely');
    }
    for (const id of VALID_IDS) {
      it(label(id), async () => {
        if (!lifecycles) {
          runner.invalidate(); // these runs write
          lifecycles = inGroups(VALID_IDS, BATCH, lifecycle);
        }
        await lifecycles.get(id);
        tried.validIds++;
      });
    }
  });
});
