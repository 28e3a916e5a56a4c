// The layering rule (see ../shared/STYLE.md): shared imports nothing of ours; preload and renderer import
// shared only; the engine never imports a transport; the resource-server kit (packages/verifier, published as
// @token-warden/verifier) imports only Node's own modules, and the service uses it as any API does. Enforced
// here, not by memory.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
});

export default tseslint.config(
  { ignores: ['out/**', '**/dist/**', 'packages/*/dist.*/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'packages/*/*.mjs', '*.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  layer(['src/shared/**'], ['**/main/**', '**/preload/**', '**/renderer/**', '**/packages/**', '@token-warden/*', 'electron', 'node:*'], 'src/shared is pure TS and imports nothing of ours.'),
  layer(['src/main/engine/**'], ['**/http/**', '**/ipc/**', '**/renderer/**', '**/preload/**', 'electron'], 'The engine must not import a transport or UI.'),
  layer(['src/main/store/**', 'src/main/keys/**'], ['**/engine/**', '**/http/**', '**/ipc/**', '**/renderer/**', 'electron'], 'Store and key vault sit below the engine.'),
  layer(['src/preload/**'], ['**/main/**', '**/renderer/**', '**/packages/**', '@token-warden/*'], 'The preload imports only electron and shared.'),
  layer(['src/renderer/**'], ['**/main/**', '**/preload/**', '**/packages/**', '@token-warden/*', 'electron', 'node:*'], 'The renderer imports only shared.'),
  {
    // The published kit: no runtime dependencies and nothing from the app, so only node:* and its own files.
    files: ['packages/verifier/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(?!node:|\\.{1,2}/)', message: 'The resource-server kit has no dependencies: it imports only node:* and its own modules.' },
        { regex: '^\\.\\./\\.\\./', message: 'The resource-server kit is standalone: nothing outside packages/verifier/src.' },
      ] }],
    },
  },
);
