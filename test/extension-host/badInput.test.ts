// Bad input through the extension's commands (issue 7), table-driven like the CLI's
// test/integration/bad-input.test.ts: for each input, the exact problem the input box shows or the
// exact error message, and nothing written to the hub (every row, blob and queue message compared
// before and after). The hub is one no worker serves, so only the command under test could write.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import * as vscode from 'vscode';
import type { DurableExplorerApi } from '../../src/extension/extension';
import type { HubNode, InstanceNode } from '../../src/extension/tree/nodes';
import { HubWriter } from '../../tools/seed/hubWriter';
import { writeCompletedSequence, writeFailedActivity, writeRunningApproval } from '../../tools/seed/sampleHubs';
import { hubSnapshot } from '../support/storageSnapshot';
import type { Answer } from './support';
import { connectionString, extensionApi, hubNode, runCommand } from './support';

interface Case {
  what: string;
  command: string;
  /** The tree node the command is run on (from the context menu); none = from the palette. */
  on?: 'hub' | 'running' | 'completed' | 'failed' | 'corrupt-input';
  answers: Answer[];
  /** Problems the input boxes showed, in order. */
  problems?: (string | RegExp)[];
  /** The one error message shown; absent = none (the user gave up at a refused input). */
  error?: string | RegExp;
}

const LONG_ID = 'x'.repeat(1_001);

