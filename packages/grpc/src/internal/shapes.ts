import type { Socket } from 'node:net';

/**
 * The parts of @grpc/grpc-js 1.x that the adapter reads or hooks, all of them objects the library keeps to
 * itself (the application never holds a subchannel pool, a subchannel, a connector or a transport), so a
 * hook on one of their instances leaves nothing the application can see. Sources: `build/src/` of
 * @grpc/grpc-js 1.14 (`channel.js`, `internal-channel.js`, `subchannel-pool.js`, `subchannel.js`,
 * `transport.js`).
 */

/** `ChannelImplementation` (`channel.js`): what `client.getChannel()` returns. */
export interface ChannelShape {
  readonly internalChannel: InternalChannelShape;
  getTarget(): string;
  close(): void;
}

/** `InternalChannel` (`internal-channel.js`). */
export interface InternalChannelShape {
  /** The parsed target, one object per channel: passed as is to `getOrCreateSubchannel` (L214). */
  readonly target: object;
  readonly options: Readonly<Record<string, unknown>>;
  /** The global pool, or one of the channel's own with `grpc.use_local_subchannel_pool` (L202). */
  readonly subchannelPool: SubchannelPoolShape;
  /** Calls waiting for a connection to pick (L271 `queueCallForPick`). */
  readonly pickQueue: { readonly size: number };
  /** Effective `grpc.client_idle_timeout_ms` (default 30 min, at least 1 s; L205). */
  readonly idleTimeoutMs: number;
  /** `ConnectivityState` of the channel: 4 = SHUTDOWN, 0 = IDLE. */
  readonly connectivityState: number;
}

/** `SubchannelPool` (`subchannel-pool.js`). */
export interface SubchannelPoolShape {
  /** Subchannels by target string. */
  readonly pool: Readonly<Record<string, readonly { readonly subchannel: SubchannelShape }[]>>;
  getOrCreateSubchannel(
    this: SubchannelPoolShape,
    target: object,
    address: unknown,
    args: unknown,
    credentials: unknown,
  ): SubchannelShape;
}

/** `Subchannel` (`subchannel.js`): one backend address; one connection at a time. */
export interface SubchannelShape {
  readonly subchannelAddressString: string;
  readonly connector: ConnectorShape;
  readonly secureConnector: SecureConnectorShape;
  addConnectivityStateListener(listener: StateListener): void;
  removeConnectivityStateListener(listener: StateListener): void;
}

export type StateListener = (subchannel: unknown, previous: number, next: number) => void;

/** `Http2SubchannelConnector` (`transport.js` L526): dials one connection per `connect()`. */
export interface ConnectorShape {
  connect(this: ConnectorShape, address: unknown, secure: unknown, options: unknown): Promise<TransportShape>;
}

/** What `credentials._createSecureConnector()` returns: one per subchannel; `connect(socket)` gets the TCP socket. */
export interface SecureConnectorShape {
  connect(this: SecureConnectorShape, socket: Socket): Promise<{ readonly socket: Socket }>;
}

/** `Http2Transport` (`transport.js` L38): the HTTP/2 session over one connection. */
export interface TransportShape {
  readonly session: {
    prependOnceListener(event: 'goaway', listener: GoawayListener): unknown;
    removeListener(event: 'goaway', listener: GoawayListener): unknown;
  };
  readonly activeCalls: { readonly size: number };
  createCall(this: TransportShape, ...args: unknown[]): unknown;
  removeActiveCall(this: TransportShape, call: unknown): void;
  shutdown(this: TransportShape): void;
}

export type GoawayListener = (errorCode: number, lastStreamId: number, opaqueData?: Buffer) => void;

/** A grpc-js `Client` (anything with `getChannel()` returning a channel of the shape above). */
export function channelOf(value: unknown): ChannelShape | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as { getChannel?: unknown };
  const channel =
    typeof candidate.getChannel === 'function' ? (candidate.getChannel as () => unknown).call(value) : value;
  return isChannel(channel) ? channel : undefined;
}

function isChannel(value: unknown): value is ChannelShape {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<ChannelShape>;
  const internal = c.internalChannel as Partial<InternalChannelShape> | undefined;
  return (
    typeof c.getTarget === 'function' &&
    typeof internal === 'object' &&
    internal !== null &&
    typeof internal.target === 'object' &&
    typeof internal.subchannelPool?.getOrCreateSubchannel === 'function' &&
    typeof internal.pickQueue?.size === 'number'
  );
}

/** Whether a subchannel has what the watch hooks (its connector and secure connector). */
export function isSubchannel(value: unknown): value is SubchannelShape {
  const s = value as Partial<SubchannelShape> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.addConnectivityStateListener === 'function' &&
    typeof s.connector?.connect === 'function' &&
    typeof s.secureConnector?.connect === 'function'
  );
}
