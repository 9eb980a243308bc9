// Bundles the CLI and the extension with esbuild. `--production` minifies.
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
// The extension: `vscode` is provided by the host. The Azure SDKs are bundled; esbuild wraps each
// module so it is evaluated on first `require`, which core does lazily on the first storage call.
await build({
  ...common,
  entryPoints: ['src/extension/extension.ts'],
  outfile: 'dist/extension.js',
  external: ['vscode'],
});
console.log(`built dist/cli.js, dist/extension.js${production ? ' (production)' : ''}`);
