// `--host URL [--code KEY]` on the CLI (issue 8), the parts that need no host: which commands take
// the flags and say so in their help, what is refused before any request (storage-only commands and
// flags, --code alone, a bad URL), and the links `wait` prints for a host.
import assert from 'node:assert/strict';
import { hostInstanceClient } from '../../src/core';
import { Flags, parseArgs } from '../../src/cli/args';
import { COMMANDS, COMMON_FLAGS } from '../../src/cli/commands';
import { createContext } from '../../src/cli/commands/common';
import { completionLinksFor } from '../../src/cli/commands/managementUrls';
import { renderCommandHelp, renderGlobalHelp } from '../../src/cli/help';
import { describeRun, runCli } from '../support/cli';

// Nothing listens on port 9: a command that sent a request would fail with exit 1 ("No Functions
// host answered"), not exit 2.
const DEAD_HOST = 'http://127.0.0.1:9';
const KEY = 'unit-test-system-key';

const INSTANCE_COMMANDS = [
  'start-new',
  'get-runtime-status',
  'wait',
  'get-history',
  'get-instances',
  'raise-event',
  'terminate',
  'suspend',
  'resume',
  'rewind',
  'restart',
  'purge-history',
];

function contextFor(argv: string[]): ReturnType<typeof createContext> {
  const parsed = parseArgs(argv, COMMANDS, COMMON_FLAGS);
  assert.equal(parsed.kind, 'run');
  const values = parsed.kind === 'run' ? parsed.values : {};
  return createContext({ stdout: () => undefined, stderr: () => undefined, env: {}, cwd: '.', isInteractive: false, prompt: () => Promise.reject(new Error('no prompts')) }, new Flags(values), [], argv[0]);
}

