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

/**
 * An audited dispatcher, as the hub asks it about new connections: which of its dispatchers (itself, or an
 * Agent's per-origin Pool) owns a connector, and what to do with a connection or a failed attempt.
 */
export interface ConnectionSink {
  /** The dispatcher of this audit whose clients connect with `connector`, if any. */
  ownerOf(connector: unknown): object | undefined;
  connected(origin: string, dispatcher: object, socket: Socket): void;
  connectFailed(origin: string, where: ConnectParams, dispatcher: object, error: unknown): void;
}

/** `connectParams` of undici's connect channels (lib/dispatcher/client.js `connect()`). */
export interface ConnectParams {
  readonly host?: unknown;
  readonly hostname?: unknown;
  readonly protocol?: unknown;
  readonly port?: unknown;
}

// undici publishes on these from every copy in the process (the one bundled in Node and any installed one):
// lib/core/diagnostics.js. Each handler does one WeakMap lookup first (the connect ones a walk over the
// audited dispatchers, once per new connection), so traffic of dispatchers that are not audited costs next
// to nothing. Nothing is added to the dispatchers themselves: their listener counts stay the application's.
const CONNECTED = 'undici:client:connected';
const CONNECT_ERROR = 'undici:client:connectError';
const SEND_HEADERS = 'undici:client:sendHeaders';
const RESPONSE_HEADERS = 'undici:request:headers';
const TRAILERS = 'undici:request:trailers';
const REQUEST_ERROR = 'undici:request:error';

const bySocket = new WeakMap<object, TrackedSocket>();
const byRequest = new WeakMap<object, TrackedSocket>();
/**
 * The audits to ask about a new connection, held weakly: an audit holds its dispatcher, and a dispatcher the
 * application drops (closed or not, detached or not) must stay collectable (undici `test/gc.js`). An audit
 * collected with its dispatcher leaves the set, and the channels when it was the last.
 */
const sinks = new WeakMap<ConnectionSink, WeakRef<ConnectionSink>>();
const refs = new Set<WeakRef<ConnectionSink>>();
const collected = new FinalizationRegistry<WeakRef<ConnectionSink>>((ref) => {
  if (refs.delete(ref) && refs.size === 0) unsubscribeAll();
});

interface ChannelMessage {
  readonly socket?: Socket;
  readonly request?: object;
  readonly connector?: unknown;
  readonly connectParams?: ConnectParams;
  readonly error?: unknown;
  readonly response?: { readonly headers?: unknown };
}

/** The origin a connect message is for: `protocol//host`, as the client's URL prints it. */
function originOf(params: ConnectParams | undefined): string | null {
  const { protocol, host } = params ?? {};
  return typeof protocol === 'string' && typeof host === 'string' ? `${protocol}//${host}` : null;
}

/** The sink and dispatcher that own a connect message's connector, if an audited one does. */
function ownerOf(m: ChannelMessage): { sink: ConnectionSink; dispatcher: object; origin: string } | null {
  const origin = originOf(m.connectParams);
  if (origin === null || m.connector === undefined) return null;
  for (const ref of refs) {
    const sink = ref.deref();
    if (sink === undefined) continue;
    const dispatcher = sink.ownerOf(m.connector);
    if (dispatcher !== undefined) return { sink, dispatcher, origin };
  }
  return null;
}

function onConnected(message: unknown): void {
  const m = message as ChannelMessage;
  if (m.socket === undefined) return;
  const owner = ownerOf(m);
  owner?.sink.connected(owner.origin, owner.dispatcher, m.socket);
}

function onConnectError(message: unknown): void {
  const m = message as ChannelMessage;
  const owner = ownerOf(m);
  owner?.sink.connectFailed(owner.origin, m.connectParams ?? {}, owner.dispatcher, m.error);
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

/** Routes the requests run on `socket` to `tracked`. */
export function trackSocket(socket: Socket, tracked: TrackedSocket): void {
  bySocket.set(socket, tracked);
}

/** Stops routing `socket`'s requests. */
export function untrackSocket(socket: Socket): void {
  bySocket.delete(socket);
}

/** Subscribes to undici's channels when the first audit starts; `sink` hears of its new connections. */
export function joinHub(sink: ConnectionSink): void {
  if (sinks.has(sink)) return;
  // A sink collected without leaving is dropped from `refs` by the registry.
  const ref = new WeakRef(sink);
  sinks.set(sink, ref);
  refs.add(ref);
  collected.register(sink, ref, ref);
  if (refs.size > 1) return;
  subscribe(CONNECTED, onConnected);
  subscribe(CONNECT_ERROR, onConnectError);
  subscribe(SEND_HEADERS, onSendHeaders);
  subscribe(RESPONSE_HEADERS, onResponseHeaders);
  subscribe(TRAILERS, onRequestEnd);
  subscribe(REQUEST_ERROR, onRequestEnd);
}

/** Unsubscribes when the last audit is detached: the channels are left as they were found. */
export function leaveHub(sink: ConnectionSink): void {
  const ref = sinks.get(sink);
  if (ref === undefined) return;
  sinks.delete(sink);
  refs.delete(ref);
  collected.unregister(ref);
  if (refs.size === 0) unsubscribeAll();
}

function unsubscribeAll(): void {
  unsubscribe(CONNECTED, onConnected);
  unsubscribe(CONNECT_ERROR, onConnectError);
  unsubscribe(SEND_HEADERS, onSendHeaders);
  unsubscribe(RESPONSE_HEADERS, onResponseHeaders);
  unsubscribe(TRAILERS, onRequestEnd);
  unsubscribe(REQUEST_ERROR, onRequestEnd);
}

/** How many audits hold the channel subscriptions (0 = none). */
export function hubUsers(): number {
  return refs.size;
}
