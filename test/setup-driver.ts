import { afterAll, inject } from "vitest";
import { DRIVERS, drivers, type DriverName } from "@/lib/db/drivers";
import { workerDatabaseUrl } from "./worker-databases";

// Points the app's configuration at the driver this project tests, before any app module reads it.
const driver = process.env.TEST_DRIVER as DriverName;
if (!DRIVERS.includes(driver)) throw new Error(`TEST_DRIVER=${driver}: expected one of ${DRIVERS.join(", ")}`);
Object.assign(process.env, { NODE_ENV: "test" });
if (drivers[driver].kind === "embedded") {
  process.env.DATABASE_URL = "pglite:memory";
} else {
  process.env.DATABASE_URL = workerDatabaseUrl(process.env.TEST_DATABASE_URL!, driver, Number(process.env.VITEST_POOL_ID));
  process.env.DATABASE_DRIVER = driver;
  if (driver === "neon") process.env.NEON_WS_PROXY = inject("neonWsProxy");
}

afterAll(async () => {
  const { closeDatabase } = await import("@/lib/db");
  await closeDatabase();
});
