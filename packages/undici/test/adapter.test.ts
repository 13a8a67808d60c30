import http from 'node:http';
import { InvalidOptionError, UnsupportedPoolError, createAuditor } from '@poolaudit/core';
import { Agent, BalancedPool, Client, Pool } from 'undici';
import { classifyClose } from '../src/internal/close-reason.js';
import type { ClosedConnectionFacts, DispatcherFacts } from '../src/internal/close-reason.js';
import { instanceOptions } from '../src/internal/dispatcher-shape.js';
import { readResponseHeaders } from '../src/internal/response-headers.js';
import { auditDispatcher, auditGlobalDispatcher, detachDispatcher, readUndiciConfig } from '../src/index.js';
import type { DispatcherLike } from '../src/index.js';

describe('readUndiciConfig', () => {
  it("maps undici's defaults", () => {
    const { config, settings, keepAlive } = readUndiciConfig({});
    expect(config).toMatchObject({
      maxOpen: null,
      idleTimeoutMs: 4000,
      maxLifetimeMs: null,
      keepAlive: true,
    });
    expect(settings.idleTimeoutMs).toBe('keepAliveTimeout');
    expect(keepAlive).toEqual({
      timeoutMs: 4000,
      maxTimeoutMs: 600000,
      thresholdMs: 2000,
      pipelining: 1,
      maxRequestsPerClient: null,
    });
  });

  it('maps the options users write', () => {
    const { config, keepAlive } = readUndiciConfig(
      { connections: 8, keepAliveTimeout: 500, clientTtl: 60000, pipelining: 0, maxRequestsPerClient: 100 },
      'Pool',
    );
    expect(config).toMatchObject({ maxOpen: 8, idleTimeoutMs: 0, maxLifetimeMs: 60000, keepAlive: false });
    expect(keepAlive.maxRequestsPerClient).toBe(100);
    expect(readUndiciConfig({ connections: 8 }, 'Client').config.maxOpen).toBe(1);
  });
});

describe('options read from a live dispatcher', () => {
  it('finds what undici stored for each kind', async () => {
    const client = new Client('http://127.0.0.1:9', { keepAliveTimeout: 500, pipelining: 2 });
    const pool = new Pool('http://127.0.0.1:9', { connections: 3, keepAliveTimeout: 700 });
    const agent = new Agent({ connections: 5, keepAliveTimeoutThreshold: 100 });
    expect(instanceOptions(client, 'Client')).toMatchObject({ keepAliveTimeout: 500, pipelining: 2 });
    expect(instanceOptions(pool, 'Pool')).toMatchObject({ connections: 3 });
    expect(instanceOptions(agent, 'Agent')).toMatchObject({ connections: 5, keepAliveTimeoutThreshold: 100 });
    await Promise.all([client.close(), pool.close(), agent.close()]);
  });
});

describe('response headers', () => {
  it('reads Connection: close and the Keep-Alive hint from raw headers, in any case', () => {
    const out = { connectionClose: false, keepAliveHintMs: -1 };
    readResponseHeaders(
      [Buffer.from('Content-Length'), Buffer.from('2'), Buffer.from('Keep-Alive'), Buffer.from('timeout=1')],
      out,
    );
    expect(out).toEqual({ connectionClose: false, keepAliveHintMs: 1000 });
    readResponseHeaders(['connection', 'Close'], out);
    expect(out).toEqual({ connectionClose: true, keepAliveHintMs: -1 });
    readResponseHeaders(undefined, out);
    expect(out).toEqual({ connectionClose: false, keepAliveHintMs: -1 });
  });
});

