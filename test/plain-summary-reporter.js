/**
 * Prints the run's totals as one plain line, `N passed, N failed`, after jest's own summary.
 * A suite that could not run at all (syntax error, failing hook) counts as failed.
 */
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\n${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
module.exports = PlainSummaryReporter;
