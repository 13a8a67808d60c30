import type { DetectorThresholds } from '../types.js';
import type { EndpointDetector, PoolDetector } from './context.js';
import { clientPerRequest } from './client-per-request.js';
import { connectionLeak } from './connection-leak.js';
import { idleTimeoutChurn } from './idle-timeout-churn.js';
import { maxIdleChurn } from './max-idle-churn.js';
import { maxLifetimeChurn } from './max-lifetime-churn.js';
import { poolSaturated } from './pool-saturated.js';
import { serverClosesFirst } from './server-closes-first.js';

import { portExhaustionRisk } from './port-exhaustion-risk.js';

/** Every pool-level detector, by the finding code it produces. */
export const POOL_DETECTORS: Readonly<Record<string, PoolDetector>> = {
  'max-idle-churn': maxIdleChurn,
  'idle-timeout-churn': idleTimeoutChurn,
  'max-lifetime-churn': maxLifetimeChurn,
  'server-closes-first': serverClosesFirst,
  'pool-saturated': poolSaturated,
  'connection-leak': connectionLeak,
  'client-per-request': clientPerRequest,
};

/** Every destination-level detector (across pools), by the finding code it produces. */
export const ENDPOINT_DETECTORS: Readonly<Record<string, EndpointDetector>> = {
  'port-exhaustion-risk': portExhaustionRisk,
};

/** Default sustain thresholds: enough events over enough distinct seconds of the window. */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, Required<DetectorThresholds>>> = {
  'max-idle-churn': { minEvents: 10, minSeconds: 3, minShare: 0, enabled: true },
  'idle-timeout-churn': { minEvents: 5, minSeconds: 3, minShare: 0, enabled: true },
  'max-lifetime-churn': { minEvents: 10, minSeconds: 3, minShare: 0, enabled: true },
  'server-closes-first': { minEvents: 5, minSeconds: 2, minShare: 0, enabled: true },
  'pool-saturated': { minEvents: 10, minSeconds: 2, minShare: 0, enabled: true },
  'connection-leak': { minEvents: 1, minSeconds: 1, minShare: 0, enabled: true },
  'client-per-request': { minEvents: 20, minSeconds: 3, minShare: 0, enabled: true },
  'port-exhaustion-risk': { minEvents: 1, minSeconds: 1, minShare: 0.2, enabled: true },
};
