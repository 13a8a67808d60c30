import type { Socket } from 'node:net';
import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';

/** Options of `auditPool()` and `auditKnex()`. Every option is optional. */
export interface AuditPoolOptions {
  /**
   * Name shown in every report and finding. Pools audited under the same name share one record. Default
   * `'tarn'` for `auditPool()`; for `auditKnex()` the client and server, `knex mysql2 app@db.internal:3306/orders`.
   */
  readonly name?: string;
  /** The auditor that records this pool. Default: `defaultAuditor` from `@poolaudit/core`. */
  readonly auditor?: Auditor;
  /**
   * The TCP socket behind a resource, read once when the pool has created it, so that who closes first and
   * the TIME_WAIT it leaves are read at the socket. Default: the resource itself when it is a `net.Socket`,
   * else its `stream` (a mysql2 connection) or `connection.stream` (a pg client) or `socket`.
   */
  readonly socketOf?: (resource: unknown) => Socket | null | undefined;
}

/** What `readTarnConfig()` makes of a pool's options. */
export interface TarnConfig {
  /** The settings in core's normalized shape. */
  readonly config: PoolConfig;
  /** The option name for each normalized setting, so that advice names what users write. */
  readonly settings: SettingNames;
}
