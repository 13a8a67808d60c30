import { ValueType } from '@opentelemetry/api';
import type {
  Histogram,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
} from '@opentelemetry/api';
import { METRIC } from '../names.js';

/** Pool timings run from well under a millisecond (a warm pool) to tens of seconds (a starved one). */
const POOL_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** The advisory buckets of `http.client.connection.duration` in the semantic conventions. */
const HTTP_CONNECTION_SECONDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** Every instrument `registerMetrics()` reports through. */
export interface Instruments {
  readonly dbConnectionCount: ObservableUpDownCounter;
  readonly dbConnectionMax: ObservableUpDownCounter;
  readonly dbConnectionIdleMax: ObservableUpDownCounter;
  readonly dbConnectionIdleMin: ObservableUpDownCounter;
  readonly dbConnectionPendingRequests: ObservableUpDownCounter;
  readonly dbConnectionTimeouts: ObservableCounter;
  readonly httpOpenConnections: ObservableUpDownCounter;
  readonly serverConnections: ObservableUpDownCounter;
  readonly connectionsCreated: ObservableCounter;
  readonly connectErrors: ObservableCounter;
  readonly connectionsClosed: ObservableCounter;
  readonly connectionsClosedBy: ObservableCounter;
  readonly timeWaitFootprint: ObservableUpDownCounter;
  readonly timeWaitKernel: ObservableUpDownCounter;
  readonly timeWaitResets: ObservableUpDownCounter;
  readonly portBudgetUsed: ObservableGauge;
  readonly unauditedConnections: ObservableUpDownCounter;
  readonly unauditedTimeWait: ObservableUpDownCounter;
  readonly findingsActive: ObservableUpDownCounter;
  readonly dbConnectionCreateTime: Histogram;
  readonly dbConnectionWaitTime: Histogram;
  readonly dbConnectionUseTime: Histogram;
  readonly httpConnectionDuration: Histogram;
  /** The observable ones, read together by one batch callback. */
  readonly observables: Observable[];
}

export function createInstruments(meter: Meter): Instruments {
  const count = (unit: string, description: string) => ({ unit, description, valueType: ValueType.INT });
  const seconds = (description: string, buckets: number[]) => ({
    unit: 's',
    description,
    valueType: ValueType.DOUBLE,
    advice: { explicitBucketBoundaries: buckets },
  });
  const observable = {
    dbConnectionCount: meter.createObservableUpDownCounter(
      METRIC.dbConnectionCount,
      count(
        '{connection}',
        'The number of connections that are currently in state described by the state attribute.',
      ),
    ),
    dbConnectionMax: meter.createObservableUpDownCounter(
      METRIC.dbConnectionMax,
      count('{connection}', 'The maximum number of open connections allowed.'),
    ),
    dbConnectionIdleMax: meter.createObservableUpDownCounter(
      METRIC.dbConnectionIdleMax,
      count('{connection}', 'The maximum number of idle open connections allowed.'),
    ),
    dbConnectionIdleMin: meter.createObservableUpDownCounter(
      METRIC.dbConnectionIdleMin,
      count('{connection}', 'The minimum number of idle open connections allowed.'),
    ),
    dbConnectionPendingRequests: meter.createObservableUpDownCounter(
      METRIC.dbConnectionPendingRequests,
      count('{request}', 'The number of current pending requests for an open connection.'),
    ),
    dbConnectionTimeouts: meter.createObservableCounter(
      METRIC.dbConnectionTimeouts,
      count(
        '{timeout}',
        'The number of connection timeouts that have occurred trying to obtain a connection from the pool.',
      ),
    ),
    httpOpenConnections: meter.createObservableUpDownCounter(
      METRIC.httpOpenConnections,
      count(
        '{connection}',
        'Number of outbound HTTP connections that are currently active or idle on the client.',
      ),
    ),
    serverConnections: meter.createObservableUpDownCounter(
      METRIC.serverConnections,
      count('{connection}', 'Connections a server holds open now, active (a request in flight) or idle.'),
    ),
    connectionsCreated: meter.createObservableCounter(
      METRIC.connectionsCreated,
      count('{connection}', 'Connections the pool has opened.'),
    ),
    connectErrors: meter.createObservableCounter(
      METRIC.connectErrors,
      count('{attempt}', 'Connection attempts that failed, by the error code (error.type).'),
    ),
    connectionsClosed: meter.createObservableCounter(
      METRIC.connectionsClosed,
      count('{connection}', 'Connections the pool has closed, by why it let them go.'),
    ),
    connectionsClosedBy: meter.createObservableCounter(
      METRIC.connectionsClosedBy,
      count(
        '{connection}',
        'Connections closed, by which side sent the first FIN (local keeps the TIME_WAIT; reset leaves none).',
      ),
    ),
    timeWaitFootprint: meter.createObservableUpDownCounter(
      METRIC.timeWaitFootprint,
      count(
        '{connection}',
        'TIME_WAIT sockets this pool holds toward the server within the TIME_WAIT length: confirmed per 4-tuple by the kernel (poolaudit.time_wait.source=kernel) or counted from local closes (counted).',
      ),
    ),
    timeWaitResets: meter.createObservableUpDownCounter(
      METRIC.timeWaitResets,
      count(
        '{connection}',
        'Local closes toward the server within the TIME_WAIT length that the kernel showed left no TIME_WAIT (they ended in a reset).',
      ),
    ),
    timeWaitKernel: meter.createObservableUpDownCounter(
      METRIC.timeWaitKernel,
      count(
        '{socket}',
        'TIME_WAIT sockets the kernel holds toward the server, from the attached host observer.',
      ),
    ),
    portBudgetUsed: meter.createObservableGauge(METRIC.portBudgetUsed, {
      unit: '1',
      description: 'Share (0-1) of the ephemeral ports toward the server held in TIME_WAIT by audited pools.',
      valueType: ValueType.DOUBLE,
    }),
    unauditedConnections: meter.createObservableUpDownCounter(
      METRIC.unauditedConnections,
      count('{connection}', 'Connections open toward the server that no adapter audits (the process view).'),
    ),
    unauditedTimeWait: meter.createObservableUpDownCounter(
      METRIC.unauditedTimeWait,
      count(
        '{connection}',
        'TIME_WAIT sockets the unaudited connections left toward the server within the TIME_WAIT length: confirmed per 4-tuple (poolaudit.time_wait.source=kernel) or counted.',
      ),
    ),
    findingsActive: meter.createObservableUpDownCounter(
      METRIC.findingsActive,
      count('{finding}', 'Findings that hold now, by code and severity.'),
    ),
  };
  return {
    ...observable,
    dbConnectionCreateTime: meter.createHistogram(
      METRIC.dbConnectionCreateTime,
      seconds('The time it took to create a new connection.', POOL_SECONDS),
    ),
    dbConnectionWaitTime: meter.createHistogram(
      METRIC.dbConnectionWaitTime,
      seconds('The time it took to obtain an open connection from the pool.', POOL_SECONDS),
    ),
    dbConnectionUseTime: meter.createHistogram(
      METRIC.dbConnectionUseTime,
      seconds('The time between borrowing a connection and returning it to the pool.', POOL_SECONDS),
    ),
    httpConnectionDuration: meter.createHistogram(
      METRIC.httpConnectionDuration,
      seconds(
        'The duration of the successfully established outbound HTTP connections.',
        HTTP_CONNECTION_SECONDS,
      ),
    ),
    observables: Object.values(observable),
  };
}
