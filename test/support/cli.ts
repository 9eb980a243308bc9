// Runs the `durable` CLI in-process through `main`, with fake streams and no terminal, and
// captures what it printed. Each run gets a fresh empty temp directory as its cwd unless one is given.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock duration of the run. */
  ms: number;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  /** Working directory; default a fresh empty temp dir, removed afterwards. */
  cwd?: string;
  /** The CLI's clock (relative dates such as `30m`). */
  now?: Date;
  isInteractive?: boolean;
  /** Answers for prompts, in order; a prompt with no answer left fails the run. */
  answers?: string[];
  signal?: AbortSignal;
}

/** A fresh empty directory under the OS temp dir. */
export function tempDir(prefix = 'durable-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function runCli(argv: string[], o: RunCliOptions = {}): Promise<CliResult> {
  const cwd = o.cwd ?? tempDir();
  const answers = [...(o.answers ?? [])];
  let stdout = '';
  let stderr = '';
  const now = o.now;
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { ...(o.env ?? {}) },
    cwd,
    isInteractive: o.isInteractive ?? false,
    prompt: async (question) => {
      const answer = answers.shift();
      if (answer === undefined) {
        throw new Error(`Unexpected prompt: ${question}`);
      }
      return answer;
    },
    ...(o.signal ? { signal: o.signal } : {}),
    ...(now ? { now: () => new Date(now.getTime()) } : {}),
  };
  const started = Date.now();
  try {
    const code = await main(argv, io);
    return { code, stdout, stderr, ms: Date.now() - started };
  } finally {
    if (o.cwd === undefined) {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
}

/** stdout parsed as JSON; fails with the captured output when it is not. */
export function jsonOf<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}); exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`, { cause: e });
  }
}

/** A one-line description of a run for assertion messages. */
export function describeRun(r: CliResult): string {
  return `exit ${r.code}; stderr: ${JSON.stringify(r.stderr)}; stdout: ${JSON.stringify(r.stdout.slice(0, 500))}`;
}
