import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import journal from "@/drizzle/meta/_journal.json";

// Two `npm run db:migrate` processes at once against one new database: the advisory lock
// makes the second wait and then find nothing to do.
const server = new URL(process.env.TEST_DATABASE_URL!);
const name = `migrate_race_${process.pid}_${Date.now()}`;
const admin = new pg.Client({ connectionString: server.href });

function migrate(url: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("npx", ["tsx", "scripts/migrate.ts"], { env: { ...process.env, DATABASE_URL: url, DATABASE_DRIVER: "pg" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

afterAll(async () => {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe("npm run db:migrate", () => {
  it("is safe to run twice at once: both exit 0 and each migration is applied exactly once", async () => {
    await admin.connect();
    await admin.query(`create database ${name}`);
    const target = new URL(server);
    target.pathname = `/${name}`;
    const results = await Promise.all([migrate(target.href), migrate(target.href)]);
    for (const result of results) expect(result.code, result.output).toBe(0);

    const client = new pg.Client({ connectionString: target.href });
    await client.connect();
    try {
      const applied = await client.query("select hash, created_at from drizzle.__drizzle_migrations order by created_at");
      expect(applied.rows.map((row) => Number(row.created_at))).toEqual(journal.entries.map((entry) => entry.when));
      const tables = await client.query("select count(*)::int as n from information_schema.tables where table_name = 'tasks'");
      expect(tables.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});
