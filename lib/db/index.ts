import { env } from "@/lib/env";
import { openDatabase, type DatabaseHandle } from "@/lib/db/driver";
import { migratePglite } from "@/lib/db/migrate";

export type { Database, DatabaseHandle, DriverName } from "@/lib/db/driver";

// Cached on globalThis so that `next dev` hot reloads reuse the pool (and, for PGlite, the one
// process-wide instance) instead of opening another on every edit.
const globalForDb = globalThis as typeof globalThis & { taskApiDatabase?: Promise<DatabaseHandle> };

async function open(): Promise<DatabaseHandle> {
  const handle = await openDatabase(env());
  // Embedded databases are private to this process, so it is the one that keeps them migrated:
  // this is what makes `npm run dev` work on a fresh clone.
  if (handle.driver === "pglite") await migratePglite(handle.db);
  return handle;
}

export function database(): Promise<DatabaseHandle> {
  globalForDb.taskApiDatabase ??= open().catch((error: unknown) => {
    globalForDb.taskApiDatabase = undefined;
    throw error;
  });
  return globalForDb.taskApiDatabase;
}

export async function db() {
  return (await database()).db;
}

export async function closeDatabase() {
  const pending = globalForDb.taskApiDatabase;
  globalForDb.taskApiDatabase = undefined;
  if (pending) await (await pending).close();
}
