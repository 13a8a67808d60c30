import { numberOption } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';
import { slotsRefreshIntervalOf } from './read-config.js';

/** Below this `slotsRefreshInterval` (ms) the refresh connections' TIME_WAIT sockets are worth a warning. */
const SHORT_REFRESH_MS = 10_000;

/**
 * Every option a `Redis` or `Cluster` accepts (ioredis 5 and 6: `lib/redis/RedisOptions.ts`,
 * `lib/cluster/ClusterOptions.ts`), with the types it may take: lets a config-file linter reject typos.
 */
export const ioredisOptionSchema: OptionSchema = {
  // Redis: connection
  host: ['string'],
  port: ['number', 'string'],
  path: ['string'],
  family: ['number'],
  tls: ['object', 'boolean'],
  url: ['string'],
  username: ['string', 'null'],
  password: ['string', 'null'],
  db: ['number', 'string'],
  connectionName: ['string', 'null'],
  connectTimeout: ['number'],
  disconnectTimeout: ['number'],
  commandTimeout: ['number'],
  socketTimeout: ['number'],
  blockingTimeout: ['number'],
  blockingTimeoutGrace: ['number'],
  keepAlive: ['number'],
  noDelay: ['boolean'],
  retryStrategy: ['function', 'null'],
  reconnectOnError: ['function', 'null'],
  maxRetriesPerRequest: ['number', 'null'],
  maxLoadingRetryTime: ['number'],
  enableOfflineQueue: ['boolean'],
  enableReadyCheck: ['boolean'],
  lazyConnect: ['boolean'],
  autoResubscribe: ['boolean'],
  autoResendUnfulfilledCommands: ['boolean'],
  enableAutoPipelining: ['boolean'],
  autoPipeliningIgnoredCommands: ['array'],
  keyPrefix: ['string'],
  readOnly: ['boolean'],
  stringNumbers: ['boolean'],
  monitor: ['boolean'],
  disableClientInfo: ['boolean'],
  clientInfoTag: ['string'],
  scripts: ['object'],
  Connector: ['function'],
  // ioredis 6 only: RESP3 by default (`protocol: 3`, a HELLO handshake), the reply shapes under it, HIMPORT.
  protocol: ['number'],
  replyMapping: ['string'],
  himportFieldsets: ['array'],
  // Redis: sentinels
  sentinels: ['array', 'null'],
  name: ['string', 'null'],
  role: ['string'],
  sentinelUsername: ['string'],
  sentinelPassword: ['string'],
  sentinelTLS: ['object'],
  sentinelRetryStrategy: ['function'],
  sentinelReconnectStrategy: ['function'],
  sentinelCommandTimeout: ['number'],
  sentinelMaxConnections: ['number'],
  preferredSlaves: ['array', 'object', 'function'],
  natMap: ['object', 'function', 'null'],
  enableTLSForSentinelMode: ['boolean'],
  updateSentinels: ['boolean'],
  failoverDetector: ['boolean'],
  // Cluster
  startupNodes: ['array'],
  redisOptions: ['object'],
  clusterRetryStrategy: ['function'],
  clusterNodeRetryStrategy: ['function', 'null'],
  scaleReads: ['string', 'function'],
  maxRedirections: ['number'],
  retryDelayOnMoved: ['number'],
  retryDelayOnFailover: ['number'],
  retryDelayOnClusterDown: ['number'],
  retryDelayOnTryAgain: ['number'],
  slotsRefreshTimeout: ['number'],
  slotsRefreshInterval: ['number'],
  useSRVRecords: ['boolean'],
  resolveSrv: ['function'],
  dnsLookup: ['function'],
  shardedSubscribers: ['boolean'],
};

/** A `Cluster` refreshing its slots often: every refresh opens a connection and closes it here. */
const slotsRefreshShort: LintRule = {
  id: 'ioredis/slots-refresh-interval-short',
  kind: 'ioredis',
  severity: 'warning',
  description:
    'Each slot refresh opens a throw-away connection and disconnects it, leaving a TIME_WAIT socket here.',
  check({ options }) {
    const interval = slotsRefreshIntervalOf(options);
    if (interval === undefined || interval >= SHORT_REFRESH_MS) return undefined;
    const perMinute = Math.round(60_000 / interval);
    return {
      message:
        `slotsRefreshInterval is ${interval} ms: the cluster opens and closes a connection ${perMinute} times ` +
        `a minute to refresh its slots, each leaving a TIME_WAIT socket on this host.`,
      evidence: { slotsRefreshInterval: interval, connectionsPerMinute: perMinute },
      fix:
        `Raise slotsRefreshInterval to ${SHORT_REFRESH_MS} ms or more (or leave it unset): MOVED and ASK ` +
        `replies already trigger a refresh when the slots change.`,
    };
  },
};

/** Commands that wait forever while the client is offline. */
const unboundedOfflineWait: LintRule = {
  id: 'ioredis/unbounded-offline-wait',
  kind: 'ioredis',
  severity: 'warning',
  description: 'With maxRetriesPerRequest: null, commands queued while disconnected wait without limit.',
  check({ options }) {
    if (options['enableOfflineQueue'] === false) return undefined;
    if (numberOption(options, 'maxRetriesPerRequest') !== null) return undefined;
    return {
      message:
        'maxRetriesPerRequest is null and the offline queue is on: while Redis is unreachable every ' +
        'command waits, and the queue grows without bound.',
      evidence: { maxRetriesPerRequest: null, enableOfflineQueue: true },
      fix: 'Set maxRetriesPerRequest to a number (the default is 20), or commandTimeout to bound each command.',
    };
  },
};

/** The server closes idle clients: an idle ioredis client reconnects every time. */
const serverIdleTimeout: LintRule = {
  id: 'ioredis/server-idle-timeout',
  kind: 'ioredis',
  severity: 'info',
  description:
    'The server closes clients idle longer than its timeout; ioredis has no idle timeout of its own to stay below it.',
  check({ facts }) {
    const timeoutMs = facts['serverIdleTimeoutMs'];
    if (typeof timeoutMs !== 'number' || timeoutMs <= 0) return undefined;
    return {
      message:
        `The Redis server closes clients idle for ${timeoutMs / 1000} s (timeout ${timeoutMs / 1000}): a ` +
        `client idle that long is disconnected by the server and reconnects on its next command.`,
      evidence: { serverIdleTimeoutMs: timeoutMs },
      fix:
        'Set the server timeout to 0 (the Redis default) or above the longest idle gap, or send a PING ' +
        'more often than the timeout.',
    };
  },
};

/** A client created per request, seen in the audit's own evidence (core's `client-per-request` finding). */
const clientPerRequest: LintRule = {
  id: 'ioredis/client-per-request',
  kind: 'ioredis',
  severity: 'warning',
  description:
    'A Redis client created per request: one connection (and one TIME_WAIT) per request instead of one per service.',
  check({ snapshot }) {
    const finding = snapshot?.findings.find((f) => f.code === 'client-per-request');
    if (!finding) return undefined;
    return {
      message: `The audit saw ${String(finding.evidence['clientsCreated'])} clients created under ${snapshot?.name ?? 'this name'} in one TIME_WAIT window: ${finding.message}`,
      evidence: finding.evidence,
      fix: 'Create the Redis client once at startup and share it; ioredis pipelines every caller over one connection.',
    };
  },
};

/** The startup-lint rules for ioredis clients (subject kind `ioredis`). */
export const ioredisLintRules: readonly LintRule[] = [
  clientPerRequest,
  slotsRefreshShort,
  unboundedOfflineWait,
  serverIdleTimeout,
];
