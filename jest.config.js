/** Unit tests run against sources; `*.int.test.ts` talk to real servers (MariaDB, Redis, node:http). */
const { maxWorkers, testTimeout, ...base } = require('./scripts/jest-base.js');

const shared = {
  ...base,
  moduleNameMapper: {
    '^@poolaudit/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
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
  testTimeout,
  maxWorkers,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
