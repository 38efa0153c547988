/** Jest: pure unit specs next to the code; integration/e2e in test/ against the real PostgreSQL, NATS and ffmpeg. */
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }],
    // @fastify/static (Swagger UI assets) requires content-disposition 3, which ships ESM only.
    'node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: { '^@app/contracts$': '<rootDir>/libs/contracts/src/index.ts' },
  testEnvironment: 'node',
};
module.exports = {
  // Two workers run the integration files side by side (scripts/test.sh): the long ones first. A global
  // option (Jest ignores it inside a project); unit specs keep Jest's own order after the named files.
  testSequencer: '<rootDir>/test/support/slow-first.sequencer.js',
  projects: [
    { ...common, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/{src,libs,config}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.ts'],
    },
  ],
};
