// Flat ESLint config. The layering rules are the point: src/core and src/cli
// must never depend on VS Code, so both the CLI and the extension can share core.
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Node's built-in modules, with and without the `node:` prefix: browser code must use none.
const nodeBuiltins = [...new Set(builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]))];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      curly: 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Instance ids may hold control characters; matching them is the point of those regexes.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.object.name=/^(describe|it|suite|test)$/][callee.property.name='only']",
        message: 'Do not commit .only tests.',
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core and src/cli must not depend on VS Code.' }],
        patterns: [
          { group: ['**/extension/**', '**/webview/**'], message: 'core/cli must not import the extension or webview layers.' },
          { group: ['**/tools/**', '**/test/**'], message: 'shipped code must not depend on development tooling or tests.' },
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code.' }],
        patterns: [
          { group: ['**/extension/**', '**/webview/**', '**/cli/**'], message: 'core is the bottom layer: it imports nothing above it.' },
          { group: ['**/tools/**', '**/test/**'], message: 'shipped code must not depend on development tooling or tests.' },
        ],
      }],
    },
  },
  {
    // The webview pages run in the browser: no VS Code API, no Node, no storage code (core), no
    // extension code. They may use src/shared (the protocol) and type-only imports.
    files: ['src/webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'Webview code runs in the browser: talk to the host through src/shared/protocol.ts.' },
          ...nodeBuiltins.map((name) => ({ name, message: 'Webview code runs in the browser: no Node built-ins.' })),
        ],
        patterns: [
          { group: ['**/core', '**/core/**'], allowTypeImports: true, message: 'The page never touches storage: ask the host (type-only imports are fine).' },
          { group: ['**/extension', '**/extension/**', '**/cli/**'], message: 'Webview code must not import the extension host or the CLI.' },
          { group: ['**/tools/**', '**/test/**'], message: 'shipped code must not depend on development tooling or tests.' },
          { group: ['@azure/*'], message: 'Webview code runs in the browser: no storage SDKs.' },
        ],
      }],
      // Instance data is rendered as text (textContent, createElement), never parsed as markup.
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: 'Build the DOM with src/webview/dom.ts (text nodes), never from markup.' },
        { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment|parseFromString)$/]", message: 'Build the DOM with src/webview/dom.ts (text nodes), never from markup.' },
        { selector: "CallExpression[callee.name=/^(eval|Function)$/], NewExpression[callee.name='Function']", message: "No eval: the page's CSP forbids it anyway." },
      ],
    },
  },
  {
    // Shared by host and pages: nothing from either side, nor from core at runtime.
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/shared is used by the pages too: no VS Code API.' },
          ...nodeBuiltins.map((name) => ({ name, message: 'src/shared is used by the pages too: no Node built-ins.' })),
        ],
        patterns: [
          { group: ['**/core', '**/core/**'], allowTypeImports: true, message: 'src/shared may only use types from core.' },
          { group: ['**/extension', '**/extension/**', '**/webview/**', '**/cli/**'], message: 'src/shared imports nothing from the layers that use it.' },
          { group: ['**/tools/**', '**/test/**'], message: 'shipped code must not depend on development tooling or tests.' },
          { group: ['@azure/*'], message: 'src/shared is used by the pages too: no storage SDKs.' },
        ],
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
