import { metrics as globalMetrics } from '@opentelemetry/api';
import { createAuditor, InvalidOptionError } from '@poolaudit/core';
import { registerMetrics } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';
import { FakePool } from './support/fake-pool.js';
import { runScenario } from './support/scenario.js';
import { createProvider, histogramPoints, points, scrape, sortPoints } from './support/test-reader.js';

const POOL = 'db.client.connection.pool.name';

describe('histograms recorded as events happen', () => {
  it('create, wait and use times per database pool, in seconds, equal to the snapshot timings', async () => {
    const { provider, reader } = createProvider();
    const { auditor } = runScenario((a) => registerMetrics(a, { meterProvider: provider }));
    const metrics = await scrape(reader);
    const snapshot = auditor.snapshot();
    const orders = snapshot.pools.find((x) => x.name === 'orders')!.stats.timings;
    expect(histogramPoints(metrics.get('db.client.connection.create_time'))).toEqual(
      sortPoints([
        { attributes: { [POOL]: 'orders' }, count: 6, sum: expect.closeTo(0.03, 9) },
        { attributes: { [POOL]: 'cache' }, count: 1, sum: expect.closeTo(0.002, 9) },
        { attributes: { [POOL]: 'jobs' }, count: 1, sum: expect.closeTo(0.007, 9) },
      ]),
    );
    // One acquire waited 20 ms; the timed-out one is not a wait for an open connection.
    expect(histogramPoints(metrics.get('db.client.connection.wait_time'))).toEqual(
      sortPoints([
        { attributes: { [POOL]: 'orders' }, count: 3, sum: expect.closeTo(0.02, 9) },
        { attributes: { [POOL]: 'cache' }, count: 1, sum: 0 },
      ]),
    );
    expect(histogramPoints(metrics.get('db.client.connection.use_time'))).toEqual([
      { attributes: { [POOL]: 'orders' }, count: 1, sum: expect.closeTo(0.03, 9) },
    ]);
    expect(orders.connect.count).toBe(6);
    expect(orders.wait.count).toBe(3);
    expect(orders.wait.max / 1000).toBeCloseTo(0.02, 9);
    expect(orders.use.count).toBe(1);
    // HTTP pools feed none of the database histograms.
    for (const name of ['create_time', 'wait_time', 'use_time']) {
      const pools = histogramPoints(metrics.get(`db.client.connection.${name}`)).map(
        (x) => x.attributes[POOL],
      );
      expect(pools).not.toContain('api');
      expect(pools).not.toContain('agent');
    }
  });

  it('http.client.connection.duration per server, when each HTTP connection closes', async () => {
    const { provider, reader } = createProvider();
    const { agent, agentConnections, clock } = runScenario((a) =>
      registerMetrics(a, { meterProvider: provider }),
    );
    clock.advance(2_500);
    agent.close(agentConnections[2]!, 'idleTimeout', 'local');
    agent.close(agentConnections[1]!, 'remote', 'remote');
    agent.close(agentConnections[0]!, 'remote', 'remote');
    const m = (await scrape(reader)).get('http.client.connection.duration');
    const buckets = (m?.dataPoints[0]?.value as { buckets?: { boundaries: number[] } }).buckets;
    expect(buckets?.boundaries).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);
    expect(histogramPoints(m)).toEqual(
      sortPoints([
        { attributes: { 'server.address': '::1', 'server.port': 9000 }, count: 2, sum: 5 },
        { attributes: { 'server.address': '10.0.0.2', 'server.port': 8080 }, count: 1, sum: 2.5 },
      ]),
    );
  });

  it('an HTTP connection whose server is unknown is still counted, without server attributes', async () => {
    const clock = new FakeClock();
    const auditor = createAuditor({ clock: clock.now });
    const { provider, reader } = createProvider();
    registerMetrics(auditor, { meterProvider: provider });
    const probe = auditor.register({ name: 'h', kind: 'undici', config: {} });
    const conn = {};
    probe.opened(conn);
    clock.advance(1000);
    probe.closed(conn, 'idleTimeout');
    const m = (await scrape(reader)).get('http.client.connection.duration');
    expect(histogramPoints(m)).toEqual([{ attributes: {}, count: 1, sum: 1 }]);
  });

  it('options.httpKinds decides which kinds are HTTP pools', async () => {
    const clock = new FakeClock();
    const auditor = createAuditor({ clock: clock.now });
    const { provider, reader } = createProvider();
    registerMetrics(auditor, { meterProvider: provider, httpKinds: ['my-http'] });
    const pool = new FakePool(auditor.register({ name: 'h', kind: 'my-http', config: {} }), clock);
    const db = new FakePool(auditor.register({ name: 'u', kind: 'undici', config: {} }), clock);
    pool.acquire(pool.open('10.1.1.1', 80));
    db.acquire(db.open('10.1.1.2', 80));
    const metrics = await scrape(reader);
    expect(points(metrics.get('http.client.open_connections'))).toContainEqual({
      attributes: { 'server.address': '10.1.1.1', 'server.port': 80, 'http.connection.state': 'active' },
      value: 1,
    });
    expect(points(metrics.get('db.client.connection.count'))).toContainEqual({
      attributes: { [POOL]: 'u', 'db.client.connection.state': 'used' },
      value: 1,
    });
  });
});

