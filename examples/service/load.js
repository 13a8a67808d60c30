'use strict';
/**
 * Bursty load: `concurrency` requests at once, a pause, again, `bursts` times. Bounded in count and time.
 * Between bursts the mysql2 pool closes every idle connection above `maxIdle`, and opens them again for the
 * next burst: the churn the dashboard shows.
 *
 *   node examples/service/load.js [url] [bursts] [concurrency] [pauseMs]
 */

/**
 * @param {{ url: string, bursts?: number, concurrency?: number, pauseMs?: number, deadlineMs?: number }} options
 * @returns {Promise<{ ok: number, failed: number }>}
 */
async function runLoad(options) {
  const bursts = options.bursts ?? 20;
  const concurrency = options.concurrency ?? 40;
  const pauseMs = options.pauseMs ?? 1200;
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  let ok = 0;
  let failed = 0;
  for (let b = 0; b < bursts && Date.now() < deadline; b++) {
    const requests = [];
    for (let i = 0; i < concurrency; i++) {
      const id = b * concurrency + i;
      requests.push(
        fetch(`${options.url}/order?id=${id}`, { signal: AbortSignal.timeout(10_000) }).then(
          async (res) => {
            await res.arrayBuffer();
            if (res.ok) ok++;
            else failed++;
          },
          () => failed++,
        ),
      );
    }
    await Promise.all(requests);
    if (b < bursts - 1) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return { ok, failed };
}

module.exports = { runLoad };

if (require.main === module) {
  const [url = 'http://127.0.0.1:8080', bursts, concurrency, pauseMs] = process.argv.slice(2);
  runLoad({
    url,
    bursts: bursts === undefined ? undefined : Number(bursts),
    concurrency: concurrency === undefined ? undefined : Number(concurrency),
    pauseMs: pauseMs === undefined ? undefined : Number(pauseMs),
  }).then(
    ({ ok, failed }) => console.log(`load: ${ok} ok, ${failed} failed`),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
