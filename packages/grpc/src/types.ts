import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';

/** Options of `auditClient()`. Every option is optional. */
export interface AuditClientOptions {
  /**
   * Name shown in every report and finding. Clients audited under the same name share one record, so a client
   * created per request adds up under its name (the `client-per-request` finding). Default
   * `grpc <target>` (`grpc 127.0.0.1:50051`, `grpc dns:///api.internal:443`).
   */
  readonly name?: string;
  /** The auditor that records this channel. Default: `defaultAuditor` from `@poolaudit/core`. */
  readonly auditor?: Auditor;
}

/** What `readGrpcConfig()` makes of a channel's options. */
export interface GrpcChannelConfig {
  /** The settings in core's normalized shape. */
  readonly config: PoolConfig;
  /** grpc-js's option name for each normalized setting, so that advice names what users write. */
  readonly settings: SettingNames;
}
