import { createAuditor } from '../src/index.js';
import type { AuditorOptions, Finding, PoolProbe, PoolRegistration } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

function setup(registration: Partial<PoolRegistration> = {}, options: AuditorOptions = {}) {
  const clock = new FakeClock();
  clock.t = 1_000_000;
  const auditor = createAuditor({ clock: clock.now, ...options });
  const probe = auditor.register({
    name: 'p',
    kind: 'test',
    config: { maxOpen: 10, maxIdle: 2 },
    ...registration,
  });
  const codes = (): string[] => auditor.findings().map((f) => f.code);
  const finding = (code: string): Finding | undefined => auditor.findings().find((f) => f.code === code);
  return { clock, auditor, probe, codes, finding };
}

/** Opens a connection, uses it once, closes it with `reason`: one churn cycle. */
function cycle(probe: PoolProbe, reason: Parameters<PoolProbe['closed']>[1]): void {
  const conn = {};
  probe.opened(conn);
  probe.acquired(conn, probe.acquireStart(), false);
  probe.released(conn);
  probe.closed(conn, reason);
}

describe('max-idle-churn', () => {
  it('fires on idle-cap closes sustained over seconds while in use peaks above the cap', () => {
    const { clock, probe, finding } = setup();
    const held = [{}, {}, {}, {}, {}];
    for (const c of held) {
      probe.opened(c);
      probe.acquired(c, probe.acquireStart(), false);
    }
    for (const c of held) probe.released(c);
    for (let s = 0; s < 4; s++) {
      clock.advance(1000);
      for (let i = 0; i < 4; i++) cycle(probe, 'maxIdle');
    }
    const f = finding('max-idle-churn');
    expect(f?.evidence['peakInUse']).toBe(5);
    expect(f?.advice).toContain('at least 5');
  });

  it('does not fire on one blip', () => {
    const { probe, codes } = setup();
    for (let i = 0; i < 30; i++) cycle(probe, 'maxIdle');
    expect(codes()).not.toContain('max-idle-churn');
  });

  it('clears once the window has passed', () => {
    const { clock, probe, codes } = setup({}, { timeWaitSeconds: 10 });
    const c = {};
    for (let s = 0; s < 4; s++) {
      clock.advance(1000);
      const held = [{}, {}, {}];
      for (const h of held) {
        probe.opened(h);
        probe.acquired(h, probe.acquireStart(), false);
      }
      for (const h of held) probe.closed(h, 'maxIdle');
      cycle(probe, 'maxIdle');
    }
    probe.opened(c);
    expect(codes()).toContain('max-idle-churn');
    clock.advance(11_000);
    expect(codes()).not.toContain('max-idle-churn');
  });
});

describe('idle-timeout-churn', () => {
  it('fires when idle-time closes are followed by reopens, naming the setting and a longer value', () => {
    const { clock, probe, finding } = setup({
      config: { idleTimeoutMs: 500 },
      settings: { idleTimeoutMs: 'keepAliveTimeout' },
    });
    for (let i = 0; i < 8; i++) {
      const conn = {};
      probe.opened(conn);
      probe.acquired(conn, probe.acquireStart(), false);
      probe.released(conn);
      clock.advance(500);
      probe.closed(conn, 'idleTimeout');
      clock.advance(300);
    }
    const f = finding('idle-timeout-churn');
    expect(f).toBeDefined();
    expect(f!.advice).toMatch(/Raise keepAliveTimeout to at least \d/);
  });

  it('names the server keep-alive hint as the cause when it lowered the timeout', () => {
    const { clock, probe, finding } = setup({ config: { idleTimeoutMs: 4000 } });
    probe.annotate('serverKeepAliveTimeoutMs', 1000);
    for (let i = 0; i < 8; i++) {
      cycle(probe, 'idleTimeout');
      clock.advance(600);
    }
    const f = finding('idle-timeout-churn');
    expect(f?.message).toContain('Keep-Alive: timeout=1');
    expect(f?.advice).toContain("server's keep-alive timeout");
  });

  it('does not fire when idle closes are not followed by reopens', () => {
    const { clock, probe, codes } = setup();
    const conns = Array.from({ length: 8 }, () => ({}));
    for (const c of conns) probe.opened(c);
    for (const c of conns) {
      clock.advance(1000);
      probe.closed(c, 'idleTimeout');
    }
    expect(codes()).not.toContain('idle-timeout-churn');
  });
});

describe('max-lifetime-churn', () => {
  it('fires on sustained lifetime closes and not on a few', () => {
    const { clock, probe, codes } = setup();
    for (let i = 0; i < 3; i++) cycle(probe, 'maxLifetime');
    expect(codes()).not.toContain('max-lifetime-churn');
    for (let s = 0; s < 4; s++) {
      clock.advance(1000);
      for (let i = 0; i < 3; i++) cycle(probe, 'maxLifetime');
    }
    expect(codes()).toContain('max-lifetime-churn');
  });
});

