// `npm run db:migrate`: applies pending migrations to the configured database, reading .env
// files the way Next does. PostgreSQL servers are migrated under an advisory lock; an embedded
// PGlite directory is opened (and locked against a running dev server) and migrated in place.
// Only the database settings are validated: a migration job needs DATABASE_URL (in production)
// and nothing else, not BETTER_AUTH_SECRET.
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { parseDatabaseEnv } = await import("@/lib/env");
const { openDatabase, resolveDriver } = await import("@/lib/db/driver");
const { migratePglite, migrateServer } = await import("@/lib/db/migrate");

try {
  const config = parseDatabaseEnv(process.env);
  const driver = resolveDriver(config);
  if (driver === "pglite") {
    // openDatabase reads only the database settings; its parameter type is the full Env.
    const handle = await openDatabase(config as Parameters<typeof openDatabase>[0]);
    try {
      await migratePglite(handle.db);
    } finally {
      await handle.close();
    }
  } else {
    await migrateServer(config);
  }
  console.log(`migrations applied (${driver})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
