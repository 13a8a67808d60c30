'use strict';
/**
 * The ioredis adapter's tests again, with `ioredis` resolved to ioredis 6 (the root devDependency alias
 * `ioredis6`, `npm:ioredis@^6`): the adapter supports both majors, and `npm test` runs both.
 */
const base = require('../jest-base.js');

// Read by packages/ioredis/test/supported-majors.test.ts: the run proves it tests the major it names.
process.env.POOLAUDIT_IOREDIS_MAJOR = '6';

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  moduleNameMapper: {
    '^ioredis$': require.resolve('ioredis6', { paths: [base.rootDir] }),
    '^@poolaudit/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/packages/ioredis/test/**/*.test.ts'],
  reporters: ['default', ['<rootDir>/scripts/summary-reporter.js', { prefix: 'ioredis6' }]],
};
