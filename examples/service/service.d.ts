import type { Auditor } from '@poolaudit/core';

/** Options of `startService()`. */
export interface ServiceOptions {
  /** Where the service listens (0 = any free port). Default 8080. */
  port?: number;
  /** Default `mysql://root@127.0.0.1:3306/test`. */
  mysqlUrl?: string;
  /** Default `postgres://root@127.0.0.1:5432/test`. */
  pgUrl?: string;
  /** Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** The pricing service; default: one started in-process on a free port. */
  upstreamUrl?: string;
  /** mysql2 `connectionLimit`. Default 50. */
  connectionLimit?: number;
  /** mysql2 `maxIdle`. Default 5. */
  maxIdle?: number;
  /** The pricing pool's undici `keepAliveTimeout` and `keepAliveMaxTimeout` (ms). Default 1000. */
  pricingKeepAliveMs?: number;
}

export function startService(
  options?: ServiceOptions,
): Promise<{ url: string; auditor: Auditor; close(): Promise<void> }>;
