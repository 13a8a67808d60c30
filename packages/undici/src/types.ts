import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';

/**
 * What the adapter needs of an undici dispatcher: `dispatch` and the `EventEmitter` methods. Every undici
 * `Client`, `Pool`, `BalancedPool` and `Agent` (of any major from 6 on, bundled in Node or installed) has them.
 */
export interface DispatcherLike {
  dispatch(...args: never[]): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Options of `auditDispatcher()` and `auditGlobalDispatcher()`. */
export interface AuditDispatcherOptions {
  /**
   * Prefix of the audited pools' names: each origin is registered as `<name> <origin>`
   * (`api http://10.0.0.7:8080`). Default `undici` (`fetch` for `auditGlobalDispatcher()`).
   */
  readonly name?: string;
  /** The auditor the pools register into. Default: core's `defaultAuditor`. */
  readonly auditor?: Auditor;
}

/** What `auditDispatcher()` recognised the dispatcher as. */
export type DispatcherKind = 'Client' | 'Pool' | 'BalancedPool' | 'Agent';

/**
 * The undici options that decide connection reuse, as a user writes them (`new Pool(origin, options)`).
 * Unknown keys are ignored.
 */
export interface UndiciOptions {
  /** Most sockets per origin (`Pool`, `Agent`); `null`/`undefined` = unlimited (undici's default). */
  readonly connections?: number | null;
  /** Idle time (ms) after which undici closes a free socket. Default 4000. */
  readonly keepAliveTimeout?: number | null;
  /** Upper bound (ms) of a server's keep-alive hint. Default 600000. */
  readonly keepAliveMaxTimeout?: number | null;
  /** Subtracted (ms) from a server's keep-alive hint. Default 2000. */
  readonly keepAliveTimeoutThreshold?: number | null;
  /** Requests in flight per socket; `0` turns keep-alive off. Default 1. */
  readonly pipelining?: number | null;
  /** Requests sent on one socket before it is closed; `null` = no limit (default). */
  readonly maxRequestsPerClient?: number | null;
  /** Age (ms) after which a `Pool` retires a client; `null` = never (default). */
  readonly clientTtl?: number | null;
  readonly [option: string]: unknown;
}

/** `readUndiciConfig()`'s answer: core's normalized config, the option names, and the keep-alive facts. */
export interface UndiciConfig {
  readonly config: PoolConfig;
  readonly settings: SettingNames;
  /** The keep-alive settings in force, defaults applied (ms). */
  readonly keepAlive: {
    readonly timeoutMs: number;
    readonly maxTimeoutMs: number;
    readonly thresholdMs: number;
    readonly pipelining: number;
    readonly maxRequestsPerClient: number | null;
  };
}
