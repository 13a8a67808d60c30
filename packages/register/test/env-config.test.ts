import { applicationEnv, readEnvConfig } from '../src/env-config';

describe('readEnvConfig', () => {
  it('has documented defaults when nothing is set', () => {
    const { config, problems } = readEnvConfig({});
    expect(problems).toEqual([]);
    expect(config).toEqual({
      reportIntervalMs: 60_000,
      log: 'stderr',
      prometheusPort: undefined,
      prometheusHost: '127.0.0.1',
      otel: false,
      processSockets: false,
      leakMs: 0,
      disabled: new Set(),
      runSocket: undefined,
    });
  });

  it('reads every variable', () => {
    const { config, problems } = readEnvConfig({
      POOLAUDIT_REPORT_INTERVAL: '2s',
      POOLAUDIT_LOG: 'JSON',
      POOLAUDIT_PROMETHEUS_PORT: '9464',
      POOLAUDIT_PROMETHEUS_HOST: '0.0.0.0',
      POOLAUDIT_OTEL: '1',
      POOLAUDIT_PROCESS_SOCKETS: 'on',
      POOLAUDIT_LEAK_MS: '30000',
      POOLAUDIT_DISABLE: 'mysql2, fetch',
    });
    expect(problems).toEqual([]);
    expect(config.reportIntervalMs).toBe(2000);
    expect(config.log).toBe('json');
    expect(config.prometheusPort).toBe(9464);
    expect(config.prometheusHost).toBe('0.0.0.0');
    expect(config.otel).toBe(true);
    expect(config.processSockets).toBe(true);
    expect(config.leakMs).toBe(30_000);
    expect([...config.disabled]).toEqual(['mysql2', 'fetch']);
    expect(readEnvConfig({ POOLAUDIT_REPORT_INTERVAL: '0' }).config.reportIntervalMs).toBe(0);
    expect(readEnvConfig({ POOLAUDIT_REPORT_INTERVAL: '1500' }).config.reportIntervalMs).toBe(1500);
    for (const all of ['all', '1', 'true', '*']) {
      expect(readEnvConfig({ POOLAUDIT_DISABLE: all }).config.disabled.size).toBeGreaterThan(5);
    }
    expect(readEnvConfig({ POOLAUDIT_DISABLE: '0' }).config.disabled.size).toBe(0);
    expect([...readEnvConfig({ POOLAUDIT_DISABLE: 'ioredis undici' }).config.disabled]).toEqual([
      'ioredis',
      'undici',
    ]);
  });

  it('turns each bad value into one problem naming variable, value and expectation, keeping the default', () => {
    const { config, problems } = readEnvConfig({
      POOLAUDIT_REPORT_INTERVAL: '10',
      POOLAUDIT_LOG: 'stdrr',
      POOLAUDIT_PROMETHEUS_PORT: '70000',
      POOLAUDIT_OTEL: 'maybe',
      POOLAUDIT_LEAK_MS: '-5',
      POOLAUDIT_DISABLE: 'mysql, ioredis',
    });
    expect(config.reportIntervalMs).toBe(60_000);
    expect(config.log).toBe('stderr');
    expect(config.prometheusPort).toBeUndefined();
    expect(config.otel).toBe(false);
    expect(config.leakMs).toBe(0);
    expect([...config.disabled]).toEqual(['ioredis']);
    const text = problems.map((p) => p.message);
    expect(text).toEqual([
      expect.stringMatching(
        /^POOLAUDIT_REPORT_INTERVAL must be .*, got "10" \(a bare number is milliseconds: did you mean 10s\?\)$/,
      ),
      expect.stringMatching(
        /^POOLAUDIT_LOG must be one of stderr, json, off, got "stdrr" \(did you mean stderr\?\)$/,
      ),
      expect.stringMatching(/^POOLAUDIT_PROMETHEUS_PORT must be a TCP port.*got "70000"/),
      expect.stringMatching(/^POOLAUDIT_OTEL must be 1 or 0.*got "maybe"/),
      expect.stringMatching(/^POOLAUDIT_LEAK_MS must be a whole number.*got "-5"/),
      expect.stringMatching(/^POOLAUDIT_DISABLE must be .*, got "mysql" \(did you mean mysql2\?\)$/),
    ]);
  });

  it('reports unknown POOLAUDIT_* variables with the nearest known one, and ignores other variables', () => {
    const { problems } = readEnvConfig({
      POOLAUDIT_PROMETHEUS_POST: '1',
      POOLAUDIT_COLOUR: 'red',
      PATH: '/bin',
    });
    expect(problems.map((p) => p.message)).toEqual([
      'POOLAUDIT_PROMETHEUS_POST is not a poolaudit setting (did you mean POOLAUDIT_PROMETHEUS_PORT?); it is ignored',
      'POOLAUDIT_COLOUR is not a poolaudit setting; it is ignored',
    ]);
  });
});

describe('applicationEnv', () => {
  it("reads a PM2 cluster instance's variables from pm2_env, over the process's own", () => {
    const pm2Env = JSON.stringify({
      POOLAUDIT_REPORT_INTERVAL: '1s',
      NODE_APP_INSTANCE: 1,
      env: { nested: true },
      pm_id: 3,
    });
    const env = applicationEnv({ POOLAUDIT_REPORT_INTERVAL: '5s', PATH: '/bin', pm2_env: pm2Env });
    expect(env).toMatchObject({
      POOLAUDIT_REPORT_INTERVAL: '1s',
      NODE_APP_INSTANCE: '1',
      PATH: '/bin',
      pm_id: '3',
    });
    expect(env['env']).toBeUndefined();
    expect(readEnvConfig(env).config.reportIntervalMs).toBe(1000);
  });

  it('leaves the environment as it is without pm2_env, or with one that is not a JSON object', () => {
    const plain = { PATH: '/bin' };
    expect(applicationEnv(plain)).toBe(plain);
    for (const pm2Env of ['not json', '[1]', '"x"', 'null']) {
      const env = { PATH: '/bin', pm2_env: pm2Env };
      expect(applicationEnv(env)).toBe(env);
    }
  });
});