describe('server-closes-first', () => {
  it('fires when remote closes dominate, and not when local closes do', () => {
    const { clock, probe, codes } = setup();
    for (let s = 0; s < 3; s++) {
      clock.advance(1000);
      cycle(probe, 'remote');
      cycle(probe, 'remote');
    }
    expect(codes()).toContain('server-closes-first');
  });

  it('counts Connection: close responses as the cause', () => {
    const { clock, probe, finding } = setup();
    for (let s = 0; s < 6; s++) {
      clock.advance(1000);
      probe.count('connection-close-response');
      cycle(probe, 'remote');
    }
    expect(finding('server-closes-first')?.message).toContain('Connection: close');
  });

  it('counts server resets (reason remote) and leaves shutdown closes out', () => {
    const resets = setup();
    for (let s = 0; s < 3; s++) {
      resets.clock.advance(1000);
      // No socket to read: the side is unknown, but the adapter knows the server ended them.
      cycle(resets.probe, 'remote');
      cycle(resets.probe, 'remote');
    }
    expect(resets.finding('server-closes-first')?.evidence['closedByServer']).toBe(6);
    const shutdown = setup();
    for (let s = 0; s < 6; s++) {
      shutdown.clock.advance(1000);
      cycle(shutdown.probe, 'shutdown');
    }
    expect(shutdown.codes()).not.toContain('server-closes-first');
  });

  it('does not fire without remote closes', () => {
    const { clock, probe, codes } = setup();
    for (let s = 0; s < 6; s++) {
      clock.advance(1000);
      cycle(probe, 'other');
    }
    expect(codes()).not.toContain('server-closes-first');
  });
  it('leaves an HTTP client with keep-alive off to http-keep-alive-disabled: it asked for every close', () => {
    const { clock, probe, codes } = setup({ config: { maxOpen: 10, keepAlive: false } });
    probe.annotate('protocol', 'http');
    for (let s = 0; s < 12; s++) {
      clock.advance(1000);
      cycle(probe, 'remote');
    }
    expect(codes()).toContain('http-keep-alive-disabled');
    expect(codes()).not.toContain('server-closes-first');
  });
});

describe('pool-saturated', () => {
  it('fires on sustained waits and names the limit to raise', () => {
    const { clock, probe, finding } = setup({ settings: { maxOpen: 'connectionLimit' } });
    const conn = {};
    probe.opened(conn);
    for (let s = 0; s < 4; s++) {
      clock.advance(1000);
      for (let i = 0; i < 4; i++) {
        const start = probe.acquireStart();
        clock.advance(20);
        probe.acquired(conn, start, true);
        probe.released(conn);
      }
    }
    const f = finding('pool-saturated');
    expect(f?.severity).toBe('warning');
    expect(f?.advice).toContain('Raise connectionLimit');
  });

  it('is an error when acquires time out', () => {
    const { probe, finding } = setup();
    for (let i = 0; i < 3; i++) probe.acquireFailed(probe.acquireStart(), true, true);
    expect(finding('pool-saturated')?.severity).toBe('error');
  });

  it('does not fire when nobody waits', () => {
    const { probe, codes } = setup();
    for (let i = 0; i < 50; i++) {
      const c = {};
      probe.opened(c);
      probe.acquired(c, probe.acquireStart(), false);
      probe.released(c);
    }
    expect(codes()).not.toContain('pool-saturated');
  });
});

describe('connection-leak', () => {
  it('is off by default', () => {
    const { clock, probe, codes } = setup();
    const c = {};
    probe.opened(c);
    probe.acquired(c, probe.acquireStart(), false);
    clock.advance(3_600_000);
    expect(codes()).not.toContain('connection-leak');
  });

  it('reports a connection held past the threshold with the stack that acquired it, then its late release', () => {
    const { clock, auditor, probe, finding } = setup({}, { leakDetectionThresholdMs: 2000 });
    const released: number[] = [];
    auditor.on('leak-released', (e) => released.push(e.heldMs));
    const c = {};
    probe.opened(c);
    probe.acquired(c, probe.acquireStart(), false);
    clock.advance(1999);
    expect(finding('connection-leak')).toBeUndefined();
    clock.advance(1);
    const f = finding('connection-leak');
    expect(f?.evidence['heldMs']).toBe(2000);
    expect(String(f?.evidence['stack'])).toContain('detectors.test.ts');
    clock.advance(500);
    probe.released(c);
    expect(released).toEqual([2500]);
    expect(finding('connection-leak')).toBeUndefined();
    auditor.close();
  });
});

describe('client-per-request', () => {
  it('fires when clients keep joining one name, each with its own connection', () => {
    const clock = new FakeClock();
    clock.t = 5_000_000;
    const auditor = createAuditor({ clock: clock.now });
    for (let s = 0; s < 5; s++) {
      clock.advance(1000);
      for (let i = 0; i < 6; i++) {
        const probe = auditor.register({ name: 'cache', kind: 'ioredis', config: { maxOpen: 1 } });
        cycle(probe, 'other');
        probe.unregister();
      }
    }
    const f = auditor.findings().find((x) => x.code === 'client-per-request');
    expect(f?.evidence['clientsCreated']).toBe(30);
    expect(f?.advice).toContain('one ioredis client');
  });

  it('does not fire for one long-lived client', () => {
    const { clock, probe, codes } = setup({ kind: 'ioredis' });
    const c = {};
    probe.opened(c);
    for (let i = 0; i < 100; i++) {
      clock.advance(100);
      probe.acquired(c, probe.acquireStart(), false);
      probe.released(c);
    }
    expect(codes()).not.toContain('client-per-request');
  });
});

describe('thresholds', () => {
  it('can be lowered or a detector turned off by code', () => {
    const { clock, probe, codes } = setup(
      {},
      { detectors: { 'server-closes-first': { minEvents: 1, minSeconds: 1 } } },
    );
    cycle(probe, 'remote');
    expect(codes()).toContain('server-closes-first');
    const off = setup(
      {},
      { detectors: { 'server-closes-first': { enabled: false, minEvents: 1, minSeconds: 1 } } },
    );
    cycle(off.probe, 'remote');
    clock.advance(1);
    expect(off.codes()).not.toContain('server-closes-first');
  });
});
