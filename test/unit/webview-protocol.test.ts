// The webview protocol: what the host accepts from a page (and what it rejects), the host's
// channel (ready/hello, correlated replies, errors, queued notifications), and the HTML shell's CSP.
import assert from 'node:assert/strict';
import type { HostMessage } from '../../src/shared/protocol';
import {
  INSTANCE_PROTOCOL,
  InstanceNotifications,
  InstanceRequests,
  PROTOCOL_VERSION,
  ProtocolError,
  panelTargetFromState,
  parsePageMessage,
  requestIdOf,
  s,
} from '../../src/shared/protocol';
import { WebviewChannel } from '../../src/extension/webviews/channel';
import { contentSecurityPolicy, createNonce, webviewShell } from '../../src/extension/webviews/html';

const req = (method: string, params: unknown, id = 7): unknown => ({ type: 'request', id, method, params });

function rejects(raw: unknown, pattern: RegExp): void {
  assert.throws(() => parsePageMessage(INSTANCE_PROTOCOL, raw), (e: unknown) => e instanceof ProtocolError && pattern.test(e.message));
}

describe('webview protocol: validating what a page sends', () => {
  it('accepts the ready handshake of this protocol version only', () => {
    assert.deepEqual(parsePageMessage(INSTANCE_PROTOCOL, { type: 'ready', protocol: PROTOCOL_VERSION }), { type: 'ready', protocol: PROTOCOL_VERSION });
    rejects({ type: 'ready', protocol: PROTOCOL_VERSION + 1 }, /this host speaks version/);
    rejects({ type: 'ready' }, /protocol: expected an integer/);
  });

  it('accepts well-formed requests and returns their typed params', () => {
    assert.deepEqual(parsePageMessage(INSTANCE_PROTOCOL, req('instance/status', {})), { type: 'request', id: 7, method: 'instance/status', params: {} });
    const history = parsePageMessage(INSTANCE_PROTOCOL, req('instance/history', { continuationToken: 'abc', generation: 2, pageSize: 1000 }));
    assert.deepEqual(history.type === 'request' && history.params, { continuationToken: 'abc', generation: 2, pageSize: 1000 });
    const terminate = parsePageMessage(INSTANCE_PROTOCOL, req('instance/action', { action: 'terminate', reason: null }));
    assert.deepEqual(terminate.type === 'request' && terminate.params, { action: 'terminate', reason: null });
    const raise = parsePageMessage(INSTANCE_PROTOCOL, req('instance/action', { action: 'raiseEvent', eventName: 'Approval', eventData: 'true' }));
    assert.deepEqual(raise.type === 'request' && raise.params, { action: 'raiseEvent', eventName: 'Approval', eventData: 'true' });
    const open = parsePageMessage(INSTANCE_PROTOCOL, req('instance/openDocument', { what: 'event', generation: 1, index: 9999 }));
    assert.deepEqual(open.type === 'request' && open.params, { what: 'event', generation: 1, index: 9999 });
  });

  it('rejects messages that are not objects, have an unknown type, or a bad id', () => {
    for (const raw of [null, 'ready', 42, [], { type: 'hello' }, { type: 'reply', id: 1 }]) {
      assert.throws(() => parsePageMessage(INSTANCE_PROTOCOL, raw), ProtocolError, JSON.stringify(raw));
    }
    rejects(req('instance/status', {}, 0), /id: expected an integer from 1/);
    rejects(req('instance/status', {}, 1.5), /id: expected an integer/);
    rejects({ type: 'request', id: '7', method: 'instance/status', params: {} }, /id: expected an integer, got string/);
    rejects({ ...(req('instance/status', {}) as object), extra: 1 }, /extra: unexpected property/);
  });

  it('rejects unknown methods, including other views\' and prototype names', () => {
    rejects(req('instance/delete', {}), /'instance\/delete' is not a instance request/);
    rejects(req('hub/bulkTerminate', {}), /not a instance request/);
    rejects(req('__proto__', {}), /not a instance request/);
    rejects(req('toString', {}), /not a instance request/);
  });

  it('rejects params of the wrong shape: wrong types, unknown keys, unknown actions, oversized strings', () => {
    rejects(req('instance/status', { id: 'x' }), /params\.id: unexpected property/);
    rejects(req('instance/status', null), /params: expected an object, got null/);
    rejects(req('instance/history', {}), /params\.continuationToken: expected a string, got undefined|continuationToken: expected a value/);
    rejects(req('instance/history', { continuationToken: 5 }), /continuationToken: expected a string, got number/);
    rejects(req('instance/history', { continuationToken: null, pageSize: 5000 }), /pageSize: expected an integer from 1 to 1000/);
    rejects(req('instance/action', { action: 'deleteEverything' }), /action: expected one of terminate, suspend/);
    rejects(req('instance/action', { action: 'terminate' }), /reason/);
    rejects(req('instance/action', { action: 'terminate', reason: 'x'.repeat(5000) }), /reason: expected 0–4096 characters/);
    rejects(req('instance/action', { action: 'raiseEvent', eventName: '', eventData: '' }), /eventName: expected 1–256 characters/);
    rejects(req('instance/action', { action: 'restart', newInstanceId: 'yes' }), /newInstanceId: expected a boolean/);
    rejects(req('instance/action', { action: 'purge', force: true }), /force: unexpected property/);
    rejects(req('instance/event', { generation: 1, index: -1 }), /index: expected an integer from 0/);
    rejects(req('instance/openDocument', { what: 'section', section: 'secrets' }), /section: expected one of input, output, customStatus, failure/);
    rejects(req('instance/openInstance', { instanceId: '' }), /instanceId: expected 1–1024 characters/);
  });

  it('rejects objects that are not plain (a class instance, an object with a hostile prototype)', () => {
    class Fake {
      type = 'ready';
      protocol = PROTOCOL_VERSION;
    }
    rejects(new Fake(), /expected an object/);
    const sneaky = JSON.parse('{"type":"request","id":3,"method":"instance/status","params":{"__proto__":{"polluted":true}}}') as unknown;
    rejects(sneaky, /__proto__: unexpected property/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('recovers the id of a rejected request (so it still gets an error reply), and nothing else', () => {
    assert.equal(requestIdOf(req('instance/nope', {}, 12)), 12);
    assert.equal(requestIdOf({ type: 'request', id: -1 }), undefined);
    assert.equal(requestIdOf({ type: 'ready', id: 3 }), undefined);
    assert.equal(requestIdOf('x'), undefined);
  });

  it('restores a panel only from a well-formed saved state', () => {
    const target = { connectionId: 'local:/ws', hubName: 'SampleHub', instanceId: 'x' };
    assert.deepEqual(panelTargetFromState({ v: 1, target, ui: {} }), target);
    assert.equal(panelTargetFromState({ v: 2, target }), undefined);
    assert.equal(panelTargetFromState({ v: 1, target: { ...target, instanceId: '' } }), undefined);
    assert.equal(panelTargetFromState({ v: 1, target: { ...target, extra: 1 } }), undefined);
    assert.equal(panelTargetFromState(undefined), undefined);
  });

  it('schema kit: optional keys may be absent, required ones may not', () => {
    const schema = s.object({ a: s.string(), b: s.optional(s.int()) });
    assert.deepEqual(schema({ a: 'x' }, ''), { a: 'x' });
    assert.deepEqual(schema({ a: 'x', b: 2 }, ''), { a: 'x', b: 2 });
    assert.throws(() => schema({ b: 2 }, ''), /a: expected a string/);
  });
});

describe('webview channel (host side)', () => {
  function channel(handlers: Partial<Record<keyof typeof InstanceRequests, (p: unknown) => Promise<unknown>>> = {}) {
    const posted: HostMessage[] = [];
    const warnings: string[] = [];
    const fail = async (): Promise<never> => {
      throw new Error('not in this test');
    };
    const ch = new WebviewChannel(
      { postMessage: async (m) => (posted.push(m), true) },
      {
        protocol: INSTANCE_PROTOCOL,
        requests: InstanceRequests,
        handlers: {
          status: (handlers.status ?? fail) as never,
          history: (handlers.history ?? fail) as never,
          event: (handlers.event ?? fail) as never,
          action: (handlers.action ?? fail) as never,
          openDocument: (handlers.openDocument ?? fail) as never,
          copy: (handlers.copy ?? fail) as never,
          openInstance: (handlers.openInstance ?? fail) as never,
        },
        hello: () => ({ hi: true }),
        describeError: (e) => ({ message: (e as Error).message, code: 'Other' }),
        warn: (t) => warnings.push(t),
      },
    );
    return { ch, posted, warnings };
  }

  it('answers ready with hello, then sends the notifications queued before', async () => {
    const { ch, posted } = channel();
    ch.notify(InstanceNotifications.refresh, { reason: 'shown' });
    assert.deepEqual(posted, [], 'nothing is posted before the page is ready');
    assert.deepEqual(await ch.receive({ type: 'ready', protocol: PROTOCOL_VERSION }), { kind: 'ready' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(posted, [
      { type: 'hello', protocol: PROTOCOL_VERSION, params: { hi: true } },
      { type: 'notify', method: 'instance/refresh', params: { reason: 'shown' } },
    ]);
  });

  it('answers each request once, with the id it came with', async () => {
    const seen: unknown[] = [];
    const { ch, posted } = channel({
      status: async (p) => {
        seen.push(p);
        return { found: false, message: 'gone', readAt: 'now' };
      },
    });
    const outcome = await ch.receive(req('instance/status', {}, 41));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [{}]);
    assert.deepEqual(outcome, { kind: 'reply', reply: { type: 'reply', id: 41, ok: true, result: { found: false, message: 'gone', readAt: 'now' } } });
    assert.deepEqual(posted, [{ type: 'reply', id: 41, ok: true, result: { found: false, message: 'gone', readAt: 'now' } }]);
  });

  it('turns a handler failure into an error reply', async () => {
    const { ch } = channel({ action: async () => Promise.reject(new Error('Cannot terminate: it is Completed')) });
    const outcome = await ch.receive(req('instance/action', { action: 'terminate', reason: null }, 5));
    assert.deepEqual(outcome, { kind: 'reply', reply: { type: 'reply', id: 5, ok: false, error: { message: 'Cannot terminate: it is Completed', code: 'Other' } } });
  });

  it('rejects an invalid message without calling any handler, and says why', async () => {
    let called = false;
    const { ch, posted, warnings } = channel({
      action: async () => {
        called = true;
        return {};
      },
    });
    const outcome = await ch.receive(req('instance/action', { action: 'terminate', reason: 42 }, 9));
    await new Promise((r) => setImmediate(r));
    assert.equal(called, false);
    assert.equal(outcome.kind, 'rejected');
    assert.match(outcome.kind === 'rejected' ? outcome.reason : '', /params\.reason: expected a string, got number/);
    assert.deepEqual(posted, [{ type: 'reply', id: 9, ok: false, error: { message: 'Rejected: params.reason: expected a string, got number', code: 'BadRequest' } }]);
    assert.equal(warnings.length, 1);
    // Without an id there is nobody to answer: it is only reported.
    const silent = await ch.receive({ hello: 'there' });
    assert.equal(silent.kind, 'rejected');
    assert.equal(posted.length, 1);
  });
});

describe('webview HTML shell and CSP', () => {
  const source = 'https://file+.vscode-resource.vscode-cdn.net';

  it('is default-src none, with the script by nonce and styles, fonts and images from the webview source only', () => {
    const nonce = 'AAAAAAAAAAAAAAAAAAAAAA==';
    assert.equal(
      contentSecurityPolicy(source, nonce),
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${source}; font-src ${source}; img-src ${source}`,
    );
    const csp = contentSecurityPolicy(source, nonce);
    assert.ok(!/unsafe-inline|unsafe-eval|\*|https:(?!\/\/file)/.test(csp), csp);
  });

  it('refuses a nonce or source that could widen the policy', () => {
    assert.throws(() => contentSecurityPolicy(source, "x' 'unsafe-inline"), /nonce/);
    assert.throws(() => contentSecurityPolicy(`${source}; script-src *`, 'AAAAAAAAAAAAAAAAAAAAAA=='), /cspSource/);
    // VS Code for the web gives a list of sources: that is fine.
    assert.equal(contentSecurityPolicy("'self' https://*.vscode-cdn.net", 'AAAAAAAAAAAAAAAAAAAAAA==').split('; ')[2], "style-src 'self' https://*.vscode-cdn.net");
  });

  it('nonces are fresh, 128-bit and base64', () => {
    const a = createNonce();
    const b = createNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9+/]{22}==$/);
  });

  it('the shell has one script, carrying the nonce, no inline script or style, and the CSP first in head', () => {
    const nonce = createNonce();
    const html = webviewShell({ cspSource: source, nonce, scriptUri: `${source}/dist/webview/instance.js`, styleUris: [`${source}/a.css`], title: 'T', view: 'instance' });
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.equal(scripts[0][1], '', 'no inline script');
    assert.match(scripts[0][0], new RegExp(`nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}" src="${source.replace(/[.+]/g, '\\$&')}/dist/webview/instance\\.js"`));
    assert.ok(!/\sstyle=|<style|\son[a-z]+=/i.test(html), 'no inline styles or handlers');
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<link'), 'the policy comes before any resource');
  });
});
