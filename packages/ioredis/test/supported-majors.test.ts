import { Redis } from 'ioredis';
import { readIoredisConfig } from '../src/index.js';

// `npm test` runs this package's tests twice: with ioredis 5 (the `ioredis` devDependency) and with ioredis 6
// (scripts/ioredis6/jest.config.js maps `ioredis` to the `ioredis6` alias and sets POOLAUDIT_IOREDIS_MAJOR).
const major = Number(process.env['POOLAUDIT_IOREDIS_MAJOR'] ?? '5');

describe(`ioredis ${major}`, () => {
  it('is the major this run was meant to test', () => {
    const redis = new Redis({ lazyConnect: true });
    // Defaults that changed in ioredis 6 (lib/redis/RedisOptions.ts): keepAlive 0 → 30000, RESP3 by default.
    expect(redis.options.keepAlive).toBe(major === 6 ? 30_000 : 0);
    expect((redis.options as { protocol?: number }).protocol).toBe(major === 6 ? 3 : undefined);
  });

  it("reads the client's own options the same way in both majors", () => {
    const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    expect(readIoredisConfig({ ...redis.options }).config).toEqual({
      maxOpen: 1,
      maxIdle: 1,
      minIdle: 0,
      idleTimeoutMs: null,
      maxLifetimeMs: null,
      queueLimit: 0,
      keepAlive: true,
    });
  });
});
