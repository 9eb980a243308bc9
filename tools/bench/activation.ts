// Extension activation: dist/extension.js loaded and activated in fresh processes under a stub
// `vscode` (activationChild.ts), then the tree asked for its first page. What is measured is the
// extension's own code — module loading, activate(), the tree's storage calls — not VS Code's
// extension host, which adds its own cost before activate() and to render the items.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ActivationSample {
  loadMs: number;
  activateMs: number;
  firstPageMs: number;
  instances: number;
  instrumented: boolean;
  modules: { load: number; activate: number; firstPage: number };
  azure: { load: string[]; activate: string[]; firstPage: string[] };
}

// esbuild's lazy-module helpers (non-minified output). Each runs a bundled module's initialiser
// on first require; the instrumented copy records the module's path first.
const COMMONJS_CALL = 'return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;';
const ESM_CALL = 'return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;';
const RECORD = (v: string): string => `(globalThis.__benchModules && globalThis.__benchModules.push(__getOwnPropNames(${v})[0]), ${v}[__getOwnPropNames(${v})[0]])`;

/**
 * Copies the bundle with its module initialisers instrumented. False when the helpers are not
 * found (a minified build): laziness is then not checked, only timed.
 */
export function instrumentBundle(source: string, target: string): boolean {
  const text = readFileSync(source, 'utf8');
  if (text.split(COMMONJS_CALL).length !== 2 || text.split(ESM_CALL).length > 2) {
    copyFileSync(source, target);
    return false;
  }
  const out = text
    .replace(COMMONJS_CALL, `return mod || ${RECORD('cb')}((mod = { exports: {} }).exports, mod), mod.exports;`)
    .replace(ESM_CALL, `return fn && (res = ${RECORD('fn')}(fn = 0)), res;`);
  writeFileSync(target, out);
  return true;
}

export async function runActivation(o: {
  childBundle: string;
  extensionPath: string;
  extensionRoot: string;
  connectionString: string;
  hubName: string;
  group: string;
}): Promise<ActivationSample> {
  if (!existsSync(o.extensionPath)) {
    throw new Error(`${o.extensionPath} does not exist: build first (node scripts/build.mjs).`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [o.childBundle, o.extensionPath, o.hubName, o.group], {
      env: { ...process.env, BENCH_CONNECTION: o.connectionString, BENCH_EXTENSION_ROOT: o.extensionRoot },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`activation child failed (exit ${code}): ${err.trim().slice(-800)}`));
        return;
      }
      resolve(JSON.parse(line) as ActivationSample);
    });
  });
}

export function instrumentedPath(cacheDir: string): string {
  return path.join(cacheDir, 'extension.instrumented.js');
}
