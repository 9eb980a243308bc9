// The CLI argument parser, the command table it is driven by, and main()'s handling of
// help, version and usage errors (no storage involved).
import assert from 'node:assert/strict';
import type { CommandSpec, FlagSpec } from '../../src/cli/args';
import { Flags, UsageError, editDistance, parseArgs, suggest } from '../../src/cli/args';
import { COMMANDS, COMMON_FLAGS } from '../../src/cli/commands';
import { renderCommandHelp } from '../../src/cli/help';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { EXIT_USAGE, formatError } from '../../src/cli/output';

const COMMON: FlagSpec[] = [
  { name: 'task-hub-name', kind: 'string', description: '' },
  { name: 'json', kind: 'boolean', description: '' },
];

const SPECS: CommandSpec[] = [
  {
    name: 'get-instances',
    summary: '',
    flags: [
      { name: 'runtime-status', kind: 'list', description: '' },
      { name: 'top', kind: 'string', description: '' },
      { name: 'show-input', kind: 'boolean', description: '' },
      { name: 'tags', kind: 'list', splitCommas: false, description: '' },
    ],
  },
  {
    name: 'terminate',
    summary: '',
    flags: [
      { name: 'id', kind: 'string', required: true, description: '' },
      { name: 'reason', kind: 'string', description: '' },
      { name: 'wait', kind: 'optional', description: '' },
      { name: 'force', kind: 'boolean', description: '' },
      { name: 'yes', short: 'y', kind: 'boolean', description: '' },
    ],
  },
];

