import type { Socket } from 'node:net';
import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';
import type { Pool } from 'generic-pool';

/** The resource type a generic-pool `Pool<R>` hands out. */
export type ResourceOf<P> = P extends Pool<infer R> ? R : unknown;

/** Options of `auditPool()`. Every option is optional. */
export interface AuditPoolOptions<R = unknown> {
  /**
   * Name shown in every report and finding. Pools audited under the same name share one record (a pool
   * created per request adds up under its name). Default `'generic-pool'`.
   */
  readonly name?: string;
  /** The auditor that records this pool. Default: `defaultAuditor` from `@poolaudit/core`. */
  readonly auditor?: Auditor;
  /**
   * The TCP socket behind a resource, read once when the pool has created it, so that who closes first and
   * the TIME_WAIT it leaves are read at the socket. Return `null`/`undefined` for a resource without one.
   * Default (`resourceSocket` from `@poolaudit/core`): the resource itself when it is a `net.Socket`, else its
   * `stream` (mysql2 connections, ioredis clients), `connection.stream` (a pg client) or `socket` property.
   */
  readonly socketOf?: (resource: R) => Socket | null | undefined;
  /**
   * The options the pool was created with (`createPool(factory, options)`). generic-pool keeps only the
   * options it knows, so a typo (`acquireTimeoutMilis`) can be caught only from these: `lintPools()` reports
   * it as `generic-pool/unknown-option`. Only the keys' names are kept. The register hook passes them itself.
   */
  readonly createOptions?: Readonly<Record<string, unknown>>;
}

/** What `readGenericPoolConfig()` makes of generic-pool options. */
export interface GenericPoolConfig {
  /** The settings in core's normalized shape. */
  readonly config: PoolConfig;
  /** generic-pool's option name for each normalized setting, so that advice names what users write. */
  readonly settings: SettingNames;
}
