// Flat ESLint config. The layering rules are the point: src/core and src/cli
// must never depend on VS Code, so both the CLI and the extension can share core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
