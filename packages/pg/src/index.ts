// @poolaudit/pg: the adapter's public surface is re-exported here, by name.
export { auditPool, detach, isAudited } from './audit-pool.js';
export { PG_SETTING_NAMES, readPgConfig } from './read-config.js';
export { pgLintRules, pgOptionSchema } from './lint-rules.js';
export type { AuditPoolOptions, PgAuditable, PgPoolConfig } from './types.js';
