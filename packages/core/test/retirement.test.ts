import { createAuditor } from '../src/index.js';
import type { Auditor } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

const WINDOW_S = 60;

function setup(): { clock: FakeClock; auditor: Auditor } {
  const clock = new FakeClock();
  return { clock, auditor: createAuditor({ clock: clock.now, timeWaitSeconds: WINDOW_S }) };
}

/** One connection opened, acquired, released and closed locally: a pool used once. */
function useOnce(auditor: Auditor, name: string): ReturnType<Auditor['register']> {
  const probe = auditor.register({ name, kind: 'test', config: { maxOpen: 1 } });
  const conn = {};
  probe.opened(conn, { endpoint: '10.0.0.1:5432' });
  probe.acquired(conn, probe.acquireStart(), false);
  probe.released(conn);
  probe.closed(conn, 'shutdown');
  return probe;
}

describe('pool records that have ended or been detached', () => {
  it('stay readable for one TIME_WAIT window, then leave the auditor', () => {
    const { clock, auditor } = setup();
    useOnce(auditor, 'a').ended();
    useOnce(auditor, 'b').unregister();
    const live = useOnce(auditor, 'c');
    expect(auditor.poolNames()).toEqual(['a', 'b', 'c']);

    clock.advance(WINDOW_S * 1000 - 1);
    expect(auditor.poolNames()).toEqual(['a', 'b', 'c']);
    clock.advance(1);
    expect(auditor.poolNames()).toEqual(['c']);
    expect(auditor.snapshot().endpoints.map((e) => e.endpoint)).toEqual(['10.0.0.1:5432']);

    live.ended();
    clock.advance(WINDOW_S * 1000);
    expect(auditor.snapshot().pools).toEqual([]);
    // The destination had nothing open and nothing in its window: it is forgotten with its pools.
    expect(auditor.snapshot().endpoints).toEqual([]);
  });

  it('do not leave while a connection they opened is still open', () => {
    const { clock, auditor } = setup();
    const probe = auditor.register({ name: 'open', kind: 'test', config: {} });
    const conn = {};
    probe.opened(conn);
    probe.ended();
    clock.advance(WINDOW_S * 2000);
    expect(auditor.poolNames()).toEqual(['open']);
    probe.closed(conn, 'shutdown');
    clock.advance(WINDOW_S * 1000);
    expect(auditor.poolNames()).toEqual([]);
  });

  it('a record that gains a member again is not retired', () => {
    const { clock, auditor } = setup();
    useOnce(auditor, 'shared').ended();
    clock.advance(WINDOW_S * 500);
    const again = useOnce(auditor, 'shared');
    clock.advance(WINDOW_S * 1000);
    expect(auditor.poolNames()).toEqual(['shared']);
    expect(auditor.snapshot().pools[0]?.stats.created).toBe(2);
    again.ended();
    clock.advance(WINDOW_S * 1000);
    expect(auditor.poolNames()).toEqual([]);
  });

  it('a pool that opens again after it ended is a member again', () => {
    const { clock, auditor } = setup();
    const probe = useOnce(auditor, 'reconnects');
    probe.ended();
    clock.advance(WINDOW_S * 1000);
    expect(auditor.poolNames()).toEqual([]);
    probe.opened({});
    clock.advance(WINDOW_S * 2000);
    expect(auditor.poolNames()).toEqual(['reconnects']);
    expect(auditor.snapshot().pools[0]?.stats.open).toBe(1);
  });

  it('a shared name hands its totals to its next record: counters never go back', () => {
    const { clock, auditor } = setup();
    for (let i = 0; i < 3; i++) useOnce(auditor, 'per-request').ended();
    clock.advance(WINDOW_S * 1000);
    expect(auditor.poolNames()).toEqual([]);

    useOnce(auditor, 'per-request');
    const stats = auditor.snapshot().pools[0]?.stats;
    expect(stats?.created).toBe(4);
    expect(stats?.acquired).toBe(4);
    expect(stats?.closed.shutdown).toBe(4);
    expect(stats?.open).toBe(0);
    // The window itself starts afresh: only this second's connection is recent.
    expect(auditor.snapshot().pools[0]?.recent.opened.count).toBe(1);
  });

  it('a name used once leaves nothing behind', () => {
    const { clock, auditor } = setup();
    useOnce(auditor, 'tenant-1').ended();
    clock.advance(WINDOW_S * 1000);
    expect(auditor.poolNames()).toEqual([]);
    useOnce(auditor, 'tenant-1');
    expect(auditor.snapshot().pools[0]?.stats.created).toBe(1);
  });

  it('pending is summed over the members that read it, while they are members', () => {
    const { auditor } = setup();
    const one = auditor.register({ name: 'p', kind: 'test', config: {}, readPending: () => 2 });
    auditor.register({ name: 'p', kind: 'test', config: {}, readPending: () => 3 });
    expect(auditor.snapshot().pools[0]?.stats.pending).toBe(5);
    one.unregister();
    expect(auditor.snapshot().pools[0]?.stats.pending).toBe(3);
  });
});
