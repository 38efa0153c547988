// ESLint: typescript-eslint recommended rules plus the module boundaries of conventions.md, enforced in CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  // src/media/wasm is AssemblyScript (its own compiler, asc): not TypeScript for tsc or this linter.
  { ignores: ['src/media/wasm/**', 'dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'out/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  // jobs and stages meet only through libs/contracts events.
  { files: ['src/jobs/**/*.ts'], rules: restrict([{ group: ['**/stages/**', '**/providers/**', '**/media/**'], message: 'jobs talks to stages through libs/contracts events only' }]) },
  // stages reach providers through the ports (and the Nest module and error types that go with them), never an adapter.
  {
    files: ['src/stages/**/*.ts'],
    rules: restrict([
      { group: ['**/jobs/**'], message: 'stages talks to jobs through libs/contracts events only' },
      {
        group: ['**/providers/**', '!**/providers/ports', '!**/providers/providers.module', '!**/providers/provider.errors'],
        message: 'stages use providers through src/providers/ports.ts (with providers.module and provider.errors) only, not adapter internals',
      },
    ]),
  },
  // providers and media know nothing of NATS, the database or jobs.
  {
    files: ['src/providers/**/*.ts', 'src/media/**/*.ts'],
    rules: restrict([
      { group: ['**/jobs/**', '**/stages/**', '**/messaging/**', '**/database/**', '@mikro-orm/*', '@nats-io/*'], message: 'providers and media know nothing of NATS, the database or jobs' },
    ]),
  },
  // contracts are data: no Nest, no ORM, no app code.
  { files: ['libs/contracts/**/*.ts'], rules: restrict([{ group: ['@nestjs/*', '@mikro-orm/*', '@nats-io/*', '**/src/**'], message: 'contracts have no framework imports' }]) },
  { files: ['**/*.spec.ts', 'test/**/*.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
  // Scripts are command-line tools: they print.
  { files: ['scripts/**/*.ts'], rules: { 'no-console': 'off' } },
);
