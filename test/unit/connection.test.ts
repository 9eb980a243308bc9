import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { ValidationError } from '../../src/core/errors';
import {
  findUp,
  looksEncrypted,
  readHostJson,
  readLocalSettings,
  stripJsonComments,
} from '../../src/core/connection/settings';
import type { IdentityConnectionSettings, ResolvedConnection } from '../../src/core/connection/resolve';
import { resolveAppSettingReferences, resolveConnection } from '../../src/core/connection/resolve';

const KEY = 'c2VjcmV0S2V5VGhhdE11c3ROb3RMZWFrMTIzNDU2Nzg5MA==';
const CONN = `DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=${KEY};EndpointSuffix=core.windows.net`;
const CONN2 = `DefaultEndpointsProtocol=https;AccountName=acct2;AccountKey=${KEY};EndpointSuffix=core.windows.net`;

let root: string;

async function write(rel: string, content: unknown): Promise<string> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function localSettings(values: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { IsEncrypted: false, Values: values, ...extra };
}

function hostV2(durableTask: Record<string, unknown>): unknown {
  return { version: '2.0', extensions: { durableTask } };
}

function connectionStringOf(r: ResolvedConnection): string {
  assert.equal(r.connection.kind, 'connectionString');
  return r.connection.kind === 'connectionString' ? r.connection.connectionString : '';
}

const fakeCredential: TokenCredential = { getToken: async () => null };

function expectValidation(field: string, test: (message: string) => void): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof ValidationError, `expected ValidationError, got ${String(e)}`);
    assert.equal(e.field, field);
    test(e.message);
    return true;
  };
}

