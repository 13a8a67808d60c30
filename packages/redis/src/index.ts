export { auditClient, auditPool, detach, isAudited } from './audit-redis.js';
export {
  nodeRedisLintRules,
  nodeRedisOptionSchema,
  nodeRedisPoolLintRules,
  nodeRedisPoolOptionSchema,
} from './lint-rules.js';
export { NODE_REDIS_POOL_DEFAULTS, readNodeRedisConfig, readNodeRedisPoolConfig } from './read-config.js';
export type { AuditClientOptions, AuditPoolOptions, NodeRedisConfig } from './types.js';
