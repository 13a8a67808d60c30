'use strict';
/**
 * An order service: each request reads MySQL (mysql2 pool), looks the customer up in PostgreSQL (pg pool),
 * caches in Redis (ioredis) and asks an upstream pricing service over HTTP (undici Pool). Every pool is audited; `/metrics` serves them in Prometheus text
 * through the OpenTelemetry Prometheus exporter, `/report` the auditor's text report.
 */
const http = require('node:http');
const { once } = require('node:events');
const mysql = require('mysql2');
const pg = require('pg');
const Redis = require('ioredis');
const { Pool } = require('undici');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { createAuditor } = require('@poolaudit/core');
const { auditPool } = require('@poolaudit/mysql2');
const { auditPool: auditPgPool } = require('@poolaudit/pg');
const { auditRedis } = require('@poolaudit/ioredis');
const { auditDispatcher } = require('@poolaudit/undici');
const { observeHost } = require('@poolaudit/host');
const { registerMetrics } = require('@poolaudit/opentelemetry');

/**
 * Starts the service (and, unless `upstreamUrl` is given, a small pricing service for it to call).
 *
 * @param {object} [options]
 * @param {number} [options.port] where the service listens (0 = any free port). Default 8080.
 * @param {string} [options.mysqlUrl] default `mysql://root@127.0.0.1:3306/test`.
 * @param {string} [options.pgUrl] default `postgres://root@127.0.0.1:5432/test`.
 * @param {string} [options.redisUrl] default `redis://127.0.0.1:6379`.
 * @param {string} [options.upstreamUrl] the pricing service; default: one started here on a free port.
 * @param {number} [options.connectionLimit] mysql2 `connectionLimit`. Default 50.
 * @param {number} [options.maxIdle] mysql2 `maxIdle`. Default 5: below the load's concurrency on purpose.
 * @param {number} [options.pricingKeepAliveMs] how long the pricing pool keeps an idle connection (undici
 *   `keepAliveTimeout` and `keepAliveMaxTimeout`). Default 1000: shorter than the pause between bursts.
 * @returns {Promise<{ url: string, auditor: import('@poolaudit/core').Auditor, close(): Promise<void> }>}
 */
async function startService(options = {}) {
  const auditor = createAuditor();
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const poolMetrics = registerMetrics(auditor, { meterProvider });
  const host = observeHost(auditor, { intervalMs: 1000 });

  const upstream = options.upstreamUrl ? undefined : await startPricing();
  const upstreamUrl = options.upstreamUrl ?? upstream.url;

  const db = mysql.createPool({
    uri: options.mysqlUrl ?? 'mysql://root@127.0.0.1:3306/test',
    connectionLimit: options.connectionLimit ?? 50,
    maxIdle: options.maxIdle ?? 5,
    idleTimeout: 60_000,
  });
  auditPool(db, { name: 'orders-db', auditor });
  // Configured as the lint and the findings would have it: as many clients as the load's concurrency, kept
  // idle longer than the pause between bursts, and a bound on how long a request waits for one.
  const accounts = new pg.Pool({
    connectionString: options.pgUrl ?? 'postgres://root@127.0.0.1:5432/test',
    max: 50,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5000,
  });
  auditPgPool(accounts, { name: 'accounts-db', auditor });
  const redis = new Redis(options.redisUrl ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  auditRedis(redis, { name: 'cache', auditor });
  // A short keep-alive: connections idle between bursts are closed here, and counted. The pricing server
  // hints `Keep-Alive: timeout=5`, which undici follows over keepAliveTimeout (lib/dispatcher/client-h1.js):
  // keepAliveMaxTimeout caps what the hint may grant.
  const keepAliveMs = options.pricingKeepAliveMs ?? 1000;
  const pricing = new Pool(upstreamUrl, {
    connections: 20,
    keepAliveTimeout: keepAliveMs,
    keepAliveMaxTimeout: keepAliveMs,
  });
  auditDispatcher(pricing, { name: 'pricing', auditor });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics') return exporter.getMetricsRequestHandler(req, res);
    if (url.pathname === '/report') return send(res, 200, auditor.report(), 'text/plain');
    if (url.pathname === '/order') {
      const id = Number(url.searchParams.get('id') ?? '1');
      handleOrder(id, { db, accounts, redis, pricing }).then(
        (order) => send(res, 200, JSON.stringify(order), 'application/json'),
        (err) => send(res, 500, String(err && err.message), 'text/plain'),
      );
      return;
    }
    send(res, 404, 'not found', 'text/plain');
  });
  server.listen(options.port ?? 8080, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    auditor,
    async close() {
      server.close();
      server.closeAllConnections();
      await Promise.allSettled([db.promise().end(), accounts.end(), redis.quit(), pricing.close()]);
      if (upstream) await upstream.close();
      await meterProvider.shutdown();
      poolMetrics.unregister();
      host.detach();
    },
  };
}

async function handleOrder(id, { db, accounts, redis, pricing }) {
  // SLEEP holds the connection a little, as a real query would: concurrent requests need more connections.
  const [rows] = await db.promise().query('SELECT ? AS id, SLEEP(0.02) AS waited', [id]);
  const { rows: customers } = await accounts.query('SELECT $1::int % 97 AS customer', [id]);
  const key = `poolaudit-example:order:${id}`;
  const cached = await redis.get(key);
  if (cached === null) await redis.set(key, JSON.stringify(rows[0]), 'EX', 5);
  const { statusCode, body } = await pricing.request({ path: `/price?id=${id}`, method: 'GET' });
  const price = statusCode === 200 ? await body.json() : (await body.dump(), null);
  return { id, customer: customers[0].customer, cached: cached !== null, price };
}

/** The upstream the service calls: answers a price for an id. */
async function startPricing() {
  const server = http.createServer((req, res) => {
    const id = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('id') ?? '0');
    send(res, 200, JSON.stringify({ id, cents: 100 + (id % 50) }), 'application/json');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res, status, body, type) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

module.exports = { startService };
