import { createRequire } from 'node:module';
import { createClient } from 'redis';
import { readNodeRedisConfig } from '../src/index.js';

// `npm test` runs this package's tests twice: with node-redis 5 (the `redis` devDependency) and with node-redis
// 6 (scripts/redis6/jest.config.js maps `redis` to the `redis6` alias and sets POOLAUDIT_REDIS_MAJOR).
const major = Number(process.env['POOLAUDIT_REDIS_MAJOR'] ?? '5');

describe(`node-redis ${major}`, () => {
  it('is the major this run was meant to test', () => {
    const resolved = require.resolve('redis');
    const version = (createRequire(resolved)('../package.json') as { version: string }).version;
    expect(Number(version.split('.')[0])).toBe(major);
  });

  it("reads the client's own options the same way in both majors", () => {
    const client = createClient({
      socket: { host: '127.0.0.1', keepAlive: false },
      disableOfflineQueue: true,
    });
    expect(readNodeRedisConfig(client.options as Record<string, unknown>).config).toEqual({
      maxOpen: 1,
      maxIdle: 1,
      minIdle: 1,
      idleTimeoutMs: null,
      maxLifetimeMs: null,
      queueLimit: 0,
      keepAlive: false,
    });
  });
});
