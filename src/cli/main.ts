// The `durable` CLI as a function: parse argv, run one command, return the exit code. Everything
// it touches comes through `io`, so tests run it in-process; bin.ts is the only process glue.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Flags, parseArgs } from './args';
import { COMMANDS, COMMON_FLAGS } from './commands';
import { createContext } from './commands/common';
import { renderCommandHelp, renderGlobalHelp } from './help';
import type { CliIo } from './io';
import { EXIT_CANCELLED, EXIT_OK, EXIT_USAGE, formatError, sanitizeForTerminal } from './output';

export type { CliIo } from './io';

let cachedVersion: string | undefined;

/** This package's version: the nearest package.json above this file (dist/ when bundled, out/src/cli/ when compiled). */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    cachedVersion = '0.0.0';
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (existsSync(file)) {
        try {
          const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
          if (pkg.name === 'durable-explorer' && pkg.version) {
            cachedVersion = pkg.version;
            break;
          }
        } catch {
          // Not ours or unreadable: keep looking upwards.
        }
      }
      if (path.dirname(dir) === dir) {
        break;
      }
    }
  }
  return cachedVersion;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  // Filled with the connection string, key and SAS as soon as they are resolved, so that any
  // error after that point is printed with them masked.
  const secrets: string[] = [];
  const debug = Boolean(io.env.DURABLE_DEBUG);
  try {
    const parsed = parseArgs(argv, COMMANDS, COMMON_FLAGS);
    if (parsed.kind === 'version') {
      io.stdout(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    if (parsed.kind === 'help') {
      const text = parsed.command ? renderCommandHelp(parsed.command, COMMON_FLAGS) : renderGlobalHelp(COMMANDS, COMMON_FLAGS, packageVersion());
      if (argv.length === 0) {
        // No command at all is a usage error: help goes to stderr, exit 2.
        io.stderr(text);
        return EXIT_USAGE;
      }
      io.stdout(text);
      return EXIT_OK;
    }
    const command = COMMANDS.find((c) => c.name === parsed.command.name);
    if (!command) {
      throw new Error(`Command '${parsed.command.name}' has no implementation.`);
    }
    const ctx = createContext(io, new Flags(parsed.values), secrets, command.name);
    return await command.run(ctx);
  } catch (e) {
    if (io.signal?.aborted) {
      // Whatever the SDK threw on the way out, Ctrl-C is the cause.
      io.stderr('error: Cancelled.\n');
      return EXIT_CANCELLED;
    }
    const { text, exitCode } = formatError(e, secrets, { debug });
    io.stderr(sanitizeForTerminal(text));
    return exitCode;
  }
}
