import { execFileSync } from 'node:child_process';

export type SsState = 'time-wait' | 'close-wait' | 'established' | 'fin-wait-2' | 'last-ack';

export interface SsSocket {
  readonly localAddress: string;
  readonly localPort: number;
  readonly peerAddress: string;
  readonly peerPort: number;
}

/**
 * The kernel's TCP sockets in one state, as `ss -Htan state <state>` lists them (the reference count:
 * netlink, filtered in the kernel). Optionally only those toward `peerPort`.
 */
export function ssSockets(state: SsState, peerPort?: number): SsSocket[] {
  const args = ['-Htan', 'state', state];
  if (peerPort !== undefined) args.push(`( dport = :${peerPort} )`);
  const out = execFileSync('ss', args, { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      // With a state filter ss prints: Recv-Q Send-Q Local:Port Peer:Port [Process]
      const cols = line.trim().split(/\s+/);
      const [localAddress, localPort] = splitHostPort(cols[2] ?? '');
      const [peerAddress, peerPort] = splitHostPort(cols[3] ?? '');
      return { localAddress, localPort, peerAddress, peerPort };
    });
}

/** How many sockets in `state` toward `peerPort` use one of `localPorts` (this process's own connections). */
export function countSsSockets(state: SsState, peerPort: number, localPorts?: ReadonlySet<number>): number {
  return ssSockets(state, peerPort).filter((s) => localPorts === undefined || localPorts.has(s.localPort))
    .length;
}

/** How many sockets in `state` have `localPort` as their own port: a server's, on the port it listens on. */
export function countLocalSockets(state: SsState, localPort: number): number {
  const out = execFileSync('ss', ['-Htan', 'state', state, `( sport = :${localPort} )`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.trim() !== '').length;
}

function splitHostPort(text: string): [string, number] {
  const i = text.lastIndexOf(':');
  let host = text.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, Number(text.slice(i + 1))];
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it became true. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  everyMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
