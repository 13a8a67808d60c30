export { auditKnex, auditPool, detach, isAudited, knexName } from './audit-pool.js';
export type { KnexClient } from './audit-pool.js';
export { tarnLintRules, tarnOptionSchema } from './lint-rules.js';
export { TARN_DEFAULTS, readTarnConfig } from './read-config.js';
export type { AuditPoolOptions, TarnConfig } from './types.js';
