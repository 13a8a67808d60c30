import type { Attributes } from '@opentelemetry/api';
import { parseEndpoint } from '@poolaudit/core';
import { ATTR } from '../names.js';

/**
 * `server.address` / `server.port` for an endpoint key (`host:port`, IPv6 as `[addr]:port`), made once per
 * endpoint so that recording on the hot path allocates nothing.
 */
export class ServerAttributes {
  private readonly cache = new Map<string, Attributes>();

  of(endpoint: string): Attributes {
    let attributes = this.cache.get(endpoint);
    if (!attributes) {
      const { host, port } = parseEndpoint(endpoint);
      attributes = Number.isInteger(port)
        ? { [ATTR.serverAddress]: host, [ATTR.serverPort]: port }
        : { [ATTR.serverAddress]: endpoint };
      this.cache.set(endpoint, attributes);
    }
    return attributes;
  }

  /** The same attributes plus `extra`, for observations made at collection time. */
  with(endpoint: string, extra: Attributes): Attributes {
    return { ...this.of(endpoint), ...extra };
  }
}
