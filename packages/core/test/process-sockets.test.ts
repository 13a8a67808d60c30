import { once } from 'node:events';
import { createServer, Socket, connect as netConnect } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createAuditor, UnknownOptionError } from '../src/index.js';
import type { Auditor, UnauditedDestination } from '../src/index.js';
import { readCallSite } from '../src/internal/call-site.js';

/** A loopback server that answers each chunk with `ok`; the client closes first. */
async function startServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.on('data', () => s.write('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/** One request over a connection the client opens with `open` and ends after the reply. */
function roundTrip(open: () => Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = open();
    socket.on('connect', () => socket.write('x'));
    socket.on('data', () => socket.end());
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

function destination(auditor: Auditor, port: number): UnauditedDestination | undefined {
  return auditor.snapshot().unaudited?.destinations.find((d) => d.endpoint === `127.0.0.1:${port}`);
}

let srv: { server: Server; port: number };
beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.server.close());

describe('watchProcessSockets: every outbound connection no adapter registered', () => {
  it('sees net.connect(), new Socket().connect() and who closed first, with the caller named', async () => {
    const auditor = createAuditor();
    const stop = auditor.watchProcessSockets({ samplesPerSecond: 1000 });
    try {
      for (let i = 0; i < 5; i++) await roundTrip(() => netConnect(srv.port, '127.0.0.1'));
      for (let i = 0; i < 3; i++) {
        await roundTrip(() => new Socket().connect(srv.port, '127.0.0.1'));
      }
      const d = destination(auditor, srv.port);
      expect(d).toMatchObject({ open: 0, created: 8, closedBy: { local: 8, remote: 0, reset: 0 } });
      expect(d?.timeWait).toMatchObject({ source: 'counted', counted: 8, footprint: 8 });
      expect(d?.lifetime.count).toBe(8);
      expect(d?.sampled).toBe(8);
      const frames = d?.callers.map((c) => `${c.frame?.replace(/:\d+$/, '')} via ${c.library}`);
      expect(frames).toEqual(
        expect.arrayContaining([
          `${join('packages', 'core', 'test', 'process-sockets.test.ts')} via node:net`,
        ]),
      );
      // Measured: Node 20 publishes `net.client.socket` only from net.connect(), Node 24 from Socket#connect.
      const major = Number(process.versions.node.split('.')[0]);
      expect(auditor.snapshot().unaudited?.mechanism).toBe(
        major >= 24 ? 'diagnostics-channel' : 'socket-connect-wrap',
      );
    } finally {
      stop();
    }
  });

  it('reads a server that hangs up first as remote, and counts a connection while it is open', async () => {
    const hangUp = createServer((s) => s.end('bye'));
    hangUp.listen(0, '127.0.0.1');
    await once(hangUp, 'listening');
    const port = (hangUp.address() as AddressInfo).port;
    const auditor = createAuditor();
    const stop = auditor.watchProcessSockets();
    try {
      const socket = netConnect(port, '127.0.0.1');
      await once(socket, 'connect');
      expect(destination(auditor, port)).toMatchObject({ open: 1, created: 1 });
      socket.resume();
      await once(socket, 'close');
      expect(destination(auditor, port)).toMatchObject({
        open: 0,
        created: 1,
        closedBy: { remote: 1, local: 0 },
      });
      expect(destination(auditor, port)?.timeWait.footprint).toBe(0);
    } finally {
      stop();
      hangUp.close();
    }
  });

  it("leaves a pool's sockets to the pool, the TCP socket under an upgraded TLSSocket included", async () => {
    const auditor = createAuditor();
    const stop = auditor.watchProcessSockets();
    const probe = auditor.register({ name: 'owned', kind: 'test', config: {} });
    try {
      // Registered before it connects, after it connects, and only through the TLSSocket that took it over.
      const before = netConnect(srv.port, '127.0.0.1');
      probe.opened(before, { socket: before });
      const after = netConnect(srv.port, '127.0.0.1');
      await Promise.all([once(before, 'connect'), once(after, 'connect')]);
      probe.opened(after, { socket: after });
      const raw = netConnect(srv.port, '127.0.0.1');
      await once(raw, 'connect');
      const upgraded = tlsConnect({ socket: raw, rejectUnauthorized: false });
      upgraded.on('error', () => undefined);
      probe.opened(upgraded, { socket: upgraded });
      expect(destination(auditor, srv.port)).toBeUndefined();
      for (const s of [before, after, upgraded]) {
        s.destroy();
        await once(s, 'close');
      }
      if (!raw.closed) await once(raw, 'close');
      expect(destination(auditor, srv.port)).toBeUndefined();
      expect(auditor.snapshot().pools[0]?.stats.created).toBe(3);
    } finally {
      stop();
    }
  });

  it('costs nothing once stopped: Socket#connect and the sockets are as they were', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(Socket.prototype, 'connect');
    const auditor = createAuditor();
    const stop = auditor.watchProcessSockets();
    const socket = netConnect(srv.port, '127.0.0.1');
    await once(socket, 'connect');
    const listeners = (['end', 'finish', 'error', 'close'] as const).map((e) => socket.listenerCount(e));
    stop();
    expect(Object.getOwnPropertyDescriptor(Socket.prototype, 'connect')).toEqual(descriptor);
    const after = (['end', 'finish', 'error', 'close'] as const).map((e) => socket.listenerCount(e));
    expect(after.map((n, i) => (listeners[i] as number) - n)).toEqual([1, 1, 1, 1]);
    socket.destroy();
    await roundTrip(() => netConnect(srv.port, '127.0.0.1'));
    expect(auditor.snapshot().unaudited).toBeUndefined();
  });

  it('changes nothing the application sees: an unheard connect error still throws', () => {
    // In a child process (on the built package): the uncaught ECONNREFUSED must end it as it does unwatched.
    const script = (watch: boolean) =>
      `const { createAuditor } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});` +
      (watch ? 'createAuditor().watchProcessSockets();' : '') +
      `require('node:net').connect(1, '127.0.0.1');`;
    const run = (watch: boolean): { status: number | null; error: string } => {
      try {
        execFileSync(process.execPath, ['-e', script(watch)], { stdio: 'pipe', encoding: 'utf8' });
        return { status: 0, error: '' };
      } catch (err) {
        const e = err as { status: number | null; stderr: string };
        return { status: e.status, error: /Error: connect (\w+)/.exec(e.stderr)?.[1] ?? e.stderr };
      }
    };
    expect(run(true)).toEqual(run(false));
    expect(run(false)).toEqual({ status: 1, error: 'ECONNREFUSED' });
  });

  it('lets go of a socket whose connect() threw before any I/O', () => {
    let now = 1_000_000;
    const auditor = createAuditor({ clock: () => now });
    const stop = auditor.watchProcessSockets();
    try {
      const socket = new Socket();
      expect(() => socket.connect({ port: -1 })).toThrow(/port/i);
      auditor.snapshot();
      expect(socket.listenerCount('close')).toBe(1);
      // Past Linux's SYN retries, an attempt that never connected nor closed is let go.
      now += 151_000;
      auditor.snapshot();
      expect(socket.listenerCount('close')).toBe(0);
      expect(socket.listenerCount('error')).toBe(0);
      expect(auditor.snapshot().unaudited?.destinations).toEqual([]);
      socket.destroy();
    } finally {
      stop();
    }
  });

  it('rejects a misspelt option with the near miss', () => {
    const auditor = createAuditor();
    expect(() => auditor.watchProcessSockets({ samplesPerSecnd: 5 } as never)).toThrow(UnknownOptionError);
    expect(() => auditor.watchProcessSockets({ samplesPerSecnd: 5 } as never)).toThrow(/samplesPerSecond/);
    expect(() => auditor.watchProcessSockets({ samplesPerSecond: -1 })).toThrow(/samplesPerSecond/);
  });
});

describe('readCallSite', () => {
  const cwd = '/srv/app';
  const own = ['/srv/app/node_modules/@poolaudit/core/dist'];
  it('names the library the application called and its own innermost frame', () => {
    const stack = [
      'Error',
      '    at Socket.connect (node:net:1234:5)',
      '    at connect (/srv/app/node_modules/@poolaudit/core/dist/internal/connect-hook.js:40:9)',
      '    at Object.connect (node:_tls_wrap:1700:3)',
      '    at Agent.createConnection (node:https:150:22)',
      '    at Redirect._performRequest (/srv/app/node_modules/follow-redirects/index.js:284:24)',
      '    at dispatchHttpRequest (/srv/app/node_modules/axios/lib/adapters/http.js:610:21)',
      '    at syncOrders (/srv/app/src/jobs/sync.js:42:11)',
      '    at main (/srv/app/src/main.js:7:3)',
    ].join('\n');
    expect(readCallSite(stack, own, cwd)).toEqual({ library: 'axios', frame: 'src/jobs/sync.js:42' });
  });

  it('reads ESM file URLs, Node modules alone, and stacks with no application frame', () => {
    expect(
      readCallSite(
        'Error\n    at connect (node:net:1:1)\n    at get (node:https:2:2)\n    at file:///srv/app/src/a.mjs:3:4',
        own,
        cwd,
      ),
    ).toEqual({ library: 'node:https', frame: 'src/a.mjs:3' });
    expect(
      readCallSite(
        'Error\n    at connect (node:net:1:1)\n    at Client.connect (/srv/app/node_modules/undici/lib/core/connect.js:9:9)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        own,
        cwd,
      ),
    ).toEqual({ library: 'undici', frame: null });
    // A file under node_modules/.cache is no package: it is the application's.
    expect(
      readCallSite(
        'Error\n    at connect (node:net:1:1)\n    at /srv/app/node_modules/.cache/b1.js:2:2',
        own,
        cwd,
      ),
    ).toEqual({ library: 'node:net', frame: 'node_modules/.cache/b1.js:2' });
  });
});
