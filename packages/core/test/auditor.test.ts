import { createAuditor, defaultAuditor, InvalidOptionError } from '../src/index.js';
import type { Finding } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

describe('options', () => {
  it.each([
    [
      { timeWaitSeconds: -1 },
      'poolaudit: createAuditor(): timeWaitSeconds must be a positive integer, got -1',
    ],
    [{ portRange: { low: 5000, high: 10 } }, 'poolaudit: createAuditor(): portRange must be'],
    [
      { leakDetectionThresholdMs: 'soon' },
      'poolaudit: createAuditor(): leakDetectionThresholdMs must be a non-negative number, got "soon"',
    ],
    [{ clock: 5 }, 'poolaudit: createAuditor(): clock must be a function'],
    [
      { detectors: { 'max-idle-churn': { minEvent: 3 } } },
      'unknown option detectors.max-idle-churn.minEvent; did you mean detectors.max-idle-churn.minEvents?',
    ],
    ['fast', 'poolaudit: createAuditor(): options must be an object ({ enabled, timeWaitSeconds,'],
  ])('%p is rejected at once, naming the option', (options, message) => {
    expect(() => createAuditor(options as never)).toThrow(InvalidOptionError);
    expect(() => createAuditor(options as never)).toThrow(message);
  });

  it('a registration without a name is rejected with a stable code', () => {
    const auditor = createAuditor();
    expect(() => auditor.register({ name: '', kind: 'x', config: {} })).toThrow(
      expect.objectContaining({ code: 'POOLAUDIT_INVALID_OPTION' }),
    );
  });

  it('the default auditor exists and starts nothing on import', () => {
    expect(defaultAuditor.enabled).toBe(true);
    expect(defaultAuditor.poolNames()).toEqual([]);
  });
});

describe('a disabled auditor', () => {
  it('records nothing', () => {
    const auditor = createAuditor({ enabled: false });
    const probe = auditor.register({ name: 'p', kind: 'test', config: {} });
    const c = {};
    probe.opened(c);
    probe.acquired(c, probe.acquireStart(), true);
    probe.closed(c, 'maxIdle');
    expect(auditor.snapshot().pools).toEqual([]);
  });
});

describe('failures inside auditing', () => {
  it('never reach the application, are logged once, and the pool goes on unaudited', () => {
    const warnings: string[] = [];
    const auditor = createAuditor({ logger: { info: () => undefined, warn: (m) => warnings.push(m) } });
    const probe = auditor.register({
      name: 'p',
      kind: 'test',
      config: {},
      readPending: () => {
        throw new Error('library internals changed');
      },
    });
    probe.opened({});
    expect(() => auditor.snapshot()).not.toThrow();
    expect(auditor.snapshot().pools[0]!.stats.pending).toBe(0);
    // A socket whose getter throws makes the ledger fail; the caller sees nothing.
    const hostile = {
      get remoteAddress(): string {
        throw new Error('boom');
      },
    };
    expect(() => probe.opened({}, { socket: hostile as never })).not.toThrow();
    expect(() => probe.acquired({}, 0, false)).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('auditing failed in p');
  });

  it('a finding listener that throws does not break evaluation', () => {
    const warnings: string[] = [];
    const auditor = createAuditor({
      logger: { info: () => undefined, warn: (m) => warnings.push(m) },
      detectors: { 'pool-saturated': { minEvents: 1, minSeconds: 1 } },
    });
    auditor.on('finding', () => {
      throw new Error('listener bug');
    });
    const probe = auditor.register({ name: 'p', kind: 'test', config: {} });
    probe.acquireFailed(probe.acquireStart(), true, true);
    expect(() => auditor.findings()).not.toThrow();
    expect(warnings.join()).toContain('listener bug');
    auditor.close();
  });
});

