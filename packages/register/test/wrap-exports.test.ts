import { EventEmitter } from 'node:events';
import { applyToExports, replacementsFor, seeHeldPools } from '../src/internal/wrap-exports';

function recorder() {
  const seen: unknown[] = [];
  return { seen, onPool: (pool: unknown) => seen.push(pool) };
}

describe('wrapping exports', () => {
  it('wraps a factory on the exports object, keeping its name, length, this and result', () => {
    const { seen, onPool } = recorder();
    function createPool(this: unknown, options: { n: number }) {
      return { options, self: this };
    }
    const exports = { createPool, other: 1 };
    const returned = applyToExports(exports, replacementsFor(exports, [{ factory: 'createPool' }], onPool));
    expect(returned).toBe(exports);
    expect(exports.createPool).not.toBe(createPool);
    expect(exports.createPool.name).toBe('createPool');
    expect(exports.createPool.length).toBe(1);
    const pool = exports.createPool({ n: 1 });
    expect(pool).toEqual({ options: { n: 1 }, self: exports });
    expect(seen).toEqual([pool]);
    expect(Object.keys(exports)).toEqual(['createPool', 'other']);
  });

  it('wraps a class as a proxy: new, subclasses, statics, prototype and instanceof are the original', () => {
    const { seen, onPool } = recorder();
    class Pool extends EventEmitter {
      static kind = 'pool';
      constructor(readonly origin: string) {
        super();
      }
    }
    const exports: Record<string, unknown> = { Pool };
    applyToExports(exports, replacementsFor(exports, [{ construct: 'Pool' }], onPool));
    const Wrapped = exports['Pool'] as typeof Pool;
    expect(Wrapped).not.toBe(Pool);
    const a = new Wrapped('http://a');
    class Mine extends Wrapped {}
    const b = new Mine('http://b');
    expect(seen).toEqual([a, b]);
    expect(a).toBeInstanceOf(Pool);
    expect(a).toBeInstanceOf(Wrapped);
    expect(b).toBeInstanceOf(Mine);
    expect(Object.getPrototypeOf(a)).toBe(Pool.prototype);
    expect(Wrapped.kind).toBe('pool');
    expect(Wrapped.name).toBe('Pool');
    expect(Wrapped.prototype).toBe(Pool.prototype);
  });

  it('answers non-configurable aliases of a class export through its proxy (the shape of ioredis)', () => {
    const { seen, onPool } = recorder();
    class Redis {}
    class Cluster {}
    Object.defineProperty(Redis, 'default', { enumerable: true, get: () => Redis });
    Object.defineProperty(Redis, 'Redis', { enumerable: true, get: () => Redis });
    Object.defineProperty(Redis, 'Cluster', { enumerable: true, get: () => Cluster });
    const sources = [
      { construct: '.' },
      { construct: 'Redis' },
      { construct: 'default' },
      { construct: 'Cluster' },
    ];
    const Wrapped = applyToExports(Redis, replacementsFor(Redis, sources, onPool)) as typeof Redis & {
      default: typeof Redis;
      Redis: typeof Redis;
      Cluster: typeof Cluster;
    };
    expect(Wrapped).not.toBe(Redis);
    expect(Wrapped.default).toBe(Wrapped);
    expect(Wrapped.Redis).toBe(Wrapped);
    expect(Wrapped.Cluster).not.toBe(Cluster);
    const r = new Wrapped.Redis();
    const c = new Wrapped.Cluster();
    expect(seen).toEqual([r, c]);
    expect(c).toBeInstanceOf(Cluster);
  });

  it('passes the argument of a function that takes a pool', () => {
    const { seen, onPool } = recorder();
    let global: unknown;
    const exports = { setGlobalDispatcher: (d: unknown) => (global = d) };
    applyToExports(exports, replacementsFor(exports, [{ takes: 'setGlobalDispatcher' }], onPool));
    const agent = {};
    exports.setGlobalDispatcher(agent);
    expect(global).toBe(agent);
    expect(seen).toEqual([agent]);
  });

  it('wraps an export once, however often the module is seen (require and import)', () => {
    const { seen, onPool } = recorder();
    const exports = { createPool: () => ({}) };
    applyToExports(exports, replacementsFor(exports, [{ factory: 'createPool' }], onPool));
    const once = exports.createPool;
    expect(replacementsFor(exports, [{ factory: 'createPool' }], onPool).size).toBe(0);
    expect(exports.createPool).toBe(once);
    exports.createPool();
    expect(seen).toHaveLength(1);
  });

  it('puts everything back when one export cannot be replaced', () => {
    const { onPool } = recorder();
    const createPool = () => ({});
    const Pool = class {};
    const exports = { createPool };
    // A frozen value: no proxy may answer another one for it.
    Object.defineProperty(exports, 'Pool', {
      enumerable: true,
      configurable: false,
      writable: false,
      value: Pool,
    });
    const replacements = replacementsFor(exports, [{ factory: 'createPool' }, { construct: 'Pool' }], onPool);
    expect(() => applyToExports(exports, replacements)).toThrow('export Pool cannot be replaced');
    expect(exports.createPool).toBe(createPool);
    expect(Object.getOwnPropertyDescriptor(exports, 'createPool')).toEqual({
      value: createPool,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });

  it('answers non-configurable getters through a proxy of the exports object (the shape of grpc-js)', () => {
    const { seen, onPool } = recorder();
    class Client {}
    const exports = { version: 1 };
    Object.defineProperty(exports, 'Client', { enumerable: true, configurable: false, get: () => Client });
    const returned = applyToExports(exports, replacementsFor(exports, [{ construct: 'Client' }], onPool)) as {
      Client: typeof Client;
      version: number;
    };
    expect(returned).not.toBe(exports);
    expect(returned.version).toBe(1);
    expect(Object.keys(returned)).toEqual(['version', 'Client']);
    const client = new returned.Client();
    expect(client).toBeInstanceOf(Client);
    expect(seen).toEqual([client]);
    // The module's own object is untouched.
    expect((exports as { Client?: unknown }).Client).toBe(Client);
  });

  it('wraps the classes a class maker hands out, alone or in a tree of plain objects', () => {
    const { seen, onPool } = recorder();
    class Base {}
    const makeClient = (): typeof Base => class Echo extends Base {};
    const made = { Echo: class Echo extends Base {} };
    const load = () => ({ demo: { v1: { Echo: made.Echo }, Message: { format: 'proto', type: {} } } });
    const exports = { makeClient, load };
    applyToExports(
      exports,
      replacementsFor(exports, [{ makesClasses: 'makeClient' }, { makesClasses: 'load' }], onPool),
    );
    const One = exports.makeClient();
    const a = new One();
    expect(a).toBeInstanceOf(Base);
    const tree = exports.load();
    const b = new tree.demo.v1.Echo();
    expect(b).toBeInstanceOf(made.Echo);
    expect(tree.demo.Message).toEqual({ format: 'proto', type: {} });
    expect(seen).toEqual([a, b]);
    // The same class is handed out as the same proxy.
    expect(exports.load().demo.v1.Echo).toBe(tree.demo.v1.Echo);
  });

  it('hands over the pools a library holds itself, and replaces nothing for them', () => {
    const { seen, onPool } = recorder();
    const globalAgent = { sockets: {} };
    const exports = { globalAgent, Agent: class {} };
    expect(replacementsFor(exports, [{ holds: 'globalAgent' }], onPool).size).toBe(0);
    seeHeldPools(exports, [{ holds: 'globalAgent' }, { construct: 'Agent' }], onPool);
    expect(seen).toEqual([globalAgent]);
    expect(exports.globalAgent).toBe(globalAgent);
  });

  it('refuses an export that is not a function before changing anything', () => {
    const exports = { createPool: 42 };
    expect(() => replacementsFor(exports, [{ factory: 'createPool' }], () => undefined)).toThrow(
      'export createPool is a number, not a function',
    );
    expect(exports.createPool).toBe(42);
  });
});
