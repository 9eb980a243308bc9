// The CLI's only window on the process: streams, environment, working directory, prompts,
// cancellation and credentials. `main` touches nothing else, so tests drive it with fakes.
import type { TokenCredential } from '@azure/core-auth';
import type { IdentityConnectionSettings } from '../core';

export interface CliIo {
  /** Writes text as-is (include '\n'). */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Resolves once stdout has room again (its buffer below the high-water mark): long outputs wait
   * on it between pages, so a slow reader holds the listing back instead of filling memory.
   * Absent: no waiting (tests' in-memory streams).
   */
  drain?: () => Promise<void>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** stdin and stdout are TTYs. */
  isInteractive: boolean;
  /** Reads one line. */
  prompt: (question: string) => Promise<string>;
  signal?: AbortSignal;
  /**
   * Credential for identity-based connections. Tests inject this to avoid DefaultAzureCredential;
   * nodeIo builds one from @azure/identity (required lazily), honouring `<setting>__clientId`,
   * `__tenantId` and `__credential=managedidentity` when resolveConnection passes them.
   */
  createCredential?: (settings?: IdentityConnectionSettings) => TokenCredential;
  now?: () => Date;
}

/** The real process: used by bin.ts only. */
export function nodeIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    drain: () =>
      process.stdout.writableNeedDrain
        ? new Promise<void>((resolve) => {
            // 'close' too: a reader that went away (EPIPE) never drains.
            const done = (): void => {
              process.stdout.off('drain', done).off('close', done);
              resolve();
            };
            process.stdout.once('drain', done).once('close', done);
          })
        : Promise.resolve(),
    env: process.env,
    cwd: process.cwd(),
    isInteractive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    prompt: (question) => readLine(question, signal),
    signal,
    createCredential: (settings = {}) => {
      // Loaded on first need only: @azure/identity (and MSAL) are heavy and most runs use a connection string.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const identity = require('@azure/identity') as typeof import('@azure/identity');
      if (settings.credential?.toLowerCase() === 'managedidentity') {
        return settings.clientId ? new identity.ManagedIdentityCredential(settings.clientId) : new identity.ManagedIdentityCredential();
      }
      return new identity.DefaultAzureCredential({
        ...(settings.tenantId ? { tenantId: settings.tenantId } : {}),
        ...(settings.clientId ? { managedIdentityClientId: settings.clientId } : {}),
      });
    },
    now: () => new Date(),
  };
}

async function readLine(question: string, signal?: AbortSignal): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  // Prompts go to stderr so stdout stays clean for piping.
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // In raw mode Ctrl-C reaches readline, not the process: turn it into a cancellation.
  const local = new AbortController();
  rl.on('SIGINT', () => local.abort());
  try {
    return await rl.question(question, { signal: signal ? AbortSignal.any([signal, local.signal]) : local.signal });
  } finally {
    rl.close();
  }
}
