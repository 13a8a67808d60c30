import {
  InvalidOptionError,
  UnknownOptionError,
  UnsupportedPoolError,
  accepts,
  checkOptions,
  createAuditor,
  lint,
  lintPools,
  nearMiss,
  unknownOptionRule,
} from '../src/index.js';

/** Runs `f`, which must throw, and returns what it threw. */
function thrown(f: () => unknown): Error & { code?: string; suggestion?: string } {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('bad options throw at once, naming the option, the accepted values and the near miss', () => {
  it.each([
    [
      () => lintPools({ failOn: 'eror' as never }),
      InvalidOptionError,
      'POOLAUDIT_INVALID_OPTION',
      'poolaudit: lintPools(): failOn must be one of "info", "warning", "error", false, got "eror"; did you mean "error"?',
    ],
    [
      () => lintPools({ probeServer: true } as never),
      UnknownOptionError,
      'POOLAUDIT_UNKNOWN_OPTION',
      'poolaudit: lintPools(): unknown option probeServer; did you mean probeServers? (known: rules, subjects, probeServers, probeTimeoutMs, failOn, log, auditor)',
    ],
    [
      () => lintPools({ probeTimeoutMs: -1 }),
      InvalidOptionError,
      'POOLAUDIT_INVALID_OPTION',
      'poolaudit: lintPools(): probeTimeoutMs must be a positive integer, got -1',
    ],
    [
      () => createAuditor().lint({ failOn: 'warn' as never }),
      InvalidOptionError,
      'POOLAUDIT_INVALID_OPTION',
      'poolaudit: auditor.lint(): failOn must be one of "info", "warning", "error", false, got "warn"; did you mean "warning"?',
    ],
    [
      () => createAuditor({ leakDetectionThreshold: 5 } as never),
      UnknownOptionError,
      'POOLAUDIT_UNKNOWN_OPTION',
      'poolaudit: createAuditor(): unknown option leakDetectionThreshold; did you mean leakDetectionThresholdMs?',
    ],
    [
      () => createAuditor({ detectors: { 'max-idle-chrun': { minEvents: 3 } } }),
      UnknownOptionError,
      'POOLAUDIT_UNKNOWN_OPTION',
      'poolaudit: createAuditor(): unknown option detectors.max-idle-chrun; did you mean detectors.max-idle-churn?',
    ],
    [
      () => createAuditor().start({ intervalMS: 10 } as never),
      UnknownOptionError,
      'POOLAUDIT_UNKNOWN_OPTION',
      'poolaudit: auditor.start(): unknown option intervalMS; did you mean intervalMs? (known: intervalMs, log)',
    ],
  ])('%#: %s', (call, type, code, message) => {
    const err = thrown(call);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe(code);
    expect(err.message.startsWith(message)).toBe(true);
  });

  it('throws before the promise: a startup gate with a typo cannot be skipped by an unawaited call', () => {
    expect(() => lintPools({ failOn: 'eror' as never })).toThrow(TypeError);
  });

  it('accepts what is documented', async () => {
    const auditor = createAuditor({
      leakDetectionThresholdMs: 5,
      detectors: { 'max-idle-churn': { minEvents: 3 } },
    });
    await expect(
      lintPools({ auditor, failOn: false, probeServers: false, probeTimeoutMs: 10 }),
    ).resolves.toEqual([]);
    await expect(auditor.lint({ failOn: 'error' })).resolves.toEqual([]);
  });

  it('checkOptions names the function, and takes nested paths', () => {
    const checks = { name: accepts.nonEmptyString, mode: accepts.oneOf('fast', 'safe') };
    expect(() => checkOptions('auditThing()', { nmae: 'x' }, checks)).toThrow(
      'poolaudit: auditThing(): unknown option nmae; did you mean name? (known: name, mode)',
    );
    expect(() => checkOptions('auditThing()', { mode: 'sfae' }, checks)).toThrow(
      'poolaudit: auditThing(): mode must be one of "fast", "safe", got "sfae"; did you mean "safe"?',
    );
    expect(() => checkOptions('auditThing()', { zzz: 1 }, checks)).toThrow(
      'poolaudit: auditThing(): unknown option zzz (known: name, mode)',
    );
    expect(() => checkOptions('auditThing()', { nmae: 1 }, checks, 'inner')).toThrow(
      'unknown option inner.nmae; did you mean inner.name?',
    );
    expect(checkOptions('auditThing()', undefined, checks)).toEqual({});
    expect(checkOptions('auditThing()', { name: 'a', mode: 'fast' }, checks)).toEqual({
      name: 'a',
      mode: 'fast',
    });
  });
});

describe('nearMiss', () => {
  it.each([
    ['maxIdel', ['connectionLimit', 'maxIdle', 'idleTimeout'], 'maxIdle'],
    ['nmae', ['name', 'auditor'], 'name'],
    ['nam', ['name', 'auditor'], 'name'],
    ['NAME', ['name'], 'name'],
    ['probeServer', ['probeServers', 'probeTimeoutMs'], 'probeServers'],
    ['leakDetectionThreshold', ['leakDetectionThresholdMs', 'logger'], 'leakDetectionThresholdMs'],
    ['mysq2', ['mysql2', 'ioredis', 'undici'], 'mysql2'],
    ['x', ['name', 'auditor'], undefined],
    ['timeout', ['name', 'auditor'], undefined],
  ])('%s among %p is %p', (word, candidates, expected) => {
    expect(nearMiss(word, candidates)).toBe(expected);
  });
});

describe('a pool handed to the wrong adapter', () => {
  it.each([
    [
      { addRequest() {}, freeSockets: {}, sockets: {}, requests: {} },
      "got Node's http.Agent: audit it with @poolaudit/http",
    ],
    [
      { getConnection() {}, config: { connectionConfig: {} } },
      'got a mysql2 Pool: audit it with auditPool() from @poolaudit/mysql2',
    ],
    [
      { sendCommand() {}, status: 'ready', options: {} },
      'got an ioredis client: audit it with auditRedis() from @poolaudit/ioredis',
    ],
  ])('names the library it looks like and its adapter', (value, message) => {
    const err = new UnsupportedPoolError('@poolaudit/generic-pool', 'a generic-pool 3.x Pool', value);
    expect(err.message).toBe(
      `poolaudit: @poolaudit/generic-pool expects a generic-pool 3.x Pool, ${message}`,
    );
    expect(err.code).toBe('POOLAUDIT_UNSUPPORTED_POOL');
  });

  it('falls back to the type for anything else', () => {
    const err = new UnsupportedPoolError('@poolaudit/mysql2', 'a mysql2 Pool', new Map());
    expect(err.message).toBe('poolaudit: @poolaudit/mysql2 expects a mysql2 Pool, got an instance of Map');
  });
});

describe('unknownOptionRule', () => {
  const rule = unknownOptionRule('testdb', { maxIdle: ['number'], connectionLimit: ['number'] }, [
    'dispatcher',
  ]);
  const subject = (options: Record<string, unknown>) => ({ kind: 'testdb', name: 'db', options, facts: {} });

  it('names the typo, what it most likely meant, and never the value', () => {
    const [finding, ...rest] = lint(
      [subject({ maxIdel: 10, connectionLimit: 5, pasword: 'hunter2' })],
      [rule],
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'testdb/unknown-option',
      severity: 'warning',
      pool: 'db',
      evidence: { unknownOptions: 'maxIdel, pasword', suggestions: 'maxIdle' },
    });
    expect(finding?.message).toBe(
      'maxIdel (did you mean maxIdle?), pasword are not options of testdb: testdb ignores them, so maxIdle stays at its default.',
    );
    expect(finding?.advice).toBe('Rename maxIdel to maxIdle.');
    expect(JSON.stringify(finding)).not.toContain('hunter2');
  });

  it('is silent on known options and on the keys the adapter adds', () => {
    expect(lint([subject({ maxIdle: 10, dispatcher: 'Pool' })], [rule])).toEqual([]);
  });
});
