export { agentName, auditAgent, auditGlobalAgents, detach, isAudited } from './audit-agent.js';
export { HTTP_AGENT_SETTING_NAMES, readHttpAgentConfig } from './read-config.js';
export type { AgentLike, AuditAgentOptions, HttpAgentConfig, HttpAgentOptions } from './types.js';
export { httpAgentLintRules, httpAgentOptionSchema } from './lint-rules.js';
