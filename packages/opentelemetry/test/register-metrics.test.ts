import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import { createAuditor } from '@poolaudit/core';
import type { AuditSnapshot } from '@poolaudit/core';
import { registerMetrics } from '../src/index.js';
import type { MetricsHandle } from '../src/index.js';
import { runScenario } from './support/scenario.js';
import { createProvider, points, scrape, sortPoints } from './support/test-reader.js';
import type { Point } from './support/test-reader.js';

const POOL = 'db.client.connection.pool.name';
const STATE = 'db.client.connection.state';
const HTTP_STATE = 'http.connection.state';
const ADDRESS = 'server.address';
const PORT = 'server.port';
const NAME = 'poolaudit.pool.name';
const KIND = 'poolaudit.pool.kind';
const SOURCE = 'poolaudit.time_wait.source';

async function setup() {
  const { provider, reader } = createProvider();
  let handle: MetricsHandle | undefined;
  const scenario = runScenario((auditor) => {
    handle = registerMetrics(auditor, { meterProvider: provider });
  });
  const metrics = await scrape(reader);
  // The fake clock has not moved since the collection: this is the same moment.
  const snapshot = scenario.auditor.snapshot();
  return { ...scenario, provider, reader, handle: handle!, metrics, snapshot };
}

function p(attributes: Attributes, value: number): Point {
  return { attributes, value };
}

function metric(metrics: Map<string, MetricData>, name: string): MetricData {
  const found = metrics.get(name);
  if (!found) throw new Error(`${name} was not reported; got ${[...metrics.keys()].join(', ')}`);
  return found;
}

describe('registerMetrics: names, units, kinds', () => {
  it.each([
    ['db.client.connection.count', '{connection}', DataPointType.SUM, false],
    ['db.client.connection.max', '{connection}', DataPointType.SUM, false],
    ['db.client.connection.idle.max', '{connection}', DataPointType.SUM, false],
    ['db.client.connection.idle.min', '{connection}', DataPointType.SUM, false],
    ['db.client.connection.pending_requests', '{request}', DataPointType.SUM, false],
    ['db.client.connection.timeouts', '{timeout}', DataPointType.SUM, true],
    ['db.client.connection.create_time', 's', DataPointType.HISTOGRAM, undefined],
    ['db.client.connection.wait_time', 's', DataPointType.HISTOGRAM, undefined],
    ['db.client.connection.use_time', 's', DataPointType.HISTOGRAM, undefined],
    ['http.client.open_connections', '{connection}', DataPointType.SUM, false],
    ['poolaudit.connection.created', '{connection}', DataPointType.SUM, true],
    ['poolaudit.connection.closed', '{connection}', DataPointType.SUM, true],
    ['poolaudit.connection.closed_by', '{connection}', DataPointType.SUM, true],
    ['poolaudit.time_wait.footprint', '{connection}', DataPointType.SUM, false],
    ['poolaudit.time_wait.kernel', '{socket}', DataPointType.SUM, false],
    ['poolaudit.port_budget.used', '1', DataPointType.GAUGE, undefined],
    ['poolaudit.findings.active', '{finding}', DataPointType.SUM, false],
  ] as const)('%s: unit %s, with a description', async (name, unit, type, monotonic) => {
    const { metrics } = await setup();
    const m = metric(metrics, name);
    expect(m.descriptor.unit).toBe(unit);
    expect(m.descriptor.description.length).toBeGreaterThan(10);
    expect(m.dataPointType).toBe(type);
    if (monotonic !== undefined) expect((m as { isMonotonic?: boolean }).isMonotonic).toBe(monotonic);
  });

  it('http.client.connection.duration appears once an HTTP connection has closed', async () => {
    const { metrics, agent, agentConnections, reader } = await setup();
    expect(metrics.has('http.client.connection.duration')).toBe(false);
    agent.close(agentConnections[2]!, 'idleTimeout', 'local');
    const m = metric(await scrape(reader), 'http.client.connection.duration');
    expect(m.descriptor.unit).toBe('s');
    expect(m.dataPointType).toBe(DataPointType.HISTOGRAM);
  });
});

