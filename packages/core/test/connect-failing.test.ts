import { createAuditor, formatReport } from '../src/index.js';
import type { AuditorOptions } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

function setup(options: AuditorOptions = {}) {
  const clock = new FakeClock();
  clock.t = 1_000_000;
  const auditor = createAuditor({ clock: clock.now, ...options });
  const probe = auditor.register({ name: 'cache', kind: 'test', config: { maxOpen: 10 } });
  const finding = () => auditor.findings().find((f) => f.code === 'connect-failing');
  const stats = () => auditor.snapshot().pools[0]!.stats;
  return { clock, auditor, probe, finding, stats };
}

/** What Node's net module hands over for a refused connect. */
function refused(port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
  });
}

describe('connect-failing', () => {
  it('a pool that cannot connect is an error, with the code, the endpoint and what to check', () => {
    const { auditor, probe, finding, stats } = setup();
    for (let i = 0; i < 3; i++) probe.connectFailed({ endpoint: '127.0.0.1:1', error: refused(1) });
    expect(stats()).toMatchObject({
      connectErrors: 3,
      connectErrorsByCode: { ECONNREFUSED: 3 },
      lastConnectError: {
        code: 'ECONNREFUSED',
        message: 'connect ECONNREFUSED 127.0.0.1:1',
        endpoint: '127.0.0.1:1',
      },
      created: 0,
    });
    const f = finding();
    expect(f).toMatchObject({ severity: 'error', pool: 'cache', endpoint: '127.0.0.1:1' });
    expect(f?.message).toBe(
      '3 connection attempts of cache to 127.0.0.1:1 failed in the last 60s (last: ECONNREFUSED: connect ' +
        'ECONNREFUSED 127.0.0.1:1); no connection is open, so every request on this pool fails or waits.',
    );
    expect(f?.advice).toContain('Nothing accepts connections at 127.0.0.1:1');
    // The report no longer says "no connections yet" of a pool that tried and failed.
    const report = formatReport(auditor.snapshot());
    expect(report).toContain('cache (test) → 127.0.0.1:1 (never connected)');
    expect(report).toContain(
      'connect errors: 3 (ECONNREFUSED 3) · last 0 ms ago: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(report).toContain('[error] connect-failing: 3 connection attempts');
  });

  it('is a warning while connections are open, and clears once the window has passed', () => {
    const { clock, probe, finding } = setup({ timeWaitSeconds: 10 });
    const conn = {};
    probe.opened(conn, { endpoint: '10.0.0.1:5432' });
    probe.connectFailed({
      endpoint: '10.0.0.1:5432',
      error: { code: '53300', message: 'sorry, too many clients already' },
    });
    expect(finding()).toMatchObject({ severity: 'warning' });
    expect(finding()?.message).toContain('1 connection attempt of cache to 10.0.0.1:5432 failed');
    expect(finding()?.message).toContain('1 connection is open.');
    expect(finding()?.advice).toContain('at its connection limit');
    clock.advance(11_000);
    expect(finding()).toBeUndefined();
  });

  it('names the cause by the error code: DNS, timeouts, TLS, credentials, a missing database', () => {
    const cases: [string, string][] = [
      ['ENOTFOUND', 'does not resolve'],
      ['ETIMEDOUT', 'does not answer'],
      ['UND_ERR_CONNECT_TIMEOUT', 'does not answer'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS handshake'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS handshake'],
      ['ER_ACCESS_DENIED_ERROR', 'refused the credentials'],
      ['28P01', 'refused the credentials'],
      ['WRONGPASS', 'refused the credentials'],
      ['3D000', 'does not exist'],
      ['ER_BAD_DB_ERROR', 'does not exist'],
      ['EWHATEVER', 'is reachable from here'],
    ];
    for (const [code, words] of cases) {
      const { probe, finding } = setup();
      probe.connectFailed({ endpoint: 'db:3306', error: { code, message: 'x' } });
      expect([code, finding()?.advice]).toEqual([code, expect.stringContaining(words)]);
    }
  });

  it('keeps no error object and no credentials; an AggregateError is read through its first error', () => {
    const { probe, stats } = setup();
    const error = new Error(
      'getaddrinfo ENOTFOUND redis://app:s3cret@cache.internal:6379/0 while connecting',
    );
    probe.connectFailed({ error });
    expect(stats().lastConnectError).toEqual({
      code: 'unknown',
      message: 'getaddrinfo ENOTFOUND redis://[redacted]@cache.internal:6379/0 while connecting',
      endpoint: null,
      at: 1_000_000,
    });
    // Node's connect to every address of a name (autoSelectFamily) fails with an AggregateError.
    probe.connectFailed({ endpoint: 'localhost:1', error: new AggregateError([refused(1), refused(1)], '') });
    expect(stats().lastConnectError).toMatchObject({ code: 'ECONNREFUSED', endpoint: 'localhost:1' });
    probe.connectFailed({});
    expect(stats().lastConnectError).toMatchObject({ code: 'unknown', message: 'no error given' });
    expect(stats().connectErrorsByCode).toEqual({ unknown: 2, ECONNREFUSED: 1 });
  });

  it('counts at most 16 codes per pool by name, the rest as other', () => {
    const { probe, stats } = setup();
    for (let i = 0; i < 20; i++) probe.connectFailed({ error: { code: `E${i}`, message: '' } });
    const byCode = stats().connectErrorsByCode;
    expect(Object.keys(byCode)).toHaveLength(17);
    expect(byCode['other']).toBe(4);
    expect(stats().connectErrors).toBe(20);
  });

  it('can be turned off like every detector', () => {
    const { probe, finding } = setup({ detectors: { 'connect-failing': { enabled: false } } });
    probe.connectFailed({ endpoint: '127.0.0.1:1', error: refused(1) });
    expect(finding()).toBeUndefined();
  });
});