describe('connection settings and resolution', () => {
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'durable-conn-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('findUp', () => {
    it('finds a file in a parent directory and returns undefined when absent', async () => {
      const file = await write('a/marker.txt', 'x');
      await mkdir(path.join(root, 'a/b/c'), { recursive: true });
      assert.equal(await findUp(path.join(root, 'a/b/c'), 'marker.txt'), file);
      assert.equal(await findUp(path.join(root, 'a/b/c'), 'no-such-file-9f3a.txt'), undefined);
    });
  });

  describe('readLocalSettings', () => {
    it('walks up from a nested directory to the app root', async () => {
      const file = await write('app/local.settings.json', localSettings({ AzureWebJobsStorage: CONN }));
      await mkdir(path.join(root, 'app/src/functions'), { recursive: true });
      const s = await readLocalSettings(path.join(root, 'app/src/functions'));
      assert.ok(s);
      assert.equal(s.path, file);
      assert.equal(s.values.AzureWebJobsStorage, CONN);
      assert.equal(s.isEncrypted, false);
    });

    it('stops at the first directory with host.json (a parent app\'s settings are not used)', async () => {
      await write('local.settings.json', localSettings({ AzureWebJobsStorage: CONN }));
      await write('app/host.json', hostV2({}));
      await mkdir(path.join(root, 'app/sub'), { recursive: true });
      assert.equal(await readLocalSettings(path.join(root, 'app/sub')), undefined);
    });

    it('treats an absent IsEncrypted as false and converts scalar values to strings', async () => {
      await write('local.settings.json', { Values: { A: 'x', N: 3, B: true, Z: null } });
      const s = await readLocalSettings(root);
      assert.ok(s);
      assert.equal(s.isEncrypted, false);
      assert.deepEqual(s.values, { A: 'x', N: '3', B: 'true' });
    });

    it('tolerates comments and trailing commas, keeping // inside strings', async () => {
      await write(
        'local.settings.json',
        `{
  // line comment
  "IsEncrypted": false, /* block
     comment */
  "Values": {
    "Url": "https://example.com/a//b", // not a comment inside the string
    "Quote": "say \\"hi\\" // still string",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
  },
}`,
      );
      const s = await readLocalSettings(root);
      assert.ok(s);
      assert.equal(s.values.Url, 'https://example.com/a//b');
      assert.equal(s.values.Quote, 'say "hi" // still string');
      assert.equal(s.values.AzureWebJobsStorage, 'UseDevelopmentStorage=true');
    });

    it('names the file in an invalid JSON error', async () => {
      const file = await write('local.settings.json', '{ "Values": { "A": "x" ');
      await assert.rejects(
        readLocalSettings(root),
        expectValidation('local.settings.json', (m) => {
          assert.ok(m.startsWith(`${file}: invalid JSON: `), m);
        }),
      );
    });
  });

  describe('stripJsonComments', () => {
    it('keeps positions so parse errors point at the original text', () => {
      const text = '{ /* c */ "a": 1, }';
      const out = stripJsonComments(text);
      assert.equal(out.length, text.length);
      assert.deepEqual(JSON.parse(out), { a: 1 });
    });

    it('removes a trailing comma before ] even with a comment in between', () => {
      assert.deepEqual(JSON.parse(stripJsonComments('[1, 2, // two\n]')), [1, 2]);
    });

    it('rejects an unterminated block comment', () => {
      assert.throws(() => stripJsonComments('{ /* open'), /unterminated/);
    });
  });

  describe('readHostJson', () => {
    it('reads the v2 shape from extensions.durableTask', async () => {
      const file = await write(
        'host.json',
        hostV2({ hubName: 'HubV2', storageProvider: { connectionName: 'MyStorage', partitionCount: 8, type: 'AzureStorage' } }),
      );
      const h = await readHostJson(root);
      assert.deepEqual(h, {
        path: file,
        version: 2,
        hubName: 'HubV2',
        connectionSettingName: 'MyStorage',
        partitionCount: 8,
        storageProviderType: 'AzureStorage',
      });
    });

    it('reads the v1 shape from top-level durableTask and ignores it in a v2 file', async () => {
      await write('v1/host.json', { durableTask: { HubName: 'HubV1', AzureStorageConnectionStringName: 'V1Storage', partitionCount: 2 } });
      const v1 = await readHostJson(path.join(root, 'v1'));
      assert.equal(v1?.version, 1);
      assert.equal(v1?.hubName, 'HubV1');
      assert.equal(v1?.connectionSettingName, 'V1Storage');
      assert.equal(v1?.partitionCount, 2);

      // A v2 file's top-level durableTask is not the Durable section.
      await write('v2/host.json', { version: '2.0', durableTask: { hubName: 'Wrong' } });
      const v2 = await readHostJson(path.join(root, 'v2'));
      assert.equal(v2?.version, 2);
      assert.equal(v2?.hubName, undefined);
    });

    it('matches keys case-insensitively', async () => {
      await write('host.json', { Version: '2.0', Extensions: { DurableTask: { HUBNAME: 'Upper', StorageProvider: { PartitionCount: '3' } } } });
      const h = await readHostJson(root);
      assert.equal(h?.hubName, 'Upper');
      assert.equal(h?.partitionCount, 3);
    });

    it('takes connectionName, then connectionStringName, then azureStorageConnectionStringName', async () => {
      await write('a/host.json', hostV2({ azureStorageConnectionStringName: 'C', storageProvider: { connectionStringName: 'B', connectionName: 'A' } }));
      await write('b/host.json', hostV2({ azureStorageConnectionStringName: 'C', storageProvider: { connectionStringName: 'B' } }));
      await write('c/host.json', hostV2({ azureStorageConnectionStringName: 'C' }));
      await write('d/host.json', hostV2({ storageProvider: { azureStorageConnectionStringName: 'D' } }));
      assert.equal((await readHostJson(path.join(root, 'a')))?.connectionSettingName, 'A');
      assert.equal((await readHostJson(path.join(root, 'b')))?.connectionSettingName, 'B');
      assert.equal((await readHostJson(path.join(root, 'c')))?.connectionSettingName, 'C');
      assert.equal((await readHostJson(path.join(root, 'd')))?.connectionSettingName, 'D');
    });

    it('walks up to find host.json', async () => {
      const file = await write('app/host.json', hostV2({ hubName: 'Up' }));
      await mkdir(path.join(root, 'app/x/y'), { recursive: true });
      const h = await readHostJson(path.join(root, 'app/x/y'));
      assert.equal(h?.path, file);
      assert.equal(h?.hubName, 'Up');
    });

    it('rejects a partition count outside 1..16', async () => {
      await write('host.json', hostV2({ storageProvider: { partitionCount: 17 } }));
      await assert.rejects(readHostJson(root), expectValidation('host.json', (m) => assert.match(m, /1 to 16/)));
    });

    it('names the file in an invalid JSON error and tolerates comments', async () => {
      const bad = await write('bad/host.json', '{ "version": "2.0" "extensions": {} }');
      await assert.rejects(
        readHostJson(path.join(root, 'bad')),
        expectValidation('host.json', (m) => assert.ok(m.startsWith(`${bad}: invalid JSON: `), m)),
      );
      await write('ok/host.json', '{\n  // v2\n  "version": "2.0",\n  "extensions": { "durableTask": { "hubName": "C1", }, },\n}');
      assert.equal((await readHostJson(path.join(root, 'ok')))?.hubName, 'C1');
    });
  });

  describe('resolveAppSettingReferences', () => {
    const lookup = (name: string): string | undefined => ({ Hub: 'MyHub', Env: 'prod' })[name];

    it('resolves whole-string and embedded references', () => {
      assert.equal(resolveAppSettingReferences('%Hub%', lookup), 'MyHub');
      assert.equal(resolveAppSettingReferences('App%Env%Hub', lookup), 'AppprodHub');
      assert.equal(resolveAppSettingReferences('Plain', lookup), 'Plain');
    });

    it('names an unknown reference', () => {
      assert.throws(
        () => resolveAppSettingReferences('%Missing%', lookup),
        expectValidation('task-hub-name', (m) => assert.match(m, /'Missing'/)),
      );
    });
  });

  describe('resolveConnection', () => {
    it('prefers the environment over local.settings.json', async () => {
      await write('local.settings.json', localSettings({ AzureWebJobsStorage: CONN }));
      const r = await resolveConnection({ cwd: root, env: { AzureWebJobsStorage: CONN2 } });
      assert.equal(connectionStringOf(r), CONN2);
      assert.deepEqual(r.source, { kind: 'environment' });
      assert.equal(r.settingName, 'AzureWebJobsStorage');
      assert.ok(r.secrets.includes(KEY));
    });

    it('falls back to local.settings.json with a case-insensitive key', async () => {
      const file = await write('local.settings.json', localSettings({ azurewebjobsstorage: CONN }));
      const r = await resolveConnection({ cwd: root, env: {} });
      assert.equal(connectionStringOf(r), CONN);
      assert.deepEqual(r.source, { kind: 'local.settings.json', path: file });
    });

    it('tries the __ spelling of a name with : in the environment', async () => {
      const r = await resolveConnection({ cwd: root, env: { Storage__Main: CONN }, connectionSetting: 'Storage:Main' });
      assert.equal(connectionStringOf(r), CONN);
    });

    it('ignores an empty environment value', async () => {
      await write('local.settings.json', localSettings({ AzureWebJobsStorage: CONN }));
      const r = await resolveConnection({ cwd: root, env: { AzureWebJobsStorage: '' } });
      assert.equal(r.source.kind, 'local.settings.json');
    });

    it('resolves from a nested directory and uses host.json facts', async () => {
      await write('app/host.json', hostV2({ hubName: 'NestedHub', storageProvider: { connectionName: 'HubStorage', partitionCount: 6 } }));
      await write('app/local.settings.json', localSettings({ HubStorage: CONN, AzureWebJobsStorage: CONN2 }));
      await mkdir(path.join(root, 'app/src/deep'), { recursive: true });
      const r = await resolveConnection({ cwd: path.join(root, 'app/src/deep'), env: {} });
      assert.equal(r.settingName, 'HubStorage');
      assert.equal(connectionStringOf(r), CONN);
      assert.deepEqual(r.hostJson, { path: path.join(root, 'app/host.json'), hubName: 'NestedHub', partitionCount: 6 });
    });

    it('lets --connection-string-setting override host.json', async () => {
      await write('host.json', hostV2({ storageProvider: { connectionName: 'HubStorage' } }));
      await write('local.settings.json', localSettings({ HubStorage: CONN, Other: CONN2 }));
      const r = await resolveConnection({ cwd: root, env: {}, connectionSetting: 'Other' });
      assert.equal(r.settingName, 'Other');
      assert.equal(connectionStringOf(r), CONN2);
    });

    it('keeps UseDevelopmentStorage=true as is with no secrets', async () => {
      const r = await resolveConnection({ cwd: root, env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' } });
      assert.equal(connectionStringOf(r), 'UseDevelopmentStorage=true');
      assert.deepEqual(r.secrets, []);
    });

    it('resolves a %HubSetting% hub name from the environment, then local.settings.json', async () => {
      await write('host.json', hostV2({ hubName: '%HubSetting%' }));
      await write('local.settings.json', localSettings({ AzureWebJobsStorage: CONN, hubsetting: 'FromLocal' }));
      const fromLocal = await resolveConnection({ cwd: root, env: {} });
      assert.equal(fromLocal.hostJson?.hubName, 'FromLocal');
      const fromEnv = await resolveConnection({ cwd: root, env: { HubSetting: 'FromEnv' } });
      assert.equal(fromEnv.hostJson?.hubName, 'FromEnv');
    });

    it('fails on an unknown %reference% unless an explicit hub is given', async () => {
      const hostFile = await write('host.json', hostV2({ hubName: '%NoSuchSetting%' }));
      const env = { AzureWebJobsStorage: CONN };
      await assert.rejects(
        resolveConnection({ cwd: root, env }),
        expectValidation('task-hub-name', (m) => {
          assert.ok(m.includes(hostFile), m);
          assert.match(m, /'NoSuchSetting'/);
        }),
      );
      const r = await resolveConnection({ cwd: root, env, taskHubName: 'Explicit' });
      assert.ok(r.hostJson);
      assert.equal(r.hostJson.hubName, undefined);
    });

    it('builds an identity connection from <name>__accountName and calls createCredential', async () => {
      const calls: IdentityConnectionSettings[] = [];
      const r = await resolveConnection({
        cwd: root,
        env: { AzureWebJobsStorage__accountName: 'MyAcct', AzureWebJobsStorage__clientId: 'cid' },
        createCredential: (settings) => {
          calls.push(settings);
          return fakeCredential;
        },
      });
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0], { clientId: 'cid' });
      assert.equal(r.connection.kind, 'identity');
      if (r.connection.kind === 'identity') {
        assert.deepEqual(r.connection.endpoints, {
          table: 'https://myacct.table.core.windows.net',
          queue: 'https://myacct.queue.core.windows.net',
          blob: 'https://myacct.blob.core.windows.net',
        });
        assert.equal(r.connection.credential, fakeCredential);
      }
      assert.deepEqual(r.source, { kind: 'environment' });
      assert.deepEqual(r.secrets, []);
    });

    it('accepts the : separator form in local.settings.json and explicit service URIs', async () => {
      const file = await write(
        'local.settings.json',
        localSettings({
          'Store:tableServiceUri': 'https://t.example.net/',
          'Store:queueServiceUri': 'https://q.example.net',
          'Store:blobServiceUri': 'https://b.example.net',
        }),
      );
      const r = await resolveConnection({ cwd: root, env: {}, connectionSetting: 'Store', createCredential: () => fakeCredential });
      assert.deepEqual(r.source, { kind: 'local.settings.json', path: file });
      assert.equal(r.connection.kind, 'identity');
      if (r.connection.kind === 'identity') {
        assert.deepEqual(r.connection.endpoints, { table: 'https://t.example.net', queue: 'https://q.example.net', blob: 'https://b.example.net' });
      }
    });

    it('explains which service URI is missing when only some are given', async () => {
      await assert.rejects(
        resolveConnection({
          cwd: root,
          env: { Store__tableServiceUri: 'https://t.example.net', Store__blobServiceUri: 'https://b.example.net' },
          connectionSetting: 'Store',
          createCredential: () => fakeCredential,
        }),
        expectValidation('Store', (m) => {
          assert.match(m, /Store__queueServiceUri/);
          assert.doesNotMatch(m, /Store__tableServiceUri'/);
          assert.match(m, /accountName/);
        }),
      );
    });

    it('requires a credential factory for identity connections', async () => {
      await assert.rejects(
        resolveConnection({ cwd: root, env: { AzureWebJobsStorage__accountName: 'acct' } }),
        expectValidation('AzureWebJobsStorage', (m) => assert.match(m, /credential/)),
      );
    });

    it('lists the searched local.settings.json when nothing is found', async () => {
      const file = await write('local.settings.json', localSettings({ Unrelated: 'x' }));
      await assert.rejects(
        resolveConnection({ cwd: root, env: {}, connectionSetting: 'MissingSetting' }),
        expectValidation('connection-string-setting', (m) => {
          assert.match(m, /'MissingSetting'/);
          assert.ok(m.includes(`(searched: ${file})`), m);
        }),
      );
    });

    it('says no local.settings.json was found when there is none', async () => {
      await assert.rejects(
        resolveConnection({ cwd: root, env: {} }),
        expectValidation('connection-string-setting', (m) => {
          assert.match(m, /'AzureWebJobsStorage'/);
          assert.match(m, /no local\.settings\.json found/);
        }),
      );
    });

    it('rejects a malformed connection string without leaking it or its key', async () => {
      const malformed = `AccountName=acct1;AccountKey=${KEY};garbage`;
      await write('local.settings.json', localSettings({ AzureWebJobsStorage: malformed }));
      await assert.rejects(
        resolveConnection({ cwd: root, env: {} }),
        expectValidation('AzureWebJobsStorage', (m) => {
          assert.match(m, /not a valid storage connection string/);
          assert.ok(!m.includes(KEY), m);
          assert.ok(!m.includes(malformed), m);
        }),
      );
      // A key-less string is also caught here, not later in an SDK call.
      await assert.rejects(
        resolveConnection({ cwd: root, env: { AzureWebJobsStorage: 'AccountName=acct1' } }),
        expectValidation('AzureWebJobsStorage', (m) => assert.match(m, /AccountKey/)),
      );
    });

    it('refuses encrypted local.settings.json values and suggests func settings decrypt', async () => {
      const encrypted = `CfDJ8${'A'.repeat(120)}`;
      assert.ok(looksEncrypted(encrypted));
      assert.ok(!looksEncrypted(CONN));
      await write('local.settings.json', { IsEncrypted: true, Values: { AzureWebJobsStorage: encrypted } });
      await assert.rejects(
        resolveConnection({ cwd: root, env: {} }),
        expectValidation('local.settings.json', (m) => assert.match(m, /func settings decrypt/)),
      );
      // A plain value in a file flagged as encrypted is still usable.
      await write('local.settings.json', { IsEncrypted: true, Values: { AzureWebJobsStorage: CONN } });
      assert.equal(connectionStringOf(await resolveConnection({ cwd: root, env: {} })), CONN);
    });

    it('propagates an invalid host.json naming the file', async () => {
      const file = await write('host.json', '{ "version": "2.0", ');
      await assert.rejects(
        resolveConnection({ cwd: root, env: { AzureWebJobsStorage: CONN } }),
        expectValidation('host.json', (m) => assert.ok(m.includes(file), m)),
      );
    });
  });
});
