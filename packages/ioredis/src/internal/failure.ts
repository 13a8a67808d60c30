const reported = new Set<string>();

/**
 * Reports a failure inside auditing once per pool name. The client keeps working as if unaudited: the
 * caller has already removed the hook that failed.
 */
export function reportFailure(pool: string, err: unknown): void {
  if (reported.has(pool)) return;
  reported.add(pool);
  const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.warn(`poolaudit: auditing ioredis client ${pool} failed; it goes on unaudited: ${why}`);
}
