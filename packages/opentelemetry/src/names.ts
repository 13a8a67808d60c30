/**
 * Metric and attribute names. Database and Redis pools use the OpenTelemetry semantic conventions for
 * database connection pools (`db.client.connection.*`, Development stability); HTTP pools use
 * `http.client.open_connections` and `http.client.connection.duration`. What no convention covers lives
 * under `poolaudit.*`.
 */
export const METRIC = {
  /** `{connection}`: connections currently `idle` or `used` (database and Redis pools). */
  dbConnectionCount: 'db.client.connection.count',
  /** `{connection}`: most open connections allowed (not reported while unlimited). */
  dbConnectionMax: 'db.client.connection.max',
  /** `{connection}`: most idle connections kept. */
  dbConnectionIdleMax: 'db.client.connection.idle.max',
  /** `{connection}`: fewest idle connections kept warm. */
  dbConnectionIdleMin: 'db.client.connection.idle.min',
  /** `{request}`: acquires waiting for a connection now. */
  dbConnectionPendingRequests: 'db.client.connection.pending_requests',
  /** `{timeout}`: acquires that timed out, since the pool was registered. */
  dbConnectionTimeouts: 'db.client.connection.timeouts',
  /** `s`: time to open a new connection. */
  dbConnectionCreateTime: 'db.client.connection.create_time',
  /** `s`: time to obtain a connection from the pool. */
  dbConnectionWaitTime: 'db.client.connection.wait_time',
  /** `s`: time between borrowing a connection and returning it. */
  dbConnectionUseTime: 'db.client.connection.use_time',
  /** `{connection}`: HTTP connections currently `active` or `idle`, per server. */
  httpOpenConnections: 'http.client.open_connections',
  /** `s`: how long HTTP connections lived, recorded when each one closes. */
  httpConnectionDuration: 'http.client.connection.duration',
  /**
   * `{connection}`: connections a server (an inbound pool) holds open now, `active` (a request in flight) or
   * `idle`, per client address. OpenTelemetry has no HTTP server connection metric.
   */
  serverConnections: 'poolaudit.server.connections',
  /** `{connection}`: connections ever opened. */
  connectionsCreated: 'poolaudit.connection.created',
  /** `{attempt}`: connection attempts that failed (refused, timed out, TLS, authentication), by `error.type`. */
  connectErrors: 'poolaudit.connection.connect_errors',
  /** `{connection}`: connections closed, by why the pool let them go. */
  connectionsClosed: 'poolaudit.connection.closed',
  /** `{connection}`: connections closed, by which side sent the first FIN (or a reset). */
  connectionsClosedBy: 'poolaudit.connection.closed_by',
  /**
   * `{connection}`: TIME_WAIT sockets this pool left toward a server within the TIME_WAIT length, confirmed by
   * the kernel or counted (attribute `poolaudit.time_wait.source`).
   */
  timeWaitFootprint: 'poolaudit.time_wait.footprint',
  /** `{connection}`: local closes toward a server that the kernel showed left no TIME_WAIT (a reset), within the window. */
  timeWaitResets: 'poolaudit.time_wait.resets',
  /** `{socket}`: TIME_WAIT sockets the kernel holds toward a server (with a host observer attached). */
  timeWaitKernel: 'poolaudit.time_wait.kernel',
  /** `1`: share of the ephemeral ports toward a server held in TIME_WAIT by audited pools. */
  portBudgetUsed: 'poolaudit.port_budget.used',
  /**
   * `{connection}`: connections open now toward a server that no adapter audits (with
   * `auditor.watchProcessSockets()` on).
   */
  unauditedConnections: 'poolaudit.unaudited.connections',
  /**
   * `{connection}`: TIME_WAIT sockets those unaudited connections left toward a server within the TIME_WAIT
   * length, confirmed per 4-tuple or counted (`poolaudit.time_wait.source`).
   */
  unauditedTimeWait: 'poolaudit.unaudited.time_wait.footprint',
  /** `{finding}`: findings that hold now. */
  findingsActive: 'poolaudit.findings.active',
} as const;

/** Attribute keys. Every one has a bounded set of values: no per-query or per-connection attributes. */
export const ATTR = {
  /** The pool's name, as registered (semantic convention, database and Redis pools). */
  dbPoolName: 'db.client.connection.pool.name',
  /** `idle` | `used` (semantic convention). */
  dbConnectionState: 'db.client.connection.state',
  /** `active` | `idle` (semantic convention). */
  httpConnectionState: 'http.connection.state',
  /** The server's host name or address. */
  serverAddress: 'server.address',
  /** The peer of a server's connection (semantic conventions' `client.address`). */
  clientAddress: 'client.address',
  /** The server's port, an integer. */
  serverPort: 'server.port',
  /** The pool's name, as registered, on every `poolaudit.*` series about one pool. */
  poolName: 'poolaudit.pool.name',
  /** The pool's library: `mysql2`, `ioredis`, `undici`, `generic-pool`, … */
  poolKind: 'poolaudit.pool.kind',
  /** Why the pool closed a connection: `maxIdle`, `idleTimeout`, `maxLifetime`, `remote`, `error`, `shutdown`, `other`. */
  reason: 'poolaudit.reason',
  /** Which side closed first: `local`, `remote`, `reset`, `unknown`. */
  closedBy: 'poolaudit.closed_by',
  /** Which TIME_WAIT figure a footprint is: `kernel` (confirmed per 4-tuple) or `counted` (no host scan). */
  timeWaitSource: 'poolaudit.time_wait.source',
  /** What a failed connection attempt failed with: the error's code (`ECONNREFUSED`, `28P01`, …) (semantic convention). */
  errorType: 'error.type',
  /** The finding's stable code (`max-idle-churn`, …). */
  findingCode: 'poolaudit.finding.code',
  /** `info` | `warning` | `error`. */
  findingSeverity: 'poolaudit.finding.severity',
} as const;
