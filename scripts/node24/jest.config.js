'use strict';
/** The undici, opentelemetry, http and node-redis tests (and core's process view) on Node 24, with `undici` 8 and `@opentelemetry/sdk-metrics` 3 from run.sh's cache. */
const path = require('node:path');
const base = require('../jest-base.js');

const undici8 = process.env.POOLAUDIT_UNDICI8;
if (!undici8) throw new Error('POOLAUDIT_UNDICI8 must name an undici 8 install: run scripts/node24/run.sh');
const modules = process.env.POOLAUDIT_NODE24_MODULES;
if (!modules)
  throw new Error(
    'POOLAUDIT_NODE24_MODULES must name the node_modules holding sdk-metrics 3: run scripts/node24/run.sh',
  );

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  moduleNameMapper: {
    '^undici$': require.resolve(undici8),
    '^@opentelemetry/sdk-metrics$': require.resolve(path.join(modules, '@opentelemetry/sdk-metrics')),
    '^@opentelemetry/api$': require.resolve(path.join(modules, '@opentelemetry/api')),
    '^@poolaudit/(core|host|undici|opentelemetry|http|redis|grpc|server)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [
    '<rootDir>/packages/undici/test/**/*.test.ts',
    '<rootDir>/packages/opentelemetry/test/**/*.test.ts',
    // Node's own http.Agent changed between 20 and 24 (the free-socket data guard, agentKeepAliveTimeoutBuffer).
    '<rootDir>/packages/http/test/**/*.test.ts',
    // The server side of Node's http: its keep-alive timer and the response diagnostics channel, as in Node 24.
    '<rootDir>/packages/server/test/**/*.test.ts',
    // node-redis reaches diagnostics_channel through process.getBuiltinModule on Node ≥ 22.3, and its socket
    // is read through net.Socket.prototype.ref: both as Node 24 has them.
    '<rootDir>/packages/redis/test/**/*.test.ts',
    // grpc-js's transport is Node's own http2: its sessions and GOAWAYs as Node 24 has them.
    '<rootDir>/packages/grpc/test/**/*.test.ts',
    // Node 24 announces every connect on `net.client.socket`: the process view uses the channel there.
    '<rootDir>/packages/core/test/process-sockets.test.ts',
  ],
  // exporter-prometheus 0.200 carries its own sdk-metrics 2: its test runs on Node 20 only.
  testPathIgnorePatterns: ['/node_modules/', 'prometheus-names\\.test\\.ts$'],
  reporters: ['default', ['<rootDir>/scripts/summary-reporter.js', { prefix: 'node24' }]],
};
