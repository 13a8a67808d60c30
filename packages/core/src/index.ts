export { Auditor, createAuditor, defaultAuditor, lintPools } from './auditor.js';
export { LintFailedError, lint } from './lint/lint.js';
export type { LintPoolsOptions } from './lint/lint-pools.js';
export { booleanOption, numberOption } from './lint/option-readers.js';
export type { OptionSchema, OptionType } from './lint/option-readers.js';
export { optionProblems, optionType, unknownOptionRule } from './lint/unknown-option-rule.js';
export type { OptionProblem } from './lint/unknown-option-rule.js';
export { endpointKey, parseEndpoint } from './endpoint.js';
export { auditAgain } from './audit-again.js';
export { accepts, checkOptions, checkValue } from './check-options.js';
export type { OptionCheck, OptionChecks } from './check-options.js';
export { InvalidOptionError, UnknownOptionError, UnsupportedPoolError } from './errors.js';
export type { OptionErrorContext } from './errors.js';
export { recognizePool } from './known-pools.js';
export type { RecognizedPool } from './known-pools.js';
export { nearMiss } from './near-miss.js';
export { wrapInstanceMethod, wrapMethodOf } from './instance-method.js';
export type { EntryFunction } from './instance-method.js';
export { reportAuditFailure } from './report-failure.js';
export { resourceSocket } from './resource-socket.js';
export { DISABLE_VARIABLE, readKillSwitch } from './kill-switch.js';
export { defaultPortRange, platformTimeWaitSeconds } from './platform.js';
export { redactConfig, redactUrl } from './redact.js';
export { formatDBStats, formatGoDuration, formatTimeWait } from './report/db-stats.js';
export { formatReport } from './report/text-report.js';
export type {
  AuditLogger,
  AuditSnapshot,
  AuditorEvents,
  AuditorOptions,
  CloseReason,
  CloseLookup,
  ClosedBy,
  ClosedByCounts,
  ConnectErrorInfo,
  ConnectFailure,
  DetectorThresholds,
  EndpointStats,
  Finding,
  FootprintSource,
  HostObserver,
  KernelEndpointView,
  LeakedConnection,
  LintRule,
  LintSubject,
  LintViolation,
  OpenedInfo,
  PoolConfig,
  PoolProbe,
  PoolRegistration,
  PoolSnapshot,
  PoolStats,
  PoolTiming,
  PortRange,
  ProcessSocketsOptions,
  ProcessSocketsSnapshot,
  RecentActivity,
  SettingNames,
  Severity,
  StartOptions,
  TimeWaitReconciliation,
  TimeWaitStats,
  TimingListener,
  TimingSummary,
  UnauditedCaller,
  UnauditedDestination,
  WindowCount,
} from './types.js';