function cases(hub: string): Case[] {
  const giveUp = (input: string): Answer => ({ input });
  return [
    {
      what: 'start new: input that is not JSON',
      command: 'durableExplorer.startNew',
      on: 'hub',
      answers: [{ input: 'Hello' }, { input: 'bad-json-start' }, giveUp('{"city": "Oslo"')],
      problems: [/^Not valid JSON: /],
    },
    {
      what: 'start new: no orchestrator name',
      command: 'durableExplorer.startNew',
      on: 'hub',
      answers: [giveUp('   ')],
      problems: ['The orchestrator name is required.'],
    },
    {
      what: 'start new: an instance id of 1,001 characters',
      command: 'durableExplorer.startNew',
      on: 'hub',
      answers: [{ input: 'Hello' }, giveUp(LONG_ID)],
      problems: ['Invalid instance id: it is 1001 characters long; the maximum is 256.'],
    },
    ...['a/b', 'a\\b', 'a#b', 'a?b', 'tab\there', 'nul\u0000here', 'del\u007fhere'].map(
      (id): Case => ({
        what: `start new: instance id ${JSON.stringify(id)}`,
        command: 'durableExplorer.startNew',
        on: 'hub',
        answers: [{ input: 'Hello' }, giveUp(id)],
        problems: [/^Invalid instance id: /],
      }),
    ),
    {
      what: "start new: an id starting with '@' (reserved for entities)",
      command: 'durableExplorer.startNew',
      on: 'hub',
      answers: [{ input: 'Hello' }, giveUp('@counter@one')],
      problems: ["Invalid instance id: it must not start with '@', which is reserved for durable entities (@name@key)."],
    },
    {
      what: 'start new: the id of a running instance',
      command: 'durableExplorer.startNew',
      on: 'hub',
      answers: [{ input: 'ApprovalWorkflow' }, { input: 'bad-running' }, { input: '' }],
      error: /^An instance with id 'bad-running' already exists .*Running/,
    },
    {
      what: 'raise event: data that is not JSON',
      command: 'durableExplorer.raiseEvent',
      on: 'running',
      answers: [{ input: 'Approval' }, giveUp('tru')],
      problems: [/^Not valid JSON: /],
    },
    {
      what: 'raise event: no event name',
      command: 'durableExplorer.raiseEvent',
      on: 'running',
      answers: [giveUp('')],
      problems: ['The event name is required.'],
    },
    {
      what: 'terminate: a completed instance',
      command: 'durableExplorer.terminate',
      on: 'completed',
      answers: [{ input: '' }, { confirm: 'Terminate' }],
      error: /^Cannot terminate instance 'bad-completed': it is Completed/,
    },
    {
      what: 'suspend: a completed instance',
      command: 'durableExplorer.suspend',
      on: 'completed',
      answers: [{ input: '' }],
      error: /^Cannot suspend instance 'bad-completed': it is Completed/,
    },
    {
      what: 'rewind: a running instance',
      command: 'durableExplorer.rewind',
      on: 'running',
      answers: [{ input: '' }],
      error: /^Cannot rewind instance 'bad-running': it is Running; only Failed instances can be rewound\./,
    },
    {
      what: 'purge: a running instance (not forced)',
      command: 'durableExplorer.purgeInstance',
      on: 'running',
      answers: [{ confirm: 'Purge' }],
      error: /^Instance 'bad-running' is Running; only Completed, Failed, Canceled or Terminated instances are purged\./,
    },
    {
      what: 'restart: an instance whose input blob is not gzip',
      command: 'durableExplorer.restart',
      on: 'corrupt-input',
      answers: [{ pick: 'Restart as a new instance' }],
      error: /^Cannot restart 'bad-corrupt-input': its input cannot be read \(blob '.*-largemessages\/bad-corrupt-input\/history-input\.json\.gz' is not gzip data/,
    },
    {
      what: 'go to instance: an unknown id',
      command: 'durableExplorer.goToInstance',
      on: 'hub',
      answers: [{ suggest: 'no-such-instance' }],
      error: "Could not find an orchestration instance with id 'no-such-instance'",
    },
    {
      what: 'delete task hub: the name typed wrong',
      command: 'durableExplorer.deleteTaskHub',
      on: 'hub',
      answers: [giveUp(hub.toLowerCase())],
      problems: [`Type '${hub}' exactly to confirm.`],
    },
    {
      what: 'purge history: no status picked',
      command: 'durableExplorer.purgeHistory',
      on: 'hub',
      answers: [{ pickMany: [] }],
    },
    {
      what: 'add connection: a connection string with no account key or SAS',
      command: 'durableExplorer.addConnection',
      answers: [{ pick: 'Connection string…' }, giveUp('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=')],
      problems: [/./],
    },
    {
      what: 'add connection: an account name that is not one',
      command: 'durableExplorer.addConnection',
      answers: [{ pick: 'Storage account with Microsoft Entra ID…' }, giveUp('My_Account')],
      problems: ['A storage account name has 3 to 24 lowercase letters and digits.'],
    },
  ];
}

describe('Bad input through the extension (nothing written)', function () {
  this.timeout(120_000);
  let api: DurableExplorerApi;
  const hub = `ExtBadInput${randomUUID().slice(0, 6)}`;
  const nodes = new Map<string, HubNode | InstanceNode>();

  before(async () => {
    api = await extensionApi();
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: hub });
    const now = Date.now();
    await writeRunningApproval(w, 'bad-running', new Date(now - 600_000));
    await writeCompletedSequence(w, 'bad-completed', new Date(now - 600_000));
    await writeFailedActivity(w, 'bad-failed', new Date(now - 600_000));
    await writeCompletedSequence(w, 'bad-corrupt-input', new Date(now - 600_000));
    await w.largeMessages.getBlockBlobClient('bad-corrupt-input/history-input.json.gz').uploadData(Buffer.from('not gzip'));
    await w.instancesTable.updateEntity({ partitionKey: 'bad-corrupt-input', rowKey: '', Input: '', InputBlobName: 'bad-corrupt-input/history-input.json.gz' }, 'Merge');
    api.tree.refresh();
    const hubNodeFor = await hubNode(api, hub);
    nodes.set('hub', hubNodeFor);
    const all = (await api.tree.getChildren(hubNodeFor)).find((g) => g.type === 'group' && g.status === 'All');
    assert.ok(all);
    for (const child of await api.tree.getChildren(all)) {
      if (child.type === 'instance') {
        nodes.set(child.instance.instanceId.replace(/^bad-/, ''), child);
      }
    }
    assert.deepEqual([...nodes.keys()].sort(), ['completed', 'corrupt-input', 'failed', 'hub', 'running']);
  });

  after(async () => {
    await vscode.commands.executeCommand('durableExplorer.refresh');
  });

  for (const c of cases(hub)) {
    it(c.what, async () => {
      const before = await hubSnapshot(connectionString(), hub);
      const r = await runCommand(api, c.command, c.answers, ...(c.on ? [nodes.get(c.on)] : []));
      const expectedProblems = c.problems ?? [];
      assert.equal(r.ui.problems.length, expectedProblems.length, `problems shown: ${JSON.stringify(r.ui.problems)}`);
      expectedProblems.forEach((p, i) => (typeof p === 'string' ? assert.equal(r.ui.problems[i], p) : assert.match(r.ui.problems[i], p)));
      if (c.error === undefined) {
        assert.deepEqual(r.ui.errors, [], 'no error');
      } else {
        assert.equal(r.ui.errors.length, 1, `errors shown: ${JSON.stringify(r.ui.errors)}`);
        if (typeof c.error === 'string') {
          assert.equal(r.ui.errors[0], c.error);
        } else {
          assert.match(r.ui.errors[0], c.error);
        }
      }
      r.ui.assertDone();
      assert.deepEqual(await hubSnapshot(connectionString(), hub), before, 'storage changed');
    });
  }

  it('a hub whose partition rows are gone: the tree routes by its control queues and says so', async () => {
    const name = `ExtNoRows${randomUUID().slice(0, 6)}`;
    const w = await HubWriter.create({ connectionString: connectionString(), hubName: name, partitionCount: 6 });
    await writeRunningApproval(w, 'run-1', new Date(Date.now() - 600_000));
    const partitions = TableClient.fromConnectionString(connectionString(), w.names.partitionsTable, { allowInsecureConnection: true });
    for await (const row of partitions.listEntities()) {
      await partitions.deleteEntity(String(row.partitionKey), String(row.rowKey));
    }
    api.tree.refresh();
    const node = await hubNode(api, name);
    assert.equal(node.hub?.partitionCount, 6);
    assert.equal(node.hub?.partitionCountSource, 'control-queues');
    const item = api.tree.getTreeItem(node);
    assert.equal(item.description, '6 partitions (from its control queues) · layout unknown');
    assert.match(String(item.tooltip), new RegExp(`⚠ Task hub '${name}': table '${name}Partitions' has no rows; using 6 partitions, from its control queues\\.`));
  });
});
