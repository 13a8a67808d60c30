import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { endpointKey } from '@poolaudit/core';
import { readSocketTable } from '../src/index.js';
import type { TableSocket, TcpState } from '../src/index.js';
import { countSsSockets, eventually, ssSockets } from '../../../test/harness/kernel-sockets.js';

const N = 10;
const SS_STATES: Readonly<Record<string, TcpState>> = {
  ESTAB: 'established',
  'SYN-SENT': 'synSent',
  'SYN-RECV': 'synRecv',
  'FIN-WAIT-1': 'finWait1',
  'FIN-WAIT-2': 'finWait2',
  'TIME-WAIT': 'timeWait',
  UNCONN: 'close',
  'CLOSE-WAIT': 'closeWait',
  'LAST-ACK': 'lastAck',
  LISTEN: 'listen',
  CLOSING: 'closing',
};

const servers: Server[] = [];
const clients: Socket[] = [];
afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

jest.setTimeout(20_000);

/** Resolves when the socket has closed, whatever error came first (`events.once` would reject on 'error'). */
const closed = (s: Socket): Promise<void> =>
  s.closed ? Promise.resolve() : new Promise((resolve) => s.once('close', () => resolve()));

async function listen(host: string, onConnection: (s: Socket) => void): Promise<number> {
  // Reading keeps each socket flowing, so a peer's FIN is seen ('end') and answered as Node does.
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.resume();
    onConnection(s);
  });
  servers.push(server);
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Opens `n` connections one after the other; returns them with their local ports. */
async function connectMany(host: string, port: number, n: number, allowHalfOpen = false): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = connect({ host, port, allowHalfOpen });
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'connect');
    // Read now: a closed socket no longer reports its local port.
    localPorts.set(socket, socket.localPort ?? -1);
    out.push(socket);
    clients.push(socket);
  }
  return out;
}

const localPorts = new WeakMap<Socket, number>();
const portsOf = (sockets: readonly Socket[]): Set<number> =>
  new Set(sockets.map((s) => localPorts.get(s) ?? -1));
const portOfKey = (key: string): number => Number(key.slice(key.lastIndexOf(':') + 1));

