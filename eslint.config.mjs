import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The provider port (src/core/cloud/provider.ts): provider-neutral code never imports a provider module (nor
// the registry that holds them); it gets CloudProvider values from the composition root (backend/compose.ts).
// test/lint-provider-boundary.test.ts proves the rule fires.
// Every folder under src/core/cloud/ is a provider (a new cloud's folder is covered without touching this file).
export const PROVIDER_FOLDERS = readdirSync(new URL('./src/core/cloud/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
export const PROVIDER_MODULE_PATTERNS = [
  { group: PROVIDER_FOLDERS.flatMap((name) => [`**/cloud/${name}`, `**/cloud/${name}/**`]), message: 'Provider-neutral code must not import a provider module: take the CloudProvider (src/core/cloud/provider.ts) from the composition root.' },
  { group: ['**/cloud/registry', '**/backend/compose'], message: 'Provider-neutral code must not pick providers itself: the composition root (backend/compose.ts) hands them in.' },
];
export const PROVIDER_NEUTRAL_FILES = ['src/core/rules/**/*.ts', 'src/core/diagnosis/**/*.ts', 'src/core/session/**/*.ts', 'src/core/report/**/*.ts'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // The renderer never touches the network or the file system.
      // … and is provider-neutral (the patterns are repeated here: a later block replaces a rule's options).
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'electron', 'fs', 'net', 'child_process'] }, ...PROVIDER_MODULE_PATTERNS] }],
    },
  },
  {
    files: PROVIDER_NEUTRAL_FILES,
    // A unit test is its own composition root: it may wire a real provider as a fixture.
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: PROVIDER_MODULE_PATTERNS }] },
  },
  { files: ['bin/**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
