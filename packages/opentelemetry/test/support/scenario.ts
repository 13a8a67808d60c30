import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolConfig } from '@poolaudit/core';
import { FakeClock } from './fake-clock.js';
import { FakePool } from './fake-pool.js';
import type { FakeConnection } from './fake-pool.js';

export interface Scenario {
  readonly clock: FakeClock;
  readonly auditor: Auditor;
  readonly orders: FakePool;
  readonly agent: FakePool;
  readonly agentConnections: readonly FakeConnection[];
  readonly warnings: string[];
}

/**
 * Five pools of four libraries, two of them sharing a database server and two sharing an HTTP server,
 * driven on a fake clock. `beforeActivity` runs once the pools exist and before they do anything (where
 * metrics are registered, as a service would at startup).
 */
export function runScenario(beforeActivity: (auditor: Auditor) => void): Scenario {
  const clock = new FakeClock();
  const warnings: string[] = [];
  const auditor = createAuditor({
    clock: clock.now,
    timeWaitSeconds: 60,
    portRange: { low: 32768, high: 60999 },
    logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    detectors: { 'pool-saturated': { minEvents: 1, minSeconds: 1 } },
  });
  const register = (name: string, kind: string, config: PoolConfig) =>
    new FakePool(auditor.register({ name, kind, config }), clock);
  const orders = register('orders', 'mysql2', { maxOpen: 10, maxIdle: 4, minIdle: 2 });
  const cache = register('cache', 'ioredis', { maxOpen: 1 });
  const jobs = register('jobs', 'generic-pool', { maxOpen: null });
  const api = register('api', 'undici', { maxOpen: null });
  const agent = register('agent', 'undici', { maxOpen: null });
  beforeActivity(auditor);

  // orders: six connections; two held, one used and returned; three closed three ways; one timeout; two waiting.
  const c = [1, 2, 3, 4, 5, 6].map(() => orders.open('10.0.0.1', 3306, 5));
  const [c1, c2, c3, c4, c5, c6] = c as [
    FakeConnection,
    FakeConnection,
    FakeConnection,
    FakeConnection,
    FakeConnection,
    FakeConnection,
  ];
  orders.acquire(c1);
  orders.acquire(c2, 20);
  orders.acquire(c3);
  orders.release(c3, 30);
  orders.close(c4, 'maxIdle', 'local');
  orders.close(c5, 'remote', 'remote');
  orders.close(c6, 'error', 'reset');
  orders.timeOut(100);
  orders.startWaiting();
  orders.startWaiting();

  // cache: one Redis connection, held.
  cache.acquire(cache.open('10.0.0.3', 6379, 2));
  // jobs: one connection to the same database server as orders, closed idle by us.
  jobs.close(jobs.open('10.0.0.1', 3306, 7), 'idleTimeout', 'local');

  // api: an undici Pool, three connections to one origin, two busy.
  const [u1, u2] = [api.open('10.0.0.2', 8080), api.open('10.0.0.2', 8080), api.open('10.0.0.2', 8080)];
  api.acquire(u1);
  api.acquire(u2);
  // agent: an undici Agent, one connection to the same origin as api and two to an IPv6 one.
  const agentConnections = [agent.open('10.0.0.2', 8080), agent.open('::1', 9000), agent.open('::1', 9000)];
  agent.acquire(agentConnections[0]!);
  agent.acquire(agentConnections[1]!);

  auditor.attachHost({
    endpointView: (endpoints) =>
      new Map(
        endpoints
          .filter((e) => e === '10.0.0.1:3306')
          .map((e) => [e, { timeWait: 9, closeWait: 0, established: 3 }]),
      ),
  });
  return { clock, auditor, orders, agent, agentConnections, warnings };
}
