import type { SettingNames } from '@poolaudit/core';
import type { HttpAgentConfig, HttpAgentOptions } from './types.js';

// Defaults from Node's lib/_http_agent.js (v20 and v24): maxFreeSockets 256, maxSockets and
// maxTotalSockets Infinity, keepAlive false, no timeout; the hint buffer is 1000 ms
// (`HTTP_AGENT_KEEP_ALIVE_TIMEOUT_BUFFER` in v20, the `agentKeepAliveTimeoutBuffer` option in v24).
const MAX_FREE_SOCKETS = 256;
const HINT_BUFFER_MS = 1000;

/** Node's option name for each normalized setting: advice names what the user writes. */
export const HTTP_AGENT_SETTING_NAMES: SettingNames = {
  maxOpen: 'maxSockets',
  maxIdle: 'maxFreeSockets',
  idleTimeoutMs: 'timeout',
  keepAlive: 'keepAlive',
};

/**
 * Maps `http.Agent` options (as passed to `new http.Agent(options)`, or an agent's own `agent.options`) to
 * core's `PoolConfig`, with the option names advice should use. Pure: usable on a config file before any
 * agent exists.
 */
export function readHttpAgentConfig(options: HttpAgentOptions | null | undefined): HttpAgentConfig {
  const o = options ?? {};
  const enabled = o.keepAlive === true;
  // Node: `this.maxSockets = options.maxSockets || Infinity` (0 and absent both mean unlimited).
  const maxSockets = positive(o.maxSockets);
  const maxFree = positive(o.maxFreeSockets) ?? MAX_FREE_SOCKETS;
  const timeout = positive(o.timeout);
  const buffer = o.agentKeepAliveTimeoutBuffer;
  return {
    config: {
      maxOpen: maxSockets,
      // Without keepAlive nothing is kept: every freed socket is destroyed.
      maxIdle: enabled ? (maxSockets === null ? maxFree : Math.min(maxFree, maxSockets)) : 0,
      idleTimeoutMs: enabled ? timeout : 0,
      maxLifetimeMs: null,
      // Requests queue in `agent.requests` without bound, and wait for a socket for ever.
      queueLimit: null,
      acquireTimeoutMs: null,
      keepAlive: enabled,
    },
    settings: HTTP_AGENT_SETTING_NAMES,
    keepAlive: {
      enabled,
      timeoutMs: timeout,
      hintBufferMs:
        typeof buffer === 'number' && Number.isFinite(buffer) && buffer >= 0 ? buffer : HINT_BUFFER_MS,
    },
  };
}

/** A finite positive number, else null (Node treats 0, absent and Infinity alike: no limit). */
function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}
