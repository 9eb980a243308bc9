// Human and JSON output, error formatting and secret masking.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HistoryEvent, InstanceStatus } from '../../src/core/model';
import { CancelledError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/core/errors';
import { UsageError } from '../../src/cli/args';
import { historyDetail, historyRow } from '../../src/cli/commands/history';
import { instanceRow } from '../../src/cli/commands/instances';
import { describeRange } from '../../src/cli/commands/purge';
import { formatStatus } from '../../src/cli/commands/status';
import { main } from '../../src/cli/main';
import {
  FORBIDDEN_HINT,
  JsonObjectWriter,
  StreamingTable,
  formatError,
  formatKeyValues,
  formatTable,
  formatTime,
  sanitizeForTerminal,
  shortValue,
  toJson,
} from '../../src/cli/output';

const KEY = 'abc123DEF456ghi789JKL012mno345PQR678stu901VWX234yz==';
const CONNECTION = `DefaultEndpointsProtocol=https;AccountName=myacct;AccountKey=${KEY};EndpointSuffix=core.windows.net`;

function status(over: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    instanceId: 'abc',
    name: 'Hello',
    runtimeStatus: 'Running',
    createdTime: '2024-05-01T10:00:00.1234567Z',
    lastUpdatedTime: '2024-05-01T10:05:00Z',
    customStatus: null,
    executionId: 'e1',
    completedTime: null,
    scheduledStartTime: null,
    generation: 0,
    version: '',
    tags: null,
    ...over,
  };
}

