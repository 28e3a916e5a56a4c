// The layering rule (see ../shared/STYLE.md): shared imports nothing of ours; preload and renderer import
// shared only; the engine never imports a transport. Enforced here, not by memory.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  layer(['src/shared/**'], ['**/main/**', '**/preload/**', '**/renderer/**', '**/verifier/**', 'electron', 'node:*'], 'src/shared is pure TS and imports nothing of ours.'),
  layer(['src/main/engine/**'], ['**/http/**', '**/ipc/**', '**/renderer/**', '**/preload/**', 'electron'], 'The engine must not import a transport or UI.'),
  layer(['src/main/store/**', 'src/main/keys/**'], ['**/engine/**', '**/http/**', '**/ipc/**', '**/renderer/**', 'electron'], 'Store and key vault sit below the engine.'),
  layer(['src/preload/**'], ['**/main/**', '**/renderer/**', '**/verifier/**'], 'The preload imports only electron and shared.'),
  layer(['src/renderer/**'], ['**/main/**', '**/preload/**', '**/verifier/**', 'electron', 'node:*'], 'The renderer imports only shared.'),
  layer(['src/verifier/**'], ['**/main/**', '**/renderer/**', '**/preload/**', 'electron'], 'The resource-server kit is standalone: it imports only shared.'),
);
