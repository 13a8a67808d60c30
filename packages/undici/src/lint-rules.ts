import { numberOption } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';

// undici defaults (lib/dispatcher/client.js): keepAliveTimeout 4 s, keepAliveTimeoutThreshold 2 s
// (subtracted from a server's Keep-Alive hint), pipelining 1; Pool/Agent connections null = unlimited.
const KEEP_ALIVE_TIMEOUT = 4000;
const HINT_THRESHOLD = 2000;

const keepAliveDisabled: LintRule = {
  id: 'undici/keep-alive-disabled',
  kind: 'undici',
  severity: 'warning',
  description: 'pipelining: 0 disables keep-alive: one connection per request.',
  check({ options }) {
    if (numberOption(options, 'pipelining') !== 0) return undefined;
    return {
      message:
        'pipelining=0 disables keep-alive: every request opens a connection and undici closes it, leaving a TIME_WAIT socket here.',
      evidence: { pipelining: 0 },
      fix: 'Remove pipelining (default 1) so connections are reused.',
    };
  },
};

const unboundedConnections: LintRule = {
  id: 'undici/unbounded-connections',
  kind: 'undici',
  severity: 'info',
  description: 'connections unset (unlimited): a burst opens one socket per concurrent request to an origin.',
  check({ options }) {
    // A Client is one connection by construction; `dispatcher` is recorded by the audit of a live dispatcher.
    if (options['dispatcher'] === 'Client') return undefined;
    const connections = numberOption(options, 'connections');
    if (connections !== undefined && connections !== null) return undefined;
    return {
      message:
        'connections is unlimited (the Pool and Agent default): a burst of N concurrent requests opens N sockets, ' +
        'which are then closed after keepAliveTimeout — burst churn.',
      evidence: { connections: null },
      fix: 'Set connections to the concurrency the origin should see (e.g. 50–128).',
    };
  },
};

const removedOptions: LintRule = {
  id: 'undici/removed-option',
  kind: 'undici',
  severity: 'error',
  description: 'Option names undici no longer accepts (its constructor throws).',
  check({ options }) {
    const replacements: Record<string, string> = {
      keepAlive: 'pipelining: 0 (to disable keep-alive)',
      idleTimeout: 'keepAliveTimeout',
      maxKeepAliveTimeout: 'keepAliveMaxTimeout',
    };
    const used = Object.keys(replacements).filter((name) => name in options);
    if (used.length === 0) return undefined;
    return {
      message: `${used.join(', ')} ${used.length === 1 ? 'is' : 'are'} not an undici option any more; the Client constructor throws InvalidArgumentError.`,
      evidence: { options: used.join(', ') },
      fix: used.map((name) => `${name} → ${replacements[name] ?? ''}`).join('; '),
    };
  },
};

const shortKeepAlive: LintRule = {
  id: 'undici/short-keep-alive-timeout',
  kind: 'undici',
  severity: 'warning',
  description: 'A keepAliveTimeout of a second or less closes connections between ordinary request gaps.',
  check({ options }) {
    const keepAliveTimeout = numberOption(options, 'keepAliveTimeout');
    if (typeof keepAliveTimeout !== 'number' || keepAliveTimeout > 1000) return undefined;
    return {
      message: `keepAliveTimeout=${keepAliveTimeout} ms: undici closes a connection idle that long, so requests further apart each dial anew.`,
      evidence: { keepAliveTimeout },
      fix: `Raise keepAliveTimeout above the usual gap between requests (the default is ${KEEP_ALIVE_TIMEOUT} ms), below the server's keep-alive timeout.`,
    };
  },
};

const serverKeepAlive: LintRule = {
  id: 'undici/server-keep-alive-shorter',
  kind: 'undici',
  severity: 'warning',
  description:
    "The server's keep-alive timeout is shorter than the client's: it closes first, or its hint makes undici close after every response.",
  check({ options, facts }) {
    const server = facts['serverKeepAliveTimeoutMs'];
    if (typeof server !== 'number') return undefined;
    const client = numberOption(options, 'keepAliveTimeout') ?? KEEP_ALIVE_TIMEOUT;
    const threshold = numberOption(options, 'keepAliveTimeoutThreshold') ?? HINT_THRESHOLD;
    if (server - threshold <= 0) {
      return {
        message:
          `The server hints Keep-Alive: timeout=${server / 1000}; undici subtracts keepAliveTimeoutThreshold=${threshold} ms ` +
          `and closes every connection right after its response: one connection and one TIME_WAIT here per request.`,
        evidence: { serverKeepAliveTimeoutMs: server, keepAliveTimeoutThreshold: threshold },
        fix: `Raise the server's keep-alive timeout well above ${threshold / 1000} s (e.g. server.keepAliveTimeout = 65000 on node:http).`,
      };
    }
    if (server > client) return undefined;
    return {
      message: `The server keeps idle connections ${server / 1000} s but the client ${client / 1000} s: without a hint the server closes first, racing requests ("other side closed").`,
      evidence: { serverKeepAliveTimeoutMs: server, keepAliveTimeout: client },
      fix: `Set keepAliveTimeout below ${server} ms, or raise the server's keep-alive timeout.`,
      severity: 'info',
    };
  },
};

/** Startup-lint rules for undici dispatchers (Node's http.Agent has its own in @poolaudit/http). */
export const undiciLintRules: readonly LintRule[] = [
  keepAliveDisabled,
  unboundedConnections,
  removedOptions,
  shortKeepAlive,
  serverKeepAlive,
];

/** undici Client/Pool/Agent options (docs/api/Client.md, Pool.md, Agent.md), for config-file checks. */
export const undiciOptionSchema: OptionSchema = {
  connections: ['number', 'null'],
  pipelining: ['number'],
  keepAliveTimeout: ['number'],
  keepAliveMaxTimeout: ['number'],
  keepAliveTimeoutThreshold: ['number'],
  maxRequestsPerClient: ['number', 'null'],
  clientTtl: ['number', 'null'],
  headersTimeout: ['number'],
  bodyTimeout: ['number'],
  connectTimeout: ['number'],
  connect: ['object'],
  localAddress: ['string', 'null'],
  maxHeaderSize: ['number'],
  maxResponseSize: ['number'],
  maxCachedSessions: ['number'],
  strictContentLength: ['boolean'],
  allowH2: ['boolean'],
  maxConcurrentStreams: ['number'],
  autoSelectFamily: ['boolean'],
  autoSelectFamilyAttemptTimeout: ['number'],
  socketPath: ['string', 'null'],
  maxOrigins: ['number'],
  dispatcher: ['string'],
  // Removed names, accepted here so that the rule can explain them instead of a schema error.
  keepAlive: ['boolean'],
  idleTimeout: ['number'],
  maxKeepAliveTimeout: ['number'],
};
