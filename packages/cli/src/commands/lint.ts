import { lint } from '@poolaudit/core';
import type { Finding } from '@poolaudit/core';
import { loadConfigFile } from '../config-file.js';
import { formatSarif } from '../format/sarif.js';
import { formatFindingsText } from '../format/text.js';
import { KINDS, allPoolRules } from '../kinds.js';

export type LintFormat = 'text' | 'json' | 'sarif';

/** Options of `runLint`. */
export interface LintRunOptions {
  /** More warnings than this make the exit code 1 (ESLint's `--max-warnings`). Default: no limit. */
  readonly maxWarnings?: number;
  /** Where the "too many warnings" line goes. Default: nowhere. */
  readonly warn?: (text: string) => void;
}

/**
 * `poolaudit lint <file>`: lints the pool configs in a JSON, YAML or JS file. Returns the exit code:
 * 1 when a finding is an error or the warnings exceed `maxWarnings`, else 0. A bad file throws
 * `ConfigFileError`.
 */
export function runLint(
  file: string,
  format: LintFormat,
  write: (text: string) => void,
  options: LintRunOptions = {},
): number {
  const subjects = loadConfigFile(file, KINDS);
  const rules = allPoolRules();
  const findings: Finding[] = lint(subjects, rules, (rule, err) => {
    throw new Error(`rule ${rule.id} failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (format === 'json') write(`${JSON.stringify({ file, findings }, null, 2)}\n`);
  else if (format === 'sarif') write(`${formatSarif(findings, rules, file)}\n`);
  else write(formatFindingsText(findings));
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const { maxWarnings } = options;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    options.warn?.(`poolaudit: ${warnings} warning(s), more than --max-warnings ${maxWarnings}\n`);
    return 1;
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
