import { createAuditor } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import { observeHost } from '../src/index.js';
import type { HostObservation } from '../src/index.js';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { openConnection } from './support/fake-socket.js';
import type { FixtureSocket } from './support/proc-fixture.js';
import { ProcFixture } from './support/proc-fixture.js';

const sockets: FixtureSocket[] = [
  { local: ['10.0.0.1', 40001], remote: ['10.0.0.5', 3306], st: 6 },
  { local: ['10.0.0.1', 40002], remote: ['10.0.0.5', 3306], st: 6 },
  { local: ['10.0.0.1', 40003], remote: ['10.0.0.5', 3306], st: 6 },
  { local: ['10.0.0.1', 40004], remote: ['10.0.0.5', 3306], st: 8 },
  { local: ['10.0.0.1', 40005], remote: ['10.0.0.5', 3306], st: 8 },
  { local: ['10.0.0.1', 40006], remote: ['10.0.0.5', 3306], st: 1 },
  { local: ['10.0.0.1', 40007], remote: ['10.0.0.9', 6379], st: 6 },
];

let fx: ProcFixture;
let auditor: Auditor;
let observation: HostObservation | undefined;
const warnings: string[] = [];
const logger = { info: () => undefined, warn: (m: string) => warnings.push(m) };

beforeEach(() => {
  fx = new ProcFixture().standard(sockets);
  auditor = createAuditor();
  warnings.length = 0;
});
afterEach(() => {
  observation?.detach();
  auditor.close();
  fx.remove();
});

function watch(options: Parameters<typeof observeHost>[1] = {}): HostObservation {
  observation = observeHost(auditor, {
    procRoot: fx.root,
    platform: 'linux',
    intervalMs: 60_000,
    logger,
    ...options,
  });
  return observation;
}

describe('observeHost', () => {
  it("puts the kernel's counts beside each endpoint and the real port range into budgets", async () => {
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.5', 3306);
    const obs = watch();
    const table = await obs.refresh();
    // Filtered to the auditor's endpoints.
    expect([...(table?.byRemote.keys() ?? [])]).toEqual(['10.0.0.5:3306']);
    const snapshot = auditor.snapshot();
    expect(snapshot.portRange).toEqual({ low: 40000, high: 40999 });
    const kernel = { timeWait: 3, closeWait: 2, closeWaitHeld: 0, established: 1 };
    expect(snapshot.endpoints[0]?.kernel).toEqual(kernel);
    expect(snapshot.pools[0]?.endpoints[0]?.kernel).toEqual(kernel);
    // Seen in CLOSE_WAIT by one scan only: not stuck yet. The same two sockets a second later are.
    expect(snapshot.findings.map((f) => f.code)).not.toContain('close-wait');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    await obs.refresh();
    expect(auditor.snapshot().endpoints[0]?.kernel).toEqual({ ...kernel, closeWaitHeld: 2 });
    expect(auditor.findings().map((f) => f.code)).toContain('close-wait');
    expect(auditor.report()).toContain(
      'kernel toward 10.0.0.5:3306: 3 TIME_WAIT · 2 CLOSE_WAIT · 1 ESTABLISHED',
    );
    expect(obs.counters?.sockstat.tw).toBe(42);
    expect(warnings).toEqual([]);
  });

  it('scans soon for an endpoint the last scan did not cover, and reports a true zero', async () => {
    const obs = watch();
    await obs.refresh();
    expect(obs.table).toBeUndefined();
    const probe = auditor.register({ name: 'cache', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.8', 6379);
    // Not scanned yet: no kernel counts rather than zeros.
    expect(auditor.snapshot().endpoints[0]?.kernel).toBeUndefined();
    expect(await eventually(() => auditor.snapshot().endpoints[0]?.kernel !== undefined, 5000)).toBe(true);
    expect(auditor.snapshot().endpoints[0]?.kernel).toEqual({
      timeWait: 0,
      closeWait: 0,
      closeWaitHeld: 0,
      established: 0,
    });
  });

  it('watches extra endpoints given as options', async () => {
    const obs = watch({ endpoints: ['10.0.0.9:6379'] });
    const table = await obs.refresh();
    expect(table?.byRemote.get('10.0.0.9:6379')?.timeWait).toBe(1);
  });

  it('drops the kernel view and warns once when the tables cannot be read', async () => {
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.5', 3306);
    const obs = watch();
    await obs.refresh();
    expect(auditor.snapshot().endpoints[0]?.kernel?.timeWait).toBe(3);
    fx.delete('net/tcp').delete('net/tcp6');
    expect(await obs.refresh()).toBeUndefined();
    expect(auditor.snapshot().endpoints[0]?.kernel).toBeUndefined();
    await obs.refresh();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('host socket scan failed');
    expect(warnings[0]).toContain('could not be read (ENOENT)');
  });

  it('warns once about a partial scan and still reports what it read', async () => {
    fx.delete('net/tcp6');
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.5', 3306);
    const obs = watch();
    await obs.refresh();
    await obs.refresh();
    expect(auditor.snapshot().endpoints[0]?.kernel?.timeWait).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('IPv6 sockets');
  });

  it('detaches: no kernel view, the configured port range again, no more scans', async () => {
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.5', 3306);
    const obs = watch();
    await obs.refresh();
    obs.detach();
    const snapshot = auditor.snapshot();
    expect(snapshot.endpoints[0]?.kernel).toBeUndefined();
    expect(snapshot.portRange).toEqual({ low: 32768, high: 60999 });
    expect(await obs.refresh()).toBeUndefined();
  });

  it("closes with the auditor's close()", async () => {
    const obs = watch();
    auditor.close();
    expect(await obs.refresh()).toBeUndefined();
  });

  it('on macOS answers the documented port range and no kernel counts', async () => {
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    openConnection(probe, '10.0.0.5', 3306);
    const obs = watch({ platform: 'darwin' });
    expect(await obs.refresh()).toBeUndefined();
    const snapshot = auditor.snapshot();
    expect(snapshot.portRange).toEqual({ low: 49152, high: 65535 });
    expect(snapshot.endpoints[0]?.kernel).toBeUndefined();
    expect(obs.sysctls.timeWaitSeconds).toMatchObject({ value: 30, source: 'documented-default' });
  });

  it('throws on bad arguments at once', () => {
    expect(() => observeHost(JSON.parse('{}') as Auditor)).toThrow(/auditor must be an Auditor/);
    expect(() => watch({ intervalMs: 0 })).toThrow(/intervalMs must be a positive number, got 0/);
    expect(() => watch({ endpoints: ['db'] })).toThrow(/endpoints must be/);
    expect(() => watch({ offThread: 'sometimes' as never })).toThrow(/offThread must be/);
  });
});
