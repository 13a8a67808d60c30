import type { Auditor } from '@poolaudit/core';

/** Options of `auditRedis()`. */
export interface AuditRedisOptions {
  /**
   * Name shown in every output. Clients audited under the same name share one pool record, so clients
   * created per request add up. Default: `redis <host>:<port>` for a `Redis` (`redis <path>` for a Unix
   * socket), `redis-cluster <host>:<port>,…` (the startup nodes) for a `Cluster`.
   */
  readonly name?: string;
  /** The auditor to record into. Default: core's `defaultAuditor`. */
  readonly auditor?: Auditor;
  /**
   * Read the server's `timeout` and `maxclients` (`CONFIG GET`, once per endpoint and process) when the
   * client is first ready, on a short-lived connection of its own straight to the server the client
   * reached (a sentinel client's master is not looked up again through the sentinels). It opens a
   * connection and sends commands the application did not, so it is off unless asked for; the same facts
   * are read by `lintPools({ probeServers: true })`. A server with `CONFIG` disabled or renamed is
   * tolerated. Default `false`.
   */
  readonly readServerSettings?: boolean;
}

/** What `CONFIG GET` told about a Redis server. Missing fields could not be read. */
export interface RedisServerSettings {
  /** False when `CONFIG GET` was refused (disabled, renamed, denied by an ACL) or the server was unreachable. */
  readonly configReadable: boolean;
  /** The server's `timeout` in ms: it closes a client idle this long; 0 = never. */
  readonly serverIdleTimeoutMs?: number;
  /** The server's `maxclients`. */
  readonly serverMaxClients?: number;
}
