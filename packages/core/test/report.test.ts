import { createAuditor, formatDBStats, formatGoDuration, formatReport } from '../src/index.js';
import type { PoolStats } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

describe('formatDBStats', () => {
  it('prints the Go DBStats line field for field', () => {
    const clock = new FakeClock();
    const auditor = createAuditor({ clock: clock.now });
    const probe = auditor.register({ name: 'db', kind: 'test', config: { maxOpen: 100, maxIdle: 10 } });
    const conns = Array.from({ length: 51 }, () => ({}));
    for (const c of conns) probe.opened(c);
    for (const c of conns.slice(0, 49)) probe.acquired(c, probe.acquireStart(), false);
    for (let i = 0; i < 131; i++) {
      const c = {};
      probe.opened(c);
      probe.closed(c, 'maxIdle');
    }
    expect(formatDBStats(auditor.snapshot().pools[0]!.stats)).toBe(
      '{MaxOpenConnections:100 OpenConnections:51 InUse:49 Idle:2 WaitCount:0 WaitDuration:0s ' +
        'MaxIdleClosed:131 MaxIdleTimeClosed:0 MaxLifetimeClosed:0}',
    );
  });

  it('prints an unlimited pool as MaxOpenConnections:0 and the wait duration as Go does', () => {
    const stats = {
      maxOpen: null,
      open: 0,
      inUse: 0,
      idle: 0,
      waitCount: 3,
      waitDurationMs: 1500.25,
      closed: { maxIdle: 0, idleTimeout: 2, maxLifetime: 1 },
    } as unknown as PoolStats;
    expect(formatDBStats(stats)).toBe(
      '{MaxOpenConnections:0 OpenConnections:0 InUse:0 Idle:0 WaitCount:3 WaitDuration:1.50025s ' +
        'MaxIdleClosed:0 MaxIdleTimeClosed:2 MaxLifetimeClosed:1}',
    );
  });
});

describe('formatGoDuration matches time.Duration.String', () => {
  it.each([
    [0, '0s'],
    [0.000001, '1ns'],
    [0.00085, '850ns'],
    [0.0015, '1.5µs'],
    [1, '1ms'],
    [250.5, '250.5ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [123_250, '2m3.25s'],
    [3_600_000, '1h0m0s'],
    [3_723_004.005006, '1h2m3.004005006s'],
    [-1500, '-1.5s'],
  ])('%p ms → %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe('reports', () => {
  const secretConfig = {
    host: 'db.internal',
    user: 'app',
    password: 'hunter2',
    uri: 'mysql://app:hunter2@db.internal:3306/orders',
    ssl: { key: 'PRIVATE-KEY-PEM', ca: 'CA-PEM', rejectUnauthorized: true },
    headers: { authorization: 'Bearer sk-live-123', accept: 'text/plain' },
    connectionLimit: 10,
  };

  it('never print a secret, in text, JSON, findings or logs', () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const auditor = createAuditor({
      clock: clock.now,
      logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    });
    const probe = auditor.register({
      name: 'orders',
      kind: 'mysql2',
      config: { maxOpen: 10 },
      rawConfig: secretConfig,
    });
    probe.opened({}, { endpoint: 'db.internal:3306' });
    const outputs = [
      auditor.report(),
      JSON.stringify(auditor.snapshot()),
      JSON.stringify(auditor.findings()),
      lines.join('\n'),
    ];
    for (const out of outputs) {
      for (const secret of ['hunter2', 'PRIVATE-KEY-PEM', 'CA-PEM', 'sk-live-123'])
        expect(out).not.toContain(secret);
    }
    const raw = auditor.snapshot().pools[0]!.rawConfig!;
    expect(raw['uri']).toBe('mysql://[redacted]@db.internal:3306/orders');
    expect(raw['connectionLimit']).toBe(10);
    expect((raw['headers'] as Record<string, unknown>)['accept']).toBe('text/plain');
  });

  it('the text report shows stats, closures, TIME_WAIT and findings with advice', () => {
    const clock = new FakeClock();
    const auditor = createAuditor({
      clock: clock.now,
      detectors: { 'pool-saturated': { minEvents: 1, minSeconds: 1 } },
    });
    const probe = auditor.register({ name: 'orders', kind: 'mysql2', config: { maxOpen: 1 } });
    const c = {};
    probe.opened(c);
    probe.acquired(c, probe.acquireStart(), true);
    const text = auditor.report();
    expect(text).toContain('orders (mysql2)');
    expect(text).toContain('{MaxOpenConnections:1 OpenConnections:1 InUse:1 Idle:0 WaitCount:1');
    expect(text).toContain('[warning] pool-saturated');
    expect(text).toContain('→ Raise maxOpen');
  });
});

describe('formatReport: the kernel reconciled per destination', () => {
  it("splits the kernel's TIME_WAIT toward a destination into the audited pools' share and the rest", () => {
    const clock = new FakeClock();
    clock.t = 1_000_000;
    const auditor = createAuditor({ clock: clock.now });
    const probe = auditor.register({ name: 'orders', kind: 'test', config: { maxOpen: 10 } });
    for (let i = 0; i < 3; i++) {
      const c = {};
      probe.opened(c, { endpoint: '10.0.0.1:3306' });
      probe.closed(c, 'maxIdle');
    }
    expect(formatReport(auditor.snapshot())).not.toContain('reconciled');
    auditor.attachHost({
      endpointView: (endpoints) =>
        new Map(endpoints.map((e) => [e, { timeWait: 12, closeWait: 0, established: 1 }])),
    });
    expect(formatReport(auditor.snapshot())).toContain(
      "TIME_WAIT toward each destination, the kernel's count reconciled:\n" +
        "  10.0.0.1:3306 (orders): kernel 12 = these pools' closes 0 (counted) + " +
        'sockets no audited pool owns 12',
    );
  });
});
