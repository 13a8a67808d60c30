import { lint } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import { httpAgentLintRules, readHttpAgentConfig } from '../src/index.js';

function codes(options: Record<string, unknown>, facts: LintSubject['facts'] = {}): string[] {
  return lint([{ kind: 'http-agent', name: 'api', options, facts }], httpAgentLintRules).map((f) => f.code);
}

describe('http-agent lint rules', () => {
  it('keep-alive off, and keepAliveMsecs mistaken for an idle timeout', () => {
    expect(codes({})).toEqual(['http-agent/keep-alive-off']);
    expect(codes({ keepAlive: true, timeout: 4000, maxSockets: 50 })).toEqual([]);
    expect(codes({ keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 50 })).toEqual([
      'http-agent/keep-alive-msecs-is-not-idle-timeout',
      'http-agent/timeout-not-below-server-keep-alive',
    ]);
  });

  it("timeout against the server's keep-alive: must be below it, with the value to set", () => {
    const findings = lint(
      [
        {
          kind: 'http-agent',
          name: 'api',
          options: { keepAlive: true, timeout: 5000, maxSockets: 50 },
          facts: { serverKeepAliveTimeoutMs: 5000 },
        },
      ],
      httpAgentLintRules,
    );
    expect(findings.map((f) => `${f.severity} ${f.code}`)).toEqual([
      'warning http-agent/timeout-not-below-server-keep-alive',
    ]);
    expect(findings[0]?.advice).toContain('timeout: 4000');
    expect(codes({ keepAlive: true, timeout: 800, maxSockets: 50 }, { serverIdleTimeoutMs: 1000 })).toEqual(
      [],
    );
    // Without anything known about the server, an unset timeout is worth a note only.
    const note = lint(
      [{ kind: 'http-agent', name: 'api', options: { keepAlive: true, maxSockets: 5 }, facts: {} }],
      httpAgentLintRules,
    );
    expect(note.map((f) => f.severity)).toEqual(['info']);
  });

  it('maxFreeSockets below the concurrency seen or expected, and unbounded maxSockets', () => {
    const base = { keepAlive: true, timeout: 4000, maxSockets: 100 };
    expect(codes({ ...base, maxFreeSockets: 10 }, { expectedConcurrency: 50 })).toEqual([
      'http-agent/max-free-sockets-below-concurrency',
    ]);
    expect(codes({ ...base, maxFreeSockets: 64 }, { expectedConcurrency: 50 })).toEqual([]);
    expect(codes({ keepAlive: true, timeout: 4000 })).toEqual(['http-agent/unbounded-sockets']);
  });
});

describe('readHttpAgentConfig', () => {
  it("normalizes Node's defaults: new Agent() keeps nothing, unlimited sockets", () => {
    expect(readHttpAgentConfig({}).config).toEqual({
      maxOpen: null,
      maxIdle: 0,
      idleTimeoutMs: 0,
      maxLifetimeMs: null,
      queueLimit: null,
      acquireTimeoutMs: null,
      keepAlive: false,
    });
  });

  it('a keep-alive agent: maxFreeSockets is the idle cap, timeout the idle timeout', () => {
    const parsed = readHttpAgentConfig({
      keepAlive: true,
      maxSockets: 50,
      maxFreeSockets: 10,
      timeout: 4000,
    });
    expect(parsed.config).toMatchObject({ maxOpen: 50, maxIdle: 10, idleTimeoutMs: 4000, keepAlive: true });
    expect(parsed.settings).toMatchObject({ maxIdle: 'maxFreeSockets', idleTimeoutMs: 'timeout' });
    expect(readHttpAgentConfig({ keepAlive: true }).config).toMatchObject({
      maxIdle: 256,
      idleTimeoutMs: null,
    });
    expect(
      readHttpAgentConfig({ keepAlive: true, agentKeepAliveTimeoutBuffer: 250 }).keepAlive.hintBufferMs,
    ).toBe(250);
  });
});
