// `npm run db:migrate`: applies pending migrations to the configured database, reading .env
// files the way Next does. PostgreSQL servers are migrated under an advisory lock; an embedded
// PGlite directory is opened (and locked against a running dev server) and migrated in place.
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { env } = await import("@/lib/env");
const { resolveDriver } = await import("@/lib/db/driver");
const config = env();
const driver = resolveDriver(config);

try {
  if (driver === "pglite") {
    const { database, closeDatabase } = await import("@/lib/db");
    await database();
    await closeDatabase();
  } else {
    const { migrateServer } = await import("@/lib/db/migrate");
    await migrateServer(config);
  }
  console.log(`migrations applied (${driver})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
