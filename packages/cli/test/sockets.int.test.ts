import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { countSsSockets } from '../../../test/harness/kernel-sockets.js';
import { main } from '../src/index.js';
import type { EndpointRow } from '../src/index.js';

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