describe('registerMetrics: values, attributes', () => {
  it('database and Redis pools: db.client.connection.* exactly', async () => {
    const { metrics } = await setup();
    expect(points(metrics.get('db.client.connection.count'))).toEqual(
      sortPoints([
        p({ [POOL]: 'orders', [STATE]: 'idle' }, 1),
        p({ [POOL]: 'orders', [STATE]: 'used' }, 2),
        p({ [POOL]: 'cache', [STATE]: 'idle' }, 0),
        p({ [POOL]: 'cache', [STATE]: 'used' }, 1),
        p({ [POOL]: 'jobs', [STATE]: 'idle' }, 0),
        p({ [POOL]: 'jobs', [STATE]: 'used' }, 0),
      ]),
    );
    // jobs has no limit: nothing to report rather than a made-up number.
    expect(points(metrics.get('db.client.connection.max'))).toEqual(
      sortPoints([p({ [POOL]: 'orders' }, 10), p({ [POOL]: 'cache' }, 1)]),
    );
    expect(points(metrics.get('db.client.connection.idle.max'))).toEqual(
      sortPoints([p({ [POOL]: 'orders' }, 4), p({ [POOL]: 'cache' }, 1)]),
    );
    expect(points(metrics.get('db.client.connection.idle.min'))).toEqual([p({ [POOL]: 'orders' }, 2)]);
    expect(points(metrics.get('db.client.connection.pending_requests'))).toEqual(
      sortPoints([p({ [POOL]: 'orders' }, 2), p({ [POOL]: 'cache' }, 0), p({ [POOL]: 'jobs' }, 0)]),
    );
    expect(points(metrics.get('db.client.connection.timeouts'))).toEqual(
      sortPoints([p({ [POOL]: 'orders' }, 1), p({ [POOL]: 'cache' }, 0), p({ [POOL]: 'jobs' }, 0)]),
    );
  });

  it('HTTP pools: http.client.open_connections per server, pools toward one server added up', async () => {
    const { metrics } = await setup();
    expect(points(metrics.get('http.client.open_connections'))).toEqual(
      sortPoints([
        // api (2 active, 1 idle) + agent (1 active) toward 10.0.0.2:8080
        p({ [ADDRESS]: '10.0.0.2', [PORT]: 8080, [HTTP_STATE]: 'active' }, 3),
        p({ [ADDRESS]: '10.0.0.2', [PORT]: 8080, [HTTP_STATE]: 'idle' }, 1),
        p({ [ADDRESS]: '::1', [PORT]: 9000, [HTTP_STATE]: 'active' }, 1),
        p({ [ADDRESS]: '::1', [PORT]: 9000, [HTTP_STATE]: 'idle' }, 1),
      ]),
    );
    // No pool shows up in the other family.
    const dbPools = points(metrics.get('db.client.connection.count')).map((x) => x.attributes[POOL]);
    expect(new Set(dbPools)).toEqual(new Set(['orders', 'cache', 'jobs']));
  });

  it('poolaudit.*: created, closed by reason and by side, footprint, kernel, port budget, findings', async () => {
    const { metrics } = await setup();
    const pool = (name: string, kind: string) => ({ [NAME]: name, [KIND]: kind });
    expect(points(metrics.get('poolaudit.connection.created'))).toEqual(
      sortPoints([
        p(pool('orders', 'mysql2'), 6),
        p(pool('cache', 'ioredis'), 1),
        p(pool('jobs', 'generic-pool'), 1),
        p(pool('api', 'undici'), 3),
        p(pool('agent', 'undici'), 3),
      ]),
    );
    const closed = points(metrics.get('poolaudit.connection.closed'));
    expect(closed).toHaveLength(5 * 7); // every reason for every pool, zeros included
    expect(closed.filter((x) => x.value > 0)).toEqual(
      sortPoints([
        p({ ...pool('orders', 'mysql2'), 'poolaudit.reason': 'maxIdle' }, 1),
        p({ ...pool('orders', 'mysql2'), 'poolaudit.reason': 'remote' }, 1),
        p({ ...pool('orders', 'mysql2'), 'poolaudit.reason': 'error' }, 1),
        p({ ...pool('jobs', 'generic-pool'), 'poolaudit.reason': 'idleTimeout' }, 1),
      ]),
    );
    expect(new Set(closed.map((x) => x.attributes['poolaudit.reason']))).toEqual(
      new Set(['maxIdle', 'idleTimeout', 'maxLifetime', 'remote', 'error', 'shutdown', 'other']),
    );
    const closedBy = points(metrics.get('poolaudit.connection.closed_by'));
    expect(closedBy).toHaveLength(5 * 4);
    expect(closedBy.filter((x) => x.value > 0)).toEqual(
      sortPoints([
        p({ ...pool('orders', 'mysql2'), 'poolaudit.closed_by': 'local' }, 1),
        p({ ...pool('orders', 'mysql2'), 'poolaudit.closed_by': 'remote' }, 1),
        p({ ...pool('orders', 'mysql2'), 'poolaudit.closed_by': 'reset' }, 1),
        p({ ...pool('jobs', 'generic-pool'), 'poolaudit.closed_by': 'local' }, 1),
      ]),
    );
    // Two pools left one TIME_WAIT each toward the same database server.
    const footprint = points(metrics.get('poolaudit.time_wait.footprint'));
    expect(footprint.filter((x) => x.value > 0)).toEqual(
      sortPoints([
        p({ ...pool('orders', 'mysql2'), [ADDRESS]: '10.0.0.1', [PORT]: 3306, [SOURCE]: 'counted' }, 1),
        p({ ...pool('jobs', 'generic-pool'), [ADDRESS]: '10.0.0.1', [PORT]: 3306, [SOURCE]: 'counted' }, 1),
      ]),
    );
    expect(footprint).toHaveLength(6); // orders, jobs, cache, api: one server each; agent: two
    expect(points(metrics.get('poolaudit.time_wait.kernel'))).toEqual([
      p({ [ADDRESS]: '10.0.0.1', [PORT]: 3306 }, 9),
    ]);
    const budget = points(metrics.get('poolaudit.port_budget.used'));
    expect(budget).toHaveLength(4); // one per server
    expect(budget.find((x) => x.attributes[PORT] === 3306)?.value).toBeCloseTo(2 / 28232, 4);
    // orders queued and timed out: pool-saturated, an error. (Other detectors may add their own findings.)
    expect(points(metrics.get('poolaudit.findings.active'))).toContainEqual(
      p({ 'poolaudit.finding.code': 'pool-saturated', 'poolaudit.finding.severity': 'error' }, 1),
    );
  });

  it('every value equals auditor.snapshot() taken at the same moment', async () => {
    const { metrics, snapshot } = await setup();
    expect(snapshot.pools).toHaveLength(5);
    const value = (name: string, attributes: Attributes): number | undefined =>
      points(metrics.get(name)).find((x) => sameAttributes(x.attributes, attributes))?.value;
    let compared = 0;
    const same = (name: string, attributes: Attributes, expected: number): void => {
      expect({ name, attributes, value: value(name, attributes) }).toEqual({
        name,
        attributes,
        value: expected,
      });
      compared++;
    };
    for (const pool of snapshot.pools) {
      const { stats } = pool;
      const base = { [NAME]: pool.name, [KIND]: pool.kind };
      same('poolaudit.connection.created', base, stats.created);
      for (const [reason, n] of Object.entries(stats.closed)) {
        same('poolaudit.connection.closed', { ...base, 'poolaudit.reason': reason }, n);
      }
      for (const [side, n] of Object.entries(stats.closedBy)) {
        same('poolaudit.connection.closed_by', { ...base, 'poolaudit.closed_by': side }, n);
      }
      for (const e of pool.endpoints) {
        const source = { [SOURCE]: e.timeWait.source };
        same(
          'poolaudit.time_wait.footprint',
          { ...base, ...server(e.endpoint), ...source },
          e.timeWait.footprint,
        );
      }
      if (pool.kind === 'undici') continue;
      const name = { [POOL]: pool.name };
      same('db.client.connection.count', { ...name, [STATE]: 'idle' }, stats.idle);
      same('db.client.connection.count', { ...name, [STATE]: 'used' }, stats.inUse);
      same('db.client.connection.pending_requests', name, stats.pending);
      same('db.client.connection.timeouts', name, stats.timeouts);
      if (stats.maxOpen !== null) same('db.client.connection.max', name, stats.maxOpen);
    }
    for (const e of snapshot.endpoints) {
      same('poolaudit.port_budget.used', server(e.endpoint), e.timeWait.portBudgetUsed);
      if (e.kernel) same('poolaudit.time_wait.kernel', server(e.endpoint), e.kernel.timeWait);
    }
    // HTTP: per server, the sum over pools of open connections; active + idle = open.
    for (const e of snapshot.endpoints) {
      const open = snapshot.pools
        .filter((x) => x.kind === 'undici')
        .flatMap((x) => x.endpoints)
        .filter((x) => x.endpoint === e.endpoint)
        .reduce((sum, x) => sum + x.open, 0);
      if (open === 0) continue;
      const active = value('http.client.open_connections', { ...server(e.endpoint), [HTTP_STATE]: 'active' });
      const idle = value('http.client.open_connections', { ...server(e.endpoint), [HTTP_STATE]: 'idle' });
      expect((active ?? 0) + (idle ?? 0)).toBe(open);
      compared++;
    }
    const httpInUse = snapshot.pools
      .filter((x) => x.kind === 'undici')
      .reduce((s, x) => s + x.stats.inUse, 0);
    const active = points(metrics.get('http.client.open_connections'))
      .filter((x) => x.attributes[HTTP_STATE] === 'active')
      .reduce((s, x) => s + x.value, 0);
    expect(active).toBe(httpInUse);
    const findings = [...snapshot.pools.flatMap((x) => x.findings), ...snapshot.findings];
    expect(findings.length).toBeGreaterThan(0);
    const byCode = new Map<string, number>();
    for (const f of findings)
      byCode.set(`${f.code}/${f.severity}`, (byCode.get(`${f.code}/${f.severity}`) ?? 0) + 1);
    const reported = new Map(
      points(metrics.get('poolaudit.findings.active')).map((x) => [
        `${String(x.attributes['poolaudit.finding.code'])}/${String(x.attributes['poolaudit.finding.severity'])}`,
        x.value,
      ]),
    );
    expect(reported).toEqual(byCode);
    expect(compared).toBeGreaterThan(80);
  });

  it('attribute keys are exactly the specified ones, for every point of every metric', async () => {
    const { metrics } = await setup();
    const keys: Record<string, string[][]> = {
      'db.client.connection.count': [[POOL, STATE]],
      'db.client.connection.max': [[POOL]],
      'db.client.connection.idle.max': [[POOL]],
      'db.client.connection.idle.min': [[POOL]],
      'db.client.connection.pending_requests': [[POOL]],
      'db.client.connection.timeouts': [[POOL]],
      'db.client.connection.create_time': [[POOL]],
      'db.client.connection.wait_time': [[POOL]],
      'db.client.connection.use_time': [[POOL]],
      'http.client.open_connections': [[HTTP_STATE, ADDRESS, PORT]],
      'poolaudit.connection.created': [[NAME, KIND]],
      'poolaudit.connection.closed': [[NAME, KIND, 'poolaudit.reason']],
      'poolaudit.connection.closed_by': [[NAME, KIND, 'poolaudit.closed_by']],
      'poolaudit.time_wait.footprint': [[NAME, KIND, ADDRESS, PORT, SOURCE]],
      'poolaudit.time_wait.kernel': [[ADDRESS, PORT]],
      'poolaudit.port_budget.used': [[ADDRESS, PORT]],
      'poolaudit.findings.active': [['poolaudit.finding.code', 'poolaudit.finding.severity']],
    };
    expect([...metrics.keys()].sort()).toEqual(Object.keys(keys).sort());
    for (const [name, m] of metrics) {
      const seen = new Set(m.dataPoints.map((x) => JSON.stringify(Object.keys(x.attributes).sort())));
      expect({ name, keys: [...seen] }).toEqual({
        name,
        keys: (keys[name] ?? []).map((k) => JSON.stringify([...k].sort())),
      });
    }
  });
});

