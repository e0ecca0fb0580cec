import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // TF.js on the cpu backend is slow on 2 cores; a few training tests need the room.
    testTimeout: 120_000,
    pool: 'forks',
  },
});
