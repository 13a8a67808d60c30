import * as grpc from '@grpc/grpc-js';
import { createAuditor } from '@poolaudit/core';
import { auditClient, detachClient } from '@poolaudit/grpc';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { observeParity, parityDifferences } from '../../../test/harness/parity.js';
import { selfSignedCertificate } from '../../../test/harness/certificates.js';
import { EchoClient, dialedPorts, echo, startEchoServer } from './support/echo-server.js';
import type { EchoServer } from './support/echo-server.js';

const quiet = { info: () => undefined, warn: () => undefined };

describe('over TLS', () => {
  let server: EchoServer;
  const pem = selfSignedCertificate();
  const [cert, key] = [Buffer.from(pem.cert), Buffer.from(pem.key)];
  beforeAll(async () => {
    server = await startEchoServer(
      {},
      grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false),
    );
  });
  afterAll(async () => {
    await server.stop();
  });

  it('follows the TCP connection under the TLS session, and who closed it first', async () => {
    const auditor = createAuditor({ logger: quiet });
    const client = auditClient(
      new EchoClient(server.address, grpc.credentials.createSsl(cert), {
        'grpc.ssl_target_name_override': 'localhost',
      }),
      { name: 'tls', auditor },
    );
    const stats = () => auditor.snapshot().pools[0]!.stats;
    const ports = await dialedPorts(server.port, async () => {
      for (let i = 0; i < 20; i++) await echo(client);
      client.close();
      await eventually(() => stats().closedBy.local + stats().closedBy.reset === 1);
    });
    expect(ports.size).toBe(1);
    expect(stats().created).toBe(1);
    expect(stats().acquired).toBe(20);
    expect(auditor.snapshot().pools[0]!.endpoints.map((e) => e.endpoint)).toEqual([server.address]);
    expect(stats().open).toBe(0);
    expect(stats().closed.shutdown).toBe(1);
    expect(stats().closedBy.unknown).toBe(0);
    // What the socket says matches what the kernel keeps: a FIN from here leaves TIME_WAIT, a reset none.
    expect(stats().closedBy.local + stats().closedBy.reset).toBe(1);
    expect(countSsSockets('time-wait', server.port, ports)).toBe(stats().closedBy.local);
  });
});

describe('the audited client', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('keeps its own keys, prototype and its channel as they were, audited, used and detached', async () => {
    const client = new EchoClient(server.address, grpc.credentials.createInsecure(), {
      'grpc.primary_user_agent': 'parity',
    });
    const channel = client.getChannel();
    const shape = (o: object) => ({
      keys: Reflect.ownKeys(o).map(String),
      proto: Object.getPrototypeOf(o) as unknown,
    });
    const before = {
      client: shape(client),
      channel: shape(channel),
      internal: shape((channel as never as { internalChannel: object }).internalChannel),
    };
    auditClient(client, { name: 'parity', auditor: createAuditor({ logger: quiet }) });
    await echo(client);
    const internal = (channel as never as { internalChannel: object }).internalChannel;
    expect({ client: shape(client), channel: shape(channel), internal: shape(internal) }).toEqual(before);
    detachClient(client);
    await echo(client);
    expect({ client: shape(client), channel: shape(channel), internal: shape(internal) }).toEqual(before);
    client.close();
  });

  it('through the shared parity harness: same keys, prototype, connections and bytes at the server', async () => {
    const { raw, audited } = await observeParity({
      serverPort: server.port,
      create: (port) =>
        new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
          'grpc.primary_user_agent': 'harness',
        }),
      audit: (client) => auditClient(client, { name: 'harness', auditor: createAuditor({ logger: quiet }) }),
      workload: async (client) => {
        for (let i = 0; i < 3; i++) expect(await echo(client)).toHaveLength(4);
        await Promise.all(Array.from({ length: 5 }, () => echo(client)));
      },
      // A gRPC client is no emitter; the channel's state watchers are compared above by shape.
      emitters: () => ({}),
      close: async (client) => {
        client.close();
        await eventually(() => countSsSockets('established', server.port) === 0, 5000);
      },
    });
    expect(parityDifferences(raw, audited)).toEqual([]);
    expect(raw.connections).toBe(1);
  });

  it('makes the same connections and calls as an unaudited one', async () => {
    const run = async (audited: boolean): Promise<{ dialed: number; ok: number }> => {
      const client = new EchoClient(server.address, grpc.credentials.createInsecure(), {
        'grpc.primary_user_agent': `same-${audited}`,
      });
      if (audited) auditClient(client, { name: 'same', auditor: createAuditor({ logger: quiet }) });
      let ok = 0;
      await Promise.all(Array.from({ length: 30 }, async () => (await echo(client)).length === 4 && ok++));
      const dialed = countSsSockets('established', server.port);
      client.close();
      return { dialed, ok };
    };
    const raw = await run(false);
    const audited = await run(true);
    expect(audited).toEqual(raw);
  });
});
