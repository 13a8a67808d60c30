import { lint } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import { mysql2LintRules } from '../src/index.js';

function codes(options: Record<string, unknown>, facts: LintSubject['facts'] = {}): string[] {
  return lint([{ kind: 'mysql2', name: 'db', options, facts }], mysql2LintRules).map((f) => f.code);
}

describe('mysql2 lint rules', () => {
  it('max-idle-below-limit fires when maxIdle < connectionLimit, and not when equal', () => {
    expect(codes({ connectionLimit: 100, maxIdle: 10 })).toContain('mysql2/max-idle-below-limit');
    expect(codes({ connectionLimit: 100, maxIdle: 100 })).not.toContain('mysql2/max-idle-below-limit');
    expect(codes({ connectionLimit: 100 })).not.toContain('mysql2/max-idle-below-limit');
  });

  it('idle-timeout-inert fires when idleTimeout is set but the reaper never starts', () => {
    expect(codes({ connectionLimit: 10, idleTimeout: 30_000 })).toContain('mysql2/idle-timeout-inert');
    expect(codes({ connectionLimit: 10, maxIdle: 5, idleTimeout: 30_000 })).not.toContain(
      'mysql2/idle-timeout-inert',
    );
    expect(codes({ connectionLimit: 10 })).not.toContain('mysql2/idle-timeout-inert');
  });

  it('unlimited-connections fires on connectionLimit 0 only', () => {
    expect(codes({ connectionLimit: 0 })).toContain('mysql2/unlimited-connections');
    expect(codes({ connectionLimit: 10 })).not.toContain('mysql2/unlimited-connections');
  });

  it('unbounded-queue fires on the default queueLimit 0, not with a bound or without waiting', () => {
    expect(codes({})).toContain('mysql2/unbounded-queue');
    expect(codes({ queueLimit: 100 })).not.toContain('mysql2/unbounded-queue');
    expect(codes({ waitForConnections: false })).not.toContain('mysql2/unbounded-queue');
  });

  it('server-wait-timeout-shorter compares the server timeout with the effective idle timeout', () => {
    const id = 'mysql2/server-wait-timeout-shorter';
    expect(
      codes({ connectionLimit: 10, maxIdle: 5, idleTimeout: 60_000 }, { serverIdleTimeoutMs: 30_000 }),
    ).toContain(id);
    expect(
      codes({ connectionLimit: 10, maxIdle: 5, idleTimeout: 20_000 }, { serverIdleTimeoutMs: 30_000 }),
    ).not.toContain(id);
    expect(codes({ connectionLimit: 10 }, { serverIdleTimeoutMs: 600_000 })).toContain(id);
    expect(codes({ connectionLimit: 10 }, { serverIdleTimeoutMs: 28_800_000 })).not.toContain(id);
    expect(codes({ connectionLimit: 10 })).not.toContain(id);
  });

  it('max-connections-exceeded compares connectionLimit × instances with max_connections', () => {
    const id = 'mysql2/max-connections-exceeded';
    expect(codes({ connectionLimit: 100 }, { serverMaxConnections: 151, instances: 2 })).toContain(id);
    expect(codes({ connectionLimit: 50 }, { serverMaxConnections: 151, instances: 3 })).not.toContain(id);
    expect(codes({ connectionLimit: 0 }, { serverMaxConnections: 151 })).toContain(id);
  });
});
