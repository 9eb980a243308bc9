// Where the bench runs: the repository root, the machine, and the helper bundles it builds for
// child processes. esbuild and playwright-core are loaded from the repository's node_modules at
// run time (never bundled into the bench itself: run-tool bundles tools/bench/main.ts).
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The repository root: the nearest folder upwards holding durable-explorer's package.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'durable-explorer') {
          return dir;
        }
      } catch {
        // not ours; keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) {
      throw new Error(`Could not find the durable-explorer repository above ${from}`);
    }
    dir = up;
  }
}

/** `require` resolving from the repository root, hidden from the bundler. */
export function rootRequire(root: string): NodeJS.Require {
  return createRequire(path.join(root, 'package.json'));
}

/**
 * A rough speed reference for comparing absolute figures across machines: the median time of
 * JSON.stringify + JSON.parse of 10,000 history-like objects (a few MB), in this process.
 */
export function calibrate(): number {
  const items = Array.from({ length: 10_000 }, (_, i) => ({ i, type: 'TaskCompleted', eventId: i, time: new Date(i * 1000).toISOString(), name: `City-${i}`, summary: '"Hello City!"' }));
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    JSON.parse(JSON.stringify(items));
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b)[2];
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
  azurite: string;
  chromium: string | null;
  /** calibrate() here, in ms. */
  calibrationMs: number;
  /** Load average (1 min) when the run ended: other work on a shared machine. */
  load: number;
}

export function machineInfo(root: string, chromium: string | null): MachineInfo {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) {
      osName = `${pretty[1]} (${os.type()} ${os.release()})`;
    }
  } catch {
    // not Linux
  }
  let azurite = 'unknown';
  try {
    azurite = (JSON.parse(readFileSync(path.join(root, 'node_modules', 'azurite', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // not installed
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: osName,
    azurite,
    chromium,
    calibrationMs: calibrate(),
    load: os.loadavg()[0],
  };
}

/** Newest modification time under `dir` (files matching `filter`), 0 when none. */
export function newestMtime(dir: string, filter: (name: string) => boolean = () => true): number {
  let newest = 0;
  if (!existsSync(dir)) {
    return 0;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestMtime(p, filter));
    } else if (filter(entry.name)) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** Whether dist/ is older than the sources it is built from (the bench measures dist as it is). */
export function distState(root: string): { exists: boolean; stale: boolean; builtAt: Date | null; production: boolean } {
  const cli = path.join(root, 'dist', 'cli.js');
  const ext = path.join(root, 'dist', 'extension.js');
  if (!existsSync(cli) || !existsSync(ext) || !existsSync(path.join(root, 'dist', 'webview', 'instance.js'))) {
    return { exists: false, stale: true, builtAt: null, production: false };
  }
  const built = Math.min(statSync(cli).mtimeMs, statSync(ext).mtimeMs);
  const src = newestMtime(path.join(root, 'src'), (n) => n.endsWith('.ts') || n.endsWith('.css'));
  // A minified bundle has no line-per-statement layout: few, very long lines.
  const head = readFileSync(ext, 'utf8').slice(0, 20_000);
  const production = head.split('\n').length < 20;
  return { exists: true, stale: src > built, builtAt: new Date(built), production };
}

export interface ChildBundles {
  /** Core in a fresh process (peak RSS of a full listing). */
  core: string;
  /** The raw SDK alone in a fresh process (the floor of a CLI run). */
  raw: string;
  /** Loads and activates the extension bundle under a stub `vscode`. */
  activation: string;
  /** Azurite in its own process. */
  azurite: string;
  /** `--require` preload that writes the process's peak RSS to $BENCH_RSS_FILE at exit. */
  rssPreload: string;
}

/**
 * Bundles the child-process entries into .cache/bench/ (esbuild, as run-tool does for tools), so
 * the bench works the same whether it runs bundled (`npm run bench`) or compiled by tsc (the
 * smoke test): both build the children from the TypeScript sources.
 */
export async function buildChildBundles(root: string): Promise<ChildBundles> {
  const esbuild = rootRequire(root)('esbuild') as typeof import('esbuild');
  const outdir = path.join(root, '.cache', 'bench');
  await esbuild.build({
    entryPoints: {
      core: path.join(root, 'tools', 'bench', 'coreChild.ts'),
      raw: path.join(root, 'tools', 'bench', 'rawChild.ts'),
      activation: path.join(root, 'tools', 'bench', 'activationChild.ts'),
      azurite: path.join(root, 'tools', 'bench', 'azuriteChild.ts'),
    },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['azurite', 'vscode'],
    logLevel: 'warning',
  });
  const rssPreload = path.join(outdir, 'rss-preload.cjs');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    rssPreload,
    // maxRSS is in kilobytes. Written synchronously at exit, whatever the exit path.
    "process.on('exit', () => { if (process.env.BENCH_RSS_FILE) require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n",
  );
  const out = (name: string): string => path.join(outdir, `${name}.cjs`);
  return { core: out('core'), raw: out('raw'), activation: out('activation'), azurite: out('azurite'), rssPreload };
}

/** Debian's Chromium, or what CHROMIUM_PATH names; null when there is none. */
export function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) {
      return p;
    }
  }
  return null;
}