/** Every socket `ss -Htan` lists to or from `port`, as `state local>peer` in endpointKey form (listeners left out). */
function ssLines(port: number, own: ReadonlySet<number>): string[] {
  const out = execFileSync('ss', ['-Htan', `( dport = :${port} or sport = :${port} )`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[0] !== 'LISTEN')
    .map((cols) => `${SS_STATES[cols[0] ?? ''] ?? cols[0]} ${key(cols[3] ?? '')}>${key(cols[4] ?? '')}`)
    .filter((line) => [...own].some((p) => line.includes(`:${p}>`) || line.endsWith(`:${p}`)))
    .sort();
}

function key(text: string): string {
  const i = text.lastIndexOf(':');
  return endpointKey(text.slice(0, i), Number(text.slice(i + 1)));
}

/** The same view from `readSocketTable`: sockets to or from `port` that involve one of `own` ports. */
async function tableLines(endpoint: string, own: ReadonlySet<number>): Promise<string[]> {
  const t = await readSocketTable({ remote: [endpoint], local: [endpoint], listSockets: true });
  expect(t.partial).toBe(false);
  return (t.sockets ?? [])
    .filter((s) => s.state !== 'listen')
    .filter((s) => own.has(portOfKey(s.local)) || own.has(portOfKey(s.remote)))
    .map((s: TableSocket) => `${s.state} ${s.local}>${s.remote}`)
    .sort();
}

/** Waits until `ss` shows the expected count, then checks that the table lists exactly what ss lists. */
async function expectSameAsSs(
  endpoint: string,
  own: ReadonlySet<number>,
  settled: () => boolean,
): Promise<string[]> {
  expect(await eventually(settled, 5000)).toBe(true);
  const port = portOfKey(endpoint);
  const ours = await tableLines(endpoint, own);
  expect(ours).toEqual(ssLines(port, own));
  return ours;
}

const count = (lines: readonly string[], prefix: string): number =>
  lines.filter((l) => l.startsWith(prefix)).length;

describe.each([
  ['IPv4', '127.0.0.1'],
  ['IPv6', '::1'],
])('%s loopback: readSocketTable counts exactly what ss -Htan lists', (_family, host) => {
  it('client closes first: TIME_WAIT on the client toward the server', async () => {
    const port = await listen(host, () => undefined);
    const endpoint = endpointKey(host, port);
    const socks = await connectMany(host, port, N);
    await Promise.all(socks.map((s) => (s.end(), closed(s))));
    const own = portsOf(socks);
    const lines = await expectSameAsSs(endpoint, own, () => countSsSockets('time-wait', port, own) === N);
    expect(count(lines, `timeWait `)).toBe(N);
    expect(lines.every((l) => l.endsWith(`>${endpoint}`))).toBe(true);
    const t = await readSocketTable({ remote: [endpoint], states: ['timeWait'], listSockets: true });
    const left = (t.sockets ?? [])
      .filter((s) => own.has(portOfKey(s.local)))
      .map((s) => s.timeWaitRemaining ?? -1);
    expect(left).toHaveLength(N);
    expect(Math.min(...left)).toBeGreaterThan(50);
    expect(Math.max(...left)).toBeLessThanOrEqual(60);
  });

  it('server closes first: TIME_WAIT on the server side, none on the client', async () => {
    const port = await listen(host, (s) => s.end());
    const endpoint = endpointKey(host, port);
    const socks = await connectMany(host, port, N);
    await Promise.all(socks.map(closed));
    const own = portsOf(socks);
    const serverSide = (): number =>
      ssSockets('time-wait').filter((s) => s.localPort === port && own.has(s.peerPort)).length;
    const lines = await expectSameAsSs(endpoint, own, () => serverSide() === N);
    expect(count(lines, `timeWait ${endpoint}>`)).toBe(N);
    expect(count(lines, 'timeWait ')).toBe(N);
    expect(countSsSockets('time-wait', port, own)).toBe(0);
  });

  it('server hangs up and the client never closes: CLOSE_WAIT toward the server', async () => {
    const port = await listen(host, (s) => s.end());
    const endpoint = endpointKey(host, port);
    const socks = await connectMany(host, port, N, true);
    const own = portsOf(socks);
    const lines = await expectSameAsSs(endpoint, own, () => countSsSockets('close-wait', port, own) === N);
    expect(count(lines, 'closeWait ')).toBe(N);
    expect(lines.filter((l) => l.startsWith('closeWait ')).every((l) => l.endsWith(`>${endpoint}`))).toBe(
      true,
    );
    // The server's side waits in FIN_WAIT2.
    expect(count(lines, `finWait2 ${endpoint}>`)).toBe(N);
    for (const s of socks) s.destroy();
  });

  it('open connections: ESTABLISHED on both sides; reset leaves no TIME_WAIT', async () => {
    const accepted: Socket[] = [];
    const port = await listen(host, (s) => accepted.push(s));
    const endpoint = endpointKey(host, port);
    const socks = await connectMany(host, port, N);
    const own = portsOf(socks);
    const lines = await expectSameAsSs(endpoint, own, () => countSsSockets('established', port, own) === N);
    expect(count(lines, 'established ')).toBe(2 * N);
    expect(count(lines, `established ${endpoint}>`)).toBe(N);

    expect(await eventually(() => accepted.length === N)).toBe(true);
    const serverClosed = accepted.map(closed);
    for (const s of socks) s.resetAndDestroy();
    await Promise.all(serverClosed);
    const after = await expectSameAsSs(endpoint, own, () => countSsSockets('established', port, own) === 0);
    expect(after).toEqual([]);
    expect(countSsSockets('time-wait', port, own)).toBe(0);
  });
});

describe('dual-stack server: v4-mapped sockets in tcp6', () => {
  it('folds ::ffff:127.0.0.1 to the IPv4 key, as ss counts them', async () => {
    const port = await listen('::', (s) => s.end());
    const endpoint = endpointKey('127.0.0.1', port);
    const socks = await connectMany('127.0.0.1', port, N);
    await Promise.all(socks.map(closed));
    const own = portsOf(socks);
    const serverSide = (): number =>
      ssSockets('time-wait').filter((s) => s.localPort === port && own.has(s.peerPort)).length;
    const lines = await expectSameAsSs(endpoint, own, () => serverSide() === N);
    expect(count(lines, `timeWait ${endpoint}>127.0.0.1:`)).toBe(N);
    const t = await readSocketTable({ local: [endpoint], listSockets: true });
    expect(t.sockets?.filter((s) => own.has(portOfKey(s.remote))).every((s) => s.file === 'tcp6')).toBe(true);
  });
});

describe('off the main thread on the real tables', () => {
  it('counts the same in a worker as inline', async () => {
    const port = await listen('127.0.0.1', () => undefined);
    const endpoint = endpointKey('127.0.0.1', port);
    const socks = await connectMany('127.0.0.1', port, N);
    await Promise.all(socks.map((s) => (s.end(), closed(s))));
    const inline = await readSocketTable({ remote: [endpoint], offThread: false });
    const worker = await readSocketTable({ remote: [endpoint], offThread: true });
    expect(worker.offThread).toBe(true);
    expect(worker.byRemote.get(endpoint)?.timeWait).toBe(inline.byRemote.get(endpoint)?.timeWait);
    expect(inline.byRemote.get(endpoint)?.timeWait).toBeGreaterThanOrEqual(N);
  });
});
