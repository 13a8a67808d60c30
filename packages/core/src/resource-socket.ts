import { Socket } from 'node:net';

/**
 * The TCP socket behind a pooled resource, by convention, for the adapters of pools that hold any resource
 * (generic-pool, tarn): the resource itself when it is a `net.Socket` (or a `tls.TLSSocket`), else its
 * `stream` (mysql2 connections, ioredis clients), its `connection.stream` (a pg client) or its `socket`.
 */
export function resourceSocket(resource: unknown): Socket | undefined {
  if (resource instanceof Socket) return resource;
  if (typeof resource !== 'object' || resource === null) return undefined;
  const { stream, socket, connection } = resource as {
    stream?: unknown;
    socket?: unknown;
    connection?: unknown;
  };
  if (stream instanceof Socket) return stream;
  const inner = (connection as { stream?: unknown } | null | undefined)?.stream;
  if (inner instanceof Socket) return inner;
  if (socket instanceof Socket) return socket;
  return undefined;
}
