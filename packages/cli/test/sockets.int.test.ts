import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { countSsSockets, ssSockets } from '../../../test/harness/kernel-sockets.js';
import { main } from '../src/index.js';
import type { ClientRow, EndpointRow } from '../src/index.js';

describe('poolaudit sockets --json', () => {
  it('agrees with ss -Htan on a loopback workload', async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const open: Socket[] = [];
    try {
      // 6 connections closed by us (TIME_WAIT here), 3 left open (ESTABLISHED).
      for (let i = 0; i < 9; i++) {
        const socket = createConnection({ host: '127.0.0.1', port });
        await once(socket, 'connect');
        if (i < 6) {
          socket.end();
          await once(socket, 'close');
        } else open.push(socket);
      }
      let out = '';
      expect(await main(['sockets', '--json'], { out: (t) => (out += t), err: () => undefined })).toBe(0);
      const report = JSON.parse(out) as { ports: number; endpoints: EndpointRow[] };
      const row = report.endpoints.find((e) => e.endpoint === `127.0.0.1:${port}`);
      expect(row?.timeWait).toBe(countSsSockets('time-wait', port));
      expect(row?.established).toBe(countSsSockets('established', port));
      expect(row?.timeWait).toBe(6);
      expect(row?.established).toBe(3);
      expect(row?.portBudgetUsed).toBeCloseTo(6 / report.ports, 4);
    } finally {
      for (const s of [...open, ...accepted]) s.destroy();
      server.close();
    }
  });
});

async function sockets(...argv: string[]): Promise<string> {
  let out = '';
  expect(await main(['sockets', ...argv], { out: (t) => (out += t), err: (t) => (out += t) })).toBe(0);
  return out;
}

describe('poolaudit sockets filters and --local', () => {
  it('--port and --state narrow the client view; --local shows the TIME_WAIT a server holds per client', async () => {
    // A server that closes first: it ends every connection at once, so the TIME_WAIT lands on its side.
    const server = createServer((s) => s.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      for (let i = 0; i < 5; i++) {
        const socket = createConnection({ host: '127.0.0.1', port });
        socket.resume();
        await once(socket, 'end');
        socket.end();
        await once(socket, 'close');
      }
      const held = ssSockets('time-wait').filter((s) => s.localPort === port).length;
      expect(held).toBe(5);

      const local = JSON.parse(await sockets('--local', '--port', String(port), '--json')) as {
        view: string;
        clients: ClientRow[];
      };
      expect(local.view).toBe('local');
      expect(local.clients).toEqual([
        { local: `127.0.0.1:${port}`, client: '127.0.0.1', timeWait: held, closeWait: 0, established: 0 },
      ]);
      // Without --port, every local listening port is shown: ours is among them while it listens.
      const all = JSON.parse(await sockets('--local', '--json')) as { clients: ClientRow[] };
      expect(all.clients.find((c) => c.local === `127.0.0.1:${port}`)?.timeWait).toBe(held);
      const text = await sockets('--local', '--port', String(port), '--state', 'time-wait');
      expect(text).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port} +127\\.0\\.0\\.1 +${held}$`, 'm'));
      expect(text.split('\n')[0]).not.toContain('ESTAB');

      // The client view toward the server's port has none: the server closed first.
      const remote = JSON.parse(await sockets('--port', String(port), '--json')) as {
        endpoints: EndpointRow[];
      };
      expect(remote.endpoints.every((e) => e.endpoint.endsWith(`:${port}`))).toBe(true);
      expect(remote.endpoints.find((e) => e.endpoint === `127.0.0.1:${port}`)?.timeWait ?? 0).toBe(
        countSsSockets('time-wait', port),
      );
      const byState = JSON.parse(
        await sockets('--remote', `127.0.0.1:${port}`, '--state', 'close-wait', '--json'),
      ) as { endpoints: EndpointRow[]; states: string[] };
      expect(byState.states).toEqual(['close-wait']);
      expect(byState.endpoints).toEqual([]);
    } finally {
      server.close();
    }
  });
});
