import type { PoolLedger } from '../internal/pool-ledger.js';
import type { AuditSnapshot, ConnectErrorInfo, Finding, LintRule, LintSubject, Severity } from '../types.js';
import { LintFailedError, atLeast, lint } from './lint.js';
import { unknownOptionViolation } from './unknown-option-rule.js';

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
  /**
   * Receives one line per warning and error found (`poolaudit: [warning] mysql2/max-idle-below-limit
   * (orders-db): … → …`), before `failOn` throws: `console.warn`, or a logger's method. `false` (the default)
   * logs nothing; the findings are returned either way.
   */
  readonly log?: ((line: string) => void) | false;
}

/** The line `log` receives for a finding. */
export function formatLintLine(finding: Finding): string {
  return `poolaudit: [${finding.severity}] ${finding.code} (${finding.pool}): ${finding.message} → ${finding.advice}`;
}

/** Runs a server probe with a deadline; a probe that fails or hangs yields an `info` finding, not an exception. */
export async function probeWithDeadline(
  pool: string,
  probe: () => Promise<Readonly<Record<string, number | string | boolean>>>,
  timeoutMs: number,
  /** The pool's own last failed connect: said beside the probe's failure when it is not the same error. */
  lastConnectError: ConnectErrorInfo | null = null,
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
    const last =
      lastConnectError !== null && !reason.includes(lastConnectError.message)
        ? `${lastConnectError.code}: ${lastConnectError.message}`
        : null;
    const why = last === null ? reason : `${reason}; the pool's last connect error: ${last}`;
    return {
      facts: {},
      problem: {
        code: 'poolaudit/server-probe-failed',
        severity: 'info',
        pool,
        message: `${pool}: the server's settings could not be read (${why}); server cross-checks were skipped.`,
        evidence: { reason, lastConnectError: last },
        advice: 'Allow the probe (it runs one read-only query) or check the server settings by hand.',
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lints audited pools: each with the rules its adapter registered (plus `options.rules` over
 * `options.subjects`), after asking each server for its settings when `probeServers` is set. The facts a
 * probe learns are kept as the pool's annotations.
 */
export async function lintLedgers(
  ledgers: Iterable<PoolLedger>,
  snapshot: () => AuditSnapshot,
  options: LintPoolsOptions,
  onRuleError: (rule: LintRule, err: unknown) => void,
): Promise<Finding[]> {
  const timeoutMs = options.probeTimeoutMs ?? 5000;
  const pools = [...ledgers];
  const rules: LintRule[] = [...(options.rules ?? [])];
  const problems: Finding[] = [];
  for (const ledger of pools) {
    const { lintRules } = ledger;
    const probeServer = ledger.serverProbe();
    for (const rule of lintRules) if (!rules.includes(rule)) rules.push(rule);
    if (options.probeServers === true && probeServer) {
      const { facts, problem } = await probeWithDeadline(
        ledger.name,
        probeServer,
        timeoutMs,
        ledger.lastConnectFailure(),
      );
      for (const [key, value] of Object.entries(facts)) ledger.onAnnotate(key, value);
      if (problem) problems.push(problem);
    }
  }
  const taken = snapshot();
  const subjects: LintSubject[] = [...(options.subjects ?? [])];
  for (const ledger of pools) {
    const pool = taken.pools.find((p) => p.name === ledger.name);
    subjects.push({
      kind: ledger.kind,
      name: ledger.name,
      options: ledger.rawConfig ?? {},
      facts: ledger.annotationsRecord(),
      ...(pool ? { snapshot: pool } : {}),
    });
  }
  for (const ledger of pools) {
    const violation = unknownOptionViolation(ledger.kind, ledger.unknownOptions);
    if (violation === undefined) continue;
    problems.push({
      code: `${ledger.kind}/unknown-option`,
      severity: 'warning',
      pool: ledger.name,
      message: violation.message,
      evidence: violation.evidence,
      advice: violation.fix,
    });
  }
  const findings = [...lint(subjects, rules, onRuleError), ...problems];
  const log = options.log ?? false;
  if (log !== false) {
    for (const finding of findings) if (atLeast(finding.severity, 'warning')) log(formatLintLine(finding));
  }
  const failOn = options.failOn ?? false;
  if (failOn !== false && findings.some((f) => atLeast(f.severity, failOn))) {
    throw new LintFailedError(findings, failOn);
  }
  return findings;
}
