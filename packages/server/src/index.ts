export { auditServer, detach, isAudited } from './audit-server.js';
export { serverLintRules, serverOptionSchema } from './lint-rules.js';
export { HTTP_SERVER_DEFAULTS, readServerConfig, serverOptionsOf } from './read-config.js';
export type { AuditServerOptions, ServerConfig } from './types.js';
