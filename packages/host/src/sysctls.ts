import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PortRange } from '@poolaudit/core';
import { checkProcOptions } from './internal/options.js';
import type { HostSysctls, ProcOptions, SysctlReading } from './types.js';

/**
 * Reads the settings that decide TIME_WAIT and port budgets. On Linux from `/proc/sys/net/ipv4` (as seen
 * from this process's network namespace); TIME_WAIT's 60 s is the kernel constant `TCP_TIMEWAIT_LEN`, which no
 * upstream sysctl changes. On macOS and Windows: the documented defaults, labelled `documented-default`.
 * Anything that cannot be read is `{ value: null, source: 'unknown' }`, never a guess.
 */
export function readSysctls(options: ProcOptions = {}): HostSysctls {
  const { procRoot, platform } = checkProcOptions(options);
  if (platform === 'darwin') return darwinDefaults();
  if (platform === 'win32') return windowsDefaults();
  if (platform !== 'linux') return unknownEverywhere(platform);
  const dir = join(procRoot, 'sys', 'net', 'ipv4');
  const dirReadable = isDirectory(dir);
  const read = <T>(file: string, parse: (text: string) => T | null, absentNote: string): SysctlReading<T> => {
    const name = `net.ipv4.${file}`;
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'latin1');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirReadable) return { name, value: null, source: 'absent', note: absentNote };
      return { name, value: null, source: 'unknown', note: `${join(dir, file)} could not be read (${code})` };
    }
    const value = parse(text.trim());
    if (value === null) {
      return {
        name,
        value: null,
        source: 'unknown',
        note: `${join(dir, file)} holds ${JSON.stringify(text.trim())}`,
      };
    }
    return { name, value, source: 'proc' };
  };
  const vendorTimeWait = read('tcp_tw_timeout', integer, '');
  return {
    platform,
    ipLocalPortRange: read('ip_local_port_range', portRange, 'not present on this kernel'),
    ipLocalReservedPorts: read('ip_local_reserved_ports', portList, 'not present on this kernel'),
    tcpTwReuse: read('tcp_tw_reuse', integer, 'not present on this kernel'),
    tcpTwReuseDelayMs: read(
      'tcp_tw_reuse_delay',
      integer,
      'added in Linux 6.14; older kernels reuse a TIME_WAIT entry once it is 1 s old',
    ),
    tcpMaxTwBuckets: read('tcp_max_tw_buckets', integer, 'not present on this kernel'),
    tcpFinTimeoutSeconds: read('tcp_fin_timeout', integer, 'not present on this kernel'),
    tcpTimestamps: read('tcp_timestamps', integer, 'not present on this kernel'),
    tcpTwRecycle: read('tcp_tw_recycle', integer, 'removed in Linux 4.12'),
    // Some vendor kernels add net.ipv4.tcp_tw_timeout; upstream fixes TIME_WAIT at TCP_TIMEWAIT_LEN (60*HZ).
    timeWaitSeconds:
      vendorTimeWait.source === 'proc'
        ? vendorTimeWait
        : {
            name: 'TCP_TIMEWAIT_LEN',
            value: 60,
            source: 'kernel-constant',
            note: 'compile-time constant (include/net/tcp.h); tcp_fin_timeout does not change it',
          },
  };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function integer(text: string): number | null {
  return /^-?\d+$/.test(text) ? Number(text) : null;
}

function portRange(text: string): PortRange | null {
  const m = /^(\d+)\s+(\d+)$/.exec(text);
  if (!m) return null;
  const low = Number(m[1]);
  const high = Number(m[2]);
  return low <= high && high <= 65535 ? { low, high } : null;
}

/** `8080,9000-9010` (empty = none). */
function portList(text: string): PortRange[] | null {
  if (text === '') return [];
  const out: PortRange[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    out.push({ low: Number(m[1]), high: Number(m[2] ?? m[1]) });
  }
  return out;
}

