// `npm run vercel-build` — the build command on Vercel (vercel.json): applies migrations before
// `next build` on preview and production builds, then builds. The build itself never opens
// the database.
import { spawnSync } from "node:child_process";
import { DRIVERS, drivers, migrateDatabase, resolveDriver } from "@/lib/db/drivers";
import { planMigration, type VercelBuildEnv } from "@/lib/db/migration-plan";

try {
  const plan = planMigration(process.env as VercelBuildEnv);
  if (plan.migrate) {
    console.log(`vercel-build: applying migrations on ${plan.host}`);
    // DATABASE_DRIVER counts only when it names a server driver; otherwise the URL decides.
    const driver = DRIVERS.find((name) => name === process.env.DATABASE_DRIVER && drivers[name].kind === "server");
    const target = { DATABASE_URL: plan.url, DATABASE_DRIVER: driver, NEON_WS_PROXY: process.env.NEON_WS_PROXY };
    if (drivers[resolveDriver(target)].kind !== "server") {
      throw new Error(`a Vercel build migrates a PostgreSQL server, not the embedded database ${plan.url}`);
    }
    await migrateDatabase(target);
  } else {
    console.log(`vercel-build: skipping migrations (${plan.reason})`);
  }
} catch (error) {
  console.error(`vercel-build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
process.exit(build.status ?? 1);
