import * as grpc from '@grpc/grpc-js';
import { createAuditor } from '@poolaudit/core';
import { auditClient } from '@poolaudit/grpc';
import { eventually } from '../../../test/harness/kernel-sockets.js';
import { EchoClient, echo, startEchoServer } from './support/echo-server.js';
import type { EchoServer } from './support/echo-server.js';

const quiet = { info: () => undefined, warn: () => undefined };

describe('a server with grpc.max_connection_age_ms', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer({
      'grpc.max_connection_age_ms': 300,
      'grpc.max_connection_age_grace_ms': 200,
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('retires connections with GOAWAY: closes by the server, and the client dials again', async () => {
    const auditor = createAuditor({ logger: quiet });
    const client = auditClient(new EchoClient(server.address, grpc.credentials.createInsecure()), {
      name: 'aged',
      auditor,
    });
    // Calls for ~2 s against a 300 ms age limit: several connections, each ended by a GOAWAY.
    const until = Date.now() + 2000;
    let calls = 0;
    while (Date.now() < until && calls < 2000) {
      await echo(client);
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stats = () => auditor.snapshot().pools[0]!.stats;
    expect(stats().created).toBeGreaterThanOrEqual(3);
    expect(stats().closed.remote).toBeGreaterThanOrEqual(2);
    expect(stats().closedDetail['goaway']).toBe(stats().closed.remote);
    // Streams, not calls: a call caught by a GOAWAY is retried by grpc-js on the next connection.
    expect(stats().acquired).toBeGreaterThanOrEqual(calls);
    expect(stats().acquired).toBeLessThanOrEqual(calls + stats().closed.remote);
    client.close();
    expect(await eventually(() => stats().open === 0)).toBe(true);
    expect(stats().closed.remote + stats().closed.shutdown).toBe(stats().created);
    await eventually(() => {
      const { local, remote, reset } = stats().closedBy;
      return local + remote + reset === stats().created;
    });
    // Every connection is accounted for at the socket: who sent the first FIN is read, never unknown.
    const { local, remote, reset, unknown } = stats().closedBy;
    expect(unknown).toBe(0);
    expect(local + remote + reset).toBe(stats().created);
  });
});

describe('grpc.client_idle_timeout_ms shorter than the gap between calls', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('closes the idle connection here (idleTimeout) and dials again for the next call', async () => {
    const auditor = createAuditor({ logger: quiet });
    const client = auditClient(
      new EchoClient(server.address, grpc.credentials.createInsecure(), {
        'grpc.client_idle_timeout_ms': 1000,
      }),
      { name: 'idle', auditor },
    );
    const stats = () => auditor.snapshot().pools[0]!.stats;
    await echo(client);
    // The channel goes idle 1 s after its last call and lets its subchannel go; the subchannel pool closes
    // the connection on its next sweep (every 10 s, subchannel-pool.js REF_CHECK_INTERVAL).
    expect(await eventually(() => stats().closed.idleTimeout === 1, 12_000, 50)).toBe(true);
    await echo(client);
    expect(stats().created).toBe(2);
    expect(stats().closedDetail['grpc.client_idle_timeout_ms']).toBe(1);
    expect(stats().closedBy.local).toBe(1);
    expect(auditor.snapshot().pools[0]!.config.idleTimeoutMs).toBe(1000);
    client.close();
  });
});
