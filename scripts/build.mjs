// Bundles the CLI, the extension and the webview pages with esbuild. `--production` minifies.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';

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
// The webview pages: browser code (src/webview/), one script and one stylesheet per page, plus
// the codicon font and stylesheet copied from @vscode/codicons (the extension ships only dist/,
// and a webview may only load from dist/webview: its localResourceRoots).
await rm('dist/webview', { recursive: true, force: true });
await build({
  entryPoints: { instance: 'src/webview/instance/main.ts', hub: 'src/webview/hub/main.ts' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
});
await build({
  entryPoints: { instance: 'src/webview/instance/instance.css', hub: 'src/webview/hub/hub.css' },
  outdir: 'dist/webview',
  bundle: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
});
await mkdir('dist/webview/codicons', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) {
  await copyFile(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/codicons/${file}`);
}
console.log(`built dist/cli.js, dist/extension.js, dist/webview/${production ? ' (production)' : ''}`);
