import type { PoolDetector } from './context.js';
import { formatMs } from './context.js';

/** A connection held past the leak threshold (HikariCP's `leakDetectionThreshold`), with its acquiring stack. */
export const connectionLeak: PoolDetector = (pool, ctx) => {
  const longest = pool.leaks[0];
  if (longest === undefined) return undefined;
  return {
    code: 'connection-leak',
    severity: 'warning',
    pool: pool.name,
    message:
      `${pool.name} has ${pool.leaks.length} connection(s) out of the pool longer than ` +
      `${formatMs(ctx.leakDetectionThresholdMs)}; the oldest for ${formatMs(longest.heldMs)}.`,
    evidence: {
      leaked: pool.leaks.length,
      heldMs: longest.heldMs,
      thresholdMs: ctx.leakDetectionThresholdMs,
      stack: longest.stack,
    },
    advice: `Release the connection on every path (finally { conn.release() }) where the stack shows it was acquired.`,
  };
};
