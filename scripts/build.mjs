// Bundles the CLI (and, later, the extension) with esbuild. `--production` minifies.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  banner: { js: '#!/usr/bin/env node' },
});
await chmod('dist/cli.js', 0o755);
console.log(`built dist/cli.js${production ? ' (production)' : ''}`);
