import { env } from "@/lib/env";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/drivers";

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

const opened = globalThis as typeof globalThis & { taskApiOpenDatabase?: Database };

/** The drizzle client of this process's database, for queries. */
export async function db(): Promise<Database> {
  return (opened.taskApiOpenDatabase ??= (await databaseHandle()).db);
}

/** The database once db() has opened it, without waiting: the hot paths skip a promise. */
export const openedDb = (): Database | undefined => opened.taskApiOpenDatabase;

export async function closeDatabase() {
  const pending = globalForDb.taskApiDatabase;
  globalForDb.taskApiDatabase = undefined;
  opened.taskApiOpenDatabase = undefined;
  if (pending) await (await pending).close();
}
