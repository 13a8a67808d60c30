import { createAuditor, lint, lintPools, LintFailedError } from '../src/index.js';
import type { LintRule } from '../src/index.js';

const idleBelowLimit: LintRule = {
  id: 'test/max-idle-below-limit',
  kind: 'testdb',
  severity: 'warning',
  description: 'maxIdle below the limit churns connections',
  check: ({ options }) => {
    const limit = Number(options['limit'] ?? 10);
    const maxIdle = Number(options['maxIdle'] ?? limit);
    if (maxIdle >= limit) return undefined;
    return {
      message: `maxIdle ${maxIdle} < limit ${limit}`,
      evidence: { maxIdle, limit },
      fix: `Set maxIdle to ${limit}.`,
    };
  },
};

const serverTimeout: LintRule = {
  id: 'test/server-timeout-shorter',
  kind: 'testdb',
  severity: 'error',
  description: 'server closes idle connections first',
  check: ({ options, facts }) => {
    const server = facts['serverIdleTimeoutMs'];
    const client = Number(options['idleTimeout'] ?? 60_000);
    if (typeof server !== 'number' || server > client) return undefined;
    return {
      message: `server ${server} ms ≤ client ${client} ms`,
      evidence: { server, client },
      fix: 'Lower idleTimeout.',
    };
  },
};

describe('lint()', () => {
  it('runs each rule on subjects of its kind, most severe first, and maps fixes to advice', () => {
    const findings = lint(
      [
        {
          kind: 'testdb',
          name: 'a',
          options: { limit: 100, maxIdle: 10 },
          facts: { serverIdleTimeoutMs: 1000 },
        },
        { kind: 'testdb', name: 'b', options: { limit: 10 }, facts: {} },
        { kind: 'other', name: 'c', options: { limit: 100, maxIdle: 1 }, facts: {} },
      ],
      [idleBelowLimit, serverTimeout],
    );
    expect(findings.map((f) => `${f.severity} ${f.code} ${f.pool}`)).toEqual([
      'error test/server-timeout-shorter a',
      'warning test/max-idle-below-limit a',
    ]);
    expect(findings[1]!.advice).toBe('Set maxIdle to 100.');
  });

  it('reports a rule that throws and goes on', () => {
    const broken: LintRule = {
      ...idleBelowLimit,
      id: 'test/broken',
      check: () => {
        throw new Error('rule bug');
      },
    };
    const failures: string[] = [];
    const findings = lint(
      [{ kind: 'testdb', name: 'a', options: { limit: 2, maxIdle: 1 }, facts: {} }],
      [broken, idleBelowLimit],
      (rule) => failures.push(rule.id),
    );
    expect(failures).toEqual(['test/broken']);
    expect(findings.map((f) => f.code)).toEqual(['test/max-idle-below-limit']);
  });
});

describe('lintPools()', () => {
  it('lints every audited pool with the rules its adapter registered, and probes servers when asked', async () => {
    const auditor = createAuditor();
    auditor.register({
      name: 'orders',
      kind: 'testdb',
      config: {},
      rawConfig: { limit: 100, maxIdle: 10, idleTimeout: 60_000, password: 'hunter2' },
      lintRules: [idleBelowLimit, serverTimeout],
      probeServer: () => Promise.resolve({ serverIdleTimeoutMs: 28_800_000 }),
    });
    auditor.register({
      name: 'sessions',
      kind: 'testdb',
      config: {},
      rawConfig: { limit: 10, idleTimeout: 60_000 },
      lintRules: [idleBelowLimit, serverTimeout],
      probeServer: () => Promise.resolve({ serverIdleTimeoutMs: 5_000 }),
    });
    const without = await lintPools({ auditor });
    expect(without.map((f) => `${f.code} ${f.pool}`)).toEqual(['test/max-idle-below-limit orders']);
    const probed = await lintPools({ auditor, probeServers: true });
    expect(probed.map((f) => `${f.code} ${f.pool}`)).toEqual([
      'test/server-timeout-shorter sessions',
      'test/max-idle-below-limit orders',
    ]);
    expect(JSON.stringify(probed)).not.toContain('hunter2');
    expect(auditor.snapshot().pools[1]!.annotations['serverIdleTimeoutMs']).toBe(5000);
  });

  it('logs the warnings and errors it found when given log, before failOn throws', async () => {
    const auditor = createAuditor();
    auditor.register({
      name: 'orders',
      kind: 'testdb',
      config: {},
      rawConfig: { limit: 100, maxIdle: 10, password: 'hunter2' },
      lintRules: [idleBelowLimit],
    });
    auditor.register({
      name: 'quiet',
      kind: 'testdb',
      config: {},
      probeServer: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    const lines: string[] = [];
    const findings = await lintPools({ auditor, probeServers: true, log: (line) => lines.push(line) });
    // The probe failure is an info finding: returned, not logged.
    expect(findings.map((f) => f.severity)).toEqual(['warning', 'info']);
    expect(lines).toEqual([
      'poolaudit: [warning] test/max-idle-below-limit (orders): maxIdle 10 < limit 100 → Set maxIdle to 100.',
    ]);
    const failing: string[] = [];
    await expect(
      lintPools({ auditor, failOn: 'warning', log: (line) => failing.push(line) }),
    ).rejects.toBeInstanceOf(LintFailedError);
    expect(failing).toEqual(lines);
    expect(lines.join('')).not.toContain('hunter2');
    expect(await lintPools({ auditor, log: false })).toHaveLength(1);
  });

  it('turns a failing or hanging probe into an info finding', async () => {
    const auditor = createAuditor();
    auditor.register({
      name: 'a',
      kind: 'testdb',
      config: {},
      probeServer: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    auditor.register({
      name: 'b',
      kind: 'testdb',
      config: {},
      probeServer: () => new Promise(() => undefined),
    });
    const findings = await auditor.lint({ probeServers: true, probeTimeoutMs: 50 });
    expect(findings.map((f) => `${f.code} ${f.pool} ${String(f.evidence['reason'])}`)).toEqual([
      'poolaudit/server-probe-failed a ECONNREFUSED',
      'poolaudit/server-probe-failed b no answer within 50 ms',
    ]);
  });

  it('fails fast with every finding when one reaches failOn, and not below it', async () => {
    const auditor = createAuditor();
    auditor.register({
      name: 'orders',
      kind: 'testdb',
      config: {},
      rawConfig: { limit: 100, maxIdle: 10 },
      lintRules: [idleBelowLimit],
    });
    await expect(auditor.lint({ failOn: 'error' })).resolves.toHaveLength(1);
    const failure = await auditor.lint({ failOn: 'warning' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(LintFailedError);
    expect((failure as LintFailedError).code).toBe('POOLAUDIT_LINT_FAILED');
    expect((failure as LintFailedError).message).toContain(
      'test/max-idle-below-limit (orders): maxIdle 10 < limit 100',
    );
  });

  it('takes extra subjects and rules, such as the host', async () => {
    const hostRule: LintRule = {
      id: 'test/host-rule',
      kind: 'host',
      severity: 'warning',
      description: 'x',
      check: ({ options }) =>
        options['tcp_tw_recycle'] === undefined
          ? undefined
          : { message: 'present', evidence: {}, fix: 'remove it' },
    };
    const findings = await createAuditor().lint({
      rules: [hostRule],
      subjects: [{ kind: 'host', name: 'host', options: { tcp_tw_recycle: 1 }, facts: {} }],
    });
    expect(findings.map((f) => f.code)).toEqual(['test/host-rule']);
  });
});