describe('cli output', () => {
  describe('formatTable', () => {
    it('aligns columns two spaces apart with no trailing spaces', () => {
      const text = formatTable([{ header: 'ID' }, { header: 'NAME' }, { header: 'STATUS' }], [
        ['a', 'LongerName', 'Running'],
        ['instance-2', 'X', ''],
      ]);
      assert.equal(text, ['ID          NAME        STATUS', 'a           LongerName  Running', 'instance-2  X'].join('\n') + '\n');
      for (const line of text.split('\n')) {
        assert.equal(line, line.trimEnd());
      }
    });

    it('right-aligns numeric columns', () => {
      const text = formatTable([{ header: 'NAME' }, { header: 'PARTITIONS', align: 'right' }, { header: 'LAYOUT' }], [
        ['HubA', '4', 'table'],
        ['HubB', '16', 'blob'],
      ]);
      assert.equal(text, 'NAME  PARTITIONS  LAYOUT\nHubA           4  table\nHubB          16  blob\n');
    });
  });

  describe('StreamingTable', () => {
    it('fixes widths from the first rows, then prints each row as it comes', () => {
      const lines: string[] = [];
      const table = new StreamingTable((t) => lines.push(t), [{ header: 'A' }, { header: 'B' }], 2);
      table.add(['x', '1']);
      assert.equal(lines.join(''), '', 'buffered until the sample is full');
      table.add(['yyy', '2']);
      assert.equal(lines.join(''), 'A    B\nx    1\nyyy  2\n');
      table.add(['z', '3']);
      assert.equal(lines.join('').split('\n')[3], 'z    3');
      assert.equal(table.end(), 3);
    });

    it('prints nothing for no rows', () => {
      let out = '';
      const table = new StreamingTable((t) => (out += t), [{ header: 'A' }]);
      assert.equal(table.end(), 0);
      assert.equal(out, '');
    });
  });

  describe('JSON', () => {
    it('prints stable 2-space JSON with a newline', () => {
      assert.equal(toJson({ a: 1, b: [true] }), '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n');
    });

    it('streams an object exactly as JSON.stringify would print it whole', () => {
      const events = [{ EventType: 'ExecutionStarted', EventId: -1, Input: '{"a":[1,2]}', Nested: { x: [1, { y: null }] } }, { EventType: 'TaskScheduled', EventId: 0 }];
      let out = '';
      const w = new JsonObjectWriter((t) => (out += t)).field('instanceId', 'abc').field('executionId', null).beginArray('historyEvents');
      for (const e of events) {
        w.item(e);
      }
      w.endArray().field('continuationToken', null).end();
      assert.equal(out, toJson({ instanceId: 'abc', executionId: null, historyEvents: events, continuationToken: null }));
      assert.deepEqual(JSON.parse(out).historyEvents, events);
    });

    it('streams an empty array as []', () => {
      let out = '';
      new JsonObjectWriter((t) => (out += t)).beginArray('instances').endArray().field('continuationToken', null).end();
      assert.equal(out, toJson({ instances: [], continuationToken: null }));
    });

    it('prints bigints as exact numbers', () => {
      assert.equal(toJson({ n: 5n }), '{\n  "n": 5\n}\n');
    });
  });

  describe('times and values', () => {
    it('prints ISO UTC times to the second or millisecond', () => {
      assert.equal(formatTime('2024-05-01T10:00:00.1234567Z'), '2024-05-01T10:00:00Z');
      assert.equal(formatTime('2024-05-01T12:00:00.1234567+02:00', 'ms'), '2024-05-01T10:00:00.123Z');
      assert.equal(formatTime(null), '-');
      assert.equal(formatTime('1601-01-01T00:00:00Z'), '-');
      assert.equal(formatTime('not a date'), 'not a date');
    });

    it('shortens values to one line', () => {
      assert.equal(shortValue({ a: 1 }), '{"a":1}');
      assert.equal(shortValue('line1\n  line2'), 'line1 line2');
      assert.equal(shortValue('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
      assert.equal(shortValue(null), '');
    });

    it('aligns key/value lines and skips absent values', () => {
      assert.equal(formatKeyValues([['Name', 'x'], ['Skipped', undefined], ['Runtime status', 'Running']]), 'Name:            x\nRuntime status:  Running\n');
    });
  });

  describe('command formatting', () => {
    it('formats a status with times in UTC and optional fields only when set', () => {
      const text = formatStatus(status({ tags: { team: 'a' }, input: { n: 1 }, completedTime: '1601-01-01T00:00:00Z' }));
      assert.match(text, /^Instance ID: +abc$/m);
      assert.match(text, /^Created: +2024-05-01T10:00:00Z$/m);
      assert.match(text, /^Tags: +team=a$/m);
      assert.match(text, /^Input: +\{\n +"n": 1\n +\}$/m);
      assert.doesNotMatch(text, /Completed:|Output:|Custom status:/);
    });

    it('formats instance rows', () => {
      assert.deepEqual(instanceRow(status({ input: 'hi' }), true, false), ['abc', 'Hello', 'Running', '2024-05-01T10:00:00Z', '2024-05-01T10:05:00Z', 'hi']);
    });

    it('summarizes history events', () => {
      const failed: HistoryEvent = {
        EventType: 'TaskFailed',
        EventId: -1,
        Timestamp: '2024-05-01T10:00:04.5000000Z',
        TaskScheduledId: 1,
        Reason: 'Boom',
        FailureDetails: { ErrorType: 'System.Exception', ErrorMessage: 'Kaboom' },
      };
      assert.deepEqual(historyRow(failed), ['2024-05-01T10:00:04.500Z', '', 'TaskFailed', '', 'task #1; reason Boom; details System.Exception: Kaboom']);
      const terminated: HistoryEvent = { EventType: 'ExecutionTerminated', EventId: 3, Timestamp: null, Input: 'enough' };
      assert.equal(historyDetail(terminated), 'reason enough');
      assert.equal(historyRow({ EventType: 'TaskScheduled', EventId: 0, Timestamp: null, Name: 'SayHello' })[3], 'SayHello');
    });

    it('describes purge ranges', () => {
      assert.equal(describeRange(undefined, new Date('2024-05-01T00:00:00Z')), 'created before 2024-05-01T00:00:00.000Z');
      assert.equal(describeRange(), 'created at any time');
    });
  });

  describe('formatError', () => {
    it('masks an account key in the message', () => {
      const { text, exitCode } = formatError(new Error(`Request failed for AccountName=myacct;AccountKey=${KEY};EndpointSuffix=x`));
      assert.ok(!text.includes(KEY), text);
      assert.ok(!text.includes('abc123'), text);
      assert.match(text, /^error: Request failed for AccountName=myacct;AccountKey=\*\*\*;EndpointSuffix=x\n$/);
      assert.equal(exitCode, 1);
    });

    it('masks the resolved secrets wherever they appear', () => {
      const sas = 'sv=2022-11-02&ss=t&srt=sco&sp=rl&sig=SIGNATUREVALUE123';
      const { text } = formatError(new Error(`bad token ${sas} and raw key ${KEY}`), [sas, KEY]);
      assert.ok(!text.includes('SIGNATUREVALUE123') && !text.includes(KEY), text);
    });

    it('masks the stack too in debug mode', () => {
      const e = new Error(`failed: AccountKey=${KEY}`);
      const { text } = formatError(e, [], { debug: true });
      assert.ok(text.includes('at '), 'stack printed');
      assert.ok(!text.includes(KEY), text);
    });

    it('prints one line, even for multi-line messages', () => {
      const { text } = formatError(new Error('first\n  second\r\nthird'));
      assert.equal(text, 'error: first second third\n');
    });

    it('uses the not-found message and exit 1 for a missing instance', () => {
      const { text, exitCode } = formatError(new NotFoundError("Could not find an orchestration instance with id 'nope'"));
      assert.equal(text, "error: Could not find an orchestration instance with id 'nope'\n");
      assert.equal(exitCode, 1);
    });

    it("adds the error's CLI hint (a flag to pass), which core keeps out of the message the extension shows", () => {
      const e = new ConflictError("Cannot rewind instance 'a': it is Running; only Failed instances can be rewound.", { cliHint: 'Pass --force to rewind anyway.' });
      assert.equal(e.message, "Cannot rewind instance 'a': it is Running; only Failed instances can be rewound.");
      assert.equal(formatError(e).text, "error: Cannot rewind instance 'a': it is Running; only Failed instances can be rewound. Pass --force to rewind anyway.\n");
    });

    it('exits 2 for usage and validation errors, pointing at help', () => {
      const usage = formatError(new UsageError('Missing required flag --id.', 'terminate'));
      assert.equal(usage.exitCode, 2);
      assert.equal(usage.text, "error: Missing required flag --id. See 'durable terminate --help'.\n");
      assert.equal(formatError(new ValidationError('top', 'bad top')).exitCode, 2);
      assert.equal(formatError(new ConflictError('busy')).exitCode, 1);
    });

    it('says how to fix a permission refusal, and names the service code instead of "Unexpected status code"', () => {
      const refused = new ForbiddenError("Access denied at http://h/acct (queue 'q'): Unexpected status code: 403", {
        cause: Object.assign(new Error('Unexpected status code: 403'), { code: 'AuthorizationPermissionMismatch', statusCode: 403 }),
      });
      assert.equal(formatError(refused).text, `error: Access denied at http://h/acct (queue 'q'): AuthorizationPermissionMismatch (HTTP 403). ${FORBIDDEN_HINT}\n`);
      // Rejected credentials already say what to check: no permission hint.
      const rejected = new ForbiddenError('Storage rejected the credentials at http://h/acct (AuthenticationFailed): check the account key, SAS or signed-in identity.');
      assert.equal(formatError(rejected).text, `error: ${rejected.message}\n`);
    });

    it('exits 130 for cancellation', () => {
      assert.equal(formatError(new CancelledError()).exitCode, 130);
      const abort = new Error('aborted');
      abort.name = 'AbortError';
      assert.equal(formatError(abort).exitCode, 130);
    });

    it('prints non-Error throwables', () => {
      assert.equal(formatError('plain').text, 'error: plain\n');
    });
  });

  describe('main error output', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'durable-cli-output-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('never prints the connection string or its key', async () => {
      let out = '';
      let err = '';
      const code = await main(['get-instances', '--connection-string-setting', 'MyStorage'], {
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
        // Malformed on purpose (a part without '='), so resolution fails with the setting in hand.
        env: { MyStorage: `${CONNECTION};garbage` },
        cwd: dir,
        isInteractive: false,
        prompt: () => Promise.reject(new Error('no prompts')),
      });
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, /^error: .*'MyStorage'.*\n$/);
      assert.ok(!err.includes(KEY), err);
    });

    it('reports a missing connection setting by name', async () => {
      let err = '';
      const code = await main(['list-task-hubs'], {
        stdout: () => undefined,
        stderr: (t) => (err += t),
        env: {},
        cwd: dir,
        isInteractive: false,
        prompt: () => Promise.reject(new Error('no prompts')),
      });
      assert.equal(code, 2);
      assert.match(err, /^error: No storage connection found: set the 'AzureWebJobsStorage' app setting/);
    });
  });
});

describe('terminal safety', () => {
  it('escapes control characters and bidi overrides from untrusted text, keeping newlines', () => {
    assert.equal(sanitizeForTerminal('id\u001b[31mred\u0007\nnext\ttab\u202eevil\u0085'), 'id\\u001b[31mred\\u0007\nnext\\u0009tab\\u202eevil\\u0085');
    const json = JSON.stringify({ id: 'a\u0085b\u2028c' });
    assert.deepEqual(JSON.parse(sanitizeForTerminal(json)), { id: 'a\u0085b\u2028c' }, 'JSON output keeps its meaning');
  });
});
