import { createAuditor, InvalidOptionError } from '../src/index.js';
import type { PoolTiming } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

type Event = [pool: string, kind: string, timing: PoolTiming, ms: number, endpoint: string | null];

function setup() {
  const clock = new FakeClock();
  const warnings: string[] = [];
  const auditor = createAuditor({
    clock: clock.now,
    logger: { info: () => undefined, warn: (m) => warnings.push(m) },
  });
  const probe = auditor.register({ name: 'orders', kind: 'mysql2', config: { maxOpen: 4 } });
  return { clock, auditor, probe, warnings };
}

describe('auditor.onTiming', () => {
  it('hands every connect, wait, use and lifetime duration to the listener as it is recorded', () => {
    const { clock, auditor, probe } = setup();
    const events: Event[] = [];
    auditor.onTiming((...e) => events.push(e));
    const conn = {};
    const connectStartedAt = clock.now();
    clock.advance(12);
    probe.opened(conn, { endpoint: '10.0.0.1:3306', connectStartedAt });
    const started = probe.acquireStart();
    clock.advance(3);
    probe.acquired(conn, started, true);
    clock.advance(40);
    probe.released(conn);
    clock.advance(100);
    probe.closed(conn, 'idleTimeout');
    expect(events).toEqual([
      ['orders', 'mysql2', 'connect', 12, '10.0.0.1:3306'],
      ['orders', 'mysql2', 'wait', 3, '10.0.0.1:3306'],
      ['orders', 'mysql2', 'use', 40, '10.0.0.1:3306'],
      ['orders', 'mysql2', 'lifetime', 143, '10.0.0.1:3306'],
    ]);
    // The same durations reach the snapshot's own timings.
    const timings = auditor.snapshot().pools[0]!.stats.timings;
    expect([timings.connect.max, timings.wait.max, timings.use.max, timings.lifetime.max]).toEqual([
      12, 3, 40, 143,
    ]);
  });

  it('a connection closed while held reports its use before its lifetime; no endpoint gives null', () => {
    const { clock, auditor, probe } = setup();
    const events: Event[] = [];
    auditor.onTiming((...e) => events.push(e));
    const conn = {};
    probe.opened(conn);
    probe.acquired(conn, probe.acquireStart(), false);
    clock.advance(5);
    probe.closed(conn, 'error');
    expect(events.map((e) => [e[2], e[3], e[4]])).toEqual([
      ['wait', 0, null],
      ['use', 5, null],
      ['lifetime', 5, null],
    ]);
  });

  it('unsubscribing stops the events; other listeners keep theirs', () => {
    const { auditor, probe } = setup();
    const first: Event[] = [];
    const second: Event[] = [];
    const off = auditor.onTiming((...e) => first.push(e));
    auditor.onTiming((...e) => second.push(e));
    probe.acquired({}, probe.acquireStart(), false);
    off();
    off(); // twice is harmless
    probe.acquired({}, probe.acquireStart(), false);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(2);
  });

  it('a listener may unsubscribe while being called; the others of that event still get it', () => {
    const { auditor, probe } = setup();
    const calls: string[] = [];
    const off = auditor.onTiming(() => {
      calls.push('first');
      off();
    });
    auditor.onTiming(() => calls.push('second'));
    probe.acquired({}, probe.acquireStart(), false);
    probe.acquired({}, probe.acquireStart(), false);
    expect(calls).toEqual(['first', 'second', 'second']);
  });

  it('records nothing for listeners while none exist, and pools work the same', () => {
    const { auditor, probe } = setup();
    const events: Event[] = [];
    const off = auditor.onTiming((...e) => events.push(e));
    off();
    const conn = {};
    probe.opened(conn, { connectStartedAt: 0 });
    probe.acquired(conn, probe.acquireStart(), false);
    probe.released(conn);
    expect(events).toEqual([]);
    expect(auditor.snapshot().pools[0]!.stats.acquired).toBe(1);
  });

  it('a listener that throws is reported once and neither the pool nor other listeners suffer', () => {
    const { auditor, probe, warnings } = setup();
    const seen: PoolTiming[] = [];
    auditor.onTiming(() => {
      throw new Error('exporter bug');
    });
    auditor.onTiming((_pool, _kind, timing) => seen.push(timing));
    const conn = {};
    expect(() => {
      probe.opened(conn);
      probe.acquired(conn, probe.acquireStart(), false);
      probe.released(conn);
    }).not.toThrow();
    expect(seen).toEqual(['wait', 'use']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('timing listener');
    // The pool is still audited.
    expect(auditor.snapshot().pools[0]!.stats).toMatchObject({ acquired: 1, inUse: 0, open: 1 });
  });

  it('rejects a listener that is not a function', () => {
    const { auditor } = setup();
    expect(() => auditor.onTiming('nope' as never)).toThrow(InvalidOptionError);
    expect(() => auditor.onTiming('nope' as never)).toThrow('listener must be a function');
  });
});
