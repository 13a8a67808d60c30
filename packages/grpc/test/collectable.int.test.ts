import * as grpc from '@grpc/grpc-js';
import { createAuditor } from '@poolaudit/core';
import { auditClient, detachClient } from '@poolaudit/grpc';
import { isCollected } from '../../../test/harness/collectable.js';
import { EchoClient, echo, startEchoServer } from './support/echo-server.js';
import type { EchoServer } from './support/echo-server.js';

const quiet = { info: () => undefined, warn: () => undefined };
let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.stop();
});

/** The channel's internals, which every hook of the audit refers to: collected only if no audit keeps them. */
const internalsOf = (client: grpc.Client): object =>
  (client.getChannel() as unknown as { internalChannel: object }).internalChannel;

describe('an audited gRPC client and its channel are garbage-collected', () => {
  const auditor = createAuditor({ logger: quiet });

  it('after close()', async () => {
    const collected = await isCollected(async () => {
      const client = auditClient(new EchoClient(server.address, grpc.credentials.createInsecure()), {
        name: 'gc-close',
        auditor,
      });
      await echo(client);
      client.close();
      return internalsOf(client);
    });
    expect(collected).toBe(true);
  });

  it('after detachClient() and close()', async () => {
    const collected = await isCollected(async () => {
      const client = auditClient(new EchoClient(server.address, grpc.credentials.createInsecure()), {
        name: 'gc-detach',
        auditor,
      });
      await echo(client);
      detachClient(client);
      client.close();
      return internalsOf(client);
    });
    expect(collected).toBe(true);
  });
});
