export { auditPool, detach, isAudited } from './audit-pool.js';
export { genericPoolLintRules, genericPoolOptionSchema } from './lint-rules.js';
export { readGenericPoolConfig } from './read-config.js';
export type { AuditPoolOptions, GenericPoolConfig, ResourceOf } from './types.js';