describe('why undici closed a connection', () => {
  const conn = (over: Partial<ClosedConnectionFacts>): ClosedConnectionFacts => ({
    lastError: undefined,
    connectionClose: false,
    hintReset: false,
    head: false,
    requests: 1,
    ...over,
  });
  const facts: DispatcherFacts = {
    keepAliveDisabled: false,
    maxRequestsPerClient: null,
    clientTtl: false,
    shuttingDown: false,
  };
  const reset = { code: 'UND_ERR_INFO', message: 'reset' };

  it.each([
    [
      conn({ lastError: { code: 'UND_ERR_INFO', message: 'socket idle timeout' } }),
      facts,
      'idleTimeout',
      'keep-alive-timeout',
    ],
    [conn({ lastError: reset, connectionClose: true }), facts, 'remote', 'connection-close'],
    [conn({ lastError: reset, hintReset: true }), facts, 'idleTimeout', 'keep-alive-hint'],
    [
      conn({ lastError: reset, requests: 5 }),
      { ...facts, maxRequestsPerClient: 5 },
      'maxLifetime',
      'max-requests',
    ],
    [
      conn({ lastError: reset, connectionClose: true }),
      { ...facts, keepAliveDisabled: true },
      'remote',
      'keep-alive-disabled',
    ],
    [conn({ lastError: reset, head: true }), facts, 'other', 'head-request'],
    [
      conn({ lastError: { code: 'UND_ERR_SOCKET', message: 'other side closed' } }),
      facts,
      'remote',
      'server-hang-up',
    ],
    [
      conn({ lastError: { code: 'UND_ERR_SOCKET', message: 'HTTP/2: "GOAWAY" frame received with code 0' } }),
      facts,
      'remote',
      'goaway',
    ],
    [
      conn({
        lastError: { code: 'UND_ERR_SOCKET', message: 'HTTP/2: "GOAWAY" frame received with code 11' },
      }),
      facts,
      'remote',
      'goaway-11',
    ],
    [
      conn({ lastError: { code: 'ECONNRESET', message: 'read ECONNRESET' } }),
      facts,
      'remote',
      'server-reset',
    ],
    [
      conn({ lastError: { code: 'UND_ERR_DESTROYED', message: 'destroyed' } }),
      { ...facts, shuttingDown: true },
      'shutdown',
      undefined,
    ],
    [
      conn({ lastError: { code: 'UND_ERR_CLOSED', message: 'closed' } }),
      { ...facts, clientTtl: true },
      'maxLifetime',
      'client-ttl',
    ],
    [
      conn({ lastError: { code: 'UND_ERR_BODY_TIMEOUT', message: 'timeout' } }),
      facts,
      'error',
      'body-timeout',
    ],
    [conn({}), facts, undefined, undefined],
  ])('%# → %s', (c, f, reason, detail) => {
    expect(classifyClose(c, f)).toEqual({ reason, detail });
  });
});

describe('auditDispatcher arguments', () => {
  it('rejects objects that are not undici dispatchers', () => {
    expect(() => auditDispatcher({} as unknown as DispatcherLike)).toThrow(UnsupportedPoolError);
    expect(() => auditDispatcher(null as unknown as DispatcherLike)).toThrow(/expects an undici Client/);
  });

  it('rejects bad options, naming them', async () => {
    const agent = new Agent();
    expect(() => auditDispatcher(agent, { name: '' })).toThrow(InvalidOptionError);
    expect(() => auditDispatcher(agent, { name: 3 as unknown as string })).toThrow(
      /name must be a non-empty string, got 3/,
    );
    expect(() => auditDispatcher(agent, { auditor: {} as never })).toThrow(/auditor must be/);
    expect(() => auditDispatcher(agent, 'x' as never)).toThrow(/options must be an object/);
    expect(() => auditDispatcher(agent, { nmae: 'x' } as never)).toThrow(
      'poolaudit: auditDispatcher(): unknown option nmae; did you mean name? (known: name, auditor)',
    );
    expect(() => auditGlobalDispatcher({ nam: 1 } as never)).toThrow(
      expect.objectContaining({
        code: 'POOLAUDIT_UNKNOWN_OPTION',
        message:
          'poolaudit: auditGlobalDispatcher(): unknown option nam; did you mean name? (known: name, auditor)',
      }),
    );
    await agent.close();
  });

  it("says that Node's http.Agent is not undici's, and which package audits it", () => {
    const agent = new http.Agent({ keepAlive: true });
    expect(() => auditDispatcher(agent as unknown as DispatcherLike)).toThrow(
      "poolaudit: @poolaudit/undici expects an undici Client, Pool, BalancedPool or Agent, got Node's http.Agent: audit it with @poolaudit/http",
    );
    agent.destroy();
  });

  it('audits once: a second call returns the dispatcher, renames its pools and warns once of what it ignores', async () => {
    const auditor = createAuditor();
    const agent = new Agent();
    expect(auditDispatcher(agent, { auditor, name: 'api' })).toBe(agent);
    const listeners = agent.listenerCount('connect');
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      expect(auditDispatcher(agent, { auditor, name: 'payments' })).toBe(agent);
      expect(auditDispatcher(agent, { auditor: createAuditor() })).toBe(agent);
      expect(agent.listenerCount('connect')).toBe(listeners);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain(
        'auditDispatcher() was called again for the pool "payments"',
      );
    } finally {
      warn.mockRestore();
    }
    detachDispatcher(agent);
    await agent.close();
  });

  it('accepts every dispatcher kind and returns the same object', async () => {
    const auditor = createAuditor();
    const all = [
      new Client('http://127.0.0.1:9'),
      new Pool('http://127.0.0.1:9'),
      new BalancedPool(['http://127.0.0.1:9']),
      new Agent(),
    ];
    for (const d of all) {
      expect(auditDispatcher(d, { auditor })).toBe(d);
      expect(detachDispatcher(d)).toBe(true);
    }
    await Promise.all(all.map((d) => d.close()));
  });
});
