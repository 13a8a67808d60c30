import { endpointKey } from '@poolaudit/core';

/**
 * `/proc/net/tcp` prints the network-order `__be32` address as a host-order integer (`%08X`), so on a
 * little-endian kernel the bytes come out reversed: `0100007F` is 127.0.0.1 (net/ipv4/tcp_ipv4.c).
 */
export function ipv4FromWord(word: number, littleEndian: boolean): string {
  const b0 = word & 0xff;
  const b1 = (word >>> 8) & 0xff;
  const b2 = (word >>> 16) & 0xff;
  const b3 = (word >>> 24) & 0xff;
  return littleEndian ? `${b0}.${b1}.${b2}.${b3}` : `${b3}.${b2}.${b1}.${b0}`;
}

/**
 * `/proc/net/tcp6` prints `s6_addr32[0..3]` as four host-order words (net/ipv6/tcp_ipv6.c): each word's
 * bytes are reversed on a little-endian kernel. Formatted the way libuv's `inet_ntop` formats
 * `socket.remoteAddress`, so the keys meet those the auditor makes.
 */
export function ipv6FromWords(words: readonly number[], littleEndian: boolean): string {
  const bytes: number[] = [];
  for (const word of words) {
    const b = [(word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff];
    if (littleEndian) b.reverse();
    bytes.push(...b);
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // The longest run (two or more) of zero groups becomes `::`, the first one on a tie (RFC 5952).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  const tail = (from: number): string =>
    `${bytes[from] ?? 0}.${bytes[from + 1] ?? 0}.${bytes[from + 2] ?? 0}.${bytes[from + 3] ?? 0}`;
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
    // IPv4-compatible (`::1.2.3.4`) and v4-mapped (`::ffff:1.2.3.4`) addresses end in dotted quad.
    return bestLength === 6 ? `::${tail(12)}` : `::ffff:${tail(12)}`;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += (groups[i] ?? 0).toString(16);
  }
  return text;
}

/** The `endpointKey` of an address and port read from the table (v4-mapped folded to IPv4 there). */
export function tableEndpointKey(address: string, port: number): string {
  return endpointKey(address, port);
}
