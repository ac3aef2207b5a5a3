import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests share local database servers; files still run in parallel, each on
    // its own database, but two cores do not gain from more than two workers.
    maxWorkers: 2,
  },
});