describe('registerMetrics: over time', () => {
  it('follows the pools from one collection to the next, and a cleared finding reports 0', async () => {
    const { reader, orders, clock } = await setup();
    clock.advance(61_000); // the window has passed: no queued waits remain, the finding clears
    const c = orders.open('10.0.0.1', 3306);
    orders.acquire(c);
    const metrics = await scrape(reader);
    expect(points(metrics.get('db.client.connection.count'))).toContainEqual(
      p({ [POOL]: 'orders', [STATE]: 'used' }, 3),
    );
    expect(points(metrics.get('poolaudit.findings.active'))).toContainEqual(
      p({ 'poolaudit.finding.code': 'pool-saturated', 'poolaudit.finding.severity': 'error' }, 0),
    );
    // The TIME_WAIT sockets of a minute ago are gone.
    expect(points(metrics.get('poolaudit.time_wait.footprint')).every((x) => x.value === 0)).toBe(true);
  });

  it('unregister stops reporting: no more snapshots, no more recordings; twice is harmless', async () => {
    const { reader, handle, orders, auditor } = await setup();
    const before = await scrape(reader);
    handle.unregister();
    handle.unregister();
    const snapshots = jest.spyOn(auditor, 'snapshot');
    const c = orders.open('10.0.0.1', 3306, 50);
    orders.acquire(c, 10);
    orders.release(c, 10);
    const after = await scrape(reader);
    expect(snapshots).not.toHaveBeenCalled();
    // The SDK keeps cumulative points it already has; none of them moves any more.
    for (const [name, m] of after) {
      expect({ name, points: m.dataPoints.map((x) => [x.attributes, x.value]) }).toEqual({
        name,
        points: before.get(name)?.dataPoints.map((x) => [x.attributes, x.value]),
      });
    }
    // While registered, the same activity does move them.
    const { reader: reader2, orders: orders2 } = await setup();
    const c2 = orders2.open('10.0.0.1', 3306, 50);
    orders2.acquire(c2, 10);
    const moved = await scrape(reader2);
    expect(points(moved.get('db.client.connection.count'))).toContainEqual(
      p({ [POOL]: 'orders', [STATE]: 'used' }, 3),
    );
    const created = moved.get('db.client.connection.create_time')?.dataPoints ?? [];
    expect(created.find((x) => x.attributes[POOL] === 'orders')?.value).toMatchObject({ count: 7 });
  });

  it('a snapshot that throws costs one collection, never the exporter or the application', async () => {
    const { reader, auditor } = await setup();
    const spy = jest.spyOn(auditor, 'snapshot').mockImplementation((): AuditSnapshot => {
      throw new Error('boom');
    });
    await expect(scrape(reader)).resolves.toBeInstanceOf(Map);
    spy.mockRestore();
    const metrics = await scrape(reader);
    expect(points(metrics.get('db.client.connection.count')).length).toBe(6);
  });
});

