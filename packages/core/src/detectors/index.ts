import type { DetectorThresholds } from '../types.js';
import type { EndpointDetector, PoolDetector } from './context.js';
import { clientPerRequest } from './client-per-request.js';
import { connectFailing } from './connect-failing.js';
import { connectionLeak } from './connection-leak.js';
import { idleTimeoutChurn } from './idle-timeout-churn.js';
import { maxIdleChurn } from './max-idle-churn.js';
import { maxLifetimeChurn } from './max-lifetime-churn.js';
import { minRefillChurn } from './min-refill-churn.js';
import { poolSaturated } from './pool-saturated.js';
import { serverClosesFirst } from './server-closes-first.js';
import { httpConnectionClose } from './http-connection-close.js';
import { httpKeepAliveDisabled } from './http-keep-alive-disabled.js';
import { httpKeepAliveRace } from './http-keep-alive-race.js';
import { httpShortKeepAliveHint } from './http-short-keep-alive-hint.js';
import { httpUnboundedConnections } from './http-unbounded-connections.js';

import { serverConnectionClose } from './server-connection-close.js';
import { serverKeepAliveRace } from './server-keep-alive-race.js';
import { serverNoKeepAliveClients } from './server-no-keep-alive-clients.js';
import { portExhaustionRisk } from './port-exhaustion-risk.js';
import { closeWait } from './close-wait.js';
import { unauditedTimeWait } from './unaudited-time-wait.js';

/** Every pool-level detector, by the finding code it produces. */
export const POOL_DETECTORS: Readonly<Record<string, PoolDetector>> = {
  'max-idle-churn': maxIdleChurn,
  'idle-timeout-churn': idleTimeoutChurn,
  'max-lifetime-churn': maxLifetimeChurn,
  'min-refill-churn': minRefillChurn,
  'server-closes-first': serverClosesFirst,
  'pool-saturated': poolSaturated,
  'connect-failing': connectFailing,
  'connection-leak': connectionLeak,
  'client-per-request': clientPerRequest,
  'http-keep-alive-disabled': httpKeepAliveDisabled,
  'http-short-keep-alive-hint': httpShortKeepAliveHint,
  'http-connection-close': httpConnectionClose,
  'http-keep-alive-race': httpKeepAliveRace,
  'http-unbounded-connections': httpUnboundedConnections,
};

/** The detectors of a server's accepted connections (`direction: 'inbound'`), by the code they produce. */
export const INBOUND_DETECTORS: Readonly<Record<string, PoolDetector>> = {
  'server-keep-alive-race': serverKeepAliveRace,
  'server-connection-close': serverConnectionClose,
  'server-no-keep-alive-clients': serverNoKeepAliveClients,
  'connection-leak': connectionLeak,
};

/** Every destination-level detector (across pools), by the finding code it produces. */
export const ENDPOINT_DETECTORS: Readonly<Record<string, EndpointDetector>> = {
  'port-exhaustion-risk': portExhaustionRisk,
  'close-wait': closeWait,
  'unaudited-time-wait': unauditedTimeWait,
};

/** Default sustain thresholds: enough events over enough distinct seconds of the window. */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, Required<DetectorThresholds>>> = {
  'max-idle-churn': { minEvents: 10, minSeconds: 3, minShare: 0, enabled: true },
  'idle-timeout-churn': { minEvents: 5, minSeconds: 3, minShare: 0, enabled: true },
  'max-lifetime-churn': { minEvents: 10, minSeconds: 3, minShare: 0, enabled: true },
  'min-refill-churn': { minEvents: 5, minSeconds: 3, minShare: 0, enabled: true },
  'server-closes-first': { minEvents: 5, minSeconds: 2, minShare: 0, enabled: true },
  'pool-saturated': { minEvents: 10, minSeconds: 2, minShare: 0, enabled: true },
  // A pool that cannot connect fails every request: one failed attempt is worth saying.
  'connect-failing': { minEvents: 1, minSeconds: 1, minShare: 0, enabled: true },
  'connection-leak': { minEvents: 1, minSeconds: 1, minShare: 0, enabled: true },
  'client-per-request': { minEvents: 20, minSeconds: 3, minShare: 0, enabled: true },
  'http-keep-alive-disabled': { minEvents: 10, minSeconds: 2, minShare: 0, enabled: true },
  'http-short-keep-alive-hint': { minEvents: 5, minSeconds: 2, minShare: 0, enabled: true },
  'http-connection-close': { minEvents: 5, minSeconds: 2, minShare: 0, enabled: true },
  // Each race is a failed request the application saw: a few are enough.
  'http-keep-alive-race': { minEvents: 3, minSeconds: 1, minShare: 0, enabled: true },
  'http-unbounded-connections': { minEvents: 50, minSeconds: 1, minShare: 0, enabled: true },
  'server-keep-alive-race': { minEvents: 3, minSeconds: 2, minShare: 0, enabled: true },
  'server-connection-close': { minEvents: 10, minSeconds: 2, minShare: 0, enabled: true },
  'server-no-keep-alive-clients': { minEvents: 20, minSeconds: 2, minShare: 0, enabled: true },
  'port-exhaustion-risk': { minEvents: 1, minSeconds: 1, minShare: 0.2, enabled: true },
  'close-wait': { minEvents: 1, minSeconds: 1, minShare: 0, enabled: true },
  'unaudited-time-wait': { minEvents: 100, minSeconds: 1, minShare: 0.5, enabled: true },
};
