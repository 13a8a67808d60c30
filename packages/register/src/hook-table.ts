/* eslint-disable @typescript-eslint/no-require-imports -- each adapter is loaded only when the application
   loads its library: an application that never uses mysql2 pays nothing for @poolaudit/mysql2. */
import { Server as NetServer } from 'node:net';
import { relative, resolve } from 'node:path';
import { endpointKey } from '@poolaudit/core';
import type { Auditor } from '@poolaudit/core';
import type { PoolSource } from './internal/wrap-exports.js';
import type { HookedLibrary } from './types.js';

/** One library the hook audits: where its pools come from, which versions, and how to audit and name them. */
export interface HookEntry {
  /** The name `POOLAUDIT_DISABLE` uses. */
  readonly library: HookedLibrary;
  /** The module ids whose exports are wrapped, as the application requires or imports them. */
  readonly modules: readonly string[];
  /** The package whose installed version is checked (`node` for a Node module: Node's own version). */
  readonly package: string;
  /** A Node module (`node:http`): its version is Node's, checked against the adapter's `engines`. */
  readonly builtin?: boolean;
  /** The adapter package; its peer dependency on `package` is the supported range. */
  readonly adapter: string;
  /** The exports that create pools (or are handed one). Listed in order; `'.'` (the exports itself) first. */
  readonly sources: readonly PoolSource[];
  /**
   * Calls the adapter, unless the pool is audited already (by the application itself). `name` undefined
   * leaves the adapter's own default. Throws when it cannot audit.
   */
  readonly audit: (
    pool: object,
    name: string | undefined,
    auditor: Auditor,
    createOptions: CreateOptions,
  ) => void;
  /** A stable name from what the library knows (never a secret); undefined = the adapter's default. */
  readonly defaultName?: (pool: object, callSite: string | undefined) => string | undefined;
  /** Whether `defaultName` needs the application's call site (a stack is captured per pool created). */
  readonly needsCallSite?: boolean;
  /**
   * The options the application created the pool with, from the export's key and arguments, for a library
   * that keeps only the options it knows: the adapter checks them for typos (`<kind>/unknown-option`).
   */
  readonly createOptions?: (key: string, args: readonly unknown[]) => CreateOptions;
}

/** Options a pool was created with, as the application wrote them; undefined when not read. */
export type CreateOptions = Readonly<Record<string, unknown>> | undefined;

/**
 * Each adapter, loaded at its first pool and kept: a `require()` per pool would resolve the module again
 * each time (the hook's own `require` patch resolves every id it is asked for).
 */
const mysql2Adapter = once(() => require('@poolaudit/mysql2') as typeof import('@poolaudit/mysql2'));
const ioredisAdapter = once(() => require('@poolaudit/ioredis') as typeof import('@poolaudit/ioredis'));
const undiciAdapter = once(() => require('@poolaudit/undici') as typeof import('@poolaudit/undici'));
const pgAdapter = once(() => require('@poolaudit/pg') as typeof import('@poolaudit/pg'));
const genericPoolAdapter = once(
  () => require('@poolaudit/generic-pool') as typeof import('@poolaudit/generic-pool'),
);
const grpcAdapter = once(() => require('@poolaudit/grpc') as typeof import('@poolaudit/grpc'));
const tarnAdapter = once(() => require('@poolaudit/tarn') as typeof import('@poolaudit/tarn'));
const redisAdapter = once(() => require('@poolaudit/redis') as typeof import('@poolaudit/redis'));
const serverAdapter = once(() => require('@poolaudit/server') as typeof import('@poolaudit/server'));
const httpAdapter = once(() => require('@poolaudit/http') as typeof import('@poolaudit/http'));

