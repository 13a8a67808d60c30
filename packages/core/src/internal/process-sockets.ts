import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import type {
  ClosedBy,
  KernelEndpointView,
  PortRange,
  ProcessSocketsSnapshot,
  UnauditedCaller,
  UnauditedDestination,
} from '../types.js';
import { callSite } from './call-site.js';
import type { CallSite } from './call-site.js';
import { connectHookMechanism, onEveryConnect } from './connect-hook.js';
import { timeWaitStats } from './endpoint-ledger.js';
import { Histogram } from './histogram.js';
import { SecondWindow } from './second-window.js';
import { createSocketWatch, ownedByPool } from './socket-watch.js';
import type { WatchedConnection } from './socket-watch.js';
import { ClosedTuple, KernelVerdicts, kernelFootprint } from './time-wait-confirmation.js';
import type { TimeWaitConfirmation } from './time-wait-confirmation.js';

/** Destinations followed at most; connections to others are counted as `untracked`. */
const MAX_DESTINATIONS = 1024;
/** Call sites kept per destination; the rest add up under one `null`/`null` caller. */
const MAX_CALLERS = 32;
/** A connect not done after this long never will: Linux gives up after its SYN retries (~127 s by default). */
const GIVE_UP_CONNECT_MS = 150_000;
/** This package's own directory: its frames are neither the library nor the application. */
const OWN_DIRS = [dirname(__dirname)];

/** What the process view needs from its auditor. */
export interface ProcessSocketsHost {
  readonly clock: () => number;
  readonly windowSeconds: number;
  readonly confirmation: TimeWaitConfirmation;
  readonly failed: (err: unknown) => void;
}

/** One outbound connection no pool has claimed (yet), from its connect to its close. */
class UnauditedSocket implements WatchedConnection {
  endpoint: string | null = null;
  local: string | null = null;
  peerClosedFirst = false;
  localClosedFirst = false;
  reset = false;
  connectedAt = -1;

  constructor(
    readonly announcedAt: number,
    readonly socket: Socket,
    readonly site: CallSite | null,
    private readonly view: ProcessSockets,
  ) {}

  onSocketConnect(): void {
    this.view.connected(this);
  }

  onSocketClose(): void {
    this.view.closed(this);
  }
}

/** The unaudited connections toward one destination. */
class DestinationLedger {
  closed = 0;
  readonly closedBy = { local: 0, remote: 0, reset: 0, unknown: 0 };
  readonly localCloses: SecondWindow;
  readonly lastClose: SecondWindow;
  readonly verdicts: KernelVerdicts;
  readonly lifetime = new Histogram();
  readonly callers = new Map<string, { readonly site: CallSite; connections: number }>();
  sampled = 0;

  constructor(
    readonly endpoint: string,
    windowSeconds: number,
  ) {
    this.localCloses = new SecondWindow(windowSeconds);
    this.lastClose = new SecondWindow(windowSeconds);
    this.verdicts = new KernelVerdicts(windowSeconds);
  }

  count(site: CallSite | null): void {
    if (site === null) return;
    this.sampled++;
    let key = callerKey(site);
    if (!this.callers.has(key) && this.callers.size >= MAX_CALLERS) key = OTHER_CALLERS;
    const caller = this.callers.get(key);
    if (caller) caller.connections++;
    else
      this.callers.set(key, {
        site: key === OTHER_CALLERS ? { library: null, frame: null } : site,
        connections: 1,
      });
  }
}

/**
 * The process-wide view of outbound TCP connections that no adapter registered: told of every connect
 * (`net`, `tls`, `http`, `http2`), it reads who closed each first, its lifetime and, with a host observer,
 * whether it left a TIME_WAIT socket; a stack sampled at connect (at most `samplesPerSecond`) names the
 * library and the application frame behind it. A socket a pool owns is the pool's: it leaves the view as
 * soon as that is seen (at close at the latest).
 */
export class ProcessSockets {
  readonly mechanism = connectHookMechanism();
  private readonly watch = createSocketWatch<UnauditedSocket>();
  private readonly live = new Set<UnauditedSocket>();
  private readonly destinations = new Map<string, DestinationLedger>();
  private untracked = 0;
  private stopHook: (() => void) | undefined;
  /** Samples the bucket holds, and when it was last refilled (auditor clock). */
  private tokens = Number.POSITIVE_INFINITY;
  private refilledAt = 0;

  constructor(
    private readonly host: ProcessSocketsHost,
    readonly samplesPerSecond: number,
  ) {
    this.stopHook = onEveryConnect((socket) => this.connecting(socket));
  }

  stop(): void {
    this.stopHook?.();
    this.stopHook = undefined;
    for (const record of this.live) this.watch.unwatch(record.socket);
    this.live.clear();
  }

  private connecting(socket: Socket): void {
    try {
      if (ownedByPool(socket) || this.watch.has(socket)) return;
      const now = this.host.clock();
      const record = new UnauditedSocket(now, socket, this.sample(now), this);
      this.live.add(record);
      this.watch.watch(socket, record);
    } catch (err) {
      this.host.failed(err);
    }
  }

