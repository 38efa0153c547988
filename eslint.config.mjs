// ESLint: typescript-eslint's type-checked recommended rules plus the module boundaries of conventions.md, enforced in CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  // src/media/wasm is AssemblyScript (its own compiler, asc): not TypeScript for tsc or this linter.
  { ignores: ['src/media/wasm/**', 'dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'out/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  // Typed linting: every linted file is in tsconfig.json's include, so the project service finds its program.
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  {
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // Off: here an `async` without `await` implements a Promise-returning contract (Nest guard hooks, Fastify
      // async hooks, ORM transaction callbacks, port methods) and turns a throw into a rejection; dropping it changes behaviour.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught value (typed unknown) is a rethrow, as only-throw-error allows; a literal non-Error still fails.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
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
        group: ['**/providers/**', '!**/providers/ports', '!**/providers/providers.module', '!**/providers/provider.errors', '!**/config/providers/**'],
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
  // The environment is read in config/ only; scripts, tests and specs may read their own knobs.
  {
    files: ['src/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read the environment in config/ only (docs/conventions.md, One place per decision)' }],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // jest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any` by @types/jest.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Tests reject with execFile's error, typed ExecFileException (an Omit<> of Error the rule does not see as one).
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  // Scripts are command-line tools: they print.
  { files: ['scripts/**/*.ts'], rules: { 'no-console': 'off' } },
);