function documented<T>(name: string, value: T, note: string): SysctlReading<T> {
  return { name, value, source: 'documented-default', note };
}

function absent<T>(name: string, note: string): SysctlReading<T> {
  return { name, value: null, source: 'absent', note };
}

function darwinDefaults(): HostSysctls {
  const linuxOnly = 'a Linux setting; macOS has no equivalent';
  return {
    platform: 'darwin',
    ipLocalPortRange: documented(
      'net.inet.ip.portrange.first/last',
      { low: 49152, high: 65535 },
      'read it with `sysctl net.inet.ip.portrange`',
    ),
    ipLocalReservedPorts: absent('net.ipv4.ip_local_reserved_ports', linuxOnly),
    tcpTwReuse: absent('net.ipv4.tcp_tw_reuse', linuxOnly),
    tcpTwReuseDelayMs: absent('net.ipv4.tcp_tw_reuse_delay', linuxOnly),
    tcpMaxTwBuckets: absent('net.ipv4.tcp_max_tw_buckets', linuxOnly),
    tcpFinTimeoutSeconds: absent('net.ipv4.tcp_fin_timeout', linuxOnly),
    tcpTimestamps: {
      name: 'net.inet.tcp.rfc1323',
      value: null,
      source: 'unknown',
      note: 'not read on macOS',
    },
    tcpTwRecycle: absent('net.ipv4.tcp_tw_recycle', linuxOnly),
    timeWaitSeconds: documented('net.inet.tcp.msl', 30, '2 × MSL, MSL 15000 ms by default (XNU TCPTV_MSL)'),
  };
}

function windowsDefaults(): HostSysctls {
  const linuxOnly = 'a Linux setting; Windows has no equivalent';
  return {
    platform: 'win32',
    ipLocalPortRange: documented(
      'dynamicport tcp',
      { low: 49152, high: 65535 },
      'since Vista/Server 2008 (KB929851); `netsh int ipv4 show dynamicport tcp`',
    ),
    ipLocalReservedPorts: absent('net.ipv4.ip_local_reserved_ports', linuxOnly),
    tcpTwReuse: absent('net.ipv4.tcp_tw_reuse', linuxOnly),
    tcpTwReuseDelayMs: absent('net.ipv4.tcp_tw_reuse_delay', linuxOnly),
    tcpMaxTwBuckets: absent('net.ipv4.tcp_max_tw_buckets', linuxOnly),
    tcpFinTimeoutSeconds: absent('net.ipv4.tcp_fin_timeout', linuxOnly),
    tcpTimestamps: {
      name: 'Tcp1323Opts',
      value: null,
      source: 'unknown',
      note: 'depends on the Windows version',
    },
    tcpTwRecycle: absent('net.ipv4.tcp_tw_recycle', linuxOnly),
    timeWaitSeconds: documented(
      'TcpTimedWaitDelay',
      240,
      'registry default 0xF0 when the value is not set (30–300 allowed)',
    ),
  };
}

function unknownEverywhere(platform: NodeJS.Platform): HostSysctls {
  const unknown = <T>(name: string): SysctlReading<T> => ({
    name,
    value: null,
    source: 'unknown',
    note: `no source of this setting is known on ${platform}`,
  });
  return {
    platform,
    ipLocalPortRange: unknown('ip_local_port_range'),
    ipLocalReservedPorts: unknown('ip_local_reserved_ports'),
    tcpTwReuse: unknown('tcp_tw_reuse'),
    tcpTwReuseDelayMs: unknown('tcp_tw_reuse_delay'),
    tcpMaxTwBuckets: unknown('tcp_max_tw_buckets'),
    tcpFinTimeoutSeconds: unknown('tcp_fin_timeout'),
    tcpTimestamps: unknown('tcp_timestamps'),
    tcpTwRecycle: unknown('tcp_tw_recycle'),
    timeWaitSeconds: unknown('TIME_WAIT length'),
  };
}
