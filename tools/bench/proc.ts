// Child processes timed from the parent: spawn to exit, with their peak RSS (via the preload).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProcessRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in bytes, when the RSS preload was given. */
  maxRss: number | null;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** 'null': stdout goes to /dev/null (a listing streamed away); 'capture': kept. */
  stdout?: 'null' | 'capture';
  /** The preload that reports peak RSS (ChildBundles.rssPreload). */
  rssPreload?: string;
  timeoutMs?: number;
}

/** Runs `node [--require preload] args…` and times it from spawn to exit. */
export async function runNode(args: readonly string[], o: RunOptions = {}): Promise<ProcessRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'durable-bench-rss-'));
  const rssFile = path.join(dir, 'rss');
  const devNull = o.stdout === 'null' ? openSync('/dev/null', 'w') : undefined;
  try {
    const started = process.hrtime.bigint();
    const result = await new Promise<Omit<ProcessRun, 'maxRss'>>((resolve, reject) => {
      const child = spawn(process.execPath, [...(o.rssPreload ? ['--require', o.rssPreload] : []), ...args], {
        cwd: o.cwd,
        env: { ...process.env, ...o.env, ...(o.rssPreload ? { BENCH_RSS_FILE: rssFile } : {}) },
        stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr });
      });
    });
    const maxRss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) * 1024 : null;
    return { ...result, maxRss };
  } finally {
    if (devNull !== undefined) {
      closeSync(devNull);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails with the child's stderr when it did not exit 0. */
export function check(run: ProcessRun, what: string): ProcessRun {
  if (run.code !== 0) {
    throw new Error(`${what} exited with ${run.code}: ${run.stderr.trim().slice(-600)}`);
  }
  return run;
}
