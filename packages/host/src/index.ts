export { readCounters } from './counters.js';
export { ProcReadError } from './errors.js';
export { hostLintRules, hostLintSubject } from './host-lint.js';
export { observeHost } from './observe-host.js';
export type { HostObservation, ObserveHostOptions } from './observe-host.js';
export { readSocketTable } from './socket-table.js';
export { readSysctls } from './sysctls.js';
export type {
  HostSysctls,
  ProcOptions,
  SocketTable,
  SocketTableOptions,
  StateCounts,
  SysctlReading,
  SysctlSource,
  TableProblem,
  TableSocket,
  TcpCounters,
  TcpState,
  TimeWaitRemaining,
} from './types.js';
