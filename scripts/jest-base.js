'use strict';
/** What every jest run of the repository shares: ts-jest over the sources, real servers, one file at a time. */
const path = require('node:path');

const rootDir = path.resolve(__dirname, '..');

module.exports = {
  rootDir,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  // Real servers and real timeouts (an 800 ms request gap, a server restart): jest's 5 s is too tight.
  testTimeout: 30_000,
  // Integration tests count sockets in the kernel's table: one file at a time keeps those counts honest.
  maxWorkers: 1,
};
