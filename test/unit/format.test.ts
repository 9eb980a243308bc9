import assert from 'node:assert/strict';
import { escapePartitionKey, unescapePartitionKey } from '../../src/core/format/keys';
import { controlQueueFor, fnv1a32, partitionIndex } from '../../src/core/format/partition';
import { controlQueueName, hubResourceNames, isControlQueueOf, validateHubName } from '../../src/core/format/names';
import { and, odataString, or, partitionKeyPrefix } from '../../src/core/format/odata';
import { blobNameFromUrl, blobUrl, escapeDataString, exceedsTablePropertyLimit, isBlobUrl, isLegacyMessageBlobName } from '../../src/core/format/payload';
import { instanceFilter } from '../../src/core/instances';
import { ValidationError } from '../../src/core/errors';

describe('key escaping (KeySanitation)', () => {
  const cases: [string, string][] = [
    ['plain-id_123', 'plain-id_123'],
    ['a/b', 'a^0b'],
    ['a\\b', 'a^1b'],
    ['a#b', 'a^2b'],
    ['a?b', 'a^3b'],
    ['a^b', 'a^^b'],
    ['tab\there', 'tab^\u00c9here'],
    ['nul\u0000', 'nul^\u00c0'],
    ['del\u007f', 'del^\u013f'],
    ['c1\u009f', 'c1^\u015f'],
    ['héllo wörld', 'héllo wörld'],
    ['@counter@key', '@counter@key'],
  ];
  for (const [id, escaped] of cases) {
    it(`escapes ${JSON.stringify(id)}`, () => {
      assert.equal(escapePartitionKey(id), escaped);
      assert.equal(unescapePartitionKey(escaped), id);
    });
  }
  it('round-trips every special character together', () => {
    const id = '^/\\#?\u0001\u001f\u0080 ^^0 end';
    assert.equal(unescapePartitionKey(escapePartitionKey(id)), id);
    assert.doesNotMatch(escapePartitionKey(id), /[/\\#?\u0000-\u001f\u007f-\u009f]/);
  });
  it('unescapes legacy unescaped keys unchanged when they have no caret', () => {
    assert.equal(unescapePartitionKey('order-42'), 'order-42');
  });
});

describe('partition routing (FNV-1a)', () => {
  // Vectors from reference §6.
  const vectors: [string, number, number, number][] = [
    ['a', 3826002220, 0, 12],
    ['abc', 440920331, 3, 11],
    ['foobar', 3214735720, 0, 8],
    ['4a7f3c9e2b1d4e5f8a6b7c8d9e0f1a2b', 3801910513, 1, 1],
    ['@counter@myKey', 1776272992, 0, 0],
    ['héllo', 1252296000, 0, 0],
  ];
  for (const [id, hash, mod4, mod16] of vectors) {
    it(`hashes ${id}`, () => {
      assert.equal(fnv1a32(id), hash);
      assert.equal(partitionIndex(id, 4), mod4);
      assert.equal(partitionIndex(id, 16), mod16);
    });
  }
  it('names the control queue with two digits, lower-cased hub', () => {
    assert.equal(controlQueueFor('MyHub', 'abc', 16), 'myhub-control-11');
    assert.equal(controlQueueName('MyHub', 3), 'myhub-control-03');
  });
});

describe('hub resource names and validation', () => {
  it('derives every resource name', () => {
    assert.deepEqual(hubResourceNames('MyHub'), {
      instancesTable: 'MyHubInstances',
      historyTable: 'MyHubHistory',
      partitionsTable: 'MyHubPartitions',
      workItemQueue: 'myhub-workitems',
      controlQueuePrefix: 'myhub-control-',
      largeMessagesContainer: 'myhub-largemessages',
      leasesContainer: 'myhub-leases',
      appLeaseContainer: 'myhub-applease',
    });
  });
  it('recognizes only its own control queues', () => {
    assert.ok(isControlQueueOf('hub', 'hub-control-00'));
    assert.ok(isControlQueueOf('Hub', 'hub-control-15'));
    assert.ok(!isControlQueueOf('hub', 'hub2-control-00'));
    assert.ok(!isControlQueueOf('hub', 'hub-control-001'));
    assert.ok(!isControlQueueOf('hub', 'hub-workitems'));
  });
  it('accepts valid hub names and rejects invalid ones with the field named', () => {
    for (const ok of ['abc', 'MyHub1', 'A'.repeat(50)]) {
      assert.equal(validateHubName(ok), ok);
    }
    for (const bad of ['ab', '1hub', 'my-hub', 'my_hub', 'hub name', '', 'A'.repeat(51), '../x']) {
      assert.throws(() => validateHubName(bad), (e: unknown) => e instanceof ValidationError && e.field === 'task-hub-name');
    }
  });
  it('says which rule a hub name breaks', () => {
    const why = (name: string): string => {
      try {
        validateHubName(name);
      } catch (e) {
        return (e as Error).message;
      }
      return assert.fail(name);
    };
    assert.equal(why('1hub'), "Invalid task hub name '1hub' (task-hub-name): it starts with a digit. A task hub name has 3 to 50 ASCII letters and digits and starts with a letter.");
    assert.match(why('ab'), /: it is 2 characters long\./);
    assert.match(why('my-hub'), /: it contains '-'\./);
    assert.match(why('hub name'), /: it contains a space\./);
    assert.match(why('Hüb'), /: it contains 'ü', which is not ASCII\./);
    assert.match(why('a\u0007bc'), /: it contains the control character U\+0007\./);
    assert.match(why(''), /: it is empty\./);
  });
});

describe('OData filters', () => {
  it('doubles single quotes', () => {
    assert.equal(odataString("O'Brien''s"), "'O''Brien''''s'");
  });
  it('joins conditions with parentheses and skips empty ones', () => {
    assert.equal(and('a eq 1', undefined, false, '', 'b eq 2'), '(a eq 1) and (b eq 2)');
    assert.equal(and('only'), 'only');
    assert.equal(or('x', 'y'), '(x) or (y)');
  });
  it('turns an id prefix into an escaped range', () => {
    assert.equal(partitionKeyPrefix('order'), "PartitionKey ge 'order' and PartitionKey lt 'ordes'");
    assert.equal(partitionKeyPrefix('a/'), "PartitionKey ge 'a^0' and PartitionKey lt 'a^1'");
    assert.equal(partitionKeyPrefix("it's"), "PartitionKey ge 'it''s' and PartitionKey lt 'it''t'");
  });
  it('builds the instance filter of reference §2.5', () => {
    const filter = instanceFilter({
      createdAfter: new Date('2024-01-01T00:00:00Z'),
      createdBefore: new Date('2024-02-01T00:00:00Z'),
      statuses: ['Running', 'Failed'],
      name: "Say'Hello",
      includeEntities: false,
    });
    assert.equal(
      filter,
      "(CreatedTime ge datetime'2024-01-01T00:00:00.000Z') and (CreatedTime le datetime'2024-02-01T00:00:00.0009999Z') and " +
        "((RuntimeStatus eq 'Running') or (RuntimeStatus eq 'Failed')) and (Name eq 'Say''Hello') and " +
        "(PartitionKey lt '@' or PartitionKey ge 'A')",
    );
    assert.equal(instanceFilter({}), '');
    assert.equal(instanceFilter({ statuses: [] }), '');
  });
  it('rejects a reversed time range', () => {
    assert.throws(
      () => instanceFilter({ createdAfter: new Date('2024-02-01'), createdBefore: new Date('2024-01-01') }),
      (e: unknown) => e instanceof ValidationError && e.field === 'created-after',
    );
  });
});

describe('large payload references', () => {
  it('escapes blob URL segments like Uri.EscapeDataString', () => {
    assert.equal(escapeDataString("a b!'()*~._-"), "a%20b%21%27%28%29%2A~._-");
    assert.equal(
      blobUrl('http://127.0.0.1:10000/devstoreaccount1/hub-largemessages/', 'a^0b/history-0000000000000001-TaskCompleted-0A1B2C3D-Result.json.gz'),
      'http://127.0.0.1:10000/devstoreaccount1/hub-largemessages/a%5E0b/history-0000000000000001-TaskCompleted-0A1B2C3D-Result.json.gz',
    );
  });
  it('recovers the blob name from escaped and unescaped URLs on any host', () => {
    const name = 'my inst/message-0123456789abcdef0123456789abcdef-ExecutionStarted.json.gz';
    assert.equal(blobNameFromUrl(blobUrl('https://acct.blob.core.windows.net/hub-largemessages', name), 'hub-largemessages'), name);
    assert.equal(blobNameFromUrl(`http://127.0.0.1:10000/devstoreaccount1/hub-largemessages/${name}`, 'hub-largemessages'), name);
    assert.equal(blobNameFromUrl('https://example.com/other/x.json.gz', 'hub-largemessages'), null);
  });
  it('detects URLs and legacy blob names, not JSON', () => {
    assert.ok(isBlobUrl('https://acct.blob.core.windows.net/hub-largemessages/x/y.json.gz'));
    assert.ok(!isBlobUrl('"https://example.com/in/a/json/string"'));
    assert.ok(!isBlobUrl('{"url":"https://x/y"}'));
    assert.ok(isLegacyMessageBlobName('order1/message-0123456789abcdef0123456789abcdef-ExecutionStarted.json.gz'));
    assert.ok(!isLegacyMessageBlobName('"order1/message-0123456789abcdef0123456789abcdef-ExecutionStarted.json.gz"'));
  });
  it('uses the 60 KB UTF-16 limit', () => {
    assert.ok(!exceedsTablePropertyLimit('x'.repeat(30720)));
    assert.ok(exceedsTablePropertyLimit('x'.repeat(30721)));
  });
});
