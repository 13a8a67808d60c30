import { createAuditor } from '@poolaudit/core';
import type { AuditorOptions, HostObserver, KernelEndpointView, PortRange } from '@poolaudit/core';
import { localCloses, openConnection } from './support/fake-socket.js';

const DB = '10.0.0.5:3306';

/** A host observer that answers with fixed kernel counts. */
class FakeObserver implements HostObserver {
  closed = 0;
  constructor(
    public counts: Record<string, KernelEndpointView>,
    private readonly range?: PortRange,
  ) {}
  endpointView(endpoints: readonly string[]): ReadonlyMap<string, KernelEndpointView> {
    return new Map(endpoints.flatMap((e) => (this.counts[e] ? [[e, this.counts[e]] as const] : [])));
  }
  portRange(): PortRange | undefined {
    return this.range;
  }
  close(): void {
    this.closed++;
  }
}

function setup(kernel: KernelEndpointView | undefined, localClosed = 0, options: AuditorOptions = {}) {
  let t = 1_000_000;
  const auditor = createAuditor({ clock: () => t, ...options });
  const probe = auditor.register({ name: 'orders-db', kind: 'test', config: { maxOpen: 10 } });
  openConnection(probe, '10.0.0.5', 3306);
  localCloses(probe, '10.0.0.5', 3306, localClosed);
  t += 10;
  const observer = new FakeObserver(kernel ? { [DB]: kernel } : {});
  const detach = auditor.attachHost(observer);
  const finding = (code: string) => auditor.findings().find((f) => f.code === code && f.endpoint === DB);
  return { auditor, observer, detach, finding };
}

describe('close-wait', () => {
  it('fires when sockets toward a pool endpoint sit in CLOSE_WAIT', () => {
    const { finding } = setup({ timeWait: 0, closeWait: 3, established: 1 });
    const f = finding('close-wait');
    expect(f).toMatchObject({ severity: 'warning', pool: 'orders-db', endpoint: DB });
    expect(f?.evidence).toMatchObject({ kernelCloseWait: 3, kernelEstablished: 1, poolOpen: 1 });
    expect(f?.message).toContain('3 sockets toward 10.0.0.5:3306 have sat in CLOSE_WAIT');
  });

  it('stays quiet with no CLOSE_WAIT, with no observer, below its threshold, or when disabled', () => {
    expect(setup({ timeWait: 5, closeWait: 0, established: 1 }).finding('close-wait')).toBeUndefined();
    expect(setup(undefined).finding('close-wait')).toBeUndefined();
    const kernel = { timeWait: 0, closeWait: 3, established: 1 };
    expect(
      setup(kernel, 0, { detectors: { 'close-wait': { minEvents: 4 } } }).finding('close-wait'),
    ).toBeUndefined();
    expect(
      setup(kernel, 0, { detectors: { 'close-wait': { enabled: false } } }).finding('close-wait'),
    ).toBeUndefined();
  });

  it('clears once the kernel no longer shows them, and goes with the observer', () => {
    const { auditor, observer, detach, finding } = setup({ timeWait: 0, closeWait: 2, established: 0 });
    const cleared: string[] = [];
    auditor.on('finding-cleared', (f) => cleared.push(f.code));
    expect(finding('close-wait')).toBeDefined();
    observer.counts = { [DB]: { timeWait: 0, closeWait: 0, established: 0 } };
    expect(finding('close-wait')).toBeUndefined();
    expect(cleared).toEqual(['close-wait']);
    observer.counts = { [DB]: { timeWait: 0, closeWait: 2, established: 0 } };
    expect(finding('close-wait')).toBeDefined();
    detach();
    expect(observer.closed).toBe(1);
    expect(finding('close-wait')).toBeUndefined();
    auditor.close();
  });
});

describe('unaudited-time-wait', () => {
  it('fires when the kernel holds far more TIME_WAIT than the pools closed', () => {
    const { auditor, finding } = setup({ timeWait: 500, closeWait: 0, established: 1 }, 10);
    const endpoint = auditor.snapshot().endpoints.find((e) => e.endpoint === DB);
    expect(endpoint?.timeWait.footprint).toBe(10);
    expect(endpoint?.kernel?.timeWait).toBe(500);
    const f = finding('unaudited-time-wait');
    expect(f).toMatchObject({ severity: 'info', pool: 'orders-db' });
    expect(f?.evidence).toMatchObject({ kernelTimeWait: 500, timeWaitFootprint: 10, unexplained: 490 });
    expect(f?.message).toContain('490 (98%) come from clients that are not audited');
  });

  it('stays quiet when the pools explain the kernel count, or the excess is small', () => {
    // Too few unexplained sockets.
    expect(
      setup({ timeWait: 60, closeWait: 0, established: 0 }, 0).finding('unaudited-time-wait'),
    ).toBeUndefined();
    // 150 unexplained, but the pools explain most of the 400 (share 0.375 < 0.5).
    expect(
      setup({ timeWait: 400, closeWait: 0, established: 0 }, 250).finding('unaudited-time-wait'),
    ).toBeUndefined();
    // Exactly explained.
    expect(
      setup({ timeWait: 250, closeWait: 0, established: 0 }, 250).finding('unaudited-time-wait'),
    ).toBeUndefined();
    // Configurable: 40 unexplained of 60 fires with minEvents 20.
    const low = setup({ timeWait: 60, closeWait: 0, established: 0 }, 20, {
      detectors: { 'unaudited-time-wait': { minEvents: 20 } },
    });
    expect(low.finding('unaudited-time-wait')?.evidence['unexplained']).toBe(40);
  });

  it('uses the observer port range for the port budget beside it', () => {
    let t = 1_000_000;
    const auditor = createAuditor({ clock: () => t });
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.5', 3306);
    t += 10;
    auditor.attachHost(
      new FakeObserver(
        { [DB]: { timeWait: 600, closeWait: 0, established: 1 } },
        { low: 40000, high: 40999 },
      ),
    );
    const snapshot = auditor.snapshot();
    expect(snapshot.portRange).toEqual({ low: 40000, high: 40999 });
    const risk = snapshot.findings.find((f) => f.code === 'port-exhaustion-risk');
    expect(risk?.evidence).toMatchObject({ kernelTimeWait: 600, portsInRange: 1000 });
    expect(snapshot.findings.map((f) => f.code)).toContain('unaudited-time-wait');
  });
});
