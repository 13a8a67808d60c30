import { createPool } from 'generic-pool';
import { lint } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import {
  auditPool,
  detach,
  genericPoolLintRules,
  genericPoolOptionSchema,
  readGenericPoolConfig,
} from '../src/index.js';
import { auditorFor, thingFactory } from './support/fake-factory.js';

describe('readGenericPoolConfig', () => {
  it("applies generic-pool's defaults: max 1, min 0, no evictor, no acquire timeout, unbounded queue", () => {
    expect(readGenericPoolConfig({})).toEqual({
      config: {
        maxOpen: 1,
        maxIdle: null,
        minIdle: 0,
        idleTimeoutMs: null,
        maxLifetimeMs: null,
        queueLimit: null,
        acquireTimeoutMs: null,
      },
      settings: {
        maxOpen: 'max',
        maxIdle: 'max',
        minIdle: 'min',
        idleTimeoutMs: 'idleTimeoutMillis',
        queueLimit: 'maxWaitingClients',
        acquireTimeoutMs: 'acquireTimeoutMillis',
      },
    });
  });

  it('parses options the way generic-pool does', () => {
    const { config } = readGenericPoolConfig({
      max: '8',
      min: 20, // clamped to max, silently
      evictionRunIntervalMillis: 1000,
      idleTimeoutMillis: 0, // 0 means the default, 30 s
      acquireTimeoutMillis: 2500,
      maxWaitingClients: 50,
    });
    expect(config).toMatchObject({
      maxOpen: 8,
      minIdle: 8,
      idleTimeoutMs: 30_000,
      acquireTimeoutMs: 2500,
      queueLimit: 50,
    });
    expect(readGenericPoolConfig({ max: 0, min: -1 }).config).toMatchObject({ maxOpen: 1, minIdle: -1 });
    expect(
      readGenericPoolConfig({ evictionRunIntervalMillis: 10, idleTimeoutMillis: 500 }).config.idleTimeoutMs,
    ).toBe(500);
  });

  it('agrees with the options of a real pool, read from its parsed config', () => {
    const options = {
      max: 5,
      min: 2,
      evictionRunIntervalMillis: 100,
      idleTimeoutMillis: 700,
      acquireTimeoutMillis: 90,
    };
    const pool = createPool(thingFactory().factory, { ...options, autostart: false });
    const { auditor, pool: snap } = auditorFor();
    auditPool(pool, { auditor });
    expect(snap().config).toEqual(readGenericPoolConfig(options).config);
    expect(snap().rawConfig).toMatchObject(options);
    expect(snap().rawConfig).not.toHaveProperty('Promise');
    detach(pool);
  });
});

describe('genericPoolLintRules', () => {
  const subject = (options: Record<string, unknown>): LintSubject => ({
    kind: 'generic-pool',
    name: 'p',
    options,
    facts: {},
  });
  // A bounded acquire unless a test says otherwise, so each case shows only the rule it is about.
  const ids = (options: Record<string, unknown>): string[] =>
    lint([subject({ acquireTimeoutMillis: 5000, ...options })], genericPoolLintRules).map((f) => f.code);

  it('flags min > 0 with a running evictor and the hard idle timeout, advising softIdleTimeoutMillis', () => {
    const [finding] = lint(
      [subject({ min: 2, max: 10, evictionRunIntervalMillis: 1000, idleTimeoutMillis: 5000 })],
      genericPoolLintRules,
    );
    expect(finding).toMatchObject({ code: 'generic-pool/min-with-hard-idle-timeout', severity: 'warning' });
    expect(finding!.advice).toMatch(/softIdleTimeoutMillis=5000/);
    expect(ids({ min: 0, evictionRunIntervalMillis: 1000, idleTimeoutMillis: 5000 })).toEqual([]);
    expect(ids({ min: 2, max: 4, evictionRunIntervalMillis: 1000, idleTimeoutMillis: Infinity })).toEqual([]);
  });

  it('flags idle timeouts that never apply because the evictor does not run', () => {
    expect(ids({ idleTimeoutMillis: 10_000 })).toEqual(['generic-pool/idle-timeout-inert']);
    expect(ids({ softIdleTimeoutMillis: 10_000, evictionRunIntervalMillis: 0 })).toEqual([
      'generic-pool/idle-timeout-inert',
    ]);
    expect(ids({ idleTimeoutMillis: 10_000, evictionRunIntervalMillis: 500 })).toEqual([]);
    // A pool's parsed options carry the defaults: those are not a choice.
    expect(ids({ idleTimeoutMillis: 30_000, softIdleTimeoutMillis: -1 })).toEqual([]);
  });

  it('flags testOnReturn, which generic-pool 3.x ignores', () => {
    expect(ids({ testOnReturn: true })).toEqual(['generic-pool/test-on-return-unused']);
    expect(ids({ testOnReturn: false, testOnBorrow: true })).toEqual([]);
  });

  it('flags a pool without acquireTimeoutMillis, whose callers can wait forever', () => {
    expect(ids({ acquireTimeoutMillis: undefined })).toEqual(['generic-pool/no-acquire-timeout']);
    expect(ids({ acquireTimeoutMillis: null })).toEqual(['generic-pool/no-acquire-timeout']);
    expect(ids({ acquireTimeoutMillis: 2000 })).toEqual([]);
  });

  it('flags min above max, which generic-pool clamps silently', () => {
    expect(ids({ min: 5, max: 2 })).toEqual(['generic-pool/min-above-max']);
    expect(ids({ min: 2, max: 2 })).toEqual([]);
  });

  it('knows every option generic-pool accepts', () => {
    expect(Object.keys(genericPoolOptionSchema).sort()).toEqual(
      [
        'Promise',
        'acquireTimeoutMillis',
        'autostart',
        'destroyTimeoutMillis',
        'evictionRunIntervalMillis',
        'fifo',
        'idleTimeoutMillis',
        'max',
        'maxWaitingClients',
        'min',
        'numTestsPerEvictionRun',
        'priorityRange',
        'softIdleTimeoutMillis',
        'testOnBorrow',
        'testOnReturn',
      ].sort(),
    );
  });
});
