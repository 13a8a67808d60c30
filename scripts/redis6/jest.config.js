'use strict';
/**
 * The node-redis adapter's tests again, with `redis` resolved to node-redis 6 (the root devDependency alias
 * `redis6`, `npm:redis@^6`): the adapter supports both majors, and `npm test` runs both.
 */
const base = require('../jest-base.js');

// Read by packages/redis/test/supported-majors.test.ts: the run proves it tests the major it names.
process.env.POOLAUDIT_REDIS_MAJOR = '6';

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  moduleNameMapper: {
    '^redis$': require.resolve('redis6', { paths: [base.rootDir] }),
    '^@poolaudit/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/packages/redis/test/**/*.test.ts'],
  reporters: ['default', ['<rootDir>/scripts/summary-reporter.js', { prefix: 'redis6' }]],
};
