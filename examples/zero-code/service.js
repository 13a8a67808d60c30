'use strict';
/**
 * A plain service with two classic TIME_WAIT mistakes and no poolaudit code in it:
 * - a mysql2 pool of 100 that keeps only 10 idle (`maxIdle: 10`) under bursts of 50 concurrent queries, so
 *   after every burst mysql2 closes 40 connections and reopens them for the next one;
 * - an axios client on an `http.Agent` without keep-alive, so every request opens and closes a connection.
 * It runs for `DURATION_MS` (default 15000), prints one line of totals and exits on its own.
 *
 * The library objects are passed in, so that the CommonJS (`app.js`) and ESM (`app.mjs`) entries load
 * mysql2 and axios themselves, through `require()` and `import` respectively.
 */
const http = require('node:http');
const { once } = require('node:events');

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {{ mysql: { createPool(options: object): any }, axios: { create(options: object): any } }} libraries
 * @param {{ durationMs?: number, mysqlUrl?: string, workers?: number }} [options]
 */
async function runService({ mysql, axios }, options = {}) {
  const durationMs = options.durationMs ?? Number(process.env.DURATION_MS ?? 15_000);
  const workers = options.workers ?? 50;
  const upstream = http.createServer((req, res) => res.end('{"price":42}'));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const { port } = upstream.address();

  const pool = mysql.createPool({
    uri: options.mysqlUrl ?? process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
    connectionLimit: 100,
    maxIdle: 10,
  });
  const pricing = axios.create({
    baseURL: `http://127.0.0.1:${port}`,
    httpAgent: new http.Agent({ keepAlive: false }),
    timeout: 5000,
  });

  // 50 workers busy for 200 ms of every 700 ms: the pool sees all of them at once, then none, and its 1 s
  // idle reaper finds far more than 10 idle connections. Bounded in time and in count.
  const start = Date.now();
  let queries = 0;
  let requests = 0;
  let errors = 0;
  const worker = async (i) => {
    for (let n = 0; n < 2000 && Date.now() - start < durationMs; n++) {
      const inPeriod = (Date.now() - start) % 700;
      if (inPeriod >= 200) await pause(700 - inPeriod);
      try {
        await pool.promise().query('SELECT 1 AS one');
        queries++;
        if (i < 5) {
          await pricing.get('/price');
          requests++;
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  await pool.promise().end();
  upstream.close();
  console.log(`service: ${queries} queries, ${requests} requests, ${errors} errors`);
  return { queries, requests, errors };
}

module.exports = { runService };
