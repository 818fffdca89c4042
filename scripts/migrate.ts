// `npm run db:migrate`: applies pending migrations to the configured database, reading .env
// files the way Next does. PostgreSQL servers are migrated under an advisory lock; an embedded
// PGlite directory is opened (and locked against a running dev server) and migrated in place
// (see lib/db/drivers.ts). Only the database settings are validated: a migration job needs
// DATABASE_URL (in production) and nothing else, not BETTER_AUTH_SECRET.
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { parseDatabaseEnv } = await import("@/lib/env");
const { migrateDatabase, resolveDriver } = await import("@/lib/db/drivers");

try {
  const config = parseDatabaseEnv(process.env);
  const driver = resolveDriver(config);
  await migrateDatabase(config);
  console.log(`migrations applied (${driver})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