function run(argv: string[]): Record<string, unknown> {
  const r = parseArgs(argv, SPECS, COMMON);
  assert.equal(r.kind, 'run');
  return r.kind === 'run' ? r.values : {};
}

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv, SPECS, COMMON);
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${argv.join(' ')} to be rejected`);
}

describe('cli args', () => {
  describe('values', () => {
    it('reads --flag value and --flag=value', () => {
      assert.deepEqual(run(['terminate', '--id', 'abc', '--reason=because it=broke']), { id: 'abc', reason: 'because it=broke' });
    });

    it('takes a value that starts with a dash but is not a flag', () => {
      assert.deepEqual(run(['terminate', '--id', '-abc', '--reason', '-5']), { id: '-abc', reason: '-5' });
    });

    it('sets boolean flags, and accepts func-style true/false after them', () => {
      assert.deepEqual(run(['get-instances', '--show-input', '--json']), { 'show-input': true, json: true });
      assert.deepEqual(run(['get-instances', '--show-input', 'false', '--json=true']), { 'show-input': false, json: true });
    });

    it('collects multi-value flags until the next flag, splitting commas', () => {
      const v = run(['get-instances', '--runtime-status', 'Running', 'completed,Failed', '--top', '5']);
      assert.deepEqual(v['runtime-status'], ['Running', 'completed', 'Failed']);
      assert.equal(v.top, '5');
    });

    it('appends repeated multi-value flags and accepts the = form', () => {
      assert.deepEqual(run(['get-instances', '--runtime-status=Running', '--runtime-status', 'Pending'])['runtime-status'], ['Running', 'Pending']);
    });

    it('does not split commas for flags that opt out', () => {
      assert.deepEqual(run(['get-instances', '--tags', 'a=1,b=2', 'c=3'])['tags'], ['a=1,b=2', 'c=3']);
    });

    it('gives optional-value flags true alone and their value otherwise', () => {
      assert.equal(run(['terminate', '--id', 'x', '--wait'])['wait'], true);
      assert.equal(run(['terminate', '--id', 'x', '--wait', '60'])['wait'], '60');
      assert.equal(run(['terminate', '--id', 'x', '--wait=5'])['wait'], '5');
      const v = run(['terminate', '--wait', '--force', '--id', 'x']);
      assert.equal(v.wait, true);
      assert.equal(v.force, true);
    });

    it('accepts short aliases', () => {
      assert.equal(run(['terminate', '--id', 'x', '-y'])['yes'], true);
    });

    it('accepts the common flags on every command', () => {
      assert.equal(run(['terminate', '--id', 'x', '--task-hub-name', 'Hub'])['task-hub-name'], 'Hub');
    });
  });

  describe('errors', () => {
    it('rejects an unknown flag with a did-you-mean suggestion', () => {
      const e = usageError(['get-instances', '--tas-hub-name', 'X']);
      assert.match(e.message, /Unknown flag '--tas-hub-name' for 'get-instances'\. Did you mean '--task-hub-name'\?/);
      assert.equal(e.command, 'get-instances');
    });

    it('suggests for swapped letters', () => {
      assert.match(usageError(['get-instances', '--tpo', '3']).message, /Did you mean '--top'\?/);
    });

    it('says which command has a flag that this one lacks', () => {
      assert.match(usageError(['terminate', '--id', 'x', '--runtime-status', 'Running']).message, /it is a flag of get-instances/);
    });

    it('rejects an unknown command with a suggestion', () => {
      const e = usageError(['get-instance']);
      assert.match(e.message, /Unknown command 'get-instance'\. Did you mean 'get-instances'\?/);
    });

    it('names a missing required flag, as a usage error (exit code 2)', () => {
      const e = usageError(['terminate', '--reason', 'r']);
      assert.match(e.message, /Missing required flag --id\./);
      assert.equal(formatError(e).exitCode, 2);
    });

    it('requires a value for value flags', () => {
      assert.match(usageError(['terminate', '--id', '--force']).message, /Flag --id needs a value/);
      assert.match(usageError(['terminate', '--id']).message, /Flag --id needs a value/);
      assert.match(usageError(['get-instances', '--runtime-status', '--json']).message, /needs at least one value/);
    });

    it('rejects an empty value (an unset shell variable) unless the flag allows it', () => {
      assert.equal(usageError(['terminate', '--id', '']).message, 'Flag --id was given an empty value; it needs a value.');
      assert.match(usageError(['get-instances', '--task-hub-name=']).message, /--task-hub-name was given an empty value/);
      assert.match(usageError(['terminate', '--id', 'x', '--wait', '']).message, /--wait was given an empty value; give a value or leave the value out/);
      const specs: CommandSpec[] = [{ name: 'c', summary: '', flags: [{ name: 'reason', kind: 'string', allowEmpty: true, description: '' }] }];
      const r = parseArgs(['c', '--reason', ''], specs);
      assert.equal(r.kind === 'run' ? r.values.reason : undefined, '');
    });

    it('rejects a flag given twice', () => {
      assert.match(usageError(['terminate', '--id', 'a', '--id', 'b']).message, /--id was given more than once/);
    });

    it('rejects stray positional arguments, hinting at switches', () => {
      assert.match(usageError(['get-instances', '--show-input', 'yes']).message, /Unexpected argument 'yes' \(--show-input is a switch/);
      assert.match(usageError(['terminate', '--id', 'x', 'extra']).message, /Unexpected argument 'extra'/);
    });

    it('rejects bad boolean values in the = form', () => {
      assert.match(usageError(['get-instances', '--json=maybe']).message, /--json is a switch/);
    });

    it('tells a single-dash long flag apart', () => {
      assert.match(usageError(['terminate', '-id', 'x']).message, /Unknown flag '-id'/);
    });

    it('wants the command first', () => {
      assert.match(usageError(['--json', 'get-instances']).message, /Expected a command before '--json'/);
    });
  });

  describe('help and version', () => {
    it('shows global help for --help, -h, help and no arguments', () => {
      for (const argv of [['--help'], ['-h'], ['help'], []]) {
        const r = parseArgs(argv, SPECS, COMMON);
        assert.equal(r.kind, 'help', argv.join(' '));
        assert.equal(r.kind === 'help' ? r.command : 'not help', undefined, argv.join(' '));
      }
    });

    it('shows command help for <cmd> --help, help <cmd> and --help <cmd>', () => {
      for (const argv of [['terminate', '--help'], ['terminate', '-h'], ['help', 'terminate'], ['--help', 'terminate']]) {
        const r = parseArgs(argv, SPECS, COMMON);
        assert.equal(r.kind, 'help');
        assert.equal(r.kind === 'help' ? r.command?.name : undefined, 'terminate', argv.join(' '));
      }
    });

    it('lets --help win over other mistakes on the line', () => {
      const r = parseArgs(['terminate', '--bogus', '--help'], SPECS, COMMON);
      assert.equal(r.kind === 'help' ? r.command?.name : r.kind, 'terminate');
    });

    it('recognizes --version', () => {
      assert.deepEqual(parseArgs(['--version'], SPECS, COMMON), { kind: 'version' });
    });
  });

  describe('suggestions', () => {
    it('computes edit distances', () => {
      assert.equal(editDistance('kitten', 'sitting'), 3);
      assert.equal(editDistance('top', 'tpo'), 1);
      assert.equal(editDistance('', 'abc'), 3);
    });

    it('suggests nothing for unrelated words', () => {
      assert.equal(suggest('xyz', ['get-instances', 'terminate']), undefined);
      assert.equal(suggest('status', ['get-runtime-status', 'get-instances']), 'get-runtime-status');
    });
  });

  describe('Flags accessors', () => {
    it('types values by kind', () => {
      const f = new Flags({ id: 'x', json: true, 'runtime-status': ['Running'], wait: true, new: '5' });
      assert.equal(f.string('id'), 'x');
      assert.equal(f.boolean('json'), true);
      assert.equal(f.boolean('missing'), false);
      assert.deepEqual(f.list('runtime-status'), ['Running']);
      assert.equal(f.optional('wait'), true);
      assert.equal(f.optional('new'), '5');
      assert.equal(f.optional('absent'), undefined);
      assert.throws(() => f.required('absent'), UsageError);
    });
  });

  describe('the command table', () => {
    it('has unique command names and no flag clashing with a common flag or another flag', () => {
      const names = COMMANDS.map((c) => c.name);
      assert.equal(new Set(names).size, names.length);
      for (const c of COMMANDS) {
        const flags = [...c.flags, ...COMMON_FLAGS].map((f) => f.name);
        assert.equal(new Set(flags).size, flags.length, `duplicate flag in ${c.name}`);
        const shorts = [...c.flags, ...COMMON_FLAGS].filter((f) => f.short).map((f) => f.short);
        assert.equal(new Set(shorts).size, shorts.length, `duplicate short flag in ${c.name}`);
      }
    });

    it('has the func durable commands with their flags', () => {
      const flagsOf = (name: string): string[] => COMMANDS.find((c) => c.name === name)?.flags.map((f) => f.name) ?? [];
      assert.deepEqual(flagsOf('start-new').slice(0, 3), ['function-name', 'id', 'input']);
      assert.ok(flagsOf('get-instances').includes('continuation-token'));
      assert.ok(flagsOf('raise-event').includes('event-data'));
      for (const name of ['get-runtime-status', 'get-history', 'terminate', 'purge-history', 'delete-task-hub', 'rewind']) {
        assert.ok(names().includes(name), name);
      }
      function names(): string[] {
        return COMMANDS.map((c) => c.name);
      }
    });

    it('parses a real command line with the real table', () => {
      const r = parseArgs(['purge-history', '--created-before', '30d', '--runtime-status', 'failed', 'completed', '--dry-run', '--json'], COMMANDS, COMMON_FLAGS);
      assert.equal(r.kind, 'run');
      assert.deepEqual(r.kind === 'run' ? r.values : undefined, {
        'created-before': '30d',
        'runtime-status': ['failed', 'completed'],
        'dry-run': true,
        json: true,
      });
    });

    it('renders every command help with each flag and the required marker', () => {
      for (const c of COMMANDS) {
        const text = renderCommandHelp(c, COMMON_FLAGS);
        assert.ok(text.startsWith(`Usage: durable ${c.name}`), c.name);
        for (const f of [...c.flags, ...COMMON_FLAGS]) {
          assert.ok(text.includes(`--${f.name}`), `${c.name} help lacks --${f.name}`);
        }
      }
      assert.match(renderCommandHelp(COMMANDS.find((c) => c.name === 'terminate') as CommandSpec, COMMON_FLAGS), /--id ID\s+\(required\)/);
    });
  });

  describe('main', () => {
    function fakeIo(): CliIo & { out: string; err: string } {
      const io = {
        out: '',
        err: '',
        stdout: (t: string) => {
          io.out += t;
        },
        stderr: (t: string) => {
          io.err += t;
        },
        env: {},
        cwd: process.cwd(),
        isInteractive: false,
        prompt: () => Promise.reject(new Error('no prompts in tests')),
      };
      return io;
    }

    it('exits 2 with one error line for an unknown command', async () => {
      const io = fakeIo();
      assert.equal(await main(['get-instanse'], io), EXIT_USAGE);
      assert.equal(io.out, '');
      assert.equal(io.err, "error: Unknown command 'get-instanse'. Did you mean 'get-instances'? See 'durable --help'.\n");
    });

    it('exits 2 naming --id when it is missing, before touching storage', async () => {
      const io = fakeIo();
      assert.equal(await main(['terminate', '--reason', 'x'], io), EXIT_USAGE);
      assert.match(io.err, /^error: Missing required flag --id\. See 'durable terminate --help'\.\n$/);
    });

    it('prints command help on stdout with exit 0', async () => {
      const io = fakeIo();
      assert.equal(await main(['get-history', '--help'], io), 0);
      assert.match(io.out, /^Usage: durable get-history --id ID \[flags\]/);
      assert.equal(io.err, '');
    });

    it('prints help on stderr with exit 2 when there is no command', async () => {
      const io = fakeIo();
      assert.equal(await main([], io), EXIT_USAGE);
      assert.match(io.err, /Usage: durable <command> \[flags\]/);
      assert.equal(io.out, '');
    });

    it('prints the package version', async () => {
      const io = fakeIo();
      assert.equal(await main(['--version'], io), 0);
      assert.match(io.out, /^\d+\.\d+\.\d+/);
    });

    it('reports an invalid flag value as a usage error before connecting', async () => {
      const io = fakeIo();
      assert.equal(await main(['get-instances', '--created-after', 'yesterday'], io), EXIT_USAGE);
      assert.match(io.err, /^error: Invalid date 'yesterday' for --created-after/);
    });
  });
});
