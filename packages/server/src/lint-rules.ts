import { numberOption } from '@poolaudit/core';
import type { LintRule, LintSubject, OptionSchema } from '@poolaudit/core';
import { HTTP_SERVER_DEFAULTS } from './read-config.js';

/**
 * The settings of `http.createServer(options)` / `https.createServer(options)` and of the server object,
 * plus `loadBalancerIdleTimeoutMs`, the front's idle timeout you declare: lets a config-file linter reject typos.
 */
export const serverOptionSchema: OptionSchema = {
  keepAliveTimeout: ['number'],
  keepAliveTimeoutBuffer: ['number'],
  headersTimeout: ['number'],
  requestTimeout: ['number'],
  maxRequestsPerSocket: ['number'],
  timeout: ['number'],
  maxConnections: ['number'],
  maxHeadersCount: ['number', 'null'],
  maxHeaderSize: ['number'],
  connectionsCheckingInterval: ['number'],
  requireHostHeader: ['boolean'],
  noDelay: ['boolean'],
  keepAlive: ['boolean'],
  keepAliveInitialDelay: ['number'],
  highWaterMark: ['number'],
  insecureHTTPParser: ['boolean'],
  joinDuplicateHeaders: ['boolean'],
  uniqueHeaders: ['array'],
  rejectNonStandardBodyWrites: ['boolean'],
  IncomingMessage: ['function'],
  ServerResponse: ['function'],
  loadBalancerIdleTimeoutMs: ['number'],
};

function setting(options: LintSubject['options'], key: keyof typeof HTTP_SERVER_DEFAULTS): number {
  return numberOption(options, key) ?? HTTP_SERVER_DEFAULTS[key];
}

/** The front's idle timeout, declared in the options (config file) or as a fact (the audit's option). */
function frontIdleMs({ options, facts }: LintSubject): number | undefined {
  const declared = numberOption(options, 'loadBalancerIdleTimeoutMs') ?? facts['loadBalancerIdleTimeoutMs'];
  return typeof declared === 'number' && declared > 0 ? declared : undefined;
}

/** The server closes idle connections before the balancer in front does: the 502 race. */
const keepAliveBelowBalancer: LintRule = {
  id: 'http-server/keep-alive-below-load-balancer',
  kind: 'http-server',
  severity: 'error',
  description:
    'keepAliveTimeout not above the declared load balancer idle timeout: the server closes idle connections the balancer still reuses (intermittent 502s, TIME_WAIT on the server).',
  check(subject) {
    const front = frontIdleMs(subject);
    const keepAlive = setting(subject.options, 'keepAliveTimeout');
    if (front === undefined || keepAlive === 0 || keepAlive > front) return undefined;
    return {
      message:
        `keepAliveTimeout is ${keepAlive} ms and the load balancer in front keeps idle connections ${front} ms: ` +
        `the server closes them first, while the balancer may be sending a request on one.`,
      evidence: { keepAliveTimeout: keepAlive, loadBalancerIdleTimeoutMs: front },
      fix: `Set keepAliveTimeout to ${front + 5_000} ms (above the balancer's ${front} ms) and headersTimeout to ${front + 6_000} ms.`,
    };
  },
};

/** Node's own advice: headersTimeout must exceed keepAliveTimeout, or a reused connection can be cut mid-headers. */
const headersNotAboveKeepAlive: LintRule = {
  id: 'http-server/headers-timeout-not-above-keep-alive',
  kind: 'http-server',
  severity: 'warning',
  description:
    'headersTimeout not above keepAliveTimeout: a request arriving late on a kept-alive connection can be cut off by the headers timer.',
  check({ options }) {
    const keepAlive = setting(options, 'keepAliveTimeout');
    const headers = setting(options, 'headersTimeout');
    if (keepAlive === 0 || headers === 0 || headers > keepAlive) return undefined;
    return {
      message: `headersTimeout (${headers} ms) is not above keepAliveTimeout (${keepAlive} ms).`,
      evidence: { headersTimeout: headers, keepAliveTimeout: keepAlive },
      fix: `Set headersTimeout above keepAliveTimeout: ${keepAlive + 1_000} ms.`,
    };
  },
};

/** No limit on how long a request may take to arrive: a slow client holds its connection for ever. */
const requestTimeoutOff: LintRule = {
  id: 'http-server/request-timeout-off',
  kind: 'http-server',
  severity: 'warning',
  description:
    'requestTimeout 0: a client that sends its request slowly (or never finishes it) holds a connection without limit.',
  check({ options }) {
    if (setting(options, 'requestTimeout') !== 0) return undefined;
    return {
      message:
        'requestTimeout is 0: requests may take any time to arrive, so slow or stuck clients keep their connections.',
      evidence: { requestTimeout: 0 },
      fix: `Set requestTimeout (Node's default is ${HTTP_SERVER_DEFAULTS.requestTimeout} ms).`,
    };
  },
};

/** Below this many requests per connection, `maxRequestsPerSocket` turns keep-alive into churn. */
const FEW_REQUESTS = 100;

/** A small `maxRequestsPerSocket`: every few requests the server closes the connection with `Connection: close`. */
const fewRequestsPerSocket: LintRule = {
  id: 'http-server/small-max-requests-per-socket',
  kind: 'http-server',
  severity: 'warning',
  description:
    'maxRequestsPerSocket under 100: the server closes each connection after a few requests, keeping a TIME_WAIT socket each time.',
  check({ options }) {
    const max = setting(options, 'maxRequestsPerSocket');
    if (max === 0 || max >= FEW_REQUESTS) return undefined;
    return {
      message:
        `maxRequestsPerSocket is ${max}: every ${max} requests the server answers Connection: close and closes ` +
        `the connection itself, so it keeps a TIME_WAIT socket per ${max} requests.`,
      evidence: { maxRequestsPerSocket: max },
      fix: 'Raise maxRequestsPerSocket to thousands, or 0 (no limit).',
    };
  },
};

/** The rules `lintPools()` and the CLI run for kind `http-server`. */
export const serverLintRules: readonly LintRule[] = [
  keepAliveBelowBalancer,
  headersNotAboveKeepAlive,
  requestTimeoutOff,
  fewRequestsPerSocket,
];
