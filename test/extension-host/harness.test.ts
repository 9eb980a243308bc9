// The harness itself, seen from inside the extension host: the runner's storage account is
// reachable through DURABLE_TEST_CONNECTION, the prepared workspace folder is open, and this
// repository is loaded as the extension under development.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import * as vscode from 'vscode';

const EXTENSION_ID = 'durable-explorer.durable-explorer';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function connection(): string {
  const value = process.env.DURABLE_TEST_CONNECTION;
  assert.ok(value, 'DURABLE_TEST_CONNECTION is not set in the extension host');
  return value;
}

describe('Extension-host harness', () => {
  it('inherits DURABLE_TEST_CONNECTION (an Azurite connection string) from the test runner', () => {
    assert.match(connection(), /^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;.*TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;/);
  });

  it('reaches the seeded Azurite: the SampleHub tables exist', async () => {
    const tables = TableServiceClient.fromConnectionString(connection(), { allowInsecureConnection: true });
    const names: string[] = [];
    for await (const t of tables.listTables()) {
      names.push(t.name ?? '');
    }
    assert.ok(names.includes('SampleHubInstances'), `tables: ${names.join(', ')}`);
    assert.ok(names.includes('SampleHubHistory'), `tables: ${names.join(', ')}`);
  });

  it('opened the prepared Functions app folder (host.json names SampleHub, local.settings.json holds the connection)', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, `workspace folders: ${folders.map((f) => f.uri.toString()).join(', ')}`);
    const folder = folders[0].uri.fsPath;
    const host = JSON.parse(readFileSync(path.join(folder, 'host.json'), 'utf8')) as { extensions?: { durableTask?: { hubName?: string } } };
    assert.equal(host.extensions?.durableTask?.hubName, 'SampleHub');
    const settings = JSON.parse(readFileSync(path.join(folder, 'local.settings.json'), 'utf8')) as { Values?: Record<string, string> };
    assert.equal(settings.Values?.AzureWebJobsStorage, connection());
  });

  it('loads this repository as the extension under development', () => {
    assert.ok(vscode.extensions.all.length > 0, 'no extensions at all');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded; extensions: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    assert.equal(path.resolve(ext.extensionPath), REPO_ROOT);
    assert.ok(existsSync(path.join(ext.extensionPath, 'package.json')));
  });
});
