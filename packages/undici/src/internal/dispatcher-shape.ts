import type { DispatcherKind, UndiciOptions } from '../types.js';

const KINDS: Readonly<Record<string, DispatcherKind>> = {
  Client: 'Client',
  H2CClient: 'Client',
  Pool: 'Pool',
  RoundRobinPool: 'Pool',
  BalancedPool: 'BalancedPool',
  Agent: 'Agent',
};

/**
 * What kind of undici dispatcher `value` is, read from its class chain (so that both the undici bundled in
 * Node and an installed copy are recognised), or undefined.
 */
export function dispatcherKind(value: unknown): DispatcherKind | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as { dispatch?: unknown; on?: unknown; removeListener?: unknown };
  if (typeof d.dispatch !== 'function' || typeof d.on !== 'function') return undefined;
  if (typeof d.removeListener !== 'function') return undefined;
  for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== Object.prototype;) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string') {
      const kind = KINDS[name];
      if (kind !== undefined) return kind;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/** Whether `value` is undici 8's `Dispatcher1Wrapper` (the legacy global dispatcher it mirrors). */
export function isLegacyWrapper(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { constructor?: { name?: unknown } }).constructor?.name === 'Dispatcher1Wrapper'
  );
}

// undici keeps no public copy of its options: a Pool/Agent/BalancedPool stores them under `kOptions`
// (`Symbol('options')`, lib/dispatcher/{pool,agent,balanced-pool}.js), a Pool its limit under
// `Symbol('connections')`, a Client each keep-alive setting under its own symbol (lib/core/symbols.js).
const CLIENT_FIELDS: readonly (readonly [string, keyof UndiciOptions])[] = [
  ['default keep alive timeout', 'keepAliveTimeout'],
  ['max keep alive timeout', 'keepAliveMaxTimeout'],
  ['keep alive timeout threshold', 'keepAliveTimeoutThreshold'],
  ['pipelining', 'pipelining'],
  ['maxRequestsPerClient', 'maxRequestsPerClient'],
];

/**
 * The options a dispatcher was created with, as far as undici keeps them. Read once per audited dispatcher;
 * anything missing falls back to undici's defaults in `readUndiciConfig()`.
 */
export function instanceOptions(dispatcher: object, kind: DispatcherKind): UndiciOptions {
  const byName = new Map<string, unknown>();
  for (const symbol of Object.getOwnPropertySymbols(dispatcher)) {
    if (symbol.description !== undefined && !byName.has(symbol.description)) {
      byName.set(symbol.description, (dispatcher as Record<symbol, unknown>)[symbol]);
    }
  }
  const options: Record<string, unknown> = {};
  const stored = byName.get('options');
  if (typeof stored === 'object' && stored !== null) {
    for (const [key, value] of Object.entries(stored)) {
      if (value !== undefined && typeof value !== 'function') options[key] = value;
    }
  }
  const connections = byName.get('connections');
  if (kind === 'Pool' && (typeof connections === 'number' || connections === null)) {
    options['connections'] = connections;
  }
  if (kind === 'Client') {
    for (const [description, key] of CLIENT_FIELDS) {
      const value = byName.get(description);
      if (value !== undefined) options[key] = value;
    }
  }
  return options;
}

/** The value `dispatcher` keeps under the symbol described `description` (lib/core/symbols.js). */
function symbolValue(dispatcher: object, description: string): unknown {
  for (const symbol of Object.getOwnPropertySymbols(dispatcher)) {
    if (symbol.description === description) return (dispatcher as Record<symbol, unknown>)[symbol];
  }
  return undefined;
}

/** The Pools or Clients a dispatcher holds under `kClients` (undici 7 keeps an Agent's as `{ count, dispatcher }`
 * entries of a Map, undici 8 the dispatchers themselves; a Pool or BalancedPool an array). */
function childrenOf(dispatcher: object): object[] {
  const held = symbolValue(dispatcher, 'clients');
  const values = held instanceof Map ? [...held.values()] : Array.isArray(held) ? held : [];
  const out: object[] = [];
  for (const value of values as unknown[]) {
    const child = childDispatcher(value);
    if (child !== undefined) out.push(child);
  }
  return out;
}

/** Whether a client of `dispatcher` (itself, when it is a Client) connects with `connector`. undici gives
 * each Client a connector of its own (`kConnector`, lib/dispatcher/client.js), published as `connector`. */
function connectsWith(dispatcher: object, connector: unknown, depth: number): boolean {
  const own = symbolValue(dispatcher, 'connector');
  if (own !== undefined) return own === connector;
  if (depth === 0) return false;
  return childrenOf(dispatcher).some((child) => connectsWith(child, connector, depth - 1));
}

/**
 * The dispatcher of an audit that made a connection with `connector`: `root` itself when it is a Client or
 * a Pool (whose Clients are its own), else the per-origin Pool or Client of an Agent or BalancedPool.
 */
export function dispatcherOfConnector(
  root: object,
  kind: DispatcherKind,
  connector: unknown,
): object | undefined {
  if (kind === 'Client' || kind === 'Pool') return connectsWith(root, connector, 1) ? root : undefined;
  return childrenOf(root).find((child) => connectsWith(child, connector, 1));
}

function childDispatcher(value: unknown): object | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as { dispatcher?: unknown; deref?: unknown };
  if (typeof entry.dispatcher === 'object' && entry.dispatcher !== null) return entry.dispatcher;
  if (typeof entry.deref === 'function') {
    const held: unknown = (entry.deref as () => unknown).call(value);
    return typeof held === 'object' && held !== null ? held : undefined;
  }
  return value;
}
