// The extension's pure helpers: input validation and relative times.
import assert from 'node:assert/strict';
import {
  accountNameProblem,
  connectionStringProblem,
  dateProblem,
  hubNameProblem,
  instanceIdProblem,
  jsonProblem,
  requiredProblem,
} from '../../src/extension/commands/validation';
import { relativeTime } from '../../src/extension/tree/time';
import { jwtExpiry } from '../../src/extension/connections/jwt';

describe('extension input validation', () => {
  it('JSON: empty allowed, malformed named', () => {
    assert.equal(jsonProblem(''), null);
    assert.equal(jsonProblem('{"a":1}'), null);
    assert.equal(jsonProblem('true'), null);
    assert.match(jsonProblem('{a:1}') ?? '', /^Not valid JSON: /);
    assert.match(jsonProblem('hello') ?? '', /Strings need quotes/);
    assert.equal(jsonProblem('  ', false), 'A JSON value is required.');
  });

  it('instance ids: the runtime rules', () => {
    assert.equal(instanceIdProblem('', true), null);
    assert.match(instanceIdProblem('', false) ?? '', /must not be empty/);
    assert.match(instanceIdProblem('a/b', true) ?? '', /must not contain/);
    assert.match(instanceIdProblem('@counter@x', true) ?? '', /reserved for durable entities/);
    assert.match(instanceIdProblem('x'.repeat(257), true) ?? '', /maximum is 256/);
    assert.equal(instanceIdProblem('order-42', true), null);
  });

  it('hub names, account names, dates, required text', () => {
    assert.equal(hubNameProblem('SampleHub'), null);
    assert.ok(hubNameProblem('1hub'));
    assert.equal(accountNameProblem('mystorage1'), null);
    assert.ok(accountNameProblem('My-Storage'));
    assert.equal(dateProblem('2026-01-31'), null);
    assert.ok(dateProblem('yesterday-ish'));
    assert.equal(requiredProblem(' x ', 'event name'), null);
    assert.equal(requiredProblem('  ', 'event name'), 'The event name is required.');
  });

  it('connection strings: the problem is named and the key is never echoed', () => {
    assert.equal(connectionStringProblem('UseDevelopmentStorage=true'), null);
    const key = 'c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs=';
    const problem = connectionStringProblem(`AccountKey=${key}`);
    assert.ok(problem);
    assert.ok(!problem.includes(key), problem);
    assert.equal(connectionStringProblem(''), 'Paste a connection string.');
  });
});

describe('relative times', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it('seconds, minutes, hours, days, future, missing', () => {
    assert.equal(relativeTime('2026-11-28T11:59:50Z', now), '10s ago');
    assert.equal(relativeTime('2026-11-28T11:30:00Z', now), '30m ago');
    assert.equal(relativeTime('2026-11-28T06:00:00Z', now), '6h ago');
    assert.equal(relativeTime('2026-11-20T12:00:00Z', now), '8d ago');
    assert.equal(relativeTime('2026-11-28T13:00:00Z', now), 'in 1h');
    assert.equal(relativeTime(null, now), '');
    assert.equal(relativeTime('not a date', now), '');
  });
});

describe('access token expiry', () => {
  const token = (claims: object): string => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  it('reads exp from the payload, and gives up on anything else', () => {
    assert.equal(jwtExpiry(token({ exp: 1_900_000_000, aud: 'https://storage.azure.com' })), 1_900_000_000);
    assert.equal(jwtExpiry(token({ aud: 'x' })), undefined);
    assert.equal(jwtExpiry('opaque-token'), undefined);
    assert.equal(jwtExpiry('a.!!!.b'), undefined);
  });
});
