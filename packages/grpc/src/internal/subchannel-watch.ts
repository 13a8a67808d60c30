import type { Socket } from 'node:net';
import { wrapInstanceMethod } from '@poolaudit/core';
import type { CloseReason, PoolProbe } from '@poolaudit/core';
import { CONNECTING, IDLE, SHUTDOWN } from './states.js';
import type {
  ConnectorShape,
  GoawayListener,
  InternalChannelShape,
  SecureConnectorShape,
  StateListener,
  SubchannelShape,
  TransportShape,
} from './shapes.js';

/** NGHTTP2_ENHANCE_YOUR_CALM with `too_many_pings`: the server's answer to pings it finds too frequent (A8). */
const ENHANCE_YOUR_CALM = 0xb;

/** One connection the watch follows: whether its end was recorded already. */
interface ConnectionState {
  ended: boolean;
}

/**
 * Follows one subchannel (one backend address) of an audited channel: each connection it dials is a
 * connection of the pool, from the TCP socket grpc-js hands its secure connector (`transport.js` L655:
 * `secureConnector.connect(tcpConnection)`) to that socket's close; each HTTP/2 stream (call) on it is a use.
 *
 * Hooks, all on objects grpc-js keeps to itself: the subchannel's connector and secure connector, each
 * connection's `Http2Transport` (`createCall`, `removeActiveCall`, `shutdown`, its session's `goaway`), and
 * one connectivity-state listener. `detach()` takes every one of them back.
 */
export class SubchannelWatch {
  private readonly restores: (() => void)[] = [];
  private readonly connections = new WeakMap<Socket, ConnectionState>();
  /** The socket of the connection being set up (a subchannel dials one at a time). */
  private dialing: Socket | undefined;
  private connectingAt: number | undefined;
  private live = true;

  private readonly onState: StateListener = (_subchannel, _previous, next) => {
    this.guard(() => {
      if (next === CONNECTING) this.connectingAt = this.probe.now();
    });
  };

  constructor(
    private readonly subchannel: SubchannelShape,
    private readonly channel: InternalChannelShape,
    private readonly probe: PoolProbe,
    private readonly fail: (err: unknown) => void,
  ) {}

  attach(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers below run with the library's `this`
    const watch = this;
    this.subchannel.addConnectivityStateListener(this.onState);
    this.restores.push(() => this.subchannel.removeConnectivityStateListener(this.onState));
    this.restores.push(
      wrapInstanceMethod(this.subchannel.secureConnector, 'connect', (original) => {
        return function (this: SecureConnectorShape, socket: Socket) {
          if (watch.live) watch.guard(() => watch.dialed(socket));
          return original.call(this, socket);
        };
      }),
      wrapInstanceMethod(this.subchannel.connector, 'connect', (original) => {
        return function (this: ConnectorShape, address: unknown, secure: unknown, options: unknown) {
          const connecting = original.call(this, address, secure, options);
          if (watch.live) {
            // One handler per connection (not per call); the caller's own handlers see the same outcome.
            connecting.then(
              (transport) => watch.guard(() => watch.ready(transport)),
              // The subchannel goes to TRANSIENT_FAILURE with this error and backs off before the next dial.
              (error: unknown) => watch.guard(() => watch.dialFailed(error)),
            );
          }
          return connecting;
        };
      }),
    );
  }

  /** Stops following: every hook is taken back; connections still open stay recorded as open. */
  detach(): void {
    this.live = false;
    for (const restore of this.restores.splice(0).reverse()) restore();
  }

  private dialed(socket: Socket): void {
    if (this.connections.has(socket)) return;
    this.connections.set(socket, { ended: false });
    this.dialing = socket;
    const connectStartedAt = this.connectingAt;
    // A connection that ends without grpc-js saying why (a server FIN or reset, a failed handshake) is closed
    // by core at the socket's close, with the reason the socket gives (remote, error).
    this.probe.opened(socket, connectStartedAt === undefined ? { socket } : { socket, connectStartedAt });
  }

  /** Records why `socket`'s connection ends, once, as soon as grpc-js decides it (before the socket closes). */
  private end(socket: Socket, state: ConnectionState, reason: CloseReason, detail: string): void {
    if (state.ended) return;
    state.ended = true;
    this.probe.closed(socket, reason, detail);
  }

  /** A dial failed (refused, timed out, TLS): a connection attempt of the pool that got nowhere. */
  private dialFailed(error: unknown): void {
    this.dialing = undefined;
    this.probe.connectFailed({ endpoint: this.subchannel.subchannelAddressString, error });
  }

  private ready(transport: TransportShape): void {
    const socket = this.dialing;
    this.dialing = undefined;
    const state = socket === undefined ? undefined : this.connections.get(socket);
    if (socket === undefined || state === undefined || !this.live) return;
    const { probe } = this;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrappers below run with the library's `this`
    const watch = this;
    const onGoaway: GoawayListener = (errorCode, _lastStreamId, data) => {
      // GOAWAY: the server takes no new streams on this connection (its max age, idle limit, shutdown, or
      // too many pings); grpc-js dials a new one for the next call (transport.js L108).
      watch.guard(() => {
        const tooManyPings = errorCode === ENHANCE_YOUR_CALM && data?.toString('ascii') === 'too_many_pings';
        watch.end(socket, state, 'remote', tooManyPings ? 'goaway-too-many-pings' : 'goaway');
      });
    };
    // Ahead of grpc-js's own listener, which shuts the transport down at once (transport.js L108–124).
    transport.session.prependOnceListener('goaway', onGoaway);
    this.restores.push(
      () => transport.session.removeListener('goaway', onGoaway),
      wrapInstanceMethod(transport, 'createCall', (original) => {
        return function (this: TransportShape, ...args: unknown[]) {
          const call = original.apply(this, args);
          if (watch.live) {
            watch.guard(() => {
              // A stream on a connection that already carries one is one more use, with no clock read.
              if (this.activeCalls.size === 1) probe.acquired(socket, probe.acquireStart(), false);
              else probe.used(socket);
            });
          }
          return call;
        };
      }),
      wrapInstanceMethod(transport, 'removeActiveCall', (original) => {
        return function (this: TransportShape, call: unknown) {
          const before = this.activeCalls.size;
          original.call(this, call);
          if (watch.live && before > 0 && this.activeCalls.size === 0)
            watch.guard(() => probe.released(socket));
        };
      }),
      wrapInstanceMethod(transport, 'shutdown', (original) => {
        return function (this: TransportShape) {
          if (watch.live) watch.guard(() => watch.shuttingDown(socket, state));
          original.call(this);
        };
      }),
    );
  }

  /**
   * grpc-js closes a connection on its own side: the channel was closed (`client.close()`), went idle after
   * `grpc.client_idle_timeout_ms`, or dropped the subchannel (`internal-channel.js` `close`/`enterIdle`).
   */
  private shuttingDown(socket: Socket, state: ConnectionState): void {
    const channelState = this.channel.connectivityState;
    if (channelState === SHUTDOWN) {
      this.end(socket, state, 'shutdown', 'close');
      // The channel was closed: its record may leave the auditor once these sockets have settled.
      this.probe.ended();
    } else if (channelState === IDLE) this.end(socket, state, 'idleTimeout', 'grpc.client_idle_timeout_ms');
    else this.end(socket, state, 'other', 'subchannel-dropped');
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.fail(err);
    }
  }
}
