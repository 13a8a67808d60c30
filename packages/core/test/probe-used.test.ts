import { createAuditor } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

function setup(enabled = true) {
  const clock = new FakeClock();
  let reads = 0;
  const auditor = createAuditor({
    enabled,
    clock: () => {
      reads++;
      return clock.now();
    },
  });
  const probe = auditor.register({ name: 'p', kind: 'test', config: {} });
  return { clock, auditor, probe, reads: () => reads };
}

describe('probe.used()', () => {
  it('counts one more request on a connection in use, with no clock read and no wait timing', () => {
    const { clock, auditor, probe, reads } = setup();
    const conn = {};
    probe.opened(conn);
    probe.acquired(conn, probe.acquireStart(), false);
    clock.advance(5);
    const before = reads();
    probe.used(conn);
    probe.used(conn);
    expect(reads()).toBe(before);
    clock.advance(10);
    probe.released(conn);

    const stats = auditor.snapshot().pools[0]!.stats;
    expect(stats.acquired).toBe(3);
    expect(stats.usesPerConnection).toBe(3);
    expect(stats.timings.wait.count).toBe(1);
    // The use runs from acquired() to released(), whatever was carried in between.
    expect(stats.timings.use.count).toBe(1);
    expect(stats.timings.use.max).toBe(15);
    expect(stats.inUse).toBe(0);
  });

  it('leaves in-use and idle figures as acquired() set them', () => {
    const { auditor, probe } = setup();
    const conn = {};
    probe.opened(conn);
    probe.acquired(conn, probe.acquireStart(), false);
    probe.used(conn);
    const stats = auditor.snapshot().pools[0]!.stats;
    expect(stats.inUse).toBe(1);
    expect(stats.idle).toBe(0);
    expect(stats.pending).toBe(0);
  });

  it('ignores a connection that is idle, unknown or closed', () => {
    const { auditor, probe } = setup();
    const idle = {};
    const closed = {};
    probe.opened(idle);
    probe.opened(closed);
    probe.acquired(closed, probe.acquireStart(), false);
    probe.closed(closed, 'other');
    probe.used(idle);
    probe.used({});
    probe.used(closed);
    const stats = auditor.snapshot().pools[0]!.stats;
    expect(stats.acquired).toBe(1);
    expect(stats.inUse).toBe(0);
    expect(stats.open).toBe(1);
  });

  it('records nothing after unregister() or on a disabled auditor', () => {
    const { auditor, probe } = setup();
    const conn = {};
    probe.opened(conn);
    probe.acquired(conn, probe.acquireStart(), false);
    probe.unregister();
    expect(() => probe.used(conn)).not.toThrow();
    expect(auditor.snapshot().pools[0]!.stats.acquired).toBe(1);

    const disabled = setup(false);
    const c = {};
    disabled.probe.opened(c);
    expect(() => disabled.probe.used(c)).not.toThrow();
    expect(disabled.auditor.snapshot().pools).toHaveLength(0);
  });
});
