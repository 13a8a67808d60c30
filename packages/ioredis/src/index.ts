export { auditRedis, detachRedis, isAudited } from './audit-redis.js';
export { readIoredisConfig } from './read-config.js';
export type { IoredisConfig, IoredisKind } from './read-config.js';
export { ioredisLintRules, ioredisOptionSchema } from './lint-rules.js';
export type { AuditRedisOptions, RedisServerSettings } from './types.js';
