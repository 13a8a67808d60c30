'use strict';
/**
 * Ends every jest run with the one line CI reads: `[prefix ]tests: N passed, N failed[, N skipped]`. A run
 * other than the main one passes `{ prefix }` (e.g. `ioredis6`) so that its line stands apart.
 */
class SummaryReporter {
  constructor(_globalConfig, options = {}) {
    this.prefix = typeof options.prefix === 'string' && options.prefix !== '' ? `${options.prefix} ` : '';
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // Suites that failed to run (syntax error, missing module) have no test counts: count each as a failure.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `\n${this.prefix}tests: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}
module.exports = SummaryReporter;
