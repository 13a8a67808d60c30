import type { GrpcChannelConfig } from './types.js';

/** grpc-js's default `grpc.client_idle_timeout_ms`, and its floor (`internal-channel.js` L45–47). */
export const DEFAULT_CLIENT_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
const MIN_CLIENT_IDLE_TIMEOUT_MS = 1000;

/**
 * A grpc-js channel's options in core's shape. A channel keeps one connection per backend address (its
 * subchannels), opened on demand and closed when the channel has been idle for `grpc.client_idle_timeout_ms`
 * (30 min by default, at least 1 s), so there is no open-connection cap to report; HTTP/2 keepalive pings
 * (`grpc.keepalive_time_ms`) are off unless set.
 */
export function readGrpcConfig(options: Readonly<Record<string, unknown>>): GrpcChannelConfig {
  const idle = options['grpc.client_idle_timeout_ms'];
  const keepaliveTime = options['grpc.keepalive_time_ms'];
  return {
    config: {
      maxOpen: null,
      maxIdle: null,
      idleTimeoutMs: Math.max(
        typeof idle === 'number' ? idle : DEFAULT_CLIENT_IDLE_TIMEOUT_MS,
        MIN_CLIENT_IDLE_TIMEOUT_MS,
      ),
      maxLifetimeMs: null,
      queueLimit: null,
      keepAlive: typeof keepaliveTime === 'number' && keepaliveTime > 0,
    },
    settings: { idleTimeoutMs: 'grpc.client_idle_timeout_ms', keepAlive: 'grpc.keepalive_time_ms' },
  };
}

/** The channel options worth showing in a report: every `grpc.*` / `grpc-node.*` option, as given. */
export function rawOptionsOf(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key.startsWith('grpc.') || key.startsWith('grpc-node.')) out[key] = value;
  }
  return out;
}
