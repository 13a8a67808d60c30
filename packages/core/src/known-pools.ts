/** What an object handed to the wrong adapter looks like, and where it should go instead. */
export interface RecognizedPool {
  /** The library's object, as its users name it: `a mysql2 Pool`, `Node's http.Agent`. */
  readonly what: string;
  /** The adapter package that audits it. */
  readonly adapter: string;
  /** The function of that package that audits it, when it is known. */
  readonly audit?: string;
}

type Shape = Record<string | symbol, unknown>;

const fn = (o: Shape, key: string): boolean => typeof o[key] === 'function';
const obj = (v: unknown): v is Shape => typeof v === 'object' && v !== null;

/**
 * Each supported library's pool or client, told by shape (never by `instanceof`: the library may be
 * another copy, or not installed here). Used only to word error messages; the first match wins.
 */
const SHAPES: readonly { readonly is: (o: Shape) => boolean; readonly pool: RecognizedPool }[] = [
  {
    is: (o) => obj(o['config']) && obj(o['config']['connectionConfig']) && fn(o, 'getConnection'),
    pool: { what: 'a mysql2 Pool', adapter: '@poolaudit/mysql2', audit: 'auditPool()' },
  },
  {
    is: (o) => obj(o['pool']) && obj(o['pool']['config']) && fn(o, 'getConnection'),
    pool: { what: 'a mysql2/promise Pool', adapter: '@poolaudit/mysql2', audit: 'auditPool()' },
  },
  {
    is: (o) => obj(o['_nodes']) && fn(o, 'of') && fn(o, 'getConnection'),
    pool: { what: 'a mysql2 PoolCluster', adapter: '@poolaudit/mysql2', audit: 'auditPool()' },
  },
  {
    is: (o) => obj(o['poolCluster']) && fn(o, 'getConnection'),
    pool: { what: 'a mysql2/promise PoolCluster', adapter: '@poolaudit/mysql2', audit: 'auditPool()' },
  },
  {
    is: (o) => Array.isArray(o['_clients']) && Array.isArray(o['_idle']) && fn(o, 'connect'),
    pool: { what: 'a pg Pool', adapter: '@poolaudit/pg' },
  },
  {
    is: (o) => fn(o, 'sendCommand') && typeof o['status'] === 'string' && obj(o['options']),
    pool: { what: 'an ioredis client', adapter: '@poolaudit/ioredis', audit: 'auditRedis()' },
  },
  {
    is: (o) => obj(o['_factory']) && obj(o['_config']) && fn(o, 'acquire'),
    pool: { what: 'a generic-pool Pool', adapter: '@poolaudit/generic-pool', audit: 'auditPool()' },
  },
  {
    // Node's Agent (and agentkeepalive's, which extends it): lib/_http_agent.js keeps these three maps.
    is: (o) => fn(o, 'addRequest') && obj(o['freeSockets']) && obj(o['sockets']) && obj(o['requests']),
    pool: { what: "Node's http.Agent", adapter: '@poolaudit/http' },
  },
  {
    is: (o) => fn(o, 'dispatch') && fn(o, 'close') && fn(o, 'destroy'),
    pool: { what: 'an undici dispatcher', adapter: '@poolaudit/undici', audit: 'auditDispatcher()' },
  },
];

/** Which supported library `value` belongs to, by its shape; `undefined` when it looks like none. */
export function recognizePool(value: unknown): RecognizedPool | undefined {
  if (!obj(value)) return undefined;
  try {
    return SHAPES.find((shape) => shape.is(value))?.pool;
  } catch {
    // A getter that throws (a revoked proxy, a hostile object) means: not recognised.
    return undefined;
  }
}
