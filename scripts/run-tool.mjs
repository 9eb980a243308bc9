// Runs a development tool from tools/<name>/main.ts (`npm run seed`, `npm run worker`, `npm start`):
// installs if needed, bundles it with esbuild into .cache/tools/ (Azurite stays external: it is
// loaded from node_modules at run time) and runs it in this process, so Ctrl-C reaches it directly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
if (!name || !existsSync(path.join(root, 'tools', name, 'main.ts'))) {
  console.error(`usage: node scripts/run-tool.mjs <tool> [args]  (a tool is a folder of tools/ with a main.ts)`);
  process.exit(2);
}
if (!existsSync(path.join(root, 'node_modules', 'esbuild'))) {
  console.log('Installing dependencies (npm install)…');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.exit(r.status ?? 1);
  }
}
const { build } = await import('esbuild');
const outfile = path.join(root, '.cache', 'tools', `${name}.cjs`);
await build({
  entryPoints: [path.join(root, 'tools', name, 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['azurite'],
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
