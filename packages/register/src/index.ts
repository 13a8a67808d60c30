// Loading this module is the hook: `node --require @poolaudit/register` starts it for the whole process.
import { startOnce } from './start.js';

startOnce();

export { registered } from './start.js';
export { ENV_VARIABLES, readEnvConfig } from './env-config.js';
export { HOOKS } from './hook-table.js';
export type { HookEntry } from './hook-table.js';
export type { PoolSource } from './internal/wrap-exports.js';
export type { DestinationShare } from './internal/output.js';
export type { RunMessage } from './internal/run-channel.js';
export type {
  ConfigProblem,
  HookedLibrary,
  LogMode,
  ProcessIdentity,
  RegisterConfig,
  Registered,
} from './types.js';
