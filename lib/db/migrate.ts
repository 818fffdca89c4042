import path from "node:path";
import { sql } from "drizzle-orm";
import journal from "@/drizzle/meta/_journal.json";
import type { Env } from "@/lib/env";
import { rowsOf } from "@/lib/db/rows";
import { configureNeon, resolveDriver, type Database } from "@/lib/db/driver";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 727_274_001;

const latestMigration = Math.max(...journal.entries.map((entry) => entry.when));

/** Applies pending migrations through an open PGlite database (one process owns it anyway). */
export async function migratePglite(db: Database) {
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Applies pending migrations on PostgreSQL (pg or neon driver) over one dedicated connection,
 * holding a session advisory lock so that concurrent deploys or CI jobs apply each migration
 * exactly once: the second waits, then finds nothing left to do.
 */
export async function migrateServer(env: Pick<Env, "DATABASE_URL" | "DATABASE_DRIVER" | "NEON_WS_PROXY">) {
  const driver = resolveDriver(env);
  if (driver === "pglite") throw new Error("migrateServer is for PostgreSQL servers");
  if (driver === "neon") {
    await configureNeon(env.NEON_WS_PROXY);
    const { Client } = await import("@neondatabase/serverless");
    const { drizzle } = await import("drizzle-orm/neon-serverless");
    const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
    const client = new Client({ connectionString: env.DATABASE_URL });
    await withMigrationLock(client, () => migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER }));
  } else {
    const { Client } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    const client = new Client({ connectionString: env.DATABASE_URL });
    await withMigrationLock(client, () => migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER }));
  }
}

interface LockableClient {
  connect(): Promise<unknown>;
  query(text: string, values: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}

async function withMigrationLock(client: LockableClient, run: () => Promise<void>) {
  await client.connect();
  try {
    // Session-level lock on the same connection the migrator uses; released when it closes.
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await run();
  } finally {
    await client.end();
  }
}

/** True when the database lacks a migration that this build ships. One query. */
export async function hasPendingMigrations(db: Database): Promise<boolean> {
  try {
    const [row] = await rowsOf<{ last: string | null }>(
      db.execute(sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`),
    );
    const last = row?.last;
    return last === null || last === undefined || Number(last) < latestMigration;
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === "42P01" || code === "3F000") return true;
    throw error;
  }
}
