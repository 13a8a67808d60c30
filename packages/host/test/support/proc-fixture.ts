import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TCP_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
export const TCP6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** An address as the kernel prints it: host-order words of the network-order bytes. */
export function addressHex(ip: string, littleEndian = true): string {
  const bytes = isIPv6(ip) ? ipv6Bytes(ip) : ip.split('.').map(Number);
  let out = '';
  for (let w = 0; w < bytes.length; w += 4) {
    const word = bytes.slice(w, w + 4);
    if (littleEndian) word.reverse();
    out += word.map((b) => hex(b, 2)).join('');
  }
  return out;
}

function ipv6Bytes(ip: string): number[] {
  let text = ip;
  let tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (dotted) {
    tail = (dotted[1] as string).split('.').map(Number);
    text = ip.slice(0, -(dotted[1] as string).length) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = [...h, ...new Array<string>(8 - h.length - r.length).fill('0'), ...r].map((g) =>
    parseInt(g, 16),
  );
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

export interface FixtureSocket {
  readonly local: [string, number];
  readonly remote: [string, number];
  /** Kernel state number (6 = TIME_WAIT). */
  readonly st: number;
  /** Timer kind and ticks left. */
  readonly tr?: number;
  readonly when?: number;
}

/** One table line in the kernel's format (`get_tcp4_sock` / `get_timewait4_sock`). */
export function tableLine(sl: number, s: FixtureSocket, littleEndian = true): string {
  const tr = s.tr ?? (s.st === 6 ? 3 : 0);
  const when = s.when ?? (s.st === 6 ? 5968 : 0);
  return (
    `${String(sl).padStart(4)}: ${addressHex(s.local[0], littleEndian)}:${hex(s.local[1], 4)} ` +
    `${addressHex(s.remote[0], littleEndian)}:${hex(s.remote[1], 4)} ${hex(s.st, 2)} 00000000:00000000 ` +
    `${hex(tr, 2)}:${hex(when, 8)} 00000000     0        0 ${s.st === 6 ? 0 : 12345} 1 0000000000000000 20 4 30 10 -1`
  );
}

/** A whole file: header, lines, trailing newline. */
export function tableFile(header: string, sockets: readonly FixtureSocket[], littleEndian = true): string {
  return [header, ...sockets.map((s, i) => tableLine(i, s, littleEndian))].join('\n') + '\n';
}

export const SOCKSTAT = [
  'sockets: used 120',
  'TCP: inuse 5 orphan 1 tw 42 alloc 9 mem 3',
  'UDP: inuse 1 mem 0',
  '',
].join('\n');
export const NETSTAT = [
  'TcpExt: SyncookiesSent TW TWRecycled TWKilled TCPTimeWaitOverflow TCPAbortOnClose TCPAbortOnData',
  'TcpExt: 0 900 26 0 3 1 125',
  'IpExt: InNoRoutes',
  'IpExt: 0',
  '',
].join('\n');
export const SNMP = [
  'Ip: Forwarding DefaultTTL',
  'Ip: 1 64',
  'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors',
  'Tcp: 1 200 120000 -1 1127 1012 16 68 102 5 5 0 0 228 0',
  '',
].join('\n');

/** A throwaway `/proc` root; `write('net/tcp', text)` fills it. */
export class ProcFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'poolaudit-proc-'));

  write(path: string, text: string | Buffer): this {
    const file = join(this.root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    return this;
  }

  delete(path: string): this {
    rmSync(join(this.root, path));
    return this;
  }

  /** A complete, healthy set of files. */
  standard(tcp: readonly FixtureSocket[] = [], tcp6: readonly FixtureSocket[] = []): this {
    return this.write('net/tcp', tableFile(TCP_HEADER, tcp))
      .write('net/tcp6', tableFile(TCP6_HEADER, tcp6))
      .write('net/sockstat', SOCKSTAT)
      .write('net/netstat', NETSTAT)
      .write('net/snmp', SNMP)
      .write('sys/net/ipv4/ip_local_port_range', '40000\t40999\n')
      .write('sys/net/ipv4/ip_local_reserved_ports', '40100,40200-40209\n')
      .write('sys/net/ipv4/tcp_tw_reuse', '2\n')
      .write('sys/net/ipv4/tcp_max_tw_buckets', '131072\n')
      .write('sys/net/ipv4/tcp_fin_timeout', '30\n')
      .write('sys/net/ipv4/tcp_timestamps', '1\n');
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
