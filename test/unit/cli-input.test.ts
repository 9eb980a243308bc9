// Flag values → core values: JSON payloads (inline, text, @file), dates, numbers, tags.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../src/core/errors';
import { compactJson, jsonSyntaxProblem, parseDate, parseDateRange, parseInteger, parseJsonValue, parseTags } from '../../src/cli/input';

function validation(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a ValidationError');
}

describe('cli input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-cli-input-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('parseJsonValue', () => {
    it('compacts inline JSON', () => {
      assert.equal(parseJsonValue('{ "a": 1,\n "b": [1, 2] }', 'input', dir), '{"a":1,"b":[1,2]}');
      assert.equal(parseJsonValue(' 42 ', 'input', dir), '42');
      assert.equal(parseJsonValue('true', 'input', dir), 'true');
      assert.equal(parseJsonValue('null', 'input', dir), 'null');
    });

    it('keeps every digit of big numbers and spaces inside strings', () => {
      assert.equal(parseJsonValue('{"id": 12345678901234567890, "s": "a  b \\" c"}', 'input', dir), '{"id":12345678901234567890,"s":"a  b \\" c"}');
    });

    it('keeps a JSON string as it is', () => {
      assert.equal(parseJsonValue('"hello"', 'input', dir), '"hello"');
    });

    it('sends text that is not JSON as a JSON string (--input hello is --input \'"hello"\')', () => {
      assert.equal(parseJsonValue('hello', 'input', dir), '"hello"');
      assert.equal(parseJsonValue('hello', 'input', dir), parseJsonValue('"hello"', 'input', dir));
      assert.equal(parseJsonValue('say "hi"', 'event-data', dir), '"say \\"hi\\""');
      assert.equal(parseJsonValue('1.2.3', 'input', dir), '"1.2.3"');
      assert.equal(parseJsonValue(" it's ", 'input', dir), '" it\'s "');
    });

    it('refuses text that opens like JSON but is not, saying where', () => {
      const message = (text: string): string => validation(() => parseJsonValue(text, 'input', dir)).message;
      assert.equal(message('{not json'), '--input is not valid JSON: a property name without double quotes at character 2. Fix the JSON (text starting with {, [ or " is read as JSON).');
      assert.match(message('{"a":1,}'), /: a trailing comma before '}' at character 7\./);
      assert.match(message("{'a':1}"), /: single quotes \(JSON needs double quotes\) at character 2\./);
      assert.match(message('\'{"a":1}\''), /: single quotes \(JSON needs double quotes\) at character 1\./);
      assert.match(message('[1,\n 2'), /: the text ends before the JSON is complete\./);
      assert.match(message('"abc'), /: a string is not closed/);
      assert.match(message('{"a":1} x'), /: unexpected text after the JSON value \('x'\) at character 9\./);
      assert.match(message('[1 2]'), /: expected ',' or '\]' but found '2' at character 4\./);
      assert.match(message('{"a" 1}'), /: expected ':' after the property name but found '1' at character 6\./);
      assert.match(message('"a\u0001"'), /: a raw control character \(\\u0001\) inside a string at character 3\./);
      assert.match(message('"\\x"'), /: an invalid escape '\\x' at character 2\./);
    });

    it('refuses empty and blank text', () => {
      assert.match(validation(() => parseJsonValue('', 'input', dir)).message, /^--input is blank/);
      assert.match(validation(() => parseJsonValue(' \t', 'event-data', dir)).message, /^--event-data is blank/);
      assert.equal(parseJsonValue('"  "', 'input', dir), '"  "');
    });

    it('agrees with JSON.parse on what is JSON', () => {
      for (const text of ['0', '-0.5e+3', '"\\u00e9\\n"', '[]', '{}', '[{"a":[null,true,false]}]', ' {"a" : { "b" : [ 1 , 2 ] } } ', '"\u00e9"']) {
        assert.equal(jsonSyntaxProblem(text), undefined, text);
        assert.doesNotThrow(() => JSON.parse(text), text);
      }
      for (const text of ['01', '1.', '.5', '+1', '[1,]', '{"a"}', 'tru', 'nul', '"\\u12x4"', '[', '{', '"', '1 2', 'NaN', 'Infinity', "'a'"]) {
        assert.ok(jsonSyntaxProblem(text), text);
        assert.throws(() => JSON.parse(text), text);
      }
    });

    it('reads @file relative to cwd and compacts it', () => {
      writeFileSync(path.join(dir, 'data.json'), '\uFEFF{\n  "counter": 3\n}\n');
      assert.equal(parseJsonValue('@data.json', 'input', dir), '{"counter":3}');
      assert.equal(parseJsonValue(`@${path.join(dir, 'data.json')}`, 'input', '/'), '{"counter":3}');
    });

    it('names the path of a missing file', () => {
      const e = validation(() => parseJsonValue('@missing.json', 'event-data', dir));
      assert.equal(e.field, 'event-data');
      assert.ok(e.message.includes(path.join(dir, 'missing.json')), e.message);
      assert.match(e.message, /no such file/);
    });

    it('refuses a directory', () => {
      mkdirSync(path.join(dir, 'folder'), { recursive: true });
      assert.match(validation(() => parseJsonValue('@folder', 'input', dir)).message, /is a directory/);
    });

    it('reports invalid JSON in a file with the path and the parse message', () => {
      writeFileSync(path.join(dir, 'bad.json'), '{"a": 1,}');
      const e = validation(() => parseJsonValue('@bad.json', 'input', dir));
      assert.equal(e.field, 'input');
      assert.ok(e.message.includes(path.join(dir, 'bad.json')), e.message);
      assert.match(e.message, /is not valid JSON: .+/);
    });

    it('refuses files that are empty, not UTF-8, or UTF-16, saying so', () => {
      const message = (name: string, content: string | Buffer): string => {
        writeFileSync(path.join(dir, name), content);
        return validation(() => parseJsonValue(`@${name}`, 'input', dir)).message;
      };
      assert.match(message('empty.json', ''), /is empty; it must hold JSON/);
      assert.match(message('blank.json', ' \n'), /is empty; it must hold JSON/);
      assert.match(message('latin1.json', Buffer.from([0x22, 0xe9, 0x22])), /is not valid UTF-8 \(byte 0xE9 at offset 1\); save it as UTF-8\./);
      assert.match(message('replacement.json', Buffer.from([0x22, 0xef, 0xbf, 0xbd, 0xff, 0x22])), /\(byte 0xFF at offset 4\)/);
      assert.match(message('cut.json', Buffer.from([0x22, 0x22, 0xe2, 0x82])), /\(byte 0xE2 at offset 2\)/);
      assert.match(message('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')])), /is UTF-16 text; save it as UTF-8\./);
      assert.match(message('lines.json', '{\n  "a": 1,\n}'), /: a trailing comma before '}' at line 2, column 9\. Fix the file\./);
    });

    it('refuses a bare @', () => {
      assert.match(validation(() => parseJsonValue('@', 'input', dir)).message, /followed by a file path/);
    });
  });

  describe('compactJson', () => {
    it('drops whitespace outside strings only', () => {
      assert.equal(compactJson('[ "a b" , { "c" : "\\\\" } ]'), '["a b",{"c":"\\\\"}]');
    });
  });

  describe('parseDate', () => {
    const now = new Date('2024-05-10T12:00:00.000Z');

    it('reads ISO dates and times with a zone', () => {
      assert.equal(parseDate('2024-05-01T10:00:00Z', 'created-after').toISOString(), '2024-05-01T10:00:00.000Z');
      assert.equal(parseDate('2024-05-01T12:00:00+02:00', 'created-after').toISOString(), '2024-05-01T10:00:00.000Z');
      assert.equal(parseDate('2024-05-01T05:00:00-0530', 'created-after').toISOString(), '2024-05-01T10:30:00.000Z');
      assert.equal(parseDate('2018-11-14T19:35:00.0000000Z', 'created-before').toISOString(), '2018-11-14T19:35:00.000Z');
      assert.equal(parseDate('2024-05-01T10:00:00.1239Z', 'created-after').toISOString(), '2024-05-01T10:00:00.123Z');
    });

    it('treats a value without a zone as UTC', () => {
      assert.equal(parseDate('2024-05-01', 'created-after').toISOString(), '2024-05-01T00:00:00.000Z');
      assert.equal(parseDate('2018-03-10T23:59', 'created-before').toISOString(), '2018-03-10T23:59:00.000Z');
      assert.equal(parseDate('2024-05-01 10:00:30', 'created-before').toISOString(), '2024-05-01T10:00:30.000Z');
    });

    it('reads relative ages as that long ago', () => {
      assert.equal(parseDate('30m', 'created-after', now).toISOString(), '2024-05-10T11:30:00.000Z');
      assert.equal(parseDate('24h', 'created-after', now).toISOString(), '2024-05-09T12:00:00.000Z');
      assert.equal(parseDate('7d', 'created-after', now).toISOString(), '2024-05-03T12:00:00.000Z');
      assert.equal(parseDate('1w', 'created-after', now).toISOString(), '2024-05-03T12:00:00.000Z');
    });

    it('reads relative values as from now when asked (scheduled start)', () => {
      assert.equal(parseDate('2h', 'scheduled-start-time', now, { relative: 'future' }).toISOString(), '2024-05-10T14:00:00.000Z');
    });

    it('rejects invalid dates naming the flag', () => {
      for (const bad of ['2024-02-30', '2024-13-01', '2024-05-01T24:00', 'yesterday', '10:00', '', '5x', '2024-05-01T10:00+15:00']) {
        const e = validation(() => parseDate(bad, 'created-before', now));
        assert.equal(e.field, 'created-before', bad);
        assert.ok(e.message.includes('--created-before'), e.message);
      }
    });

    it('refuses dates outside 1601-01-01..9999-12-31, and reads years below 100 as written', () => {
      for (const bad of ['0000-01-01', '0099-06-01', '1600-12-31T23:59:59Z', '9999-12-31T23:59:59-01:00', '9999999d']) {
        assert.match(validation(() => parseDate(bad, 'created-after', now)).message, /is out of range: dates go from 1601-01-01 to 9999-12-31\./, bad);
      }
      assert.equal(parseDate('1601-01-01', 'x').toISOString(), '1601-01-01T00:00:00.000Z');
      assert.equal(parseDate('9999-12-31T23:59:59.999Z', 'x').toISOString(), '9999-12-31T23:59:59.999Z');
    });

    it('accepts 29 February in a leap year only', () => {
      assert.equal(parseDate('2024-02-29', 'x').toISOString(), '2024-02-29T00:00:00.000Z');
      validation(() => parseDate('2023-02-29', 'x'));
    });
  });

  describe('parseDateRange', () => {
    const now = new Date('2024-05-10T12:00:00.000Z');

    it('parses both ends', () => {
      const r = parseDateRange('7d', '2024-05-10', now);
      assert.equal(r.createdAfter?.toISOString(), '2024-05-03T12:00:00.000Z');
      assert.equal(r.createdBefore?.toISOString(), '2024-05-10T00:00:00.000Z');
    });

    it('leaves absent ends out', () => {
      assert.deepEqual(parseDateRange(undefined, undefined, now), {});
      assert.deepEqual(Object.keys(parseDateRange('1h', undefined, now)), ['createdAfter']);
    });

    it('rejects a reversed range', () => {
      const e = validation(() => parseDateRange('2024-05-02', '2024-05-01', now));
      assert.equal(e.field, 'created-after');
      assert.match(e.message, /later than --created-before/);
    });

    it('names the flag of an invalid end', () => {
      assert.equal(validation(() => parseDateRange('2024-05-01', 'soon', now)).field, 'created-before');
    });
  });

  describe('parseInteger', () => {
    it('accepts whole numbers within bounds', () => {
      assert.equal(parseInteger('10', 'top', 1, 1000), 10);
      assert.equal(parseInteger(' 0 ', 'wait', 0, 60), 0);
    });

    it('rejects the rest naming the flag', () => {
      for (const bad of ['0', '1001', '1.5', 'ten', '', '1e3']) {
        const e = validation(() => parseInteger(bad, 'top', 1, 1000));
        assert.equal(e.field, 'top');
        assert.match(e.message, /--top must be a whole number from 1 to 1000/);
      }
    });
  });

  describe('parseTags', () => {
    it('reads k=v pairs, comma- or space-separated', () => {
      assert.deepEqual(parseTags(['team=sales,env=prod', 'note=a=b']), { team: 'sales', env: 'prod', note: 'a=b' });
    });

    it('reads a JSON object of strings', () => {
      assert.deepEqual(parseTags(['{"a": "x, y"}']), { a: 'x, y' });
    });

    it('rejects malformed tags', () => {
      assert.match(validation(() => parseTags(['novalue'])).message, /key=value/);
      assert.match(validation(() => parseTags(['a=1,a=2'])).message, /more than once/);
      assert.match(validation(() => parseTags(['{"a": 1}'])).message, /string values/);
      assert.match(validation(() => parseTags(['{bad'])).message, /not a valid JSON object/);
    });
  });
});
