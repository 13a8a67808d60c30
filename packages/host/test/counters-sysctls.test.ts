import { readCounters, readSysctls } from '../src/index.js';
import { ProcFixture, SOCKSTAT } from './support/proc-fixture.js';

let fx: ProcFixture;
beforeEach(() => {
  fx = new ProcFixture();
});
afterEach(() => fx.remove());

describe('readCounters', () => {
  it('reads sockstat, TcpExt and Tcp', () => {
    fx.standard();
    const c = readCounters({ procRoot: fx.root });
    expect(c.partial).toBe(false);
    expect(c.sockstat).toEqual({ inuse: 5, orphan: 1, tw: 42, alloc: 9, mem: 3 });
    expect(c.tcpExt).toMatchObject({ TW: 900, TWRecycled: 26, TCPTimeWaitOverflow: 3, TCPAbortOnData: 125 });
    expect(c.tcpExt.TWKilled).toBe(0);
    expect(c.tcp).toEqual({
      ActiveOpens: 1127,
      PassiveOpens: 1012,
      CurrEstab: 102,
      EstabResets: 68,
      AttemptFails: 16,
      OutRsts: 228,
    });
  });

  it('gives null, never zero, for what it cannot read, and says why', () => {
    fx.write('net/sockstat', SOCKSTAT).write('net/snmp', 'Tcp: ActiveOpens CurrEstab\nTcp: 12\n');
    const c = readCounters({ procRoot: fx.root });
    expect(c.partial).toBe(true);
    expect(c.sockstat.tw).toBe(42);
    expect(c.tcpExt.TW).toBeNull();
    expect(c.tcp.ActiveOpens).toBeNull();
    expect(c.problems.map((p) => p.kind)).toEqual(['missing', 'missing-field']);
    expect(c.problems[0]?.message).toContain('netstat could not be read (ENOENT)');
  });

  it('reads the real files of this machine', () => {
    const c = readCounters();
    expect(c.partial).toBe(false);
    expect(c.sockstat.inuse).toEqual(expect.any(Number));
    expect(c.tcp.ActiveOpens).toBeGreaterThan(0);
  });
});

describe('readSysctls', () => {
  it('reads the Linux settings from /proc/sys, and says what is absent', () => {
    fx.standard();
    const s = readSysctls({ procRoot: fx.root, platform: 'linux' });
    expect(s.ipLocalPortRange).toEqual({
      name: 'net.ipv4.ip_local_port_range',
      value: { low: 40000, high: 40999 },
      source: 'proc',
    });
    expect(s.ipLocalReservedPorts.value).toEqual([
      { low: 40100, high: 40100 },
      { low: 40200, high: 40209 },
    ]);
    expect(s.tcpTwReuse).toMatchObject({ value: 2, source: 'proc' });
    expect(s.tcpFinTimeoutSeconds).toMatchObject({ value: 30, source: 'proc' });
    // Not in the fixture: an older kernel.
    expect(s.tcpTwReuseDelayMs).toMatchObject({ value: null, source: 'absent' });
    expect(s.tcpTwReuseDelayMs.note).toContain('6.14');
    expect(s.tcpTwRecycle).toMatchObject({ value: null, source: 'absent', note: 'removed in Linux 4.12' });
    // tcp_fin_timeout is 30 here, and TIME_WAIT is still 60 s.
    expect(s.timeWaitSeconds).toMatchObject({ value: 60, source: 'kernel-constant' });
  });

  it("says 'unknown' when nothing can be read, and for values it cannot parse", () => {
    const none = readSysctls({ procRoot: fx.root, platform: 'linux' });
    expect(none.ipLocalPortRange).toMatchObject({ value: null, source: 'unknown' });
    expect(none.tcpTwReuse).toMatchObject({ value: null, source: 'unknown' });
    fx.standard().write('sys/net/ipv4/ip_local_port_range', 'garbage\n');
    const bad = readSysctls({ procRoot: fx.root, platform: 'linux' });
    expect(bad.ipLocalPortRange).toMatchObject({ value: null, source: 'unknown' });
    expect(bad.ipLocalPortRange.note).toContain('"garbage"');
  });

  it('takes a vendor TIME_WAIT sysctl when the kernel has one', () => {
    fx.standard().write('sys/net/ipv4/tcp_tw_timeout', '30\n');
    expect(readSysctls({ procRoot: fx.root, platform: 'linux' }).timeWaitSeconds).toMatchObject({
      value: 30,
      source: 'proc',
    });
  });

  it('labels the macOS and Windows values as documented defaults', () => {
    const mac = readSysctls({ platform: 'darwin' });
    expect(mac.timeWaitSeconds).toMatchObject({ value: 30, source: 'documented-default' });
    expect(mac.ipLocalPortRange).toMatchObject({
      value: { low: 49152, high: 65535 },
      source: 'documented-default',
    });
    expect(mac.tcpTwReuse).toMatchObject({ value: null, source: 'absent' });
    const win = readSysctls({ platform: 'win32' });
    expect(win.timeWaitSeconds).toMatchObject({
      value: 240,
      source: 'documented-default',
      name: 'TcpTimedWaitDelay',
    });
    expect(win.tcpTimestamps).toMatchObject({ value: null, source: 'unknown' });
    const other = readSysctls({ platform: 'aix' });
    expect(other.timeWaitSeconds).toMatchObject({ value: null, source: 'unknown' });
  });

  it('reads the real settings of this machine', () => {
    const s = readSysctls();
    expect(s.ipLocalPortRange.source).toBe('proc');
    expect(s.ipLocalPortRange.value?.low).toBeLessThan(s.ipLocalPortRange.value?.high ?? 0);
  });
});
