export { auditDispatcher, detachDispatcher, isAudited } from './audit-dispatcher.js';
export {
  auditGlobalDispatcher,
  detachGlobalDispatcher,
  globalDispatcher,
} from './audit-global-dispatcher.js';
export { readUndiciConfig } from './read-undici-config.js';
export type {
  AuditDispatcherOptions,
  DispatcherKind,
  DispatcherLike,
  UndiciConfig,
  UndiciOptions,
} from './types.js';
export { undiciLintRules, undiciOptionSchema } from './lint-rules.js';
