'use strict';
/**
 * Runs the example: `node examples/service/server.js`. Settings from the environment: PORT (8080), MYSQL_URL,
 * PG_URL, REDIS_URL, UPSTREAM_URL, CONNECTION_LIMIT (50), MAX_IDLE (5), PRICING_KEEP_ALIVE_MS (1000).
 */
const { startService } = require('./service.js');

/** A numeric setting from the environment, or undefined (the service's default) when unset. */
function numberFromEnv(name) {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new TypeError(`${name} must be an integer of 0 or more, got ${text}`);
  return value;
}

Promise.resolve()
  .then(() =>
    startService({
      port: numberFromEnv('PORT') ?? 8080,
      mysqlUrl: process.env.MYSQL_URL,
      pgUrl: process.env.PG_URL,
      redisUrl: process.env.REDIS_URL,
      upstreamUrl: process.env.UPSTREAM_URL,
      connectionLimit: numberFromEnv('CONNECTION_LIMIT'),
      maxIdle: numberFromEnv('MAX_IDLE'),
      pricingKeepAliveMs: numberFromEnv('PRICING_KEEP_ALIVE_MS'),
    }),
  )
  .then(
    (service) => {
      console.log(`orders service on ${service.url}  (GET /order?id=1, /metrics, /report)`);
      const stop = () => service.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
