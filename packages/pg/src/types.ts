import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';

/**
 * What `auditPool()` accepts: a node-postgres pool (`new pg.Pool()`, pg-pool 3), typed by the members the
 * audit relies on so that any `pg.Pool` (or subclass) is accepted without this package depending on `pg`.
 */
export interface PgAuditable {
  connect(...args: never[]): unknown;
  query(...args: never[]): unknown;
  end(...args: never[]): unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** Options of `auditPool()`. */
export interface AuditPoolOptions {
  /**
   * The name the pool is reported under. Pools audited under the same name share one record.
   * Default: `pg <host>:<port>/<database>`.
   */
  readonly name?: string;
  /** The auditor to register into. Default: `defaultAuditor` from `@poolaudit/core`. */
  readonly auditor?: Auditor;
}

/** `readPgConfig()`'s answer: the normalized settings and pg's name for each. */
export interface PgPoolConfig {
  readonly config: PoolConfig;
  readonly settings: SettingNames;
}
