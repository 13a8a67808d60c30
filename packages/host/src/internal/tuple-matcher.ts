import { isIPv4 } from 'node:net';
import { parseEndpoint } from '@poolaudit/core';

/** The 4-tuples a scan looks for, in two parallel lists of `endpointKey` strings (plain data for a worker). */
export interface TupleQuery {
  readonly local: readonly string[];
  readonly remote: readonly string[];
}

/**
 * Finds given 4-tuples among the table's lines and records each one's kernel state. IPv4 tuples (v4-mapped
 * included) are keyed by number, as the table prints them (`%08X` of the address word, then the port), so a
 * line costs one array read when its local port is not wanted, and one Map lookup when it is. Other IPv6
 * tuples are matched by their key text.
 */
export class TupleMatcher {
  /** The kernel state of each tuple; 0 while not seen. */
  readonly states: Uint8Array;
  private readonly ports = new Uint8Array(65536);
  /** Local (port, word) → index of the last tuple with it; `next` chains the others (one local port may
   * serve several destinations at once). */
  private readonly v4 = new Map<number, number>();
  private readonly next: Int32Array;
  private readonly remoteWord: Float64Array;
  private readonly remotePort: Uint16Array;
  /** `local>remote` → index, for IPv6 tuples. */
  private readonly v6 = new Map<string, number>();

  constructor(query: TupleQuery, littleEndian: boolean) {
    const n = Math.min(query.local.length, query.remote.length);
    this.states = new Uint8Array(n);
    this.remoteWord = new Float64Array(n);
    this.remotePort = new Uint16Array(n);
    this.next = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const local = parseEndpoint(query.local[i] ?? '');
      const remote = parseEndpoint(query.remote[i] ?? '');
      if (!Number.isInteger(local.port) || !Number.isInteger(remote.port)) continue;
      this.ports[local.port] = 1;
      if (isIPv4(local.host) && isIPv4(remote.host)) {
        const key = v4Key(tableWord(local.host, littleEndian), local.port);
        this.next[i] = this.v4.get(key) ?? -1;
        this.v4.set(key, i);
        this.remoteWord[i] = tableWord(remote.host, littleEndian);
        this.remotePort[i] = remote.port;
      } else {
        this.v6.set(`${query.local[i] ?? ''}>${query.remote[i] ?? ''}`, i);
      }
    }
  }

  /** False when no tuple has this local port: most lines stop here. */
  mayWant(localPort: number): boolean {
    return this.ports[localPort] === 1;
  }

  /** A line whose addresses are IPv4 (or v4-mapped) words as the table prints them. */
  matchV4(localWord: number, localPort: number, remoteWord: number, remotePort: number, state: number): void {
    let i = this.v4.get(v4Key(localWord, localPort)) ?? -1;
    while (i >= 0) {
      if (this.remoteWord[i] === remoteWord && this.remotePort[i] === remotePort) this.states[i] = state;
      i = this.next[i] ?? -1;
    }
  }

  /** Whether any IPv6 tuple is wanted (the keys of an IPv6 line are then built). */
  get wantsV6(): boolean {
    return this.v6.size > 0;
  }

  matchKeys(local: string, remote: string, state: number): void {
    const i = this.v6.get(`${local}>${remote}`);
    if (i !== undefined) this.states[i] = state;
  }
}

function v4Key(word: number, port: number): number {
  return port * 4294967296 + (word >>> 0);
}

/** The address word of `a.b.c.d` as `/proc/net/tcp` prints it: host order of the network-order bytes. */
function tableWord(ip: string, littleEndian: boolean): number {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
  const word = littleEndian ? (d << 24) | (c << 16) | (b << 8) | a : (a << 24) | (b << 16) | (c << 8) | d;
  return word >>> 0;
}
