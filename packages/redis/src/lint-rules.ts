import { numberOption } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';
import { NODE_REDIS_POOL_DEFAULTS } from './read-config.js';

/**
 * Every option `createClient()` takes (node-redis 5 and 6: `RedisClientOptions` with the commander's
 * `modules`, `functions`, `scripts`, `RESP`), plus `credentialsProvider` and the maintenance options it adds
 * itself: lets a config-file linter reject typos. The `socket` options are checked as one object.
 */
export const nodeRedisOptionSchema: OptionSchema = {
  url: ['string'],
  socket: ['object'],
  username: ['string'],
  password: ['string'],
  credentialsProvider: ['object'],
  name: ['string'],
  database: ['number'],
  modules: ['object'],
  functions: ['object'],
  scripts: ['object'],
  RESP: ['number'],
  unstableResp3: ['boolean'],
  commandsQueueMaxLength: ['number'],
  disableOfflineQueue: ['boolean'],
  readonly: ['boolean'],
  pingInterval: ['number'],
  commandOptions: ['object'],
  clientSideCache: ['object'],
  disableClientInfo: ['boolean'],
  clientInfoTag: ['string'],
  emitInvalidate: ['boolean'],
  maintNotifications: ['string'],
  maintEndpointType: ['string'],
  maintRelaxedCommandTimeout: ['number'],
  maintRelaxedSocketTimeout: ['number'],
};

/** Every option `createClientPool(clientOptions, poolOptions)` takes as its second argument. */
export const nodeRedisPoolOptionSchema: OptionSchema = {
  minimum: ['number'],
  maximum: ['number'],
  acquireTimeout: ['number'],
  cleanupDelay: ['number'],
  clientSideCache: ['object'],
};

/** Below this a cleanup delay closes clients between ordinary bursts of traffic (ms). */
const SHORT_CLEANUP_MS = 10_000;

/** The default cleanup: 3 s after the last release, every idle client above `minimum` is destroyed. */
const shortCleanupDelay: LintRule = {
  id: 'node-redis/short-cleanup-delay',
  kind: 'node-redis-pool',
  severity: 'warning',
  description:
    'cleanupDelay under 10 s with minimum below maximum: the clients a burst opened are destroyed after every quiet spell and dialled again at the next burst.',
  check({ options }) {
    const delay = numberOption(options, 'cleanupDelay') ?? NODE_REDIS_POOL_DEFAULTS.cleanupDelay;
    const minimum = numberOption(options, 'minimum') ?? NODE_REDIS_POOL_DEFAULTS.minimum;
    const maximum = numberOption(options, 'maximum') ?? NODE_REDIS_POOL_DEFAULTS.maximum;
    if (delay >= SHORT_CLEANUP_MS || minimum >= maximum) return undefined;
    return {
      message:
        `cleanupDelay is ${delay} ms and minimum is ${minimum}: ${delay / 1000} s after the last command of a ` +
        `burst the pool destroys every idle client above ${minimum}, and the next burst connects them again, ` +
        `each close leaving a TIME_WAIT socket on this host.`,
      evidence: { cleanupDelay: delay, minimum, maximum },
      fix:
        `Raise cleanupDelay above the longest usual gap between bursts, or raise minimum to the number of ` +
        `clients a burst uses, so that they stay connected.`,
    };
  },
};

/** An acquire that gives up before a connect can: a slow connect fails the command instead of waiting. */
const acquireBelowConnect: LintRule = {
  id: 'node-redis/acquire-timeout-below-connect-timeout',
  kind: 'node-redis-pool',
  severity: 'warning',
  description:
    "acquireTimeout below the clients' socket.connectTimeout: a task waiting for a new client fails before its connect is given up.",
  check({ options, facts }) {
    const acquire = numberOption(options, 'acquireTimeout') ?? NODE_REDIS_POOL_DEFAULTS.acquireTimeout;
    const connect = typeof facts['connectTimeoutMs'] === 'number' ? facts['connectTimeoutMs'] : 5_000;
    if (acquire <= 0 || connect <= 0 || acquire >= connect) return undefined;
    return {
      message:
        `acquireTimeout (${acquire} ms) is below the clients' connectTimeout (${connect} ms): when the pool ` +
        `has to connect a new client, the task fails with "Timeout waiting for a client" while the connect ` +
        `may still succeed.`,
      evidence: { acquireTimeout: acquire, connectTimeout: connect },
      fix: `Set acquireTimeout at least as high as socket.connectTimeout (${connect} ms).`,
    };
  },
};

/** The rules `lintPools()` and the CLI run for kind `node-redis-pool` (`createClientPool()`'s options). */
export const nodeRedisPoolLintRules: readonly LintRule[] = [shortCleanupDelay, acquireBelowConnect];

/** TCP keep-alive turned off: a connection a firewall or balancer dropped while idle is found only by a command. */
const keepAliveOff: LintRule = {
  id: 'node-redis/keep-alive-off',
  kind: 'node-redis',
  severity: 'info',
  description:
    'socket.keepAlive false: an idle connection silently dropped by a firewall, NAT or balancer is found only when a command times out on it.',
  check({ options }) {
    const socket = options['socket'];
    if (typeof socket !== 'object' || socket === null) return undefined;
    if ((socket as Record<string, unknown>)['keepAlive'] !== false) return undefined;
    return {
      message:
        'socket.keepAlive is false: no TCP keep-alive probes are sent, so a connection dropped in the network ' +
        'while idle is noticed only when the next command on it fails or times out.',
      evidence: { keepAlive: false },
      fix: "Leave socket.keepAlive on (node-redis's default, with keepAliveInitialDelay 5000 ms).",
    };
  },
};

/** The rules for kind `node-redis` (`createClient()`'s options). */
export const nodeRedisLintRules: readonly LintRule[] = [keepAliveOff];