describe('where the meter comes from, and bad arguments', () => {
  afterEach(() => {
    globalMetrics.disable();
  });

  it('defaults to the global MeterProvider', async () => {
    const { provider, reader } = createProvider();
    globalMetrics.setGlobalMeterProvider(provider);
    const clock = new FakeClock();
    const auditor = createAuditor({ clock: clock.now });
    const handle = registerMetrics(auditor);
    const pool = new FakePool(auditor.register({ name: 'g', kind: 'mysql2', config: { maxOpen: 3 } }), clock);
    pool.open('10.0.0.9', 3306);
    const metrics = await scrape(reader);
    expect(points(metrics.get('db.client.connection.max'))).toEqual([
      { attributes: { [POOL]: 'g' }, value: 3 },
    ]);
    handle.unregister();
  });

  it('one auditor registers once per provider (histograms would count twice); again after unregister', async () => {
    const { provider, reader } = createProvider();
    const clock = new FakeClock();
    const auditor = createAuditor({ clock: clock.now });
    const first = registerMetrics(auditor, { meterProvider: provider });
    expect(() => registerMetrics(auditor, { meterProvider: provider })).toThrow(
      'poolaudit: auditor must be registered once per MeterProvider',
    );
    // Another provider, or another auditor, is fine.
    registerMetrics(auditor, { meterProvider: createProvider().provider }).unregister();
    registerMetrics(createAuditor(), { meterProvider: provider });
    first.unregister();
    registerMetrics(auditor, { meterProvider: provider });
    const pool = new FakePool(auditor.register({ name: 'once', kind: 'mysql2', config: {} }), clock);
    pool.open('10.0.0.9', 3306, 4);
    const create = histogramPoints((await scrape(reader)).get('db.client.connection.create_time'));
    expect(create).toEqual([{ attributes: { [POOL]: 'once' }, count: 1, sum: 0.004 }]);
  });

  it('a disabled auditor reports no pools', async () => {
    const { provider, reader } = createProvider();
    const auditor = createAuditor({ enabled: false });
    registerMetrics(auditor, { meterProvider: provider });
    auditor.register({ name: 'x', kind: 'mysql2', config: { maxOpen: 3 } }).opened({});
    const metrics = await scrape(reader);
    expect(points(metrics.get('db.client.connection.count'))).toEqual([]);
  });

  it.each([
    [undefined, {}, 'poolaudit: auditor must be an Auditor from @poolaudit/core, got undefined'],
    [{ snapshot: () => undefined }, {}, 'poolaudit: auditor must be an Auditor'],
    ['auditor', 'options', 'poolaudit: auditor must be'],
    [null, {}, 'got null'],
  ])('rejects auditor %p at once', (auditor, options, message) => {
    expect(() => registerMetrics(auditor as never, options as never)).toThrow(InvalidOptionError);
    expect(() => registerMetrics(auditor as never, options as never)).toThrow(message);
  });

  it.each([
    ['not options', 'poolaudit: options must be an object, got "not options"'],
    [
      { meterProvider: {} },
      'poolaudit: registerMetrics(): meterProvider must be a MeterProvider with getMeter(), got a plain object',
    ],
    [
      { httpKinds: 'undici' },
      'poolaudit: registerMetrics(): httpKinds must be an array of pool kinds, got "undici"',
    ],
    [
      { httpKinds: [''] },
      'poolaudit: registerMetrics(): httpKinds must be an array of pool kinds, got an array',
    ],
  ])('rejects options %p at once, naming the option', (options, message) => {
    const auditor = createAuditor();
    expect(() => registerMetrics(auditor, options as never)).toThrow(message);
    expect(() => registerMetrics(auditor, options as never)).toThrow(
      expect.objectContaining({ code: 'POOLAUDIT_INVALID_OPTION' }),
    );
  });
});
