import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Factory } from 'generic-pool';

/** A loopback TCP server on a port of its own that accepts and holds connections until told to close. */
export async function startServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const accepted = new Set<Socket>();
  const server: Server = createServer((socket) => {
    accepted.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => accepted.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of accepted) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * A factory of raw TCP sockets to `port`. `destroy` ends our side first (so the TIME_WAIT is ours) and
 * waits for the close. `localPorts` lists the local port of every connection made, in order.
 */
export function socketFactory(port: number): { factory: Factory<Socket>; localPorts: number[] } {
  const localPorts: number[] = [];
  return {
    localPorts,
    factory: {
      async create() {
        const socket = createConnection({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        await once(socket, 'connect');
        localPorts.push(socket.localPort!);
        return socket;
      },
      async destroy(socket) {
        if (socket.closed) return;
        const closed = once(socket, 'close');
        socket.end();
        await closed;
      },
    },
  };
}
