import type { Reporter, TestModule } from 'vitest/node';

/**
 * In CI nothing may pass by skipping: a skipped test there means a reference (Unicorn, QEMU,
 * gdb-multiarch, Chromium, a compiler) was missing, so the run fails and names the tests.
 */
export class NoSkipInCi implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (!process.env.CI) return;
    const skipped: string[] = [];
    for (const m of modules) {
      if (m.state() === 'skipped') skipped.push(m.moduleId);
      for (const t of m.children.allTests()) if (t.result().state === 'skipped') skipped.push(`${m.moduleId}: ${t.fullName}`);
    }
    if (skipped.length === 0) return;
    process.stderr.write(
      `sramlab tests: ${skipped.length} test(s) skipped with CI set; nothing may skip here:\n${skipped.map((s) => `  ${s}\n`).join('')}`,
    );
    process.exitCode = 1;
  }
}