function once<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/** The libraries the hook audits. Adding one is one entry here. */
export const HOOKS: readonly HookEntry[] = [
  {
    library: 'mysql2',
    modules: ['mysql2', 'mysql2/promise'],
    package: 'mysql2',
    adapter: '@poolaudit/mysql2',
    // mysql2/promise builds its pools from lib/create_pool.js, not through the main exports (promise.js).
    sources: [{ factory: 'createPool' }, { factory: 'createPoolCluster' }],
    audit: (pool, name, auditor, createOptions) => {
      const adapter = mysql2Adapter();
      callAdapter(adapter.isAudited, adapter.auditPool, pool, name, auditor, createOptions);
    },
    // mysql2 keeps only the options it knows: the typo check needs what createPool() was given.
    createOptions: (key, [options]) => (key === 'createPool' ? plainObject(options) : undefined),
    defaultName: mysql2Name,
  },
  {
    library: 'ioredis',
    modules: ['ioredis'],
    package: 'ioredis',
    adapter: '@poolaudit/ioredis',
    // `module.exports` is the Redis class; `Redis` and `default` are getters aliasing it (built/index.js).
    sources: [{ construct: '.' }, { construct: 'Redis' }, { construct: 'default' }, { construct: 'Cluster' }],
    audit: (pool, name, auditor) => {
      const adapter = ioredisAdapter();
      callAdapter(adapter.isAudited, adapter.auditRedis, pool, name, auditor);
    },
  },
  {
    library: 'undici',
    modules: ['undici'],
    package: 'undici',
    adapter: '@poolaudit/undici',
    sources: [
      { construct: 'Client' },
      { construct: 'Pool' },
      { construct: 'BalancedPool' },
      { construct: 'Agent' },
      { takes: 'setGlobalDispatcher' },
    ],
    audit: (pool, name, auditor) => {
      const adapter = undiciAdapter();
      callAdapter(adapter.isAudited, adapter.auditDispatcher, pool, name, auditor);
    },
  },
  {
    library: 'pg',
    modules: ['pg'],
    package: 'pg',
    adapter: '@poolaudit/pg',
    // `pg.Pool` is a class bound to pg's Client (lib/index.js); pg's ESM entry re-exports the same class.
    sources: [{ construct: 'Pool' }],
    audit: (pool, name, auditor) => {
      const adapter = pgAdapter();
      callAdapter(adapter.isAudited, adapter.auditPool, pool, name, auditor);
    },
    // The adapter's own default names it as pg resolves it: `pg app@db.internal:5432/orders`.
  },
  {
    library: 'generic-pool',
    modules: ['generic-pool'],
    package: 'generic-pool',
    adapter: '@poolaudit/generic-pool',
    sources: [{ factory: 'createPool' }, { construct: 'Pool' }],
    audit: (pool, name, auditor, createOptions) => {
      const adapter = genericPoolAdapter();
      callAdapter(adapter.isAudited, adapter.auditPool, pool, name, auditor, createOptions);
    },
    // generic-pool keeps only the options it knows: `createPool(factory, options)`, `new Pool(…, factory, options)`.
    createOptions: (key, args) => plainObject(key === 'createPool' ? args[1] : args[4]),
    // generic-pool knows nothing of what it pools: the line that created the pool names it.
    defaultName: (_pool, callSite) => (callSite === undefined ? undefined : `generic-pool ${callSite}`),
    needsCallSite: true,
  },
  {
    library: 'tarn',
    modules: ['tarn'],
    package: 'tarn',
    adapter: '@poolaudit/tarn',
    // knex builds every pool from tarn's class (lib/pool.js `class KnexPool extends Pool`): each is seen.
    sources: [{ construct: 'Pool' }],
    audit: (pool, name, auditor) => {
      const adapter = tarnAdapter();
      callAdapter(adapter.isAudited, adapter.auditPool, pool, name, auditor);
    },
    // A tarn pool knows nothing of what it pools: the line that created it (the `knex()` call) names it.
    defaultName: (_pool, callSite) => (callSite === undefined ? undefined : `tarn ${callSite}`),
    needsCallSite: true,
  },
  {
    library: 'grpc',
    modules: ['@grpc/grpc-js'],
    package: '@grpc/grpc-js',
    adapter: '@poolaudit/grpc',
    // Service clients are subclasses grpc-js makes of its own Client (make-client.js), never through the
    // `Client` export: the classes its two makers hand out are wrapped as they are made.
    sources: [
      { construct: 'Client' },
      { makesClasses: 'makeClientConstructor' },
      { makesClasses: 'makeGenericClientConstructor' },
      { makesClasses: 'loadPackageDefinition' },
    ],
    audit: (pool, name, auditor) => {
      const adapter = grpcAdapter();
      callAdapter(adapter.isAudited, adapter.auditClient, pool, name, auditor);
    },
    // The adapter's own default, per target (`grpc dns:orders.internal:50051`): clients created per request
    // add up under one name, where client-per-request sees them.
  },
  {
    library: 'node-redis',
    modules: ['redis'],
    package: 'redis',
    adapter: '@poolaudit/redis',
    sources: [{ factory: 'createClient' }, { factory: 'createClientPool' }],
    audit: (pool, name, auditor, createOptions) => {
      const adapter = redisAdapter();
      if (adapter.isAudited(pool)) return;
      const options = { auditor, ...(name === undefined ? {} : { name }) };
      // node-redis keeps a pool's options private: the hook hands over what createClientPool() was given.
      if ('execute' in pool)
        adapter.auditPool(pool, { ...options, ...(createOptions && { poolOptions: createOptions }) });
      else adapter.auditClient(pool, options);
    },
    createOptions: (key, args) => (key === 'createClientPool' ? plainObject(args[1]) : undefined),
  },
  {
    library: 'http',
    // Node's own modules: require('http') and require('node:http') alike; the global agents are audited
    // where the application (or axios, got, node-fetch) loads the module.
    modules: ['http', 'https'],
    package: 'node',
    builtin: true,
    adapter: '@poolaudit/http',
    // `https.Agent` calls Node's internal http Agent, not the export: each agent is seen once. The servers the
    // application makes (`http.createServer()`, and so Express's, Koa's and Fastify's) are audited from their
    // side by @poolaudit/server: one hook entry per module, so this entry hands each object to its adapter.
    sources: [{ construct: 'Agent' }, { holds: 'globalAgent' }, { factory: 'createServer' }],
    audit: (pool, name, auditor) => {
      if (pool instanceof NetServer) {
        const adapter = serverAdapter();
        callAdapter(adapter.isAudited, adapter.auditServer, pool, name, auditor);
        return;
      }
      const adapter = httpAdapter();
      callAdapter(adapter.isAudited, adapter.auditAgent, pool, name, auditor);
    },
    // The adapter's own default: `http.Agent keepAlive=false http://10.0.0.7:8080`, `http.globalAgent …`.
  },
];

