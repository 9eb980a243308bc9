// Bundles the CLI, the extension and the webview pages with esbuild. `--production` minifies.
//
// The heavy dependencies (the three Azure Storage SDKs, @azure/identity, the telemetry reporter)
// are not in dist/cli.js and dist/extension.js: each is its own bundle under dist/sdk/, which the
// main bundles `require` (a path relative to the requiring file, so dist/) only when they first
// need it. Loading dist/cli.js or dist/extension.js therefore parses our code only, and a command
// that reads tables never parses the queue or blob SDKs. Each chunk bundles its own copy of the
// shared @azure/core-* packages (nothing crosses between them but duck-typed values: credentials,
// plain pipeline policies, Node agents), which costs some size and only matters once several load.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const production = process.argv.includes('--production');

/** Package → chunk (dist/sdk/<chunk>.js). Only the bare package name is redirected. */
export const LAZY_CHUNKS = {
  '@azure/data-tables': 'tables',
  '@azure/storage-queue': 'queues',
  '@azure/storage-blob': 'blobs',
  '@azure/identity': 'identity',
  '@vscode/extension-telemetry': 'telemetry',
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const chunkFilter = new RegExp(`^(${Object.keys(LAZY_CHUNKS).map(escape).join('|')})$`);

/** In the main bundles: `require('@azure/data-tables')` becomes `require('./sdk/tables.js')`, left external. */
const lazyChunks = {
  name: 'lazy-chunks',
  setup(b) {
    b.onResolve({ filter: chunkFilter }, (args) => {
      if (args.kind !== 'require-call') {
        // A static import would load the chunk with the bundle: only lazy `require`s may name these.
        return { errors: [{ text: `${args.path} is imported statically in ${args.importer}; require it lazily (it is a separate chunk).` }] };
      }
      return { path: `./sdk/${LAZY_CHUNKS[args.path]}.js`, external: true };
    });
  },
};

/** The chunks themselves: entry `chunk:<package>` is a module re-exporting the package. */
const chunkEntries = {
  name: 'chunk-entries',
  setup(b) {
    b.onResolve({ filter: /^chunk:/ }, (args) => ({ path: args.path.slice('chunk:'.length), namespace: 'chunk' }));
    b.onLoad({ filter: /.*/, namespace: 'chunk' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

/**
 * Builds, then writes each output to a temporary file renamed over the old one: a process running
 * dist/ while it is rebuilt (tests, the bench, another build) sees the old file or the new one,
 * never a missing or half-written one. Returns the paths written.
 */
async function buildAtomically(options, mode) {
  const result = await build({ ...options, write: false });
  for (const file of result.outputFiles) {
    await mkdir(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    if (mode !== undefined && file.path.endsWith('.js')) {
      await chmod(temporary, mode);
    }
    await rename(temporary, file.path);
  }
  return result.outputFiles.map((f) => f.path);
}

/**
 * The HTTP pipeline of the SDKs asks `typeof FormData !== "undefined" && body instanceof FormData`
 * of every request. In Node, `FormData` is a lazy global whose first read loads Node's bundled
 * undici (~60 ms of CPU in a fresh process, before the first request of a CLI run). The same test
 * with `body` first checked to be an object is the same answer (nothing else can be a FormData)
 * and never touches the global for the body-less GETs and the string bodies storage requests have.
 */
const FORM_DATA_TEST = 'typeof FormData !== "undefined" && body instanceof FormData';
const FORM_DATA_TEST_LAZY = `body !== null && (typeof body === "object" || typeof body === "function") && ${FORM_DATA_TEST}`;
let formDataTestsRewritten = 0;
const lazyFormData = {
  name: 'lazy-form-data',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](@azure[\\/]core-rest-pipeline|@typespec[\\/]ts-http-runtime)[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes(FORM_DATA_TEST)) {
        return undefined;
      }
      formDataTestsRewritten++;
      return { contents: text.split(FORM_DATA_TEST).join(FORM_DATA_TEST_LAZY), loader: 'js' };
    });
  },
};

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

const chunkFiles = await buildAtomically({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(LAZY_CHUNKS).map(([pkg, chunk]) => [chunk, `chunk:${pkg}`])),
  outdir: 'dist/sdk',
  // The telemetry reporter needs the host's `vscode`; only the extension loads it.
  external: ['vscode'],
  plugins: [chunkEntries, lazyFormData],
});
if (formDataTestsRewritten === 0) {
  console.warn('build: no FormData test found in the SDKs\' HTTP pipeline (changed upstream?): requests will load undici.');
}
// Whatever else is in dist/sdk/ is left from another build (a chunk since removed, the maps of a
// development build after a production one).
for (const name of await readdir('dist/sdk')) {
  const file = path.resolve('dist/sdk', name);
  if (!chunkFiles.includes(file) && !name.endsWith('.tmp')) {
    await rm(file, { force: true });
  }
}
await buildAtomically(
  {
    ...common,
    entryPoints: ['src/cli/bin.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyChunks],
  },
  0o755,
);
// The extension: `vscode` is provided by the host. Core requires the SDK chunks on the first
// storage call, the telemetry chunk only when there is somewhere to send events.
await buildAtomically({
  ...common,
  entryPoints: ['src/extension/extension.ts'],
  outfile: 'dist/extension.js',
  external: ['vscode'],
  plugins: [lazyChunks],
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
console.log(`built dist/cli.js, dist/extension.js, dist/sdk/, dist/webview/${production ? ' (production)' : ''}`);
