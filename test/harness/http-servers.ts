import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from './certificates.js';

/** A `node:http` server on 127.0.0.1:0 that remembers the client ports of every connection it accepted. */
export interface TestServer {
  readonly server: Server;
  /** The server's certificate (PEM) when it speaks TLS: give it to the client as `ca`. */
  readonly ca?: string;
  readonly port: number;
  readonly origin: string;
  /** Client-side (our) local ports of the connections the server accepted. */
  readonly clientPorts: Set<number>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Starts a server. `keepAliveTimeout` is Node's (it advertises `Keep-Alive: timeout=N`); 0 turns both the
 * timeout and the hint off.
 */
export async function startServer(
  handler: Handler,
  keepAliveTimeout?: number,
  options: { readonly tls?: boolean } = {},
): Promise<TestServer> {
  const certificate = options.tls === true ? selfSignedCertificate() : undefined;
  const server: Server = certificate ? createTlsServer(certificate, handler) : createServer(handler);
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  const clientPorts = new Set<number>();
  server.on('connection', (socket) => {
    if (socket.remotePort !== undefined) clientPorts.add(socket.remotePort);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    ...(certificate ? { ca: certificate.cert } : {}),
    clientPorts,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Answers `ok <path>`. */
export const ok: Handler = (req, res) => {
  res.end(`ok ${req.url ?? ''}`);
};

/** Answers with `Connection: close`: Node then ends the connection after the response. */
export const connectionClose: Handler = (req, res) => {
  res.setHeader('connection', 'close');
  res.end(`bye ${req.url ?? ''}`);
};

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