describe('finding events', () => {
  it('are emitted when a finding starts to hold and when it clears', () => {
    const clock = new FakeClock();
    const auditor = createAuditor({
      clock: clock.now,
      timeWaitSeconds: 5,
      detectors: { 'pool-saturated': { minEvents: 1, minSeconds: 1 } },
    });
    const seen: string[] = [];
    const onFinding = (f: Finding): void => void seen.push(`+${f.code}`);
    const onCleared = (f: Finding): void => void seen.push(`-${f.code}`);
    auditor.on('finding', onFinding).on('finding-cleared', onCleared);
    const probe = auditor.register({ name: 'p', kind: 'test', config: {} });
    probe.acquireFailed(probe.acquireStart(), true, true);
    auditor.findings();
    auditor.findings();
    clock.advance(6000);
    auditor.findings();
    expect(seen).toEqual(['+pool-saturated', '-pool-saturated']);
    auditor.close();
  });
});

describe('start()', () => {
  it('logs one DBStats line per pool per interval on an unref-ed timer, and stop() ends it', async () => {
    const auditor = createAuditor();
    auditor.register({ name: 'orders', kind: 'test', config: { maxOpen: 4 } });
    const lines: string[] = [];
    auditor.start({ intervalMs: 10, log: (line) => lines.push(line) });
    await new Promise((r) => setTimeout(r, 60));
    auditor.stop();
    const count = lines.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^orders \{MaxOpenConnections:4 OpenConnections:0 /);
    await new Promise((r) => setTimeout(r, 30));
    expect(lines.length).toBe(count);
  });

  it('rejects a bad interval', () => {
    expect(() => createAuditor().start({ intervalMs: 0 })).toThrow(
      'poolaudit: auditor.start(): intervalMs must be a positive integer, got 0',
    );
  });
});

describe('pools sharing a name', () => {
  it('add up, and a name taken by another kind is refused', () => {
    const auditor = createAuditor();
    const a = auditor.register({ name: 'cache', kind: 'ioredis', config: {} });
    const b = auditor.register({ name: 'cache', kind: 'ioredis', config: {} });
    a.opened({});
    b.opened({});
    expect(auditor.snapshot().pools).toHaveLength(1);
    expect(auditor.snapshot().pools[0]!.stats.open).toBe(2);
    expect(() => auditor.register({ name: 'cache', kind: 'mysql2', config: {} })).toThrow(
      'already used by a ioredis pool',
    );
  });
});

describe('configure()', () => {
  it('sets the leak threshold for pools registered afterwards and the logger at once', () => {
    const clock = new FakeClock();
    clock.t = 1_000_000;
    const auditor = createAuditor({ clock: clock.now });
    const before = auditor.register({ name: 'before', kind: 'test', config: {} });
    const lines: string[] = [];
    auditor.configure({
      leakDetectionThresholdMs: 1000,
      logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    });
    expect(auditor.leakDetectionThresholdMs).toBe(1000);
    const after = auditor.register({ name: 'after', kind: 'test', config: {} });
    for (const probe of [before, after]) {
      const c = {};
      probe.opened(c);
      probe.acquired(c, probe.acquireStart(), false);
    }
    clock.advance(1500);
    const leaks = auditor.findings().filter((f) => f.code === 'connection-leak');
    expect(leaks.map((f) => f.pool)).toEqual(['after']);
    auditor.start({ intervalMs: 10 });
    auditor.stop();
    auditor.onTiming(() => {
      throw new Error('listener bug');
    });
    const c = {};
    after.opened(c, { connectStartedAt: clock.now() });
    expect(lines.some((l) => l.includes('listener bug'))).toBe(true);
    auditor.close();
  });

  it('rejects bad values and other options at once', () => {
    const auditor = createAuditor();
    expect(() => auditor.configure({ leakDetectionThresholdMs: -1 })).toThrow(
      'poolaudit: auditor.configure(): leakDetectionThresholdMs must be a non-negative number, got -1',
    );
    expect(() => auditor.configure({ timeWaitSeconds: 30 } as never)).toThrow(
      'poolaudit: auditor.configure(): unknown option timeWaitSeconds (known: leakDetectionThresholdMs, logger)',
    );
  });
});
