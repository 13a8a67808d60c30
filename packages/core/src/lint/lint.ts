import type { Finding, LintRule, LintSubject, Severity } from '../types.js';

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/**
 * Runs every rule of the subject's kind (and every rule of kind `*`) over each subject. A rule that throws is a bug in the rule: it is
 * reported through `onRuleError` and skipped, never thrown at the caller.
 */
export function lint(
  subjects: readonly LintSubject[],
  rules: readonly LintRule[],
  onRuleError: (rule: LintRule, err: unknown) => void = () => undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const subject of subjects) {
    for (const rule of rules) {
      if (rule.kind !== '*' && rule.kind !== subject.kind) continue;
      let violation;
      try {
        violation = rule.check(subject);
      } catch (err) {
        onRuleError(rule, err);
        continue;
      }
      if (!violation) continue;
      findings.push({
        code: rule.id,
        severity: violation.severity ?? rule.severity,
        pool: subject.name,
        message: violation.message,
        evidence: violation.evidence,
        advice: violation.fix,
      });
    }
  }
  return findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}

/** True when `severity` is at least `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

/** Thrown by `lintPools({ failOn })` when a finding reaches the threshold; carries every finding. */
export class LintFailedError extends Error {
  readonly code = 'POOLAUDIT_LINT_FAILED';
  constructor(
    readonly findings: readonly Finding[],
    threshold: Severity,
  ) {
    const failing = findings.filter((f) => atLeast(f.severity, threshold));
    super(
      `poolaudit: ${failing.length} pool setting(s) at severity ${threshold} or above:\n` +
        failing
          .map((f) => `  [${f.severity}] ${f.code} (${f.pool}): ${f.message}\n    → ${f.advice}`)
          .join('\n'),
    );
    this.name = 'LintFailedError';
  }
}
