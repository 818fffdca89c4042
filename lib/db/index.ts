import { env } from "@/lib/env";
import { openDatabase, type DatabaseHandle } from "@/lib/db/drivers";

export type { Database, DatabaseHandle, DriverName } from "@/lib/db/drivers";

// Cached on globalThis so that `next dev` hot reloads reuse the pool (and, for PGlite, the one
// process-wide instance) instead of opening another on every edit.
const globalForDb = globalThis as typeof globalThis & { taskApiDatabase?: Promise<DatabaseHandle> };

/**
 * This process's database, opened on first use (an embedded one is also migrated then): the
 * drizzle client with the driver it runs on and close(). Queries want db().
 */
export function databaseHandle(): Promise<DatabaseHandle> {
  globalForDb.taskApiDatabase ??= openDatabase(env()).catch((error: unknown) => {
    globalForDb.taskApiDatabase = undefined;
    throw error;
  });
  return globalForDb.taskApiDatabase;
}

/** The drizzle client of this process's database, for queries. */
export async function db() {
  return (await databaseHandle()).db;
}

export async function closeDatabase() {
  const pending = globalForDb.taskApiDatabase;
  globalForDb.taskApiDatabase = undefined;
  if (pending) await (await pending).close();
}
