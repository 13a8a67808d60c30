import { numberOption } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';

// Node's own defaults (lib/_http_agent.js): maxFreeSockets 256; the server side's keepAliveTimeout is 5 s
// (lib/_http_server.js), and Node's client subtracts 1 s from a server's hint before trusting it.
const MAX_FREE_SOCKETS = 256;
const NODE_SERVER_KEEP_ALIVE_MS = 5000;
const SAFETY_MARGIN_MS = 1000;

const keepAliveOff: LintRule = {
  id: 'http-agent/keep-alive-off',
  kind: 'http-agent',
  severity: 'warning',
  description: 'An http.Agent without keepAlive opens and closes a socket per request.',
  check({ options }) {
    if (options['keepAlive'] === true) return undefined;
    return {
      message:
        'keepAlive is off (the default of new http.Agent()): every request opens a socket that is closed after the response.',
      evidence: { keepAlive: options['keepAlive'] === false ? false : null },
      fix: 'Create the agent with { keepAlive: true, timeout: <below the server keep-alive> } (http.globalAgent does this since Node 19).',
    };
  },
};

const keepAliveMsecs: LintRule = {
  id: 'http-agent/keep-alive-msecs-is-not-idle-timeout',
  kind: 'http-agent',
  severity: 'info',
  description: 'keepAliveMsecs is the TCP keep-alive probe delay, not an idle timeout.',
  check({ options }) {
    if (
      options['keepAlive'] !== true ||
      options['keepAliveMsecs'] === undefined ||
      options['timeout'] !== undefined
    ) {
      return undefined;
    }
    return {
      message:
        'keepAliveMsecs sets the TCP keep-alive probe delay (SO_KEEPALIVE), not how long idle sockets are kept; ' +
        'without timeout, idle sockets live until the server closes them.',
      evidence: { keepAliveMsecs: numberOption(options, 'keepAliveMsecs') ?? null, timeout: null },
      fix: "Set timeout (ms) below the server's keep-alive timeout to retire idle sockets from the client side.",
    };
  },
};

const timeoutVsServer: LintRule = {
  id: 'http-agent/timeout-not-below-server-keep-alive',
  kind: 'http-agent',
  severity: 'warning',
  description:
    "A keep-alive agent that keeps idle sockets as long as the server or longer races the server's close (ECONNRESET on a reused socket).",
  check({ options, facts }) {
    if (options['keepAlive'] !== true) return undefined;
    const hinted = facts['serverKeepAliveTimeoutMs'];
    const observed = facts['serverIdleTimeoutMs'];
    const server = typeof hinted === 'number' ? hinted : typeof observed === 'number' ? observed : undefined;
    const timeout = numberOption(options, 'timeout');
    const clientMs = typeof timeout === 'number' && timeout > 0 ? timeout : null;
    if (server === undefined) {
      if (clientMs !== null) return undefined;
      return {
        message:
          `timeout is unset: idle sockets are kept until the server closes them; a request sent as the server ` +
          `closes (Node's server keepAliveTimeout is ${NODE_SERVER_KEEP_ALIVE_MS / 1000} s) fails with ECONNRESET / socket hang up.`,
        evidence: { timeout: null },
        fix: `Set timeout below the server's keep-alive timeout (e.g. timeout: ${NODE_SERVER_KEEP_ALIVE_MS - SAFETY_MARGIN_MS} against a Node server's default).`,
        severity: 'info',
      };
    }
    if (clientMs !== null && clientMs < server) return undefined;
    const suggestion = Math.max(100, server - SAFETY_MARGIN_MS);
    return {
      message:
        `The server keeps idle connections ${server} ms but the agent ${clientMs === null ? 'without limit' : `${clientMs} ms`}: ` +
        `the server closes first, and a request written onto a socket it is closing fails (ECONNRESET / socket hang up).`,
      evidence: { serverKeepAliveTimeoutMs: server, timeout: clientMs },
      fix: `Set timeout: ${suggestion} (below the server's ${server} ms), and retry only idempotent requests that fail on a reused socket (req.reusedSocket).`,
    };
  },
};

const maxFreeBelowConcurrency: LintRule = {
  id: 'http-agent/max-free-sockets-below-concurrency',
  kind: 'http-agent',
  severity: 'warning',
  description:
    'maxFreeSockets below the concurrency the agent sees: sockets freed beyond it are destroyed after each burst and dialled again.',
  check({ options, facts, snapshot }) {
    if (options['keepAlive'] !== true) return undefined;
    const maxFree = numberOption(options, 'maxFreeSockets');
    const cap = typeof maxFree === 'number' && maxFree > 0 ? maxFree : MAX_FREE_SOCKETS;
    const expected = facts['expectedConcurrency'];
    const concurrency = typeof expected === 'number' ? expected : snapshot?.recent.peakInUse;
    if (concurrency === undefined || concurrency <= cap) return undefined;
    return {
      message: `maxFreeSockets=${cap} but up to ${concurrency} requests run at once: after each burst the agent destroys ${concurrency - cap} freed sockets (a TIME_WAIT here each) and dials them again for the next.`,
      evidence: { maxFreeSockets: cap, concurrency },
      fix: `Set maxFreeSockets to at least ${concurrency} (with a timeout to retire idle sockets when the service is quiet).`,
    };
  },
};

const unboundedSockets: LintRule = {
  id: 'http-agent/unbounded-sockets',
  kind: 'http-agent',
  severity: 'info',
  description:
    'maxSockets unset (Infinity): a burst opens one socket per concurrent request to a destination.',
  check({ options }) {
    if (options['keepAlive'] !== true) return undefined;
    const maxSockets = numberOption(options, 'maxSockets');
    if (typeof maxSockets === 'number' && Number.isFinite(maxSockets) && maxSockets > 0) return undefined;
    return {
      message:
        'maxSockets is unlimited (the default): a burst of N concurrent requests opens N sockets, and those beyond ' +
        'maxFreeSockets are destroyed afterwards — burst churn.',
      evidence: { maxSockets: null },
      fix: 'Set maxSockets to the concurrency the destination should see (e.g. 50); further requests queue for a reused socket.',
    };
  },
};

/** Startup-lint rules for Node `http.Agent` / `https.Agent` options; the same rules audited agents register. */
export const httpAgentLintRules: readonly LintRule[] = [
  keepAliveOff,
  keepAliveMsecs,
  timeoutVsServer,
  maxFreeBelowConcurrency,
  unboundedSockets,
];

/** Node http.Agent options (doc/api/http.md), for config-file checks. */
export const httpAgentOptionSchema: OptionSchema = {
  keepAlive: ['boolean'],
  keepAliveMsecs: ['number'],
  maxSockets: ['number'],
  maxTotalSockets: ['number'],
  maxFreeSockets: ['number'],
  scheduling: ['string'],
  timeout: ['number'],
  localAddress: ['string'],
  agentKeepAliveTimeoutBuffer: ['number'],
  noDelay: ['boolean'],
  family: ['number'],
};
