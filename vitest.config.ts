import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// One integration suite (app/**/*.test.ts), run once per database driver: embedded PGlite
// always; node-postgres and the neon driver (through a local wsproxy) when TEST_DATABASE_URL
// names a real PostgreSQL server, which CI always provides.
const testDatabaseUrl = process.env.TEST_DATABASE_URL;

const shared = { resolve: { tsconfigPaths: true } } as const;

const integration = (driver: "pglite" | "pg" | "neon"): TestProjectInlineConfiguration => ({
  ...shared,
  test: {
    name: driver,
    include: ["app/**/*.test.ts"],
    setupFiles: ["test/setup-driver.ts"],
    globalSetup: driver === "pglite" ? [] : ["test/global-setup-postgres.ts"],
    env: { TEST_DRIVER: driver, LOG_LEVEL: "warn", RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

if (!testDatabaseUrl) {
  console.warn("TEST_DATABASE_URL is not set: running the integration suite on PGlite only.");
}

export default defineConfig({
  test: {
    projects: [
      { ...shared, test: { name: "unit", include: ["lib/**/*.test.ts"], env: { NODE_ENV: "test" } } },
      integration("pglite"),
      ...(testDatabaseUrl ? [integration("pg"), integration("neon")] : []),
      {
        ...shared,
        test: {
          name: "server",
          include: ["test/server/**/*.test.ts"],
          // These take a real PostgreSQL server away, lock its rows or migrate it; without
          // TEST_DATABASE_URL there is none.
          exclude: testDatabaseUrl ? [] : ["test/server/postgres/**"],
          globalSetup: testDatabaseUrl ? ["test/global-setup-postgres.ts"] : [],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
