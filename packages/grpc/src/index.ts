export { auditClient, defaultGrpcName, detachClient, isAudited } from './audit-client.js';
export { grpcLintRules, grpcOptionSchema } from './lint-rules.js';
export { readGrpcConfig } from './read-config.js';
export type { AuditClientOptions, GrpcChannelConfig } from './types.js';
