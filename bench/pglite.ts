import fs from "node:fs";
import type pg from "pg";
import { migratePglite } from "@/lib/db/drivers";
import * as schema from "@/lib/db/schema";

// The PGlite target serves the same data: a new PGlite directory, migrated by the product's own
// migrator, filled with a copy of the bench database's rows (same users, sessions, API keys and task ids).
// Closed again before the server opens it (PGlite allows one process per directory).
const TABLES = ["users", "accounts", "sessions", "api_keys", "lists", "tasks"] as const;

export async function copyToPglite(admin: pg.Client, directory: string) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle } = await import("drizzle-orm/pglite");
  fs.mkdirSync(directory, { recursive: true });
  const client = new PGlite({ dataDir: directory, extensions: { pg_trgm } });
  try {
    await client.waitReady;
    await migratePglite(drizzle({ client, schema }));
    for (const table of TABLES) {
      const { rows } = await admin.query<{ rows: string }>(`select coalesce(json_agg(t), '[]')::text as rows from ${table} t`);
      await client.query(
        `insert into ${table} ${table === "tasks" || table === "lists" ? "overriding system value" : ""} select * from json_populate_recordset(null::${table}, $1::json)`,
        [rows[0]!.rows],
      );
    }
    await client.query("select setval(pg_get_serial_sequence('tasks', 'id'), (select max(id) from tasks))");
    await client.query("vacuum analyze");
  } finally {
    await client.close();
  }
}
