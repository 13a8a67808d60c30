import { isIPv6 } from 'node:net';

/**
 * The key for a remote endpoint: `host:port`, IPv6 in brackets, IPv4-mapped IPv6 (`::ffff:1.2.3.4`)
 * folded to plain IPv4 so that sockets from dual-stack servers and clients meet under one key.
 */
export function endpointKey(host: string, port: number): string {
  // IPv4 and host names (no colon): as they are, without the IPv6 checks below (read at every connect).
  if (!host.includes(':')) return `${host}:${port}`;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return `${mapped[1] as string}:${port}`;
  return isIPv6(bare) ? `[${bare.toLowerCase()}]:${port}` : `${bare}:${port}`;
}

/** Splits a key made by `endpointKey` back into host and port. */
export function parseEndpoint(key: string): { host: string; port: number } {
  const colon = key.lastIndexOf(':');
  const host = key.slice(0, colon);
  return {
    host: host.startsWith('[') ? host.slice(1, -1) : host,
    port: Number(key.slice(colon + 1)),
  };
}
