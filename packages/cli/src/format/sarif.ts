import type { Finding, LintRule } from '@poolaudit/core';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** SARIF 2.1.0, for code-scanning tools: one run, one result per finding, located in the config file. */
export function formatSarif(findings: readonly Finding[], rules: readonly LintRule[], file: string): string {
  const used = rules.filter((r) => findings.some((f) => f.code === r.id));
  return JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'poolaudit',
              informationUri: 'https://www.npmjs.com/package/poolaudit',
              rules: used.map((r) => ({
                id: r.id,
                shortDescription: { text: r.description },
                defaultConfiguration: { level: LEVEL[r.severity] },
              })),
            },
          },
          results: findings.map((f) => ({
            ruleId: f.code,
            level: LEVEL[f.severity],
            message: { text: `${f.pool}: ${f.message} Fix: ${f.advice}` },
            locations: [{ physicalLocation: { artifactLocation: { uri: file } } }],
            properties: { pool: f.pool, evidence: f.evidence },
          })),
        },
      ],
    },
    null,
    2,
  );
}
