import { EventEmitter } from 'node:events';
import Redis, { Cluster } from 'ioredis';
import { createAuditor, InvalidOptionError, UnsupportedPoolError } from '@poolaudit/core';
import { auditRedis, detachRedis, isAudited } from '../src/index.js';

// lazyConnect clients never open a socket: these tests need no server.
const lazy = (options: Record<string, unknown> = {}): Redis =>
  new Redis({ host: '127.0.0.1', port: 6390, lazyConnect: true, ...options });

describe('auditRedis arguments', () => {
  it('rejects objects that are not ioredis clients', () => {
    for (const bad of [null, undefined, {}, new EventEmitter(), 'redis', { isCluster: false }]) {
      expect(() => auditRedis(bad as unknown as Redis)).toThrow(UnsupportedPoolError);
    }
    try {
      auditRedis({} as unknown as Redis);
    } catch (err) {
      expect((err as UnsupportedPoolError).code).toBe('POOLAUDIT_UNSUPPORTED_POOL');
      expect((err as Error).message).toMatch(/ioredis Redis or Cluster, got a plain object/);
    }
  });

  it('rejects bad options, naming the option and the value', () => {
    const redis = lazy();
    const cases: [unknown, RegExp][] = [
      ['x', /auditRedis\(\): options must be an object \(\{ name, auditor, readServerSettings \}\), got "x"/],
      [{ name: '' }, /name must be a non-empty string, got ""/],
      [{ name: 42 }, /name must be a non-empty string, got 42/],
      [{ auditor: {} }, /auditor must be an Auditor/],
      [{ readServerSettings: 'yes' }, /readServerSettings must be a boolean, got "yes"/],
      [
        { nmae: 'typo' },
        /auditRedis\(\): unknown option nmae; did you mean name\? \(known: name, auditor, readServerSettings\)/,
      ],
    ];
    for (const [options, message] of cases) {
      expect(() => auditRedis(redis, options as never)).toThrow(InvalidOptionError);
      expect(() => auditRedis(redis, options as never)).toThrow(message);
    }
    expect(isAudited(redis)).toBe(false);
  });

  it('returns the same object, once; a second audit hooks nothing, renames, and warns once of what it ignores', () => {
    const auditor = createAuditor();
    const redis = lazy();
    expect(auditRedis(redis, { auditor })).toBe(redis);
    const wrapped: unknown = Reflect.get(redis, 'sendCommand');
    expect(auditRedis(redis, { auditor })).toBe(redis);
    expect(Reflect.get(redis, 'sendCommand')).toBe(wrapped);
    expect(auditor.snapshot().pools[0]?.name).toBe('redis 127.0.0.1:6390');
    expect(auditor.snapshot().pools[0]?.stats.created).toBe(0);
    expect(auditRedis(redis, { auditor, name: 'sessions' })).toBe(redis);
    expect(Reflect.get(redis, 'sendCommand')).toBe(wrapped);
    expect(auditor.poolNames()).toEqual(['sessions']);
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      auditRedis(redis, { auditor: createAuditor(), readServerSettings: false });
      auditRedis(redis, { auditor: createAuditor(), readServerSettings: false });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain(
        'auditRedis() was called again for the pool "sessions", which is already audited: auditor, readServerSettings differ',
      );
    } finally {
      warn.mockRestore();
    }
    expect(detachRedis(redis)).toBe(true);
  });

  it('names pools after the endpoint by default, and keeps a given name', () => {
    const auditor = createAuditor();
    const clients = [
      lazy(),
      new Redis({ path: '/tmp/redis.sock', lazyConnect: true }),
      new Redis({ lazyConnect: true }),
      new Redis('redis://:secret@10.0.0.5:6380/2', { lazyConnect: true }),
      lazy({ sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'mymaster' }),
    ];
    for (const c of clients) auditRedis(c, { auditor });
    const named = auditRedis(lazy(), { auditor, name: 'sessions' });
    const cluster = auditRedis(
      new Cluster([{ host: '127.0.0.1', port: 7000 }, 7001, '127.0.0.1:7002'], { lazyConnect: true }),
      { auditor },
    );
    expect(auditor.poolNames()).toEqual([
      'redis 127.0.0.1:6390',
      'redis /tmp/redis.sock',
      'redis localhost:6379',
      'redis 10.0.0.5:6380',
      'redis sentinel mymaster',
      'sessions',
      'redis-cluster 127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002',
    ]);
    // The password in the URL never reaches the snapshot.
    expect(JSON.stringify(auditor.snapshot())).not.toContain('secret');
    for (const c of [...clients, named, cluster]) detachRedis(c);
  });

  it('leaves the client its own keys and listeners while audited, and Redis.prototype as it was once detached', () => {
    const auditor = createAuditor();
    const redis = lazy();
    const events = ['connecting', 'connect', 'ready', 'close', 'end', 'error'];
    const before = events.map((e) => redis.listenerCount(e));
    const own = Object.getOwnPropertyNames(redis).sort();
    const methods = ['sendCommand', 'disconnect', 'setStatus'] as const;
    const prototypeBefore = methods.map((m) => Object.getOwnPropertyDescriptor(Redis.prototype, m));
    auditRedis(redis, { auditor });
    expect(events.map((e) => redis.listenerCount(e))).toEqual(before);
    expect(Object.getOwnPropertyNames(redis).sort()).toEqual(own);
    detachRedis(redis);
    expect(events.map((e) => redis.listenerCount(e))).toEqual(before);
    expect(Object.getOwnPropertyNames(redis).sort()).toEqual(own);
    expect(methods.map((m) => Object.getOwnPropertyDescriptor(Redis.prototype, m))).toEqual(prototypeBefore);
  });

  it('keeps a method the application had set on the instance', () => {
    const redis = lazy();
    const mine = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
      return Redis.prototype.sendCommand.apply(this, args);
    };
    redis.sendCommand = mine;
    auditRedis(redis, { auditor: createAuditor() });
    expect(Reflect.get(redis, 'sendCommand')).not.toBe(mine);
    detachRedis(redis);
    expect(Reflect.get(redis, 'sendCommand')).toBe(mine);
  });

  it('shares one pool record among clients with the same name, counting each as a client', () => {
    const auditor = createAuditor();
    const clients = Array.from({ length: 5 }, () => auditRedis(lazy(), { auditor }));
    const pool = auditor.snapshot().pools;
    expect(pool).toHaveLength(1);
    expect(pool[0]?.recent.clientsCreated.count).toBe(5);
    expect(pool[0]?.config).toMatchObject({ maxOpen: 1, minIdle: 0, idleTimeoutMs: null });
    for (const c of clients) detachRedis(c);
  });
});