/** An adapter's options, as every `audit…()` takes them. */
interface AdapterOptions {
  readonly name?: string;
  readonly auditor?: Auditor;
  readonly createOptions?: Readonly<Record<string, unknown>>;
}

/** Calls an adapter's `audit…()` unless its `isAudited()` says the application audited the pool already. */
function callAdapter(
  isAudited: (pool: never) => boolean,
  audit: (pool: never, options: AdapterOptions) => unknown,
  pool: object,
  name: string | undefined,
  auditor: Auditor,
  createOptions?: CreateOptions,
): void {
  // The hook table pairs each adapter with the exports of its own library, so `pool` is of the adapter's
  // type; the adapter checks its shape again and throws UnsupportedPoolError if not.
  const typed = pool as never;
  if (isAudited(typed)) return;
  audit(typed, {
    auditor,
    ...(name === undefined ? {} : { name }),
    ...(createOptions === undefined ? {} : { createOptions }),
  });
}

/** `value` when it is a plain options object (not a URI string, not a class instance). */
function plainObject(value: unknown): CreateOptions {
  if (typeof value !== 'object' || value === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? (value as Record<string, unknown>) : undefined;
}

/**
 * The range of `entry.package` its adapter supports: the adapter's own peer dependency, or for a Node module
 * the adapter's `engines.node`.
 */
export function supportedRange(entry: HookEntry): string {
  const manifest = require(`${entry.adapter}/package.json`) as {
    peerDependencies?: Record<string, string>;
    engines?: Record<string, string>;
  };
  return (entry.builtin === true ? manifest.engines : manifest.peerDependencies)?.[entry.package] ?? '*';
}

/** `mysql2 app@db.internal:3306/orders`: user, server and database; never the password. */
function mysql2Name(pool: object): string | undefined {
  const inner = (pool as { pool?: unknown }).pool ?? pool;
  const c = (inner as { config?: { connectionConfig?: Record<string, unknown> } }).config?.connectionConfig;
  if (c === undefined) return undefined; // a PoolCluster: the adapter names it and each node
  const where =
    typeof c['socketPath'] === 'string'
      ? c['socketPath']
      : endpointKey(typeof c['host'] === 'string' ? c['host'] : 'localhost', Number(c['port'] ?? 3306));
  const user = typeof c['user'] === 'string' && c['user'] !== '' ? `${c['user']}@` : '';
  const database = typeof c['database'] === 'string' && c['database'] !== '' ? `/${c['database']}` : '';
  return `mysql2 ${user}${where}${database}`;
}

/** The directory of this package's code (`dist`): its frames are never the application's call site. */
const OWN_ROOT = resolve(__dirname);

/**
 * `src/db.js:12`: the first frame of `stack` in the application (outside node_modules, this package and
 * Node's internals), relative to the working directory.
 */
export function callSiteOf(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    // `at fn (/abs/file.js:12:5)` or `at /abs/file.js:12:5`; Node's own frames (`node:internal/…`) never match.
    const m = /(?:^at |\()((?:file:\/\/)?\/[^()]+?):(\d+):\d+\)?$/.exec(line.trim());
    if (!m?.[1]) continue;
    const file = m[1].startsWith('file://') ? new URL(m[1]).pathname : m[1];
    if (file.includes('/node_modules/') || file.startsWith(OWN_ROOT)) continue;
    return `${relative(process.cwd(), file)}:${m[2] ?? '?'}`;
  }
  return undefined;
}