describe('registerMetrics: failed connects', () => {
  it('poolaudit.connection.connect_errors counts them per pool by error.type', async () => {
    const { provider, reader } = createProvider();
    const auditor = createAuditor();
    registerMetrics(auditor, { meterProvider: provider });
    const probe = auditor.register({ name: 'cache', kind: 'ioredis', config: { maxOpen: 1 } });
    const refused = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' };
    probe.connectFailed({ endpoint: '127.0.0.1:1', error: refused });
    probe.connectFailed({ endpoint: '127.0.0.1:1', error: refused });
    probe.connectFailed({ endpoint: '127.0.0.1:1', error: new Error('no code') });
    const m = metric(await scrape(reader), 'poolaudit.connection.connect_errors');
    expect(m.descriptor.unit).toBe('{attempt}');
    expect((m as { isMonotonic?: boolean }).isMonotonic).toBe(true);
    expect(points(m)).toEqual(
      sortPoints([
        p({ [NAME]: 'cache', [KIND]: 'ioredis', 'error.type': 'ECONNREFUSED' }, 2),
        p({ [NAME]: 'cache', [KIND]: 'ioredis', 'error.type': 'unknown' }, 1),
      ]),
    );
    auditor.close();
  });
});

function server(endpoint: string): Attributes {
  const colon = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { [ADDRESS]: host, [PORT]: Number(endpoint.slice(colon + 1)) };
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return JSON.stringify(ka) === JSON.stringify(kb) && ka.every((k) => a[k] === b[k]);
}

