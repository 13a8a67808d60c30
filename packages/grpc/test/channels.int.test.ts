import * as grpc from '@grpc/grpc-js';
import { createAuditor } from '@poolaudit/core';
import { auditClient, detachClient, isAudited } from '@poolaudit/grpc';
import { freePort } from '../../../test/harness/free-port.js';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { EchoClient, dialedPorts, echo, startEchoServer } from './support/echo-server.js';
import type { EchoServer } from './support/echo-server.js';

const quiet = { info: () => undefined, warn: () => undefined };
let server: EchoServer;

beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.stop();
});

function poolOf(auditor: ReturnType<typeof createAuditor>, name: string) {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name}`);
  return pool;
}

describe('a shared client', () => {
  it('is one connection carrying every call', async () => {
    const auditor = createAuditor({ logger: quiet });
    const client = auditClient(new EchoClient(server.address, grpc.credentials.createInsecure()), {
      name: 'shared',
      auditor,
    });
    for (let i = 0; i < 50; i++) await echo(client);
    await Promise.all(Array.from({ length: 50 }, () => echo(client)));
    const { stats } = poolOf(auditor, 'shared');
    expect(stats.created).toBe(1);
    expect(stats.open).toBe(1);
    expect(stats.acquired).toBe(100);
    expect(stats.usesPerConnection).toBe(100);
    expect(stats.inUse).toBe(0);
    expect(stats.idle).toBe(1);
    expect(auditor.findings().filter((f) => f.pool === 'shared')).toEqual([]);
    client.close();
    // Closed when grpc-js shuts the transport down; who closed first is settled when the socket closes.
    await eventually(() => {
      const { closedBy } = poolOf(auditor, 'shared').stats;
      return closedBy.local + closedBy.remote + closedBy.reset === 1;
    });
    const after = poolOf(auditor, 'shared').stats;
    expect(after.closed.shutdown).toBe(1);
    expect(after.closedBy.local).toBe(1);
  });
});

describe('auditing a client again', () => {
  it('renames its pool, history kept, and hooks nothing twice', async () => {
    const auditor = createAuditor({ logger: quiet });
    const client = auditClient(new EchoClient(server.address, grpc.credentials.createInsecure()), {
      auditor,
    });
    for (let i = 0; i < 3; i++) await echo(client);
    expect(auditor.poolNames()).toEqual([`grpc dns:${server.address}`]);
    expect(auditClient(client, { name: 'echo-api', auditor })).toBe(client);
    expect(auditor.poolNames()).toEqual(['echo-api']);
    for (let i = 0; i < 3; i++) await echo(client);
    const { stats } = poolOf(auditor, 'echo-api');
    expect(stats.created).toBe(1);
    expect(stats.acquired).toBe(6);
    client.close();
  });
});

describe('a client whose target nobody listens on', () => {
  it('counts each failed dial with its error, and connect-failing says so', async () => {
    const auditor = createAuditor({ logger: quiet });
    const port = await freePort();
    const client = auditClient(new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()), {
      name: 'down',
      auditor,
    });
    try {
      const failed = await echo(client).then(
        () => 'answered',
        (err: unknown) => String((err as { code?: number }).code),
      );
      expect(failed).toBe(String(grpc.status.UNAVAILABLE));
      expect(await eventually(() => poolOf(auditor, 'down').stats.connectErrors >= 1)).toBe(true);
      const { stats, findings } = poolOf(auditor, 'down');
      expect(stats.created).toBe(0);
      expect(stats.lastConnectError).toMatchObject({ code: 'ECONNREFUSED', endpoint: `127.0.0.1:${port}` });
      expect(stats.lastConnectError?.message).toContain('ECONNREFUSED');
      expect(findings.find((f) => f.code === 'connect-failing')).toMatchObject({ severity: 'error' });
    } finally {
      client.close();
    }
  });
});

describe('a client per request', () => {
  it('opens and closes a connection per call, leaving TIME_WAIT here, and is reported', async () => {
    const auditor = createAuditor({ logger: quiet });
    // 200 calls, each through a client of its own, spread over 3.5 s: the finding needs the churn sustained
    // over several seconds, as in a service that does this on every request.
    const CALLS = 200;
    const started = Date.now();
    const ports = await dialedPorts(server.port, async () => {
      for (let i = 0; i < CALLS; i++) {
        const due = started + (i * 3500) / CALLS;
        if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        // Options that differ per client defeat the global subchannel pool: every client dials its own.
        const client = auditClient(
          new EchoClient(server.address, grpc.credentials.createInsecure(), {
            'grpc.primary_user_agent': `r${i}`,
          }),
          { name: 'per-request', auditor },
        );
        await echo(client);
        client.close();
      }
    });
    // net.ipv4.tcp_tw_reuse=2 (Linux's default, loopback only) lets a new connect take over a TIME_WAIT
    // 4-tuple older than 1 s: the 200 connections may have used a few ports twice.
    expect(ports.size).toBeLessThanOrEqual(CALLS);
    expect(ports.size).toBeGreaterThan(CALLS * 0.8);
    await eventually(() => poolOf(auditor, 'per-request').stats.closedBy.local === CALLS, 5000);
    const { stats } = poolOf(auditor, 'per-request');
    expect(stats.created).toBe(CALLS);
    expect(stats.closed.shutdown).toBe(CALLS);
    expect(stats.closedBy.local).toBe(CALLS);
    // Counted: one per close here first. The kernel holds one per 4-tuple, the newest close of a reused port.
    expect(stats.timeWait).toMatchObject({ footprint: CALLS, source: 'counted' });
    expect(countSsSockets('time-wait', server.port, ports)).toBe(ports.size);
    const codes = auditor.findings().map((f) => f.code);
    expect(codes).toContain('client-per-request');
  });
});

describe('detach', () => {
  it('takes every hook back and the client goes on working', async () => {
    const auditor = createAuditor({ logger: quiet });
    const client = new EchoClient(server.address, grpc.credentials.createInsecure(), {
      'grpc.primary_user_agent': 'detach',
    });
    const internal = (client.getChannel() as unknown as { internalChannel: { subchannelPool: object } })
      .internalChannel;
    const poolKeys = Object.getOwnPropertyNames(internal.subchannelPool);
    auditClient(client, { name: 'detach', auditor });
    await echo(client);
    expect(isAudited(client)).toBe(true);
    expect(detachClient(client)).toBe(true);
    expect(Object.getOwnPropertyNames(internal.subchannelPool)).toEqual(poolKeys);
    await echo(client);
    expect(poolOf(auditor, 'detach').stats.acquired).toBe(1);
    client.close();
  });
});
