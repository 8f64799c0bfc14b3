/**
 * Prints the run's totals as one plain line, `N passed, N failed`, after jest's own summary.
 * A suite that could not run at all (syntax error, failing hook) counts as failed. Tests that did
 * not run (skipped, with their reason in the name) are listed just before, never counted as passed.
 */
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const notRun = results.testResults.flatMap((suite) =>
      suite.testResults
        .filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')
        .map((t) => t.fullName),
    );
    let out = '\n';
    if (notRun.length > 0) out += `${notRun.length} not run:\n${notRun.map((name) => `  - ${name}`).join('\n')}\n`;
    out += `${results.numPassedTests} passed, ${failed} failed\n`;
    process.stdout.write(out);
  }
}
module.exports = PlainSummaryReporter;
