export { auditPool, detach, isAudited } from './audit-pool.js';
export { MYSQL2_SETTING_NAMES, readMysql2Config } from './read-config.js';
export type { AuditPoolOptions, Mysql2Auditable, Mysql2PoolConfig } from './types.js';
export { mysql2LintRules, mysql2OptionSchema } from './lint-rules.js';
