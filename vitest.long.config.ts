import { defineConfig } from 'vitest/config';
import { NoSkipInCi } from './tests/support/no-skip-in-ci.ts';

// `npm run test:long`: the campaigns too long for `npm test`. .ci/run runs it after `npm test`.
export default defineConfig({
  test: {
    include: ['tests/long/**/*.test.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    reporters: ['default', new NoSkipInCi()],
  },
});
