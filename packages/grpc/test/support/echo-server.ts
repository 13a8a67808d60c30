import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/** One unary method, `/test.Echo/Echo`, carrying raw bytes (no protobuf needed). */
export const ECHO_SERVICE = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
} satisfies grpc.ServiceDefinition;

/** A client class for the echo service. */
export const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
export type EchoClientInstance = InstanceType<typeof EchoClient>;

export interface EchoServer {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A grpc-js server on 127.0.0.1:0 answering `/test.Echo/Echo` with the request bytes; over TLS when
 * `credentials` are given.
 */
export async function startEchoServer(
  options: grpc.ServerOptions = {},
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<EchoServer> {
  const server = new grpc.Server(options);
  server.addService(ECHO_SERVICE, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      callback(null, call.request);
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => {
      if (err) reject(err);
      else resolve(bound);
    });
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still open after a moment are cut: a test never waits on a stuck stream.
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}

/** One unary echo call. */
export function echo(client: EchoClientInstance, payload = 'ping'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    (
      client as unknown as { echo: (req: Buffer, cb: (err: Error | null, res?: Buffer) => void) => void }
    ).echo(Buffer.from(payload), (err, res) => {
      if (err) reject(err);
      else resolve(res ?? Buffer.alloc(0));
    });
  });
}

/**
 * The local ports of the connections this process dials toward `port` while `run` runs (grpc-js dials with
 * `net.connect`, which publishes `net.client.socket`): the test's own view, independent of the adapter.
 */
export async function dialedPorts(port: number, run: () => Promise<void>): Promise<Set<number>> {
  const ports = new Set<number>();
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    socket.once('connect', () => {
      if (socket.remotePort === port && socket.localPort !== undefined) ports.add(socket.localPort);
    });
  };
  subscribe('net.client.socket', onSocket);
  try {
    await run();
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
  return ports;
}
