import assert from 'node:assert/strict';
import { ConflictError, ForbiddenError, NotFoundError, UnreachableError, ValidationError, maskSecrets } from '../../src/core/errors';
import { instanceIdFromPartitionKey } from '../../src/core/format/keys';
import { toDurableError } from '../../src/core/storage/errors';
import { validateContinuationToken } from '../../src/core/storage/rows';

const ctx = { endpoint: 'http://127.0.0.1:10002/devstoreaccount1', what: "table 'HubInstances'", secrets: ['s3cr3tKey=='] };

describe('storage error translation', () => {
  it('reads the tables SDK error code from details and says the credentials were rejected', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Error><Code>AuthorizationFailure</Code><Message>Server failed to authenticate the request.</Message></Error>';
    const e = toDurableError({ name: 'RestError', statusCode: 403, message: xml, details: { errorCode: 'AuthorizationFailure' } }, ctx);
    assert.ok(e instanceof ForbiddenError);
    assert.match(e.message, /rejected the credentials at http:\/\/127\.0\.0\.1:10002\/devstoreaccount1 \(AuthorizationFailure\)/);
    assert.doesNotMatch(e.message, /<\?xml/);
  });
  it('extracts <Message> from XML and odata.error from JSON bodies', () => {
    const xml = toDurableError({ name: 'RestError', statusCode: 400, message: '<?xml version="1.0"?><Error><Code>X</Code><Message>Bad thing\nRequestId:1</Message></Error>' }, ctx);
    assert.match(xml.message, /Bad thing/);
    const json = toDurableError({ name: 'RestError', statusCode: 400, message: '{"odata.error":{"code":"InvalidInput","message":{"lang":"en-US","value":"One of the request inputs is not valid."}}}' }, ctx);
    assert.match(json.message, /One of the request inputs is not valid\./);
  });
  it('maps status codes to typed errors', () => {
    assert.ok(toDurableError({ name: 'RestError', statusCode: 404, message: 'gone' }, ctx) instanceof NotFoundError);
    assert.ok(toDurableError({ name: 'RestError', statusCode: 412, message: 'etag' }, ctx) instanceof ConflictError);
    const down = toDurableError({ name: 'RestError', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, ctx);
    assert.ok(down instanceof UnreachableError);
    assert.equal(down.endpoint, ctx.endpoint);
  });
  it('masks keys and SAS signatures in messages', () => {
    const e = toDurableError({ name: 'RestError', statusCode: 500, message: 'failed for AccountKey=abcDEF123+/==;x and ?sv=1&sig=XYZ%2B&se=2 and s3cr3tKey==' }, ctx);
    assert.doesNotMatch(e.message, /abcDEF123|XYZ%2B|s3cr3tKey/);
    assert.equal(maskSecrets('AccountKey=k1;SharedAccessSignature=sv=1&sig=2'), 'AccountKey=***;SharedAccessSignature=***');
  });
});

describe('continuation tokens and raw keys', () => {
  it('accepts an SDK token and rejects anything else as a validation error', () => {
    const good = Buffer.from(JSON.stringify({ nextPartitionKey: '1!8!YQ--', nextRowKey: '1!0!' })).toString('base64');
    assert.equal(validateContinuationToken(good), good);
    for (const bad of ['garbage', Buffer.from('{"x":1}').toString('base64'), '']) {
      assert.throws(() => validateContinuationToken(bad), (e: unknown) => e instanceof ValidationError && e.field === 'continuation-token');
    }
  });
  it('keeps a pre-1.8.4 raw key as the id when it is not a valid escaped key', () => {
    assert.equal(instanceIdFromPartitionKey('old^v1'), 'old^v1');
    assert.equal(instanceIdFromPartitionKey('a^0b'), 'a/b');
    assert.equal(instanceIdFromPartitionKey('a^^b'), 'a^b');
    assert.equal(instanceIdFromPartitionKey('plain'), 'plain');
  });
});
