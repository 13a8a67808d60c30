import { Socket } from 'node:net';

/**
 * The TCP socket behind a resource, by convention: the resource itself when it is a `net.Socket` (or a
 * `tls.TLSSocket`), else its `stream` (mysql2 connections, ioredis clients) or its `socket` property.
 */
export function defaultSocketOf(resource: unknown): Socket | undefined {
  if (resource instanceof Socket) return resource;
  if (typeof resource !== 'object' || resource === null) return undefined;
  const { stream, socket } = resource as { stream?: unknown; socket?: unknown };
  if (stream instanceof Socket) return stream;
  if (socket instanceof Socket) return socket;
  return undefined;
}