describe('CLI --host and --code', () => {
  it('every instance command takes --host and --code, and its help says what they do', () => {
    for (const name of INSTANCE_COMMANDS) {
      const command = COMMANDS.find((c) => c.name === name);
      assert.ok(command, name);
      const flags = command.flags.map((f) => f.name);
      assert.ok(flags.includes('host') && flags.includes('code'), `${name}: ${flags.join(', ')}`);
      const help = renderCommandHelp(command, COMMON_FLAGS);
      assert.match(help, /--host URL +Go through the HTTP management API of the running Functions host/, name);
      assert.match(help, /--code KEY +(With --host: the host's|The host's) durabletask_extension system key/, name);
    }
    assert.match(renderGlobalHelp(COMMANDS, COMMON_FLAGS, '0.0.0'), /--host URL/);
  });

  it('refuses storage-only commands and flags over --host with exit 2, before any request', async () => {
    const cases: Array<{ argv: string[]; err: RegExp }> = [
      { argv: ['list-task-hubs'], err: /^error: Listing task hubs needs a storage connection: / },
      { argv: ['delete-task-hub', '--yes'], err: /^error: Deleting a task hub needs a storage connection: / },
      { argv: ['start-new', '--function-name', 'F', '--scheduled-start-time', '2h'], err: /^error: A scheduled start needs a storage connection/ },
      { argv: ['start-new', '--function-name', 'F', '--tags', 'a=b'], err: /^error: Starting with tags needs a storage connection/ },
      { argv: ['start-new', '--function-name', 'F', '--id', 'x', '--force'], err: /^error: start-new --force needs a storage connection/ },
      { argv: ['terminate', '--id', 'x', '--force'], err: /^error: terminate --force needs a storage connection: the HTTP management API checks/ },
      { argv: ['suspend', '--id', 'x', '--force', '--wait'], err: /^error: suspend --force needs a storage connection/ },
      { argv: ['resume', '--id', 'x', '--force'], err: /^error: resume --force needs a storage connection/ },
      { argv: ['raise-event', '--id', 'x', '--force'], err: /^error: raise-event --force needs a storage connection/ },
      { argv: ['rewind', '--id', 'x', '--force'], err: /^error: rewind --force needs a storage connection/ },
      { argv: ['restart', '--id', 'x', '--force'], err: /^error: restart --force needs a storage connection/ },
      { argv: ['restart', '--id', 'x', '--new-id', 'y'], err: /^error: Restarting under an id of your choice needs a storage connection/ },
      { argv: ['get-instances', '--name', 'F'], err: /^error: Filtering by orchestrator name needs a storage connection/ },
      { argv: ['get-instances', '--exclude-entities', '--all'], err: /^error: Leaving out durable entities needs a storage connection/ },
      { argv: ['purge-history', '--created-after', '7d', '--dry-run'], err: /^error: A dry run of a purge needs a storage connection/ },
      { argv: ['purge-history', '--yes'], err: /^error: Purging by filter through a Functions host needs a created-after time/ },
    ];
    for (const c of cases) {
      const r = await runCli([...c.argv, '--host', DEAD_HOST, '--code', KEY]);
      assert.equal(r.code, 2, `${c.argv.join(' ')}: ${describeRun(r)}`);
      assert.match(r.stderr, c.err, c.argv.join(' '));
      assert.equal(r.stdout, '');
      assert.ok(!r.stderr.includes(KEY));
    }
    // The same line without the refused flag does send a request (and finds no host): the refusals above are the flags'.
    const sent = await runCli(['terminate', '--id', 'x', '--host', DEAD_HOST]);
    assert.equal(sent.code, 1, describeRun(sent));
    assert.match(sent.stderr, /^error: No Functions host answered at http:\/\/127\.0\.0\.1:9 /);
  });

  it('refuses --code without --host, except where it is the key of printed links', async () => {
    for (const argv of [['get-runtime-status', '--id', 'x'], ['terminate', '--id', 'x'], ['start-new', '--function-name', 'F'], ['list-task-hubs'], ['delete-task-hub']]) {
      const r = await runCli([...argv, '--code', KEY]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${describeRun(r)}`);
      assert.equal(r.stderr, `error: --code is the key of the host given with --host; pass --host too. See 'durable ${argv[0]} --help'.\n`);
    }
    // wait, start-new --wait and get-management-urls take it for the links; here they go on to look for storage.
    for (const argv of [['wait', '--id', 'x'], ['start-new', '--function-name', 'F', '--wait'], ['get-management-urls', '--id', 'x']]) {
      const r = await runCli([...argv, '--code', KEY]);
      assert.doesNotMatch(r.stderr, /--code/, argv.join(' '));
      assert.match(r.stderr, /AzureWebJobsStorage/, argv.join(' '));
      assert.ok(!r.stderr.includes(KEY));
    }
  });

  it('refuses a --host that is not an http URL with exit 2', async () => {
    const r = await runCli(['get-history', '--id', 'x', '--host', 'ftp://example.com']);
    assert.equal(r.code, 2, describeRun(r));
    assert.equal(r.stderr, "error: 'ftp://example.com' is not an http or https URL.\n");
  });

  it("builds wait's links for the host, with the task hub and connection only when given", () => {
    const plain = contextFor(['wait', '--id', 'a b', '--host', 'https://app.example/', '--code', 'k+y']);
    const client = hostInstanceClient({ baseUrl: 'https://app.example/' });
    const links = completionLinksFor(plain, { client, where: client.description }, 'a b');
    assert.equal(links.id, 'a b');
    assert.equal(links.statusQueryGetUri, 'https://app.example/runtime/webhooks/durabletask/instances/a+b?code=k%2By');
    assert.equal(links.terminatePostUri, 'https://app.example/runtime/webhooks/durabletask/instances/a+b/terminate?reason={text}&code=k%2By');
    assert.ok(plain.secrets.includes('k+y'), 'the key is masked in messages');

    const bare = contextFor(['wait', '--id', 'x', '--host', 'http://localhost:7071']);
    assert.equal(completionLinksFor(bare, { client, where: '' }, 'x').statusQueryGetUri, 'http://localhost:7071/runtime/webhooks/durabletask/instances/x');
    assert.equal(completionLinksFor(bare, { client, where: '' }, 'x').sendEventPostUri, 'http://localhost:7071/runtime/webhooks/durabletask/instances/x/raiseEvent/{eventName}');

    const named = contextFor(['wait', '--id', 'x', '--host', 'http://localhost:7071', '--task-hub-name', 'MyHub', '--connection-string-setting', 'Store']);
    assert.equal(
      completionLinksFor(named, { client, where: '' }, 'x').resumePostUri,
      'http://localhost:7071/runtime/webhooks/durabletask/instances/x/resume?reason={text}&taskHub=MyHub&connection=Store',
    );
  });
});
