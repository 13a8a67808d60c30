import { InvalidOptionError, lint } from '@poolaudit/core';
import type { LintSubject, PoolSnapshot } from '@poolaudit/core';
import { ioredisLintRules, ioredisOptionSchema, readIoredisConfig } from '../src/index.js';

const subject = (
  options: Record<string, unknown>,
  facts: Record<string, number | string | boolean> = {},
): LintSubject => ({ kind: 'ioredis', name: 'r', options, facts });

describe('readIoredisConfig', () => {
  it('maps a Redis to a pool of one multiplexed connection', () => {
    expect(readIoredisConfig({})).toEqual({
      config: {
        maxOpen: 1,
        maxIdle: 1,
        minIdle: 1,
        idleTimeoutMs: null,
        maxLifetimeMs: null,
        queueLimit: null,
        keepAlive: true,
      },
      settings: { minIdle: 'lazyConnect', queueLimit: 'enableOfflineQueue', keepAlive: 'keepAlive' },
    });
    expect(readIoredisConfig({ lazyConnect: true, enableOfflineQueue: false }).config).toMatchObject({
      minIdle: 0,
      queueLimit: 0,
    });
    // Only a number turns TCP keep-alive on (lib/Redis.ts): 0 means "on, with the OS delay".
    expect(readIoredisConfig({ keepAlive: 0 }).config.keepAlive).toBe(true);
    expect(readIoredisConfig({ keepAlive: null }).config.keepAlive).toBe(false);
  });

  it('maps a Cluster, reading node options from redisOptions', () => {
    const { config, settings } = readIoredisConfig(
      { lazyConnect: true, redisOptions: { keepAlive: false } },
      'cluster',
    );
    expect(config).toMatchObject({ maxOpen: null, maxIdle: null, minIdle: 0, keepAlive: false });
    expect(settings.keepAlive).toBe('redisOptions.keepAlive');
  });

  it('rejects what is not an options object', () => {
    expect(() => readIoredisConfig('redis://x' as never)).toThrow(InvalidOptionError);
    expect(() => readIoredisConfig({}, 'sentinel' as never)).toThrow(/kind must be "redis" or "cluster"/);
  });
});

describe('ioredis lint rules', () => {
  it('report a client created per request from the audit evidence, and nothing without it', () => {
    const finding = {
      code: 'client-per-request',
      severity: 'warning' as const,
      pool: 'cache',
      message: '30 ioredis clients named cache were created.',
      evidence: { clientsCreated: 30 },
      advice: 'share one',
    };
    const snapshot = { name: 'cache', findings: [finding] } as unknown as PoolSnapshot;
    const [found] = lint([{ ...subject({}), snapshot }], ioredisLintRules);
    expect(found?.code).toBe('ioredis/client-per-request');
    expect(found?.message).toContain('30 clients created under cache');
    const quiet = { name: 'cache', findings: [] } as unknown as PoolSnapshot;
    expect(lint([{ ...subject({}), snapshot: quiet }], ioredisLintRules)).toEqual([]);
  });

  it('warn about a short slotsRefreshInterval, and only then', () => {
    const [finding] = lint([subject({ slotsRefreshInterval: 1000 })], ioredisLintRules);
    expect(finding?.code).toBe('ioredis/slots-refresh-interval-short');
    expect(finding?.evidence['connectionsPerMinute']).toBe(60);
    expect(finding?.advice).toMatch(/slotsRefreshInterval/);
    expect(lint([subject({ slotsRefreshInterval: 30_000 }), subject({})], ioredisLintRules)).toEqual([]);
  });

  it('warn when offline commands may wait forever', () => {
    const findings = lint([subject({ maxRetriesPerRequest: null })], ioredisLintRules);
    expect(findings.map((f) => f.code)).toEqual(['ioredis/unbounded-offline-wait']);
    const off = lint([subject({ maxRetriesPerRequest: null, enableOfflineQueue: false })], ioredisLintRules);
    expect(off).toEqual([]);
  });

  it('note a server idle timeout read from the server', () => {
    const findings = lint([subject({}, { serverIdleTimeoutMs: 300_000 })], ioredisLintRules);
    expect(findings.map((f) => f.code)).toEqual(['ioredis/server-idle-timeout']);
    expect(findings[0]?.message).toMatch(/300 s/);
    expect(lint([subject({}, { serverIdleTimeoutMs: 0 })], ioredisLintRules)).toEqual([]);
  });

  it('have an option schema naming every option the readers use', () => {
    for (const key of [
      'lazyConnect',
      'enableOfflineQueue',
      'keepAlive',
      'slotsRefreshInterval',
      'redisOptions',
    ]) {
      expect(ioredisOptionSchema[key]).toBeDefined();
    }
    expect(ioredisOptionSchema['maxRetriesPerRequest']).toEqual(['number', 'null']);
  });
});
