import { lint } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import { undiciLintRules } from '../src/index.js';

function codes(kind: string, options: Record<string, unknown>, facts: LintSubject['facts'] = {}): string[] {
  return lint([{ kind, name: 'api', options, facts }], undiciLintRules).map((f) => f.code);
}

describe('undici lint rules', () => {
  it('keep-alive-disabled fires on pipelining 0 only', () => {
    expect(codes('undici', { connections: 10, pipelining: 0 })).toEqual(['undici/keep-alive-disabled']);
    expect(codes('undici', { connections: 10, pipelining: 1 })).toEqual([]);
  });

  it('unbounded-connections fires for a Pool or Agent without connections, never for a Client', () => {
    expect(codes('undici', {})).toEqual(['undici/unbounded-connections']);
    expect(codes('undici', { connections: null })).toEqual(['undici/unbounded-connections']);
    expect(codes('undici', { dispatcher: 'Client' })).toEqual([]);
    expect(codes('undici', { connections: 64 })).toEqual([]);
  });

  it('removed-option names the replacement of each removed option', () => {
    const findings = lint(
      [
        {
          kind: 'undici',
          name: 'api',
          options: { connections: 1, keepAlive: true, idleTimeout: 5 },
          facts: {},
        },
      ],
      undiciLintRules,
    );
    expect(findings.map((f) => f.code)).toEqual(['undici/removed-option']);
    expect(findings[0]!.advice).toBe(
      'keepAlive → pipelining: 0 (to disable keep-alive); idleTimeout → keepAliveTimeout',
    );
  });

  it('short-keep-alive-timeout fires at a second or less', () => {
    expect(codes('undici', { connections: 1, keepAliveTimeout: 500 })).toEqual([
      'undici/short-keep-alive-timeout',
    ]);
    expect(codes('undici', { connections: 1, keepAliveTimeout: 4000 })).toEqual([]);
  });

  it('server-keep-alive-shorter: a hint within the threshold is a warning, a server shorter than the client a note', () => {
    const short = lint(
      [
        {
          kind: 'undici',
          name: 'api',
          options: { connections: 1 },
          facts: { serverKeepAliveTimeoutMs: 1000 },
        },
      ],
      undiciLintRules,
    );
    expect(short.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning undici/server-keep-alive-shorter']);
    const shorter = lint(
      [
        {
          kind: 'undici',
          name: 'api',
          options: { connections: 1, keepAliveTimeout: 10_000 },
          facts: { serverKeepAliveTimeoutMs: 5000 },
        },
      ],
      undiciLintRules,
    );
    expect(shorter.map((f) => `${f.severity} ${f.code}`)).toEqual(['info undici/server-keep-alive-shorter']);
    expect(codes('undici', { connections: 1 }, { serverKeepAliveTimeoutMs: 65_000 })).toEqual([]);
  });
});
