export { registerMetrics } from './register-metrics.js';
export { ATTR, METRIC } from './names.js';
export type { MetricsHandle, MetricsOptions } from './types.js';
