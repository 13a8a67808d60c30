import { createAuditor } from '@poolaudit/core';
import type { Auditor, CloseReason, Finding, PoolConfig, PoolProbe } from '@poolaudit/core';

/** A clock the test moves by hand (ms). */
function setup(config: PoolConfig, annotations: Record<string, number | string> = { protocol: 'http' }) {
  const clock = { t: 1_000_000 };
  const auditor: Auditor = createAuditor({ clock: () => clock.t });
  const probe = auditor.register({
    name: 'api',
    kind: 'undici',
    config,
    settings: { maxOpen: 'connections', idleTimeoutMs: 'keepAliveTimeout', keepAlive: 'pipelining' },
  });
  for (const [k, v] of Object.entries(annotations)) probe.annotate(k, v);
  const finding = (code: string): Finding | undefined => auditor.findings().find((f) => f.code === code);
  return { clock, probe, finding };
}

/** One request on a fresh connection, then the close. */
function oneShot(probe: PoolProbe, reason: CloseReason, detail: string, event?: string): void {
  const conn = {};
  probe.opened(conn);
  probe.acquired(conn, probe.acquireStart(), false);
  probe.released(conn);
  if (event !== undefined) probe.count(event);
  probe.closed(conn, reason, detail);
}

describe('http-short-keep-alive-hint', () => {
  it('names the hint and the client setting when the client closes after every response', () => {
    const { clock, probe, finding } = setup(
      { maxOpen: null, keepAlive: true },
      {
        protocol: 'http',
        serverKeepAliveTimeoutMs: 1000,
        keepAliveTimeoutThresholdMs: 2000,
      },
    );
    for (let s = 0; s < 3; s++) {
      clock.t += 1000;
      for (let i = 0; i < 3; i++) oneShot(probe, 'idleTimeout', 'keep-alive-hint', 'keep-alive-hint-close');
    }
    const f = finding('http-short-keep-alive-hint');
    expect(f?.message).toContain('Keep-Alive: timeout=1,');
    expect(f?.evidence['closedAfterResponse']).toBe(9);
    expect(f?.advice).toContain('keepAliveTimeoutThreshold below 1 s');
  });

  it('stays quiet on a blip within one second', () => {
    const { probe, finding } = setup({ maxOpen: null }, { protocol: 'http', serverKeepAliveTimeoutMs: 1000 });
    for (let i = 0; i < 20; i++) oneShot(probe, 'idleTimeout', 'keep-alive-hint', 'keep-alive-hint-close');
    expect(finding('http-short-keep-alive-hint')).toBeUndefined();
  });
});

describe('http-connection-close', () => {
  it('fires on Connection: close responses sustained over seconds', () => {
    const { clock, probe, finding } = setup({ maxOpen: null });
    for (let s = 0; s < 3; s++) {
      clock.t += 1000;
      for (let i = 0; i < 2; i++) oneShot(probe, 'remote', 'connection-close', 'connection-close-response');
    }
    const f = finding('http-connection-close');
    expect(f?.evidence['connectionCloseResponses']).toBe(6);
    expect(f?.advice).toContain('Connection: close');
  });

  it('does not fire without such responses', () => {
    const { clock, probe, finding } = setup({ maxOpen: null });
    for (let s = 0; s < 3; s++) {
      clock.t += 1000;
      for (let i = 0; i < 2; i++) oneShot(probe, 'remote', 'server-hang-up');
    }
    expect(finding('http-connection-close')).toBeUndefined();
  });
});

describe('http-keep-alive-disabled', () => {
  it('fires for an HTTP pool with keep-alive off that keeps opening connections', () => {
    const { clock, probe, finding } = setup({ maxOpen: null, keepAlive: false });
    for (let s = 0; s < 3; s++) {
      clock.t += 1000;
      for (let i = 0; i < 5; i++) oneShot(probe, 'other', 'keep-alive-disabled');
    }
    expect(finding('http-keep-alive-disabled')?.advice).toContain('Remove pipelining: 0');
  });

  it('ignores pools that are not HTTP, and HTTP pools with keep-alive on', () => {
    for (const [config, annotations] of [
      [{ keepAlive: false }, {}],
      [{ keepAlive: true }, { protocol: 'http' }],
    ] as const) {
      const { clock, probe, finding } = setup(config, annotations);
      for (let s = 0; s < 3; s++) {
        clock.t += 1000;
        for (let i = 0; i < 5; i++) oneShot(probe, 'other', 'x');
      }
      expect(finding('http-keep-alive-disabled')).toBeUndefined();
    }
  });
});

describe('http-unbounded-connections', () => {
  function burst(probe: PoolProbe, n: number): void {
    const conns = Array.from({ length: n }, () => ({}));
    for (const c of conns) {
      probe.opened(c);
      probe.acquired(c, probe.acquireStart(), false);
    }
    for (const c of conns) {
      probe.released(c);
      probe.closed(c, 'idleTimeout', 'keep-alive-timeout');
    }
  }

  it('fires when an unlimited pool opens a socket per concurrent request in a burst', () => {
    const { probe, finding } = setup({ maxOpen: null });
    burst(probe, 60);
    const f = finding('http-unbounded-connections');
    expect(f?.evidence['peakInUse']).toBe(60);
    expect(f?.advice).toContain('connections: 30');
  });

  it('does not fire when the pool is bounded or the burst is small', () => {
    const bounded = setup({ maxOpen: 100 });
    burst(bounded.probe, 60);
    expect(bounded.finding('http-unbounded-connections')).toBeUndefined();
    const small = setup({ maxOpen: null });
    burst(small.probe, 10);
    expect(small.finding('http-unbounded-connections')).toBeUndefined();
  });
});
