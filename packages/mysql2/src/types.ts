import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';
import type { Pool, PoolCluster } from 'mysql2';
import type { Pool as PromisePool, PoolCluster as PromisePoolCluster } from 'mysql2/promise';

/** What `auditPool()` accepts: a pool or a cluster, callback or promise flavour. */
export type Mysql2Auditable = Pool | PromisePool | PoolCluster | PromisePoolCluster;

/** Options of `auditPool()`. */
export interface AuditPoolOptions {
  /**
   * The name the pool is reported under. Pools audited under the same name share one record.
   * Default: `mysql2 <host>:<port>/<database>` (`mysql2 <socketPath>/<database>` over a unix socket).
   * For a `PoolCluster` each node is reported as `<name>/<node id>`; the default name there is
   * `mysql2 cluster`.
   */
  readonly name?: string;
  /** The auditor to register into. Default: `defaultAuditor` from `@poolaudit/core`. */
  readonly auditor?: Auditor;
  /**
   * The options the pool was created with (`mysql.createPool(options)`). mysql2 keeps only the options it
   * knows, so a typo (`maxIdel`) can be caught only from these: `lintPools()` reports it as
   * `mysql2/unknown-option`. Only the keys' names are kept. The register hook passes them itself.
   */
  readonly createOptions?: Readonly<Record<string, unknown>>;
}

/** `readMysql2Config()`'s answer: the normalized settings and mysql2's name for each. */
export interface Mysql2PoolConfig {
  readonly config: PoolConfig;
  readonly settings: SettingNames;
}
