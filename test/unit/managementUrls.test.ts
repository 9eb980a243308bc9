// The HTTP management URLs (issue 8): the same links the runtime returns, checked against the
// 202 payload published in the Durable Functions docs, plus encoding, the host forms accepted, and
// the CLI command (no storage call when the hub is named).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError, formUrlEncode, managementUrls } from '../../src/core';
import { main } from '../../src/cli/main';

// A published 202 response (function app "asynchttpfunction", hub "Orchestration", connection "Storage").
const HOST = 'https://asynchttpfunction.azurewebsites.net';
const ID = '66ee5d08196945aeb44c9e62ddc7b190';
const KEY = 'FSVfJyGODSeKHPO0cM8Po9e1jMT7MghVMGuJqTaGTN56E1RUHnlVJg==';
const Q = `taskHub=Orchestration&connection=Storage&code=${KEY}`;
const BASE = `${HOST}/runtime/webhooks/durabletask/instances/${ID}`;

describe('management URLs', () => {
  it('are the runtime payload for an instance, key included', () => {
    assert.deepEqual(managementUrls({ hostUrl: HOST, instanceId: ID, taskHub: 'Orchestration', connectionName: 'Storage', code: KEY }), {
      id: ID,
      statusQueryGetUri: `${BASE}?${Q}`,
      sendEventPostUri: `${BASE}/raiseEvent/{eventName}?${Q}`,
      terminatePostUri: `${BASE}/terminate?reason={text}&${Q}`,
      rewindPostUri: `${BASE}/rewind?reason={text}&${Q}`,
      purgeHistoryDeleteUri: `${BASE}?${Q}`,
      restartPostUri: `${BASE}/restart?${Q}`,
      suspendPostUri: `${BASE}/suspend?reason={text}&${Q}`,
      resumePostUri: `${BASE}/resume?reason={text}&${Q}`,
    });
  });

  it('encode the id, hub and connection as .NET WebUtility.UrlEncode does; a local host needs no key', () => {
    assert.equal(formUrlEncode("a b/c?d&e#f%é!*()-_.~'"), "a+b%2Fc%3Fd%26e%23f%25%C3%A9!*()-_.%7E%27");
    const urls = managementUrls({ hostUrl: 'http://localhost:7071/', instanceId: 'order 42/x', taskHub: 'MyHub', connectionName: 'My Storage' });
    assert.equal(urls.statusQueryGetUri, 'http://localhost:7071/runtime/webhooks/durabletask/instances/order+42%2Fx?taskHub=MyHub&connection=My+Storage');
    assert.equal(urls.id, 'order 42/x');
  });

  it('leave out the task hub and connection when not given (the host then uses its own)', () => {
    const urls = managementUrls({ hostUrl: 'http://localhost:7071', instanceId: 'abc' });
    const base = 'http://localhost:7071/runtime/webhooks/durabletask/instances/abc';
    assert.equal(urls.statusQueryGetUri, base);
    assert.equal(urls.sendEventPostUri, `${base}/raiseEvent/{eventName}`);
    assert.equal(urls.terminatePostUri, `${base}/terminate?reason={text}`);
    assert.equal(urls.restartPostUri, `${base}/restart`);
    const keyed = managementUrls({ hostUrl: HOST, instanceId: ID, connectionName: 'Storage', code: KEY });
    assert.equal(keyed.statusQueryGetUri, `${BASE}?connection=Storage&code=${KEY}`);
    assert.equal(keyed.resumePostUri, `${BASE}/resume?reason={text}&connection=Storage&code=${KEY}`);
  });

  it('accept a host URL with a path or the webhook path already, and refuse what is not a base URL', () => {
    const o = { instanceId: 'i', taskHub: 'H', connectionName: 'C' };
    const status = (hostUrl: string): string => managementUrls({ ...o, hostUrl }).statusQueryGetUri;
    assert.equal(status('https://proxy.example/app'), 'https://proxy.example/app/runtime/webhooks/durabletask/instances/i?taskHub=H&connection=C');
    assert.equal(status('https://x.example/runtime/webhooks/durabletask/'), 'https://x.example/runtime/webhooks/durabletask/instances/i?taskHub=H&connection=C');
    for (const bad of ['localhost:7071', 'ftp://x.example', 'not a url', 'https://x.example/?code=abc']) {
      assert.throws(() => status(bad), ValidationError, bad);
    }
    assert.throws(() => managementUrls({ ...o, instanceId: '', hostUrl: HOST }), ValidationError);
  });

  it('durable get-management-urls prints them, with --json the payload, and needs no storage when the hub is named', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'durable-urls-'));
    try {
      let out = '';
      let err = '';
      const io = {
        stdout: (t: string) => (out += t),
        stderr: (t: string) => (err += t),
        // Nothing listens here: a storage call would fail the command.
        env: { AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1' },
        cwd: dir,
        isInteractive: false,
        prompt: () => Promise.reject(new Error('no prompts')),
      };
      const code = await main(['get-management-urls', '--id', ID, '--task-hub-name', 'Orchestration', '--host', HOST, '--code', KEY, '--json'], io);
      assert.equal(code, 0, err);
      const urls = JSON.parse(out) as Record<string, string>;
      assert.equal(urls.statusQueryGetUri, `${BASE}?taskHub=Orchestration&connection=AzureWebJobsStorage&code=${KEY}`);
      out = '';
      assert.equal(await main(['get-management-urls', '--id', ID, '--task-hub-name', 'Orchestration'], io), 0, err);
      assert.match(out, new RegExp(`^statusQueryGetUri: +http://localhost:7071/runtime/webhooks/durabletask/instances/${ID}\\?taskHub=Orchestration&connection=AzureWebJobsStorage$`, 'm'));
      assert.match(out, /^resumePostUri: +\S+\/resume\?reason=\{text\}&taskHub=Orchestration&connection=AzureWebJobsStorage$/m);
      err = '';
      assert.equal(await main(['get-management-urls', '--id', ID, '--task-hub-name', 'Orchestration', '--host', 'localhost:7071'], io), 2);
      assert.match(err, /^error: 'localhost:7071' is not an http or https URL\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
