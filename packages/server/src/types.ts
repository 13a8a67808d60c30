import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';

/** Options of `auditServer()`. */
export interface AuditServerOptions {
  /**
   * Name shown in every output. Default: `http-server <address>:<port>` (`https-server …` for TLS) once the
   * server listens, `http-server` until then.
   */
  readonly name?: string;
  /** The auditor to record into. Default: core's `defaultAuditor`. */
  readonly auditor?: Auditor;
  /**
   * The idle timeout of the load balancer or reverse proxy in front, as you know it (ms): AWS ALB's default is
   * 60 s, nginx's upstream `keepalive_timeout` 60 s, GCP's HTTP(S) load balancer 600 s — check yours. A fact you
   * declare, never assumed: with it the lint checks `keepAliveTimeout` against it and the advice names the
   * value to set.
   */
  readonly loadBalancerIdleTimeoutMs?: number;
}

/** What `readServerConfig()` makes of a server's settings. */
export interface ServerConfig {
  /** The settings in core's normalized shape. */
  readonly config: PoolConfig;
  /** The option name for each normalized setting, so that advice names what users write. */
  readonly settings: SettingNames;
}
