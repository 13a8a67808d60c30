import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';

/** Options of `auditClient()`. */
export interface AuditClientOptions {
  /**
   * Name shown in every output. Clients audited under the same name share one pool record, so clients
   * created per request add up (the `client-per-request` finding). Default: `node-redis <host>:<port>`
   * (`node-redis <path>` for a Unix socket).
   */
  readonly name?: string;
  /** The auditor to record into. Default: core's `defaultAuditor`. */
  readonly auditor?: Auditor;
}

/** Options of `auditPool()`. */
export interface AuditPoolOptions {
  /** Name shown in every output. Default: `node-redis-pool <host>:<port>` of its clients. */
  readonly name?: string;
  /** The auditor to record into. Default: core's `defaultAuditor`. */
  readonly auditor?: Auditor;
  /**
   * The options given to `createClientPool(clientOptions, poolOptions)` as its second argument
   * (`minimum`, `maximum`, `acquireTimeout`, `cleanupDelay`). node-redis keeps them private, so the audit reads
   * them here; without them its defaults are assumed (minimum 1, maximum 100, acquireTimeout 3000,
   * cleanupDelay 3000).
   */
  readonly poolOptions?: Readonly<Record<string, unknown>>;
}

/** What the config readers make of node-redis options. */
export interface NodeRedisConfig {
  /** The settings in core's normalized shape. */
  readonly config: PoolConfig;
  /** The option name for each normalized setting, so that advice names what users write. */
  readonly settings: SettingNames;
}
