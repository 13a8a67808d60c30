'use strict';
/** Runs the example: `node examples/service/server.js` (PORT, MYSQL_URL, REDIS_URL, UPSTREAM_URL from the environment). */
const { startService } = require('./service.js');

startService({
  port: Number(process.env.PORT ?? 8080),
  mysqlUrl: process.env.MYSQL_URL,
  redisUrl: process.env.REDIS_URL,
  upstreamUrl: process.env.UPSTREAM_URL,
}).then(
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
