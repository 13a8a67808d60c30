'use strict';
/** Ends the Node 24 run with `node24 tests: N passed, N failed` (apart from the main run's `tests:` line). */
class Node24SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\nnode24 tests: ${results.numPassedTests} passed, ${failed} failed\n`);
  }
}
module.exports = Node24SummaryReporter;
