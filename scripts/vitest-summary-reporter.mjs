// A vitest reporter that writes <package>/.test-results/summary.json with plain counts, so that the
// root `npm test` can sum the packages (also when nx restores a package's results from cache).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default class SummaryReporter {
  onInit(ctx) {
    this.root = ctx.config.root;
  }
  onTestRunEnd(testModules) {
    let passed = 0,
      failed = 0,
      skipped = 0;
    const failures = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') {
          failed++;
          failures.push(test.fullName);
        } else skipped++;
      }
      // A file that fails to load has no tests but must count as a failure.
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) {
        failed++;
        failures.push(`${mod.moduleId} (failed to load)`);
      }
    }
    const dir = join(this.root, '.test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ passed, failed, skipped, failures }, null, 2) + '\n');
  }
}
