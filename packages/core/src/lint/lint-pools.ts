import type { Finding, LintRule, LintSubject, Severity } from '../types.js';

/** Options of `lintPools()` / `auditor.lint()`. */
export interface LintPoolsOptions {
  /** Rules beyond those the adapters registered with their pools (e.g. `@poolaudit/host`'s `hostLintRules`). */
  readonly rules?: readonly LintRule[];
  /** Subjects beyond the audited pools (e.g. the host's sysctls from `@poolaudit/host`'s `hostLintSubject()`). */
  readonly subjects?: readonly LintSubject[];
  /** Ask each pool's server for its own timeouts and limits first (one short query per pool). Default false. */
  readonly probeServers?: boolean;
  /** How long one server probe may take (ms). Default 5000. */
  readonly probeTimeoutMs?: number;
  /** Throw `LintFailedError` when a finding reaches this severity; `false` never throws. Default false. */
  readonly failOn?: Severity | false;
}

/** Runs a server probe with a deadline; a probe that fails or hangs yields an `info` finding, not an exception. */
export async function probeWithDeadline(
  pool: string,
  probe: () => Promise<Readonly<Record<string, number | string | boolean>>>,
  timeoutMs: number,
): Promise<{ facts: Readonly<Record<string, number | string | boolean>>; problem?: Finding }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    return { facts: await Promise.race([probe(), deadline]) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      facts: {},
      problem: {
        code: 'poolaudit/server-probe-failed',
        severity: 'info',
        pool,
        message: `${pool}: the server's settings could not be read (${reason}); server cross-checks were skipped.`,
        evidence: { reason },
        advice: 'Allow the probe (it runs one read-only query) or check the server settings by hand.',
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
