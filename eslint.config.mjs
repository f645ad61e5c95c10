// @ts-check
// ESLint flat config: typescript-eslint recommended rules, plus the guard that keeps the engine
// free of VS Code and of the LSP connection (only server.ts and main.ts may import them).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const engineGuard = {
  paths: [
    { name: 'vscode', message: 'The engine must not depend on VS Code.' },
    { name: 'vscode-languageserver', message: 'Only server/src/server.ts and main.ts talk to the LSP connection; use vscode-languageserver-types.' },
    { name: 'vscode-languageserver/node', message: 'Only server/src/main.ts creates the connection.' },
    { name: 'vscode-languageclient', message: 'The client library belongs to client/.' },
  ],
  patterns: [{ group: ['vscode-languageserver/*', 'vscode-languageclient/*'], message: 'The engine must not depend on the LSP connection or client.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '**/*.generated.ts', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/server.ts', 'server/src/main.ts'],
    rules: { 'no-restricted-imports': ['error', engineGuard] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
