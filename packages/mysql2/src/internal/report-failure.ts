const reported = new Set<string>();

/**
 * Says once per pool that auditing failed and that the pool goes on unaudited. A process warning, so it
 * reaches the application's own warning handling and can never throw into it.
 */
export function reportFailure(pool: string, err: unknown): void {
  if (reported.has(pool)) return;
  reported.add(pool);
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    process.emitWarning(
      `poolaudit: auditing of mysql2 pool ${pool} failed; it goes on unaudited. ${detail}`,
      {
        code: 'POOLAUDIT_AUDIT_FAILED',
      },
    );
  } catch {
    // Nothing may reach the application from here.
  }
}
