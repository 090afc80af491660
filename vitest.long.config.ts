import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * In CI nothing in the long suite may pass by skipping: a skipped test there means a reference
 * (Unicorn, QEMU, a compiler) was missing, so the run fails and names the tests.
 */
class NoSkipInCi implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (!process.env.CI) return;
    const skipped: string[] = [];
    for (const m of modules) {
      if (m.state() === 'skipped') skipped.push(m.moduleId);
      for (const t of m.children.allTests()) if (t.result().state === 'skipped') skipped.push(`${m.moduleId}: ${t.fullName}`);
    }
    if (skipped.length === 0) return;
    process.stderr.write(`test:long: ${skipped.length} test(s) skipped with CI set; nothing may skip here:\n${skipped.map((s) => `  ${s}\n`).join('')}`);
    process.exitCode = 1;
  }
}

// `npm run test:long`: the campaigns too long for `npm test`. .ci/run runs it after `npm test`.
export default defineConfig({
  test: {
    include: ['tests/long/**/*.test.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    reporters: ['default', new NoSkipInCi()],
  },
});
