// `npm run vercel-build` — the build command on Vercel (vercel.json): applies migrations before
// `next build` on preview and production builds, then builds. The build itself never opens
// the database.
import { spawnSync } from "node:child_process";
import { planMigration, type DeployEnv } from "@/lib/deploy";
import { migrateServer } from "@/lib/db/migrate";

try {
  const plan = planMigration(process.env as DeployEnv);
  if (plan.migrate) {
    console.log(`vercel-build: applying migrations on ${plan.host}`);
    const driver = process.env.DATABASE_DRIVER === "pg" || process.env.DATABASE_DRIVER === "neon" ? process.env.DATABASE_DRIVER : undefined;
    await migrateServer({ DATABASE_URL: plan.url, DATABASE_DRIVER: driver, NEON_WS_PROXY: process.env.NEON_WS_PROXY });
  } else {
    console.log(`vercel-build: skipping migrations (${plan.reason})`);
  }
} catch (error) {
  console.error(`vercel-build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
process.exit(build.status ?? 1);
