import { lint } from '@poolaudit/core';
import { hostLintRules, hostLintSubject, readSysctls } from '../src/index.js';
import { ProcFixture } from './support/proc-fixture.js';

let fx: ProcFixture;
beforeEach(() => {
  fx = new ProcFixture().standard();
});
afterEach(() => fx.remove());

const codes = (): string[] =>
  lint([hostLintSubject(readSysctls({ procRoot: fx.root, platform: 'linux' }))], hostLintRules).map(
    (f) => f.code,
  );

describe('host lint rules', () => {
  it('flags a small port range, reserved ports and a tcp_fin_timeout mistaken for TIME_WAIT', () => {
    // The fixture: 40000–40999, 11 reserved ports, tcp_fin_timeout 30.
    const findings = lint(
      [hostLintSubject(readSysctls({ procRoot: fx.root, platform: 'linux' }))],
      hostLintRules,
    );
    expect(findings.map((f) => f.code).sort()).toEqual([
      'host/fin-timeout-is-not-time-wait',
      'host/reserved-ports',
      'host/small-port-range',
    ]);
    expect(findings.find((f) => f.code === 'host/reserved-ports')?.evidence).toEqual({
      reservedInRange: 11,
      ports: 1000,
    });
  });

  it('says which settings could not be read', () => {
    const empty = new ProcFixture();
    const findings = lint(
      [hostLintSubject(readSysctls({ procRoot: empty.root, platform: 'linux' }))],
      hostLintRules,
    );
    empty.remove();
    expect(findings.map((f) => f.code)).toEqual(['host/settings-unknown']);
    expect(findings[0]?.message).toContain('ipLocalPortRange');
  });

  it('errors on tcp_tw_recycle=1 and warns on reuse without timestamps or few TIME_WAIT buckets', () => {
    fx.write('sys/net/ipv4/tcp_tw_recycle', '1\n')
      .write('sys/net/ipv4/tcp_timestamps', '0\n')
      .write('sys/net/ipv4/tcp_max_tw_buckets', '5000\n');
    expect(codes()).toEqual(
      expect.arrayContaining([
        'host/tcp-tw-recycle',
        'host/tw-reuse-without-timestamps',
        'host/low-max-tw-buckets',
      ]),
    );
    const findings = lint(
      [hostLintSubject(readSysctls({ procRoot: fx.root, platform: 'linux' }))],
      hostLintRules,
    );
    expect(findings[0]).toMatchObject({ code: 'host/tcp-tw-recycle', severity: 'error', pool: 'host' });
  });

  it('is quiet on default settings', () => {
    fx.write('sys/net/ipv4/ip_local_port_range', '32768 60999\n')
      .write('sys/net/ipv4/ip_local_reserved_ports', '\n')
      .write('sys/net/ipv4/tcp_fin_timeout', '60\n')
      .write('sys/net/ipv4/tcp_tw_reuse_delay', '1000\n');
    expect(codes()).toEqual([]);
  });
});
