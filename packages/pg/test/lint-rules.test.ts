import { lint } from '@poolaudit/core';
import type { Finding, LintSubject } from '@poolaudit/core';
import { pgLintRules } from '../src/index.js';

function findings(options: Record<string, unknown>, facts: LintSubject['facts'] = {}): Finding[] {
  return lint([{ kind: 'pg', name: 'db', options, facts }], pgLintRules);
}
function codes(options: Record<string, unknown>, facts: LintSubject['facts'] = {}): string[] {
  return findings(options, facts).map((f) => f.code);
}
function find(code: string, options: Record<string, unknown>, facts: LintSubject['facts'] = {}) {
  return findings(options, facts).find((f) => f.code === code);
}

describe('pg lint rules', () => {
  it("max-connections-exceeded: max × instances against max_connections minus the superusers' reserve", () => {
    const id = 'pg/max-connections-exceeded';
    const over = find(
      id,
      { max: 200 },
      { serverMaxConnections: 100, serverReservedConnections: 3, instances: 4 },
    );
    expect(over?.severity).toBe('error');
    expect(over?.message).toContain('max=200 × 4 instance(s) = 800 connections, but the server takes 97');
    expect(over?.advice).toContain('max ≤ 24');
    expect(
      codes({ max: 24 }, { serverMaxConnections: 100, serverReservedConnections: 3, instances: 4 }),
    ).not.toContain(id);
    expect(
      codes({ max: 25 }, { serverMaxConnections: 100, serverReservedConnections: 3, instances: 4 }),
    ).toContain(id);
    // pg-pool's default max is 10; without a probe there is nothing to compare with.
    expect(codes({}, { serverMaxConnections: 9 })).toContain(id);
    expect(codes({ max: 1000 })).not.toContain(id);
  });

  it('server-idle-session-timeout-shorter: the server ends idle sessions before idleTimeoutMillis does', () => {
    const id = 'pg/server-idle-session-timeout-shorter';
    expect(codes({ idleTimeoutMillis: 30_000 }, { serverIdleTimeoutMs: 10_000 })).toContain(id);
    expect(find(id, { idleTimeoutMillis: 0 }, { serverIdleTimeoutMs: 10_000 })?.message).toContain('forever');
    // The default idleTimeoutMillis is 10 s: equal is not shorter than the server's, it still races.
    expect(codes({}, { serverIdleTimeoutMs: 10_000 })).toContain(id);
    expect(codes({ idleTimeoutMillis: 5000 }, { serverIdleTimeoutMs: 10_000 })).not.toContain(id);
    // idle_session_timeout 0 is the server's default: off.
    expect(codes({ idleTimeoutMillis: 0 }, { serverIdleTimeoutMs: 0 })).not.toContain(id);
  });

  it('idle-in-transaction-timeout is an info note only when the server sets one', () => {
    const id = 'pg/idle-in-transaction-timeout';
    expect(find(id, {}, { serverIdleInTransactionTimeoutMs: 60_000 })?.severity).toBe('info');
    expect(codes({}, { serverIdleInTransactionTimeoutMs: 0 })).not.toContain(id);
    expect(codes({})).not.toContain(id);
  });

  it('max-uses-churn: the acquire rate at which maxUses alone exhausts the ports, a warning when small', () => {
    const id = 'pg/max-uses-churn';
    const small = find(id, { maxUses: 50 });
    expect(small?.severity).toBe('warning');
    expect(small?.evidence['acquiresPerSecondAtPortLimit']).toBe(50 * 470);
    expect(find(id, { maxUses: 7500 })?.severity).toBe('info');
    expect(codes({ maxUses: Infinity })).not.toContain(id);
    expect(codes({})).not.toContain(id);
  });

  it('min-not-warm: min opens nothing ahead of demand, and min ≥ max disables the idle timer', () => {
    const id = 'pg/min-not-warm';
    expect(find(id, { min: 2, max: 10 })?.severity).toBe('info');
    expect(find(id, { min: 10, max: 10 })?.severity).toBe('warning');
    expect(codes({ min: 0 })).not.toContain(id);
  });

  it('no-connection-timeout fires on the default 0 only', () => {
    expect(codes({})).toContain('pg/no-connection-timeout');
    expect(codes({ connectionTimeoutMillis: 0 })).toContain('pg/no-connection-timeout');
    expect(codes({ connectionTimeoutMillis: 5000 })).not.toContain('pg/no-connection-timeout');
  });

  it('allow-exit-on-idle fires on true only', () => {
    expect(codes({ allowExitOnIdle: true })).toContain('pg/allow-exit-on-idle');
    expect(codes({ allowExitOnIdle: false })).not.toContain('pg/allow-exit-on-idle');
  });
});
