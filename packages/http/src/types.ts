import type { Auditor, PoolConfig, SettingNames } from '@poolaudit/core';
import type { Agent } from 'node:http';

/** What `auditAgent()` accepts: an `http.Agent`, an `https.Agent`, or any subclass (agentkeepalive, …). */
export type AgentLike = Agent;

/** Options of `auditAgent()` and `auditGlobalAgents()`. */
export interface AuditAgentOptions {
  /**
   * Prefix of the audited pools' names: each destination is registered as `<name> <protocol>//<host>:<port>`
   * (`api http://10.0.0.7:8080`). Agents audited under the same name share one record per destination,
   * so an agent created per request adds up under one name. Default: `agentName(agent)`
   * (`http.Agent keepAlive=false`, `http.globalAgent`, …).
   */
  readonly name?: string;
  /** The auditor the pools register into. Default: core's `defaultAuditor`. */
  readonly auditor?: Auditor;
}

/**
 * The `http.Agent` options that decide connection reuse, as a user writes them (`new http.Agent(options)`,
 * doc/api/http.md). Unknown keys are ignored.
 */
export interface HttpAgentOptions {
  /** Keep sockets for later requests. Default `false` for `new Agent()`; `true` for the global agents (Node ≥ 19). */
  readonly keepAlive?: boolean;
  /** TCP keep-alive probe delay (ms) of kept sockets; not an idle timeout. Default 1000. */
  readonly keepAliveMsecs?: number;
  /** Most sockets per destination (`agent.getName()`). Default `Infinity`. */
  readonly maxSockets?: number;
  /** Most sockets across all destinations. Default `Infinity`. */
  readonly maxTotalSockets?: number;
  /** Most free (idle) sockets kept per destination; a socket freed beyond it is destroyed. Default 256. */
  readonly maxFreeSockets?: number;
  /** Socket timeout (ms); a free socket that times out is destroyed. Default none (global agents: 5000). */
  readonly timeout?: number;
  /** Subtracted (ms) from a server's `Keep-Alive: timeout=` hint (Node ≥ 24.7, 22.20). Default 1000. */
  readonly agentKeepAliveTimeoutBuffer?: number;
  /** `'lifo'` (default since Node 15.6) or `'fifo'`: which free socket a request takes. */
  readonly scheduling?: string;
  readonly [option: string]: unknown;
}

/** `readHttpAgentConfig()`'s answer: core's normalized config, the option names, and the keep-alive facts. */
export interface HttpAgentConfig {
  readonly config: PoolConfig;
  readonly settings: SettingNames;
  /** The keep-alive settings in force, defaults applied. */
  readonly keepAlive: {
    readonly enabled: boolean;
    /** The free-socket timeout (ms); `null` = none: idle sockets live until the server closes them. */
    readonly timeoutMs: number | null;
    /** Subtracted from the server's hint (ms). */
    readonly hintBufferMs: number;
  };
}
