import { configDefaults, defineConfig } from 'vitest/config';
import { NoSkipInCi } from './tests/support/no-skip-in-ci.ts';

// `npm test`: every area, sized to stay within a few minutes on two cores. The long campaigns
// (100,000-case conformance, the example builds, the ELF fuzzer at size, the QEMU oracle runs)
// are in tests/long/, run by `npm run test:long` (vitest.long.config.ts).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'tests/long/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', new NoSkipInCi()],
  },
});
