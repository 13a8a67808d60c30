import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createAuditor, endpointKey, formatTimeWait } from '../src/index.js';
import type { Auditor, PoolProbe } from '../src/index.js';
import { FakeClock } from './support/fake-clock.js';

let server: Server;
let port: number;
const accepted: Socket[] = [];

beforeAll(async () => {
  server = createServer((s) => {
    accepted.push(s);
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of accepted) s.destroy();
  server.close();
  await once(server, 'close');
});

/** `n` connections opened through the probe, then closed here first; returns their local `ip:port`. */
async function closeLocally(probe: PoolProbe, n: number): Promise<string[]> {
  const locals: string[] = [];
  for (let i = 0; i < n; i++) {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    probe.opened(socket, { socket });
    await once(socket, 'connect');
    locals.push(endpointKey(socket.localAddress ?? '', socket.localPort ?? 0));
    probe.closed(socket, 'maxIdle');
    socket.destroy();
    await once(socket, 'close');
  }
  return locals;
}

describe('closeLookup(): the kernel confirms each close', () => {
  let clock: FakeClock;
  let auditor: Auditor;
  let probe: PoolProbe;

  beforeEach(() => {
    clock = new FakeClock();
    clock.t = 100_000;
    auditor = createAuditor({ clock: clock.now });
    probe = auditor.register({ name: 'orders', kind: 'test', config: {} });
  });

  it('without a host scan the footprint is the counted one, and says so', async () => {
    await closeLocally(probe, 2);
    const t = auditor.snapshot().pools[0]!.stats.timeWait;
    expect(t).toMatchObject({ source: 'counted', footprint: 2, counted: 2, confirmed: null, resets: null });
    expect(formatTimeWait(auditor.snapshot().pools[0]!.stats)).toBe(
      'TIME_WAIT 2 counted (local closes) 0.03/s',
    );
  });

  it('hands out the 4-tuples recorded at connect, and books TIME_WAIT, resets and closes still in FIN_WAIT', async () => {
    auditor.closeLookup().settle(new Uint8Array(0));
    const locals = await closeLocally(probe, 3);
    const first = auditor.closeLookup();
    expect(first.local).toEqual(locals);
    expect(first.remote).toEqual(locals.map(() => `127.0.0.1:${port}`));
    // 6 = TIME_WAIT, 0 = gone (a reset), 5 = FIN_WAIT2 (asked again next scan).
    first.settle([6, 0, 5]);
    let t = auditor.snapshot().pools[0]!.stats.timeWait;
    expect(t).toMatchObject({ source: 'kernel', counted: 3, confirmed: 1, resets: 1, unconfirmed: 1 });
    expect(t.footprint).toBe(2);
    const second = auditor.closeLookup();
    expect(second.local).toEqual([locals[2]]);
    second.settle([6]);
    t = auditor.snapshot().pools[0]!.stats.timeWait;
    expect(t).toMatchObject({ footprint: 2, confirmed: 2, resets: 1, unconfirmed: 0 });
    expect(auditor.snapshot().endpoints[0]!.timeWait).toMatchObject({ confirmed: 2, resets: 1 });
    expect(formatTimeWait(auditor.snapshot().pools[0]!.stats)).toBe(
      'TIME_WAIT 2 confirmed by the kernel (3 local closes counted, 1 ended in a reset) 0.03/s',
    );
    // The TIME_WAIT length later, the sockets are gone and so is the footprint.
    clock.advance(61_000);
    t = auditor.snapshot().pools[0]!.stats.timeWait;
    expect(t).toMatchObject({ footprint: 0, confirmed: 0, resets: 0, counted: 0 });
  });

  it('looks the closes up again after a failed scan, and stops queueing when the observer leaves', async () => {
    const detach = auditor.attachHost({ endpointView: () => undefined });
    auditor.closeLookup().settle(new Uint8Array(0));
    await closeLocally(probe, 2);
    auditor.closeLookup().settle(null);
    const again = auditor.closeLookup();
    expect(again.local).toHaveLength(2);
    again.settle([6, 6]);
    expect(auditor.snapshot().pools[0]!.stats.timeWait).toMatchObject({ source: 'kernel', confirmed: 2 });
    detach();
    await closeLocally(probe, 1);
    expect(auditor.snapshot().pools[0]!.stats.timeWait).toMatchObject({ source: 'counted', footprint: 3 });
    expect(auditor.closeLookup().local).toHaveLength(0);
  });

  it('drops closes older than the window without looking them up', async () => {
    auditor.closeLookup().settle(new Uint8Array(0));
    await closeLocally(probe, 2);
    clock.advance(61_000);
    const lookup = auditor.closeLookup();
    expect(lookup.local).toHaveLength(0);
    expect(auditor.snapshot().pools[0]!.stats.timeWait).toMatchObject({ unconfirmed: 0, footprint: 0 });
  });
});
