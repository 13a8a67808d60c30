import { InvalidOptionError } from '@poolaudit/core';
import type { ServerConfig } from './types.js';

/** Node's defaults for an `http.Server` (`lib/_http_server.js`, Node 20 and 24). */
export const HTTP_SERVER_DEFAULTS = {
  keepAliveTimeout: 5_000,
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  maxRequestsPerSocket: 0,
  timeout: 0,
} as const;

/** The settings of a server that the audit and the lint read, as the server object holds them. */
export const SERVER_SETTINGS = [
  'keepAliveTimeout',
  'headersTimeout',
  'requestTimeout',
  'maxRequestsPerSocket',
  'timeout',
  'maxConnections',
] as const;

/** A server's settings (`server.keepAliveTimeout`, …), as plain options. */
export function serverOptionsOf(server: object): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const value = (server as Record<string, unknown>)[key];
    if (typeof value === 'number') options[key] = value;
  }
  return options;
}

/**
 * Maps a server's settings (or `createServer()` options) to core's `PoolConfig`, seen from the server: it
 * closes a connection idle for `keepAliveTimeout` after a response (0: never), accepts at most
 * `maxConnections` (unset: no limit), and closes one after `maxRequestsPerSocket` requests (0: no limit).
 * Pure: reads nothing but its argument.
 */
export function readServerConfig(options: Readonly<Record<string, unknown>> = {}): ServerConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'an object of http.Server settings', options);
  }
  const keepAlive = count(options['keepAliveTimeout']) ?? HTTP_SERVER_DEFAULTS.keepAliveTimeout;
  const maxConnections = count(options['maxConnections']);
  return {
    config: {
      maxOpen: maxConnections ?? null,
      maxIdle: null,
      minIdle: 0,
      idleTimeoutMs: keepAlive > 0 ? keepAlive : null,
      maxLifetimeMs: null,
      queueLimit: null,
      keepAlive: true,
    },
    settings: { maxOpen: 'maxConnections', idleTimeoutMs: 'keepAliveTimeout' },
  };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
