import { Agent } from 'node:http';
import { UnsupportedPoolError, lint } from '@poolaudit/core';
import type { LintSubject } from '@poolaudit/core';
import { auditClient, grpcLintRules, grpcOptionSchema, readGrpcConfig } from '@poolaudit/grpc';

const subject = (kind: string, options: Record<string, unknown>, facts = {}): LintSubject => ({
  kind,
  name: 'svc',
  options,
  facts,
});
const ids = (s: LintSubject): string[] =>
  grpcLintRules.filter((r) => r.kind === s.kind && r.check(s)).map((r) => r.id);

describe('grpc lint rules', () => {
  it('flags keepalive pings more frequent than servers allow', () => {
    expect(ids(subject('grpc', { 'grpc.keepalive_time_ms': 5000 }))).toEqual(['grpc/keepalive-too-frequent']);
    expect(ids(subject('grpc', { 'grpc.keepalive_time_ms': 30_000 }))).toEqual([]);
    // Without calls the floor is the servers' 5 min.
    expect(
      ids(subject('grpc', { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_permit_without_calls': 1 })),
    ).toEqual(['grpc/keepalive-too-frequent']);
    // A declared server minimum wins.
    expect(
      ids(subject('grpc', { 'grpc.keepalive_time_ms': 30_000 }, { serverMinPingIntervalMs: 60_000 })),
    ).toEqual(['grpc/keepalive-too-frequent']);
    const violation = grpcLintRules[0]!.check(subject('grpc', { 'grpc.keepalive_time_ms': 5000 }))!;
    expect(violation.fix).toContain('grpc.keepalive_time_ms to at least 10000');
  });

  it('flags a local subchannel pool and a short client idle timeout', () => {
    expect(ids(subject('grpc', { 'grpc.use_local_subchannel_pool': 1 }))).toEqual([
      'grpc/local-subchannel-pool',
    ]);
    expect(ids(subject('grpc', { 'grpc.client_idle_timeout_ms': 2000 }))).toEqual([
      'grpc/short-client-idle-timeout',
    ]);
    expect(ids(subject('grpc', { 'grpc.client_idle_timeout_ms': 600_000 }))).toEqual([]);
  });

  it('flags a server max connection age without grace, and one of seconds', () => {
    expect(ids(subject('grpc-server', { 'grpc.max_connection_age_ms': 5000 }))).toEqual([
      'grpc-server/max-connection-age-without-grace',
      'grpc-server/short-max-connection-age',
    ]);
    expect(
      ids(
        subject('grpc-server', {
          'grpc.max_connection_age_ms': 300_000,
          'grpc.max_connection_age_grace_ms': 30_000,
        }),
      ),
    ).toEqual([]);
  });

  it('runs through core lint with every rule id stable', () => {
    const result = lint([subject('grpc', { 'grpc.keepalive_time_ms': 1000 })], grpcLintRules);
    expect(result.map((f) => f.code)).toEqual(['grpc/keepalive-too-frequent']);
  });

  it('knows the channel options grpc-js recognises', () => {
    expect(grpcOptionSchema['grpc.keepalive_time_ms']).toEqual(['number']);
    expect(grpcOptionSchema['grpc.keepalive_time']).toBeUndefined();
  });
});

describe('readGrpcConfig', () => {
  it('reads the idle timeout (default 30 min, floor 1 s) and keepalive', () => {
    expect(readGrpcConfig({}).config).toMatchObject({
      idleTimeoutMs: 1_800_000,
      keepAlive: false,
      maxOpen: null,
    });
    expect(readGrpcConfig({ 'grpc.client_idle_timeout_ms': 10 }).config.idleTimeoutMs).toBe(1000);
    expect(readGrpcConfig({ 'grpc.keepalive_time_ms': 60_000 }).config.keepAlive).toBe(true);
    expect(readGrpcConfig({}).settings.idleTimeoutMs).toBe('grpc.client_idle_timeout_ms');
  });
});

describe('auditClient input', () => {
  it('rejects what is not a grpc-js client or channel, naming what it got', () => {
    expect(() => auditClient({} as never)).toThrow(UnsupportedPoolError);
    expect(() => auditClient(new Agent() as never)).toThrow(/@poolaudit\/grpc/);
  });
});
