import { request as httpRequest } from 'node:http';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Handler } from '../../../../test/harness/http-servers.js';

/** What one request ended with: the status and body, or the error and whether the socket was a reused one. */
export interface Outcome {
  readonly status?: number;
  readonly body?: string;
  readonly error?: NodeJS.ErrnoException;
  readonly reusedSocket: boolean;
}

/** One GET through `agent` with `http.request` / `https.request`; never rejects (failures are outcomes). */
export function get(url: string, agent: Agent, extra: { ca?: string } = {}): Promise<Outcome> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, { agent, ...(extra.ca ? { ca: extra.ca } : {}) }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reusedSocket: req.reusedSocket }));
      res.on('error', (error) => resolve({ error, reusedSocket: req.reusedSocket }));
    });
    req.on('error', (error) => resolve({ error, reusedSocket: req.reusedSocket }));
    req.end();
  });
}

/** `n` GETs one after another, `gapMs` apart. */
export async function sequential(
  url: string,
  agent: Agent,
  n: number,
  gapMs: number,
  extra: { ca?: string } = {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    outcomes.push(await get(`${url}/r${i}`, agent, extra));
    if (gapMs > 0 && i < n - 1) await pause(gapMs);
  }
  return outcomes;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A server that closes a kept-alive connection `ms` after each response, without announcing it (no
 * `Keep-Alive: timeout=` hint; nginx and most load balancers do not send one): the server-side idle close.
 */
export function closesIdleAfter(ms: number): Handler {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  return (req, res: ServerResponse) => {
    const socket = req.socket;
    clearTimeout(timers.get(socket));
    res.setHeader('keep-alive', 'max=1000');
    res.on('finish', () =>
      timers.set(
        socket,
        setTimeout(() => socket.end(), ms),
      ),
    );
    res.end('ok');
  };
}

/**
 * A server that answers the first request on a connection and, on the next one, closes the connection
 * without answering: a request written onto a connection the server is closing (the keep-alive race, made
 * deterministic).
 */
export function closesOnReuse(): Handler {
  const served = new WeakSet<object>();
  return (req, res) => {
    if (served.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    served.add(req.socket);
    res.end('ok');
  };
}
