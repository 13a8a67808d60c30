import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** A connection the adapter follows: the hub hands it the requests undici runs on its socket. */
export interface TrackedSocket {
  requestSent(request: object): void;
  responseHeaders(headers: unknown): void;
  requestDone(request: object): void;
  /** Called when handling an event of this connection threw: audit stops, the app goes on. */
  fail(err: unknown): void;
}

// undici publishes on these from every copy in the process (the one bundled in Node and any installed one):
// lib/core/diagnostics.js. Each handler does one WeakMap lookup first, so traffic of dispatchers that are
// not audited costs next to nothing.
const CONNECTED = 'undici:client:connected';
const SEND_HEADERS = 'undici:client:sendHeaders';
const RESPONSE_HEADERS = 'undici:request:headers';
const TRAILERS = 'undici:request:trailers';
const REQUEST_ERROR = 'undici:request:error';

const bySocket = new WeakMap<object, TrackedSocket>();
const byRequest = new WeakMap<object, TrackedSocket>();

// `undici:client:connected` is published right before the client emits 'connect', synchronously
// (lib/dispatcher/client.js `connect()`): the audited dispatcher's 'connect' listener takes the socket here.
let connectedSocket: Socket | null = null;
let connectedHost: string | null = null;
let users = 0;

interface ChannelMessage {
  readonly socket?: Socket;
  readonly request?: object;
  readonly connectParams?: { readonly host?: unknown };
  readonly response?: { readonly headers?: unknown };
}

function onConnected(message: unknown): void {
  const m = message as ChannelMessage;
  connectedSocket = m.socket ?? null;
  const host = m.connectParams?.host;
  connectedHost = typeof host === 'string' ? host : null;
  // The audited dispatcher takes the socket synchronously, in its 'connect' listener. One that no audit takes
  // (an unaudited client) must not stay referenced here: it would keep that client from being collected.
  if (connectedSocket !== null) queueMicrotask(forgetConnected);
}

function forgetConnected(): void {
  connectedSocket = null;
  connectedHost = null;
}

function onSendHeaders(message: unknown): void {
  const m = message as ChannelMessage;
  if (m.socket === undefined || m.request === undefined) return;
  const tracked = bySocket.get(m.socket);
  if (tracked === undefined) return;
  byRequest.set(m.request, tracked);
  guarded(tracked, () => {
    tracked.requestSent(m.request as object);
  });
}

function onResponseHeaders(message: unknown): void {
  const m = message as ChannelMessage;
  if (m.request === undefined) return;
  const tracked = byRequest.get(m.request);
  if (tracked === undefined) return;
  guarded(tracked, () => {
    tracked.responseHeaders(m.response?.headers);
  });
}

function onRequestEnd(message: unknown): void {
  const m = message as ChannelMessage;
  if (m.request === undefined) return;
  const tracked = byRequest.get(m.request);
  if (tracked === undefined) return;
  // A request ends once: undici may publish an error after its trailers (a throwing onComplete).
  byRequest.delete(m.request);
  guarded(tracked, () => {
    tracked.requestDone(m.request as object);
  });
}

function guarded(tracked: TrackedSocket, run: () => void): void {
  try {
    run();
  } catch (err) {
    tracked.fail(err);
  }
}

/** Takes the socket undici has just connected, if it went to `host` (the `host` of the client's URL). */
export function takeConnectedSocket(host: string): Socket | null {
  const socket = connectedSocket;
  if (socket === null || connectedHost !== host) return null;
  connectedSocket = null;
  connectedHost = null;
  return socket;
}

/** Routes the requests run on `socket` to `tracked`. */
export function trackSocket(socket: Socket, tracked: TrackedSocket): void {
  bySocket.set(socket, tracked);
}

/** Stops routing `socket`'s requests. */
export function untrackSocket(socket: Socket): void {
  bySocket.delete(socket);
}

/** Subscribes to undici's channels when the first audit starts. */
export function joinHub(): void {
  if (users++ > 0) return;
  subscribe(CONNECTED, onConnected);
  subscribe(SEND_HEADERS, onSendHeaders);
  subscribe(RESPONSE_HEADERS, onResponseHeaders);
  subscribe(TRAILERS, onRequestEnd);
  subscribe(REQUEST_ERROR, onRequestEnd);
}

/** Unsubscribes when the last audit is detached: the channels are left as they were found. */
export function leaveHub(): void {
  if (users === 0 || --users > 0) return;
  unsubscribe(CONNECTED, onConnected);
  unsubscribe(SEND_HEADERS, onSendHeaders);
  unsubscribe(RESPONSE_HEADERS, onResponseHeaders);
  unsubscribe(TRAILERS, onRequestEnd);
  unsubscribe(REQUEST_ERROR, onRequestEnd);
  connectedSocket = null;
  connectedHost = null;
}

/** How many audits hold the channel subscriptions (0 = none). */
export function hubUsers(): number {
  return users;
}
