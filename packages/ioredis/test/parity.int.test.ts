import { once } from 'node:events';
import Redis from 'ioredis';
import { createAuditor } from '@poolaudit/core';
import { auditRedis, detachRedis, isAudited } from '../src/index.js';
import { freePort } from '../../../test/harness/free-port.js';

type Outcome = { ok: unknown } | { error: string };

/** The same workload, with replies and errors as plain data (keys are per client, never in the results). */
async function workload(redis: Redis, prefix: string): Promise<Outcome[]> {
  const k = (name: string): string => `poolaudit:parity:${prefix}:${name}`;
  const steps: (() => Promise<unknown>)[] = [
    () => redis.del(k('s'), k('h'), k('n'), k('l')),
    () => redis.set(k('s'), 'value', 'EX', 30),
    () => redis.get(k('s')),
    () => redis.incr(k('n')),
    () => redis.incrby(k('n'), 41),
    () => redis.hset(k('h'), 'a', '1', 'b', '2'),
    () => redis.hgetall(k('h')),
    () => redis.incr(k('h')), // WRONGTYPE
    () => redis.call('NOSUCHCOMMAND', 'x'), // unknown command
    () => redis.call('GET'), // wrong number of arguments
    () => redis.rpush(k('l'), 'x', 'y', 'z'),
    () => redis.lrange(k('l'), 0, -1),
    () => redis.pipeline().get(k('s')).incr(k('n')).incr(k('h')).exec(),
    () => redis.multi().incr(k('n')).get(k('n')).exec(),
    () => redis.eval('return {KEYS[1], ARGV[1]}', 1, 'key', 'arg'),
    () => redis.eval('return redis.call("INCR", KEYS[1])', 1, k('h')), // script error
    () => redis.expire(k('h'), 30),
    () => redis.expire(k('n'), 30),
    () => redis.expire(k('l'), 30),
  ];
  const outcomes: Outcome[] = [];
  for (const step of steps) {
    try {
      outcomes.push({ ok: normalize(await step()) });
    } catch (err) {
      outcomes.push({ error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return outcomes;
}

/** Pipeline results carry Error objects: compare them by name and message. */
function normalize(value: unknown): unknown {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value)) return value.map(normalize);
  return value;
}

describe('audited and unaudited clients', () => {
  it('return the same replies and errors on the same workload', async () => {
    const auditor = createAuditor();
    const plain = new Redis({ host: '127.0.0.1', port: 6379 });
    const audited = auditRedis(new Redis({ host: '127.0.0.1', port: 6379 }), { auditor, name: 'parity' });
    try {
      const [a, b] = await Promise.all([workload(plain, 'plain'), workload(audited, 'audited')]);
      expect(b).toEqual(a);
      // The workload did hit errors of each kind, so the comparison covers them.
      expect(a.filter((o) => 'error' in o).length).toBeGreaterThanOrEqual(4);
      const stats = auditor.snapshot().pools[0]?.stats;
      expect(stats?.created).toBe(1);
      expect(stats?.inUse).toBe(0);
      expect(stats?.acquired).toBeGreaterThanOrEqual(20);
    } finally {
      plain.disconnect();
      audited.disconnect();
    }
  });

  it('fail the same way when the server is unreachable, and the failed connects are counted', async () => {
    const auditor = createAuditor();
    const port = await freePort(); // nobody listens there
    const options = { host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0 };
    const plain = new Redis(options);
    const audited = auditRedis(new Redis(options), { auditor, name: 'unreachable' });
    plain.on('error', () => {});
    audited.on('error', () => {});
    const errorOf = async (redis: Redis): Promise<string> => {
      try {
        await redis.get('x');
        return 'resolved';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const [a, b] = await Promise.all([errorOf(plain), errorOf(audited)]);
    expect(b).toBe(a);
    expect(a).not.toBe('resolved');
    const stats = auditor.snapshot().pools[0]?.stats;
    expect(stats?.created).toBe(0);
    expect(stats?.connectErrors).toBe(1);
    expect(stats?.lastConnectError?.code).toBe('ECONNREFUSED');
  });

  it('refuse commands the same way with the offline queue off', async () => {
    const options = { host: '127.0.0.1', port: 6379, lazyConnect: true, enableOfflineQueue: false };
    const plain = new Redis(options);
    const audited = auditRedis(new Redis(options), { auditor: createAuditor(), name: 'no-queue' });
    const messages = await Promise.all(
      [plain, audited].map((r) => r.get('x').then(String, (err: unknown) => (err as Error).message)),
    );
    expect(messages[1]).toBe(messages[0]);
    expect(messages[0]).toMatch(/enableOfflineQueue/);
    plain.disconnect();
    audited.disconnect();
  });
});

describe('detach', () => {
  it('leaves exactly the listeners and methods the client had, and the client keeps working', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 6379 });
    const onError = (): void => {};
    redis.on('error', onError);
    await redis.ping();
    const events = ['connecting', 'connect', 'ready', 'close', 'end', 'error', 'reconnecting'];
    const before = events.map((e) => redis.listeners(e));
    const socketEvents = ['data', 'close', 'end', 'finish', 'error', 'connect'];
    const socketBefore = socketEvents.map((e) => redis.stream.listeners(e));
    const own = Object.getOwnPropertyNames(redis).sort();
    const sendCommand = Reflect.get(Redis.prototype, 'sendCommand');

    const auditor = createAuditor();
    auditRedis(redis, { auditor, name: 'detach', readServerSettings: false });
    expect(isAudited(redis)).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(redis, 'sendCommand')).toBe(false);
    expect(events.map((e) => redis.listeners(e))).toEqual(before);
    expect(await redis.set('poolaudit:detach', '1', 'EX', 30)).toBe('OK');
    expect(auditor.snapshot().pools[0]?.stats.acquired).toBe(1);

    expect(detachRedis(redis)).toBe(true);
    expect(detachRedis(redis)).toBe(false);
    expect(isAudited(redis)).toBe(false);
    expect(events.map((e) => redis.listeners(e))).toEqual(before);
    expect(socketEvents.map((e) => redis.stream.listeners(e))).toEqual(socketBefore);
    expect(Object.getOwnPropertyNames(redis).sort()).toEqual(own);
    expect(Reflect.get(redis, 'sendCommand')).toBe(sendCommand);
    expect(Reflect.get(Redis.prototype, 'sendCommand')).toBe(sendCommand);
    expect(Reflect.get(redis, 'disconnect')).toBe(Reflect.get(Redis.prototype, 'disconnect'));

    // Detached: it works, and nothing more is recorded.
    expect(await redis.get('poolaudit:detach')).toBe('1');
    expect(auditor.snapshot().pools[0]?.stats.acquired).toBe(1);
    const ended = once(redis, 'end');
    redis.disconnect();
    await ended;
    expect(auditor.snapshot().pools[0]?.stats.closed.shutdown).toBe(0);
  });

  it('a disabled auditor records nothing and the client works', async () => {
    const auditor = createAuditor({ enabled: false });
    const redis = auditRedis(new Redis({ host: '127.0.0.1', port: 6379 }), { auditor });
    expect(await redis.ping()).toBe('PONG');
    expect(auditor.snapshot().pools).toEqual([]);
    const ended = once(redis, 'end');
    redis.disconnect();
    await ended;
    detachRedis(redis);
  });
});
