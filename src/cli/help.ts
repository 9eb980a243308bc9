// Help text, rendered from the command specs in src/cli/commands/*.ts (the single source of the
// flags, their descriptions and the examples), so help can't drift from what the parser accepts.
import type { CommandSpec, FlagSpec } from './args';

const INDENT = '  ';
const WIDTH = 100;

/** Word-wraps each line of `text` to `width` columns; explicit newlines are kept. */
export function wrap(text: string, width = WIDTH): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push(line);
  }
  return out;
}

function flagLabel(f: FlagSpec): string {
  const names = `${f.short ? `-${f.short}, ` : ''}--${f.name}`;
  switch (f.kind) {
    case 'boolean':
      return names;
    case 'string':
      return `${names} ${f.value ?? 'VALUE'}`;
    case 'optional':
      return `${names} [${f.value ?? 'VALUE'}]`;
    case 'list':
      return `${names} ${f.value ?? 'VALUE'}...`;
  }
}

function flagRows(flags: readonly FlagSpec[]): string[] {
  const labels = flags.map(flagLabel);
  const width = Math.max(0, ...labels.map((l) => l.length));
  return flags.map((f, i) => {
    const description = wrap(`${f.required ? '(required) ' : ''}${f.description}`, Math.max(40, WIDTH - width - 4));
    return `${INDENT}${labels[i].padEnd(width)}  ${description.join(`\n${INDENT}${' '.repeat(width + 2)}`)}`;
  });
}

export function commandUsage(command: CommandSpec): string {
  const required = command.flags.filter((f) => f.required).map((f) => `--${f.name} ${f.value ?? 'VALUE'}`);
  return `durable ${command.name}${required.length ? ` ${required.join(' ')}` : ''} [flags]`;
}

export function renderCommandHelp(command: CommandSpec, commonFlags: readonly FlagSpec[]): string {
  const lines = [`Usage: ${commandUsage(command)}`, '', command.summary];
  if (command.description) {
    lines.push('', ...wrap(command.description));
  }
  if (command.flags.length > 0) {
    lines.push('', 'Flags:', ...flagRows(command.flags));
  }
  lines.push('', 'Common flags:', ...flagRows(commonFlags));
  if (command.examples && command.examples.length > 0) {
    lines.push('', 'Examples:', ...command.examples.map((e) => `${INDENT}${e}`));
  }
  return `${lines.join('\n')}\n`;
}

export function renderGlobalHelp(commands: readonly CommandSpec[], commonFlags: readonly FlagSpec[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    `durable ${version}: manage Azure Durable Functions task hubs directly in Azure Storage`,
    '(the `func durable` commands, without a Functions host or .NET), or through a running host.',
    '',
    'Usage: durable <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `${INDENT}${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common flags (every command):',
    ...flagRows(commonFlags),
    '',
    'Other:',
    ...flagRows([
      { name: 'help', short: 'h', kind: 'boolean', description: "Show help; 'durable <command> --help' for one command." },
      { name: 'version', short: 'V', kind: 'boolean', description: 'Print the version.' },
    ]),
    '',
    'Connection: the storage connection string is read from the environment variable named by',
    '--connection-string-setting, else from Values in local.settings.json. The setting name defaults to',
    "host.json's storageProvider connectionName (or connectionStringName, azureStorageConnectionStringName),",
    'else AzureWebJobsStorage. Identity-based connections (<name>__accountName, <name>__tableServiceUri, …)',
    'sign in with DefaultAzureCredential.',
    'The task hub is --task-hub-name, else host.json durableTask hubName, else the only task hub in',
    'the account.',
    '',
    'Over a running host: with --host URL [--code KEY], the instance commands go through the HTTP management',
    "API of the Functions host at URL (its durabletask_extension system key in --code) instead of storage;",
    'no connection string is needed. What needs storage (list-task-hubs, delete-task-hub, --force, --dry-run,',
    '--scheduled-start-time, --tags, …) is refused with exit 2. JSON fields the host does not give are null.',
    '',
    'Exit codes: 0 success, 1 failure, 2 bad command line or input, 3 still running when wait timed out,',
    '130 cancelled (Ctrl-C).',
    'Set DURABLE_DEBUG=1 to print stack traces with errors.',
  ];
  return `${lines.join('\n')}\n`;
}
