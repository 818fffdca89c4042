import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import type { DriverKinds } from "./lib/db/drivers";

// One integration suite (app/**/*.test.ts), run once per database driver: an embedded one
// (PGlite, in memory) always; the servers' (node-postgres, and the neon driver through a local
// wsproxy) when TEST_DATABASE_URL names a real PostgreSQL server, which CI always provides.
const testDatabaseUrl = process.env.TEST_DATABASE_URL;

// The drivers of lib/db/drivers.ts and their kinds. Checked against it by type only: Vite bundles
// whatever this file imports as a value into the loaded config, and warns on every run about a
// relative import without a .ts extension (which tsc refuses here) or an @/ path it cannot
// resolve. `satisfies` fails the type check when a driver is added, removed or changes kind there.
const DRIVER_KINDS = { pglite: "embedded", pg: "server", neon: "server" } as const satisfies DriverKinds;
type DriverName = keyof typeof DRIVER_KINDS;
const testedDrivers = (Object.keys(DRIVER_KINDS) as DriverName[]).filter(
  (driver) => DRIVER_KINDS[driver] === "embedded" || testDatabaseUrl,
);

const shared = { resolve: { tsconfigPaths: true } } as const;

// Vitest runs one file at a time on two cores (cores - 1). Projects run in groups, one group
// after another; within a project, files run on `maxWorkers` workers. An embedded database lives
// in its test file's own process (pglite:memory), so those files and the unit tests share the
// machine's cores; so do the pg and neon projects, whose every worker has a database of its own
// (test/worker-databases.ts), and whose files wait on PostgreSQL as much as they compute. The
// server tests take the TEST_DATABASE_URL server away or migrate it: one file at a time, last.
const PARALLEL = { maxWorkers: 2 } as const;
const ONE_AT_A_TIME = { maxWorkers: 1 } as const;
const order = (groupOrder: number) => ({ sequence: { groupOrder } });

const integration = (driver: DriverName): TestProjectInlineConfiguration => ({
  ...shared,
  test: {
    name: driver,
    include: ["app/**/*.test.ts"],
    ...PARALLEL,
    ...order(DRIVER_KINDS[driver] === "embedded" ? 0 : 1),
    setupFiles: ["test/setup-driver.ts"],
    globalSetup: DRIVER_KINDS[driver] === "server" ? ["test/global-setup-postgres.ts"] : [],
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
      { ...shared, test: { name: "unit", include: ["lib/**/*.test.ts"], env: { NODE_ENV: "test" }, ...PARALLEL, ...order(0) } },
      ...testedDrivers.map(integration),
      {
        ...shared,
        test: {
          name: "server",
          include: ["test/server/**/*.test.ts"],
          ...ONE_AT_A_TIME,
          ...order(2),
          // These take a real PostgreSQL server away, lock its rows or migrate it; without
          // TEST_DATABASE_URL there is none.
          exclude: testDatabaseUrl ? [] : ["test/server/postgres/**"],
          globalSetup: testDatabaseUrl ? ["test/global-setup-postgres.ts"] : [],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
