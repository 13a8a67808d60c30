const reported = new Set<string>();

/**
 * What every adapter does when auditing one of its pools fails: says so once per pool, as a process warning
 * (code `POOLAUDIT_AUDIT_FAILED`), so that it reaches the application's own warning handling and can never
 * throw into it. The adapter has already let the pool go on unaudited. `library` is the adapter's kind
 * (`mysql2`, `pg`), `pool` the pool's name.
 */
export function reportAuditFailure(library: string, pool: string, err: unknown): void {
  const key = `${library}\u0000${pool}`;
  if (reported.has(key)) return;
  reported.add(key);
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    process.emitWarning(
      `poolaudit: auditing of ${library} pool ${pool} failed; it goes on unaudited. ${detail}`,
      {
        code: 'POOLAUDIT_AUDIT_FAILED',
      },
    );
  } catch {
    // Nothing may reach the application from here.
  }
}
