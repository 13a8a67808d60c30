import { Server as HttpServer } from 'node:http';
import type { Server } from 'node:http';
import { Server as TlsServer } from 'node:tls';
import {
  UnsupportedPoolError,
  accepts,
  auditAgain,
  checkOptions,
  defaultAuditor,
  endpointKey,
  reportAuditFailure,
} from '@poolaudit/core';
import type { PoolProbe } from '@poolaudit/core';
import { ServerWatch } from './internal/server-watch.js';
import { serverLintRules } from './lint-rules.js';
import { readServerConfig, serverOptionsOf } from './read-config.js';
import type { AuditServerOptions } from './types.js';

const KIND = 'http-server';
const OPTIONS = {
  name: accepts.nonEmptyString,
  auditor: accepts.auditor,
  loadBalancerIdleTimeoutMs: accepts.positiveNumber,
};

interface Audited {
  readonly watch: ServerWatch;
  readonly probe: PoolProbe;
  name: string;
  named: boolean;
  readonly options: AuditServerOptions;
}

const audits = new WeakMap<object, Audited>();

/**
 * Audits a Node `http.Server` or `https.Server` (and so Express, Fastify, Koa or Nest on top of one) from its
 * own side and returns it. Each accepted connection is recorded, grouped by the peer's address (a load
 * balancer's few addresses stand apart from direct clients): requests per connection, its lifetime, who closed
 * it first and why (`keepAliveTimeout`, a `Connection: close` response, `maxRequestsPerSocket`, the client's own
 * `Connection: close`, `closeIdleConnections()`, the client's FIN, a timeout or a reset), and the TIME_WAIT
 * sockets the server's own closes leave here — confirmed per 4-tuple when a host observer is attached.
 *
 * Audit it before or after `listen()`; a connection accepted before the audit is adopted at its next request.
 *
 * @throws UnsupportedPoolError when `server` is not an `http.Server` or `https.Server` (an `http2` server is
 *   not audited yet).
 * @throws InvalidOptionError when an option is wrong.
 */
export function auditServer<T extends object>(server: T, options?: AuditServerOptions): T {
  const o = checkOptions<AuditServerOptions>('auditServer()', options, OPTIONS);
  if (!(server instanceof HttpServer) && !isHttpsServer(server)) {
    throw new UnsupportedPoolError(
      '@poolaudit/server',
      'an http.Server or https.Server (http2 servers are not audited yet)',
      server,
    );
  }
  const target = server as unknown as Server;
  const audited = audits.get(server);
  if (audited !== undefined) {
    const rename = auditAgain('auditServer()', audited.name, audited.options, o);
    if (rename !== undefined) {
      audited.probe.rename(rename);
      audited.name = rename;
      audited.named = true;
    }
    return server;
  }
  const auditor = o.auditor ?? defaultAuditor;
  // POOLAUDIT_DISABLE names http-server (or the auditor is disabled): the server is handed back untouched.
  if (!auditor.audits(KIND)) return server;
  const tls = server instanceof TlsServer;
  const name = o.name ?? defaultName(target, tls);
  const settings = serverOptionsOf(target);
  const front = o.loadBalancerIdleTimeoutMs;
  const rawConfig = front === undefined ? settings : { ...settings, loadBalancerIdleTimeoutMs: front };
  const { config, settings: names } = readServerConfig(settings);
  try {
    const probe = auditor.register({
      name,
      kind: KIND,
      direction: 'inbound',
      config,
      settings: names,
      rawConfig,
      lintRules: serverLintRules,
    });
    if (front !== undefined) probe.annotate('loadBalancerIdleTimeoutMs', front);
    const record: Audited = {
      probe,
      name,
      named: o.name !== undefined,
      options: o,
      watch: new ServerWatch(
        target,
        probe,
        tls,
        () => {
          // Named after where it listens, once it does (unless the application named it).
          if (record.named) return;
          record.named = true;
          const next = defaultName(target, tls);
          if (next !== record.name) {
            probe.rename(next);
            record.name = next;
          }
        },
        (err) => {
          detach(server);
          reportAuditFailure(KIND, record.name, err);
        },
      ),
    };
    audits.set(server, record);
    record.watch.attach();
    // Audited once listening: the default name already says where.
    if (target.listening) record.named = true;
  } catch (err) {
    reportAuditFailure(KIND, name, err);
  }
  return server;
}

/**
 * Stops auditing `server`: its `emit` and closing methods are put back and no socket listener is left. What was
 * recorded stays readable in the auditor. Returns false when it was not audited.
 */
export function detach(server: object): boolean {
  const audited = audits.get(server);
  if (audited === undefined) return false;
  audits.delete(server);
  audited.watch.detach();
  audited.probe.unregister();
  return true;
}

/** Whether `server` is being audited. */
export function isAudited(server: object): boolean {
  return audits.has(server);
}

/** `http-server 127.0.0.1:8080`, `https-server :443` (every address), or `http-server` before `listen()`. */
function defaultName(server: Server, tls: boolean): string {
  const kind = tls ? 'https-server' : KIND;
  const address = server.address();
  if (address === null) return kind;
  if (typeof address === 'string') return `${kind} ${address}`;
  const { address: host, port } = address;
  return host === '::' || host === '0.0.0.0' ? `${kind} :${port}` : `${kind} ${endpointKey(host, port)}`;
}

/** `https.Server` is a `tls.Server` that serves HTTP (it takes `http.Server`'s methods, not its prototype). */
function isHttpsServer(server: object): boolean {
  return (
    server instanceof TlsServer &&
    typeof (server as { closeIdleConnections?: unknown }).closeIdleConnections === 'function'
  );
}
