/** Unit tests run against sources; `*.int.test.ts` talk to real servers (MariaDB, Redis, node:http). */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    '^@poolaudit/([a-z0-9-]+)$':
      '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  rootDir: __dirname,
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '!**/*.int.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/packages/*/test/**/*.int.test.ts',
        '<rootDir>/test/**/*.int.test.ts',
        '<rootDir>/examples/*/test/**/*.int.test.ts',
      ],
    },
  ],
  // Real servers and real timeouts (an 800 ms request gap, a server restart): jest's 5 s is too tight.
  testTimeout: 30_000,
  // Integration tests count sockets in the kernel's table: one file at a time keeps those counts honest.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
