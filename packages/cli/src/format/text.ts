import type { Finding } from '@poolaudit/core';

/** Findings for a terminal: severity, rule, pool, message and the fix. */
export function formatFindingsText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No problems found.\n';
  const lines = findings.map(
    (f) =>
      `[${f.severity}] ${f.code} (${f.pool}${f.endpoint ? ` → ${f.endpoint}` : ''})\n  ${f.message}\n  → ${f.advice}`,
  );
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return `${lines.join('\n\n')}\n\n${errors} error(s), ${warnings} warning(s), ${findings.length - errors - warnings} note(s)\n`;
}
