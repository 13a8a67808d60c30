import { numberOption } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import type { LintRule, OptionSchema } from '@poolaudit/core';

/** A grpc option as a finite number, or undefined (absent, null or not a number). */
function grpcNumber(options: LintSubject['options'], key: string): number | undefined {
  const value = numberOption(options, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The interval below which servers built on gRPC's C core (and grpc-go) answer pings with GOAWAY
 * `too_many_pings`: `grpc.http2.min_ping_interval_without_data_ms` 5 min when no call is active, and gRPC's
 * client keepalive design (A8) asks clients not to ping more often than every 10 s at all. grpc-js servers do
 * not enforce a minimum; a probe or the subject's facts (`serverMinPingIntervalMs`) can say otherwise.
 */
const SERVER_MIN_PING_WITHOUT_DATA_MS = 300_000;
const A8_MIN_KEEPALIVE_MS = 10_000;

const keepaliveTooFrequent: LintRule = {
  id: 'grpc/keepalive-too-frequent',
  kind: 'grpc',
  severity: 'warning',
  description:
    'grpc.keepalive_time_ms below what servers accept: the server answers with GOAWAY too_many_pings and the connection is redialled.',
  check({ options, facts }) {
    const time = grpcNumber(options, 'grpc.keepalive_time_ms');
    if (time === undefined || time <= 0) return undefined;
    const withoutCalls = grpcNumber(options, 'grpc.keepalive_permit_without_calls') === 1;
    const declared = facts['serverMinPingIntervalMs'];
    const floor =
      typeof declared === 'number'
        ? declared
        : withoutCalls
          ? SERVER_MIN_PING_WITHOUT_DATA_MS
          : A8_MIN_KEEPALIVE_MS;
    if (time >= floor) return undefined;
    const source =
      typeof declared === 'number'
        ? `the server's declared minimum ping interval (${declared} ms)`
        : withoutCalls
          ? `the 5 min that gRPC C-core and Go servers allow between pings on a connection without calls ` +
            `(grpc.http2.min_ping_interval_without_data_ms)`
          : `the 10 s floor of gRPC's keepalive design (A8)`;
    return {
      message:
        `grpc.keepalive_time_ms=${time}${withoutCalls ? ' with grpc.keepalive_permit_without_calls=1' : ''} is ` +
        `below ${source}: such a server sends GOAWAY too_many_pings, closing the connection, and grpc-js doubles ` +
        `its interval and dials again.`,
      evidence: { keepaliveTimeMs: time, floorMs: floor, permitWithoutCalls: withoutCalls },
      fix: `Set grpc.keepalive_time_ms to at least ${floor} (or raise the server's permitted ping interval to match).`,
    };
  },
};

const localSubchannelPool: LintRule = {
  id: 'grpc/local-subchannel-pool',
  kind: 'grpc',
  severity: 'info',
  description:
    'grpc.use_local_subchannel_pool gives each channel connections of its own: clients created per request each dial.',
  check({ options }) {
    if (grpcNumber(options, 'grpc.use_local_subchannel_pool') !== 1) return undefined;
    return {
      message:
        'grpc.use_local_subchannel_pool=1: this channel shares no connection with other channels to the same ' +
        'target, so every client created with it opens (and on close() tears down) its own connections.',
      evidence: { useLocalSubchannelPool: 1 },
      fix: 'Create one client per target and share it; drop grpc.use_local_subchannel_pool unless isolation is the point.',
    };
  },
};

const shortClientIdleTimeout: LintRule = {
  id: 'grpc/short-client-idle-timeout',
  kind: 'grpc',
  severity: 'info',
  description:
    "grpc.client_idle_timeout_ms of a few seconds closes the channel's connections between bursts of calls.",
  check({ options }) {
    const idle = grpcNumber(options, 'grpc.client_idle_timeout_ms');
    if (idle === undefined || idle >= 60_000) return undefined;
    return {
      message:
        `grpc.client_idle_timeout_ms=${idle}: after ${idle} ms without a call the channel drops its connections ` +
        `(this side closes first: TIME_WAIT here) and dials again on the next call.`,
      evidence: { clientIdleTimeoutMs: idle },
      fix: 'Set grpc.client_idle_timeout_ms above the longest gap between calls (default 30 min).',
    };
  },
};

const maxAgeWithoutGrace: LintRule = {
  id: 'grpc-server/max-connection-age-without-grace',
  kind: 'grpc-server',
  severity: 'warning',
  description:
    'grpc.max_connection_age_ms without grpc.max_connection_age_grace_ms: calls still running at the age limit wait without bound, or are cut by a later limit.',
  check({ options }) {
    const age = grpcNumber(options, 'grpc.max_connection_age_ms');
    if (age === undefined || grpcNumber(options, 'grpc.max_connection_age_grace_ms') !== undefined)
      return undefined;
    return {
      message:
        `grpc.max_connection_age_ms=${age} with no grpc.max_connection_age_grace_ms: the server sends GOAWAY at ` +
        `the age limit and then waits for running calls without a bound, so long streams hold old connections open.`,
      evidence: { maxConnectionAgeMs: age },
      fix: 'Set grpc.max_connection_age_grace_ms to the longest call you expect (e.g. 30000).',
    };
  },
};

const shortMaxConnectionAge: LintRule = {
  id: 'grpc-server/short-max-connection-age',
  kind: 'grpc-server',
  severity: 'warning',
  description:
    'A grpc.max_connection_age_ms of seconds makes every client redial that often: connection churn by design.',
  check({ options }) {
    const age = grpcNumber(options, 'grpc.max_connection_age_ms');
    if (age === undefined || age >= 60_000) return undefined;
    return {
      message:
        `grpc.max_connection_age_ms=${age}: every client connection is retired by GOAWAY after ${age} ms, so each ` +
        `client dials ${(60_000 / Math.max(age, 1)).toFixed(0)} new connections a minute per server.`,
      evidence: { maxConnectionAgeMs: age },
      fix: 'Use a max connection age of minutes (e.g. 300000) with jitter; it exists to rebalance, not to recycle per request.',
    };
  },
};

/** The lint rules for gRPC channels (`grpc`) and servers (`grpc-server`). */
export const grpcLintRules: readonly LintRule[] = [
  keepaliveTooFrequent,
  localSubchannelPool,
  shortClientIdleTimeout,
  maxAgeWithoutGrace,
  shortMaxConnectionAge,
];

/** The channel options grpc-js recognises (`build/src/channel-options.js` `recognizedOptions`), by type. */
export const grpcOptionSchema: OptionSchema = {
  'grpc.ssl_target_name_override': ['string'],
  'grpc.primary_user_agent': ['string'],
  'grpc.secondary_user_agent': ['string'],
  'grpc.default_authority': ['string'],
  'grpc.keepalive_time_ms': ['number'],
  'grpc.keepalive_timeout_ms': ['number'],
  'grpc.keepalive_permit_without_calls': ['number'],
  'grpc.service_config': ['string'],
  'grpc.max_concurrent_streams': ['number'],
  'grpc.initial_reconnect_backoff_ms': ['number'],
  'grpc.max_reconnect_backoff_ms': ['number'],
  'grpc.use_local_subchannel_pool': ['number'],
  'grpc.max_send_message_length': ['number'],
  'grpc.max_receive_message_length': ['number'],
  'grpc.enable_http_proxy': ['number'],
  'grpc.enable_channelz': ['number'],
  'grpc.dns_min_time_between_resolutions_ms': ['number'],
  'grpc.enable_retries': ['number'],
  'grpc.per_rpc_retry_buffer_size': ['number'],
  'grpc.retry_buffer_size': ['number'],
  'grpc.max_connection_age_ms': ['number'],
  'grpc.max_connection_age_grace_ms': ['number'],
  'grpc-node.max_session_memory': ['number'],
  'grpc.service_config_disable_resolution': ['number'],
  'grpc.client_idle_timeout_ms': ['number'],
  'grpc-node.tls_enable_trace': ['number'],
  'grpc.lb.ring_hash.ring_size_cap': ['number'],
  'grpc-node.retry_max_attempts_limit': ['number'],
  'grpc-node.flow_control_window': ['number'],
  'grpc.server_call_metric_recording': ['number'],
  'grpc.max_connection_idle_ms': ['number'],
};