describe('registerMetrics: the process view', () => {
  it('poolaudit.unaudited.*: open connections and footprint per server, the kernel where no pool reports it', async () => {
    const server = createServer((s) => s.on('data', () => s.write('ok')));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const auditor = createAuditor();
    const stop = auditor.watchProcessSockets();
    auditor.attachHost({
      endpointView: (endpoints) =>
        new Map(endpoints.map((e) => [e, { timeWait: 7, closeWait: 0, established: 1 }])),
    });
    const { provider, reader } = createProvider();
    const handle = registerMetrics(auditor, { meterProvider: provider });
    try {
      for (let i = 0; i < 3; i++) {
        const socket = connect(port, '127.0.0.1', () => socket.write('x'));
        socket.on('data', () => socket.end());
        await once(socket, 'close');
      }
      const open = connect(port, '127.0.0.1');
      await once(open, 'connect');
      const metrics = await scrape(reader);
      const at = { [ADDRESS]: '127.0.0.1', [PORT]: port };
      expect(points(metrics.get('poolaudit.unaudited.connections'))).toEqual([p(at, 1)]);
      expect(points(metrics.get('poolaudit.unaudited.time_wait.footprint'))).toEqual([
        p({ ...at, [SOURCE]: 'counted' }, 3),
      ]);
      expect(points(metrics.get('poolaudit.time_wait.kernel'))).toEqual([p(at, 7)]);
      expect(metric(metrics, 'poolaudit.unaudited.connections').descriptor.unit).toBe('{connection}');
      open.destroy();
      await once(open, 'close');
    } finally {
      handle.unregister();
      stop();
      auditor.close();
      server.close();
    }
  });
});
