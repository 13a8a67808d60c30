import type { Attributes } from '@opentelemetry/api';
import type { PoolTiming, TimingListener } from '@poolaudit/core';
import { ATTR } from '../names.js';
import type { Instruments } from './instruments.js';
import type { ServerAttributes } from './server-attributes.js';

/** The kind `@poolaudit/server` registers a server's accepted connections with. */
const SERVER_KIND = 'http-server';

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Records the histograms as the pools report each duration, and counts the connections in use per server
 * for HTTP pools (core counts in-use per pool, not per server). Attributes are made once per pool and per
 * server: a recording allocates nothing.
 */
export class TimingRecorder {
  private readonly poolAttributes = new Map<string, Attributes>();
  private readonly inUse = new Map<string, Map<string, number>>();

  constructor(
    private readonly instruments: Instruments,
    private readonly isHttp: (kind: string) => boolean,
    private readonly servers: ServerAttributes,
  ) {}

  readonly listener: TimingListener = (pool, kind, timing, ms, endpoint) => {
    // A server's timings have no client-side convention to go to (its requests are http.server.*'s own).
    if (kind === SERVER_KIND) return;
    if (this.isHttp(kind)) this.http(pool, timing, ms, endpoint);
    else this.db(pool, timing, ms);
  };

  /** Connections of an HTTP pool in use toward each server, as counted from acquires and releases. */
  inUseOf(pool: string): ReadonlyMap<string, number> | undefined {
    return this.inUse.get(pool);
  }

  private db(pool: string, timing: PoolTiming, ms: number): void {
    const histogram =
      timing === 'connect'
        ? this.instruments.dbConnectionCreateTime
        : timing === 'wait'
          ? this.instruments.dbConnectionWaitTime
          : timing === 'use'
            ? this.instruments.dbConnectionUseTime
            : undefined;
    if (!histogram) return;
    let attributes = this.poolAttributes.get(pool);
    if (!attributes) {
      attributes = { [ATTR.dbPoolName]: pool };
      this.poolAttributes.set(pool, attributes);
    }
    histogram.record(ms / 1000, attributes);
  }

  private http(pool: string, timing: PoolTiming, ms: number, endpoint: string | null): void {
    if (timing === 'lifetime') {
      const attributes = endpoint === null ? NO_ATTRIBUTES : this.servers.of(endpoint);
      this.instruments.httpConnectionDuration.record(ms / 1000, attributes);
      return;
    }
    if (endpoint === null || (timing !== 'wait' && timing !== 'use')) return;
    // 'wait' ends with the connection acquired, 'use' ends with it released.
    let servers = this.inUse.get(pool);
    if (!servers) {
      servers = new Map();
      this.inUse.set(pool, servers);
    }
    const n = (servers.get(endpoint) ?? 0) + (timing === 'wait' ? 1 : -1);
    servers.set(endpoint, n > 0 ? n : 0);
  }
}