  /**
   * A stack at connect, at most `samplesPerSecond` a second and spread over it: a token bucket refilled
   * continuously that holds a tenth of a second's samples, so a burst takes a few and the connects after it
   * get theirs.
   */
  private sample(now: number): CallSite | null {
    if (this.samplesPerSecond <= 0) return null;
    const capacity = Math.max(1, Math.ceil(this.samplesPerSecond / 10));
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) * this.samplesPerSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return null;
    this.tokens--;
    return callSite(OWN_DIRS);
  }

  connected(record: UnauditedSocket): void {
    record.connectedAt = this.host.clock();
  }

  closed(record: UnauditedSocket): void {
    try {
      this.live.delete(record);
      const { endpoint, local, socket } = record;
      // Not a connection (it never connected, or not over TCP), or a pool's after all.
      if (record.connectedAt < 0 || endpoint === null || ownedByPool(socket)) return;
      const ledger = this.ledger(endpoint);
      if (!ledger) return;
      const now = this.host.clock();
      const second = Math.floor(now / 1000);
      const side = sideOf(record);
      ledger.closed++;
      ledger.closedBy[side]++;
      ledger.lastClose.add(second);
      if (side === 'local') ledger.localCloses.add(second);
      ledger.lifetime.record(now - record.connectedAt);
      ledger.count(record.site);
      const confirmation = this.host.confirmation;
      if (confirmation.recording && local !== null) {
        confirmation.add(new ClosedTuple(local, endpoint, second, side, [ledger.verdicts]));
      }
    } catch (err) {
      this.host.failed(err);
    }
  }

  private ledger(endpoint: string): DestinationLedger | undefined {
    let ledger = this.destinations.get(endpoint);
    if (ledger) return ledger;
    if (this.destinations.size >= MAX_DESTINATIONS) {
      this.untracked++;
      return undefined;
    }
    ledger = new DestinationLedger(endpoint, this.host.windowSeconds);
    this.destinations.set(endpoint, ledger);
    return ledger;
  }

  /** Destinations with connections open or closed within the window (the quiet ones are forgotten). */
  endpointKeys(): string[] {
    return [...this.destinations.keys()];
  }

  snapshot(
    portRange: PortRange,
    kernel: ReadonlyMap<string, KernelEndpointView> | undefined,
    confirmed: boolean,
  ): ProcessSocketsSnapshot {
    const now = this.host.clock();
    const second = Math.floor(now / 1000);
    const open = new Map<string, UnauditedSocket[]>();
    for (const record of this.live) {
      if (ownedByPool(record.socket)) {
        // A pool took it after it connected: it is the pool's to tell.
        this.live.delete(record);
        this.watch.unwatch(record.socket);
        continue;
      }
      if (record.connectedAt < 0 || record.endpoint === null) {
        // Announced and never connected nor closed: its connect() threw before any I/O (a bad port; Node has
        // set `connecting` by then), since a real attempt ends, one way or the other, within Linux's SYN retries.
        if (now - record.announcedAt > GIVE_UP_CONNECT_MS) {
          this.live.delete(record);
          this.watch.unwatch(record.socket);
        }
        continue;
      }
      const list = open.get(record.endpoint);
      if (list) list.push(record);
      else open.set(record.endpoint, [record]);
      if (!this.destinations.has(record.endpoint)) this.ledger(record.endpoint);
    }
    const destinations: UnauditedDestination[] = [];
    for (const ledger of this.destinations.values()) {
      const live = open.get(ledger.endpoint) ?? [];
      if (live.length === 0 && ledger.lastClose.sum(second) === 0 && ledger.verdicts.unconfirmed === 0) {
        this.destinations.delete(ledger.endpoint);
        continue;
      }
      destinations.push(this.destination(ledger, live, second, portRange, kernel, confirmed));
    }
    destinations.sort((a, b) => b.timeWait.footprint - a.timeWait.footprint || b.open - a.open);
    return {
      mechanism: this.mechanism,
      samplesPerSecond: this.samplesPerSecond,
      untracked: this.untracked,
      destinations,
    };
  }

  private destination(
    ledger: DestinationLedger,
    live: readonly UnauditedSocket[],
    second: number,
    portRange: PortRange,
    kernel: ReadonlyMap<string, KernelEndpointView> | undefined,
    confirmed: boolean,
  ): UnauditedDestination {
    const callers = new Map<string, UnauditedCaller>();
    let sampled = ledger.sampled;
    const add = (site: CallSite, connections: number, open: number): void => {
      const key = callerKey(site);
      const had = callers.get(key);
      callers.set(key, {
        library: site.library,
        frame: site.frame,
        connections: (had?.connections ?? 0) + connections,
        open: (had?.open ?? 0) + open,
      });
    };
    for (const { site, connections } of ledger.callers.values()) add(site, connections, 0);
    for (const record of live) {
      if (record.site === null) continue;
      sampled++;
      add(record.site, 1, 1);
    }
    const view = kernel?.get(ledger.endpoint);
    const verdict = confirmed ? kernelFootprint(ledger.verdicts, second) : null;
    const base: UnauditedDestination = {
      endpoint: ledger.endpoint,
      open: live.length,
      created: ledger.closed + live.length,
      closedBy: { ...ledger.closedBy },
      lifetime: ledger.lifetime.summary(),
      timeWait: timeWaitStats(ledger.localCloses.sum(second), verdict, ledger.localCloses.length, portRange),
      sampled,
      callers: [...callers.values()].sort((a, b) => b.connections - a.connections),
    };
    return view ? { ...base, kernel: view } : base;
  }
}

/** The key of a call site; the one with neither library nor frame also holds the callers past `MAX_CALLERS`. */
function callerKey(site: CallSite): string {
  return `${site.library ?? ''}\u0000${site.frame ?? ''}`;
}
const OTHER_CALLERS = callerKey({ library: null, frame: null });

function sideOf(record: UnauditedSocket): ClosedBy {
  if (record.peerClosedFirst) return 'remote';
  if (record.reset) return 'reset';
  // Ended or destroyed here: our FIN went first.
  return 'local';
}
