import type * as grpcTypes from '@grpc/grpc-js';
import { createAuditor } from '@poolaudit/core';
import { auditClient } from '@poolaudit/grpc';
import type { DemoConsole } from './console.js';
import type { DemoLibraries } from './library.js';
import { KernelView, pause } from './console.js';

const CALL_EVERY_MS = 40;
type Grpc = DemoLibraries['@grpc/grpc-js'];
type EchoClient = grpcTypes.Client & {
  echo(request: Buffer, callback: (err: grpcTypes.ServiceError | null) => void): void;
};

/** One unary method carrying raw bytes: no .proto file. */
const identity = (value: Buffer): Buffer => value;
const ECHO = {
  echo: {
    path: '/demo.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/**
 * A service that creates a gRPC client per request and closes it after the call (grpc-node #1756): each close
 * tears the connection down, so every call dials. Then the same load through one client shared by all calls.
 */
export async function grpcPart(
  out: DemoConsole,
  grpc: Grpc,
): Promise<{ createdBefore: number; createdAfter: number }> {
  const server = new grpc.Server();
  server.addService(ECHO, {
    echo: (call: grpcTypes.ServerUnaryCall<Buffer, Buffer>, done: grpcTypes.sendUnaryData<Buffer>) =>
      done(null, call.request),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  try {
    const Echo = grpc.makeGenericClientConstructor(ECHO, 'Echo');
    const newClient = (auditor: ReturnType<typeof createAuditor>): EchoClient =>
      auditClient(new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure()), {
        name: 'pricing-grpc',
        auditor,
      }) as unknown as EchoClient;
    out.line(
      `  grpc-js server on 127.0.0.1:${port}; a client created and closed per call, a call every ${CALL_EVERY_MS} ms, 4 s:`,
    );
    const before = await run(out, newClient, 4, false);
    out.findings('Findings', before.findings);
    out.line();
    out.line('  Applying the advice: one client per target, created at startup and shared. Same load, 3 s:');
    const after = await run(out, newClient, 3, true);
    out.findings('Findings', after.findings);
    return { createdBefore: before.created, createdAfter: after.created };
  } finally {
    server.forceShutdown();
  }
}

async function run(
  out: DemoConsole,
  newClient: (auditor: ReturnType<typeof createAuditor>) => EchoClient,
  seconds: number,
  shared: boolean,
) {
  const auditor = createAuditor();
  const sharedClient = shared ? newClient(auditor) : undefined;
  const kernel = new KernelView(auditor);
  const call = (client: EchoClient): Promise<void> =>
    new Promise((resolve, reject) => {
      client.echo(Buffer.from('quote'), (err) => (err ? reject(err) : resolve()));
    });
  try {
    const started = Date.now();
    for (let second = 1; second <= seconds; second++) {
      while (Date.now() < started + second * 1000) {
        const client = sharedClient ?? newClient(auditor);
        await call(client);
        if (!sharedClient) client.close();
        await pause(CALL_EVERY_MS);
      }
      const stats = kernel.pool()?.stats;
      if (!stats) continue;
      out.line(
        `  ${String(second).padStart(2)}s calls ${stats.acquired} · connections opened ${stats.created} · ` +
          `closed here first ${stats.closedBy.local} · ${await kernel.timeWait()}`,
      );
    }
    return { findings: auditor.findings(), created: auditor.snapshot().pools[0]?.stats.created ?? 0 };
  } finally {
    kernel.close();
    sharedClient?.close();
  }
}
