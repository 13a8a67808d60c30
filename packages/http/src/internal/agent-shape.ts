import type { Socket } from 'node:net';

/** The request an agent hands a socket to (`ClientRequest`), as far as the audit reads it. */
export interface RequestLike {
  /** False once the request or its response said `Connection: close` (lib/_http_client.js). */
  readonly shouldKeepAlive?: boolean;
  /** Set by `agent.reuseSocket()` when the request got a free socket. */
  readonly reusedSocket?: boolean;
  readonly res?: ResponseLike | null;
  readonly method?: string;
  getHeader?(name: string): unknown;
}

export interface ResponseLike {
  readonly complete?: boolean;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

/** A socket as Node's http client leaves it: the request it carries, the timeout set on it. */
export interface HttpSocket extends Socket {
  /** The request using the socket; null while it is free (lib/_http_agent.js 'free' handler). */
  _httpMessage?: RequestLike | null;
  readonly timeout?: number;
  readonly encrypted?: boolean;
}

/** The options `createSocket()` passes to `createConnection()`: the agent's key for the destination among them. */
export interface ConnectionOptions {
  readonly _agentKey?: unknown;
  readonly host?: unknown;
  readonly port?: unknown;
  readonly socketPath?: unknown;
  readonly localAddress?: unknown;
}

type SocketLists = Record<string, HttpSocket[] | undefined>;

/** What the audit reads and wraps on an `http.Agent` (lib/_http_agent.js, the same in Node 20 and 24). */
export interface AgentInternals {
  keepAlive: boolean;
  maxSockets: number;
  maxFreeSockets: number;
  maxTotalSockets?: number;
  totalSocketCount?: number;
  protocol?: string;
  defaultPort?: number;
  readonly options: Record<string, unknown>;
  readonly sockets: SocketLists;
  readonly freeSockets: SocketLists;
  readonly requests: Record<string, RequestLike[] | undefined>;
  addRequest(req: RequestLike, options: unknown, port?: unknown, localAddress?: unknown): void;
  createConnection(options: ConnectionOptions, cb?: unknown): HttpSocket | undefined | null;
  reuseSocket(socket: HttpSocket, req: RequestLike): void;
  keepSocketAlive(socket: HttpSocket): boolean;
  destroy(): void;
  getName(options?: unknown): string;
}

/** Whether `value` has the shape of a Node `http.Agent` (or a subclass: https.Agent, agentkeepalive). */
export function isAgent(value: unknown): value is AgentInternals {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return (
    typeof a['addRequest'] === 'function' &&
    typeof a['createConnection'] === 'function' &&
    typeof a['getName'] === 'function' &&
    typeof a['keepSocketAlive'] === 'function' &&
    typeof a['reuseSocket'] === 'function' &&
    typeof a['destroy'] === 'function' &&
    typeof a['sockets'] === 'object' &&
    typeof a['freeSockets'] === 'object' &&
    typeof a['requests'] === 'object'
  );
}

/** Whether `value` is a socket `createConnection()` returned (a custom one may return nothing and call back). */
export function isSocket(value: unknown): value is HttpSocket {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { prependListener?: unknown }).prependListener === 'function' &&
    typeof (value as { destroy?: unknown }).destroy === 'function'
  );
}
