import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import journal from "@/drizzle/meta/_journal.json";

// Issue #14: `npm run db:migrate` with NODE_ENV=production refused to run without
// BETTER_AUTH_SECRET. A migration job needs the database settings only. Runs the real script
// against a new database on the test server, with nothing in its environment but PATH, HOME,
// NODE_ENV and DATABASE_URL.
const server = new URL(process.env.TEST_DATABASE_URL!);
const name = `migrate_production_${process.pid}_${Date.now()}`;
const admin = new pg.Client({ connectionString: server.href });

function migrate(env: { NODE_ENV: "production"; DATABASE_URL?: string }) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("npx", ["tsx", "scripts/migrate.ts"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp", ...env },
    });
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

describe("npm run db:migrate in production", () => {
  it("runs with DATABASE_URL alone (no BETTER_AUTH_SECRET) and applies every migration", async () => {
    await admin.connect();
    await admin.query(`create database ${name}`);
    const target = new URL(server);
    target.pathname = `/${name}`;

    const result = await migrate({ NODE_ENV: "production", DATABASE_URL: target.href });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("migrations applied (pg)");

    const client = new pg.Client({ connectionString: target.href });
    await client.connect();
    try {
      const applied = await client.query("select created_at from drizzle.__drizzle_migrations order by created_at");
      expect(applied.rows.map((row) => Number(row.created_at))).toEqual(journal.entries.map((entry) => entry.when));
    } finally {
      await client.end();
    }
  });

  it("still refuses to run without DATABASE_URL, naming it and only it", async () => {
    const result = await migrate({ NODE_ENV: "production" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("DATABASE_URL: required when NODE_ENV=production");
    expect(result.output).not.toContain("BETTER_AUTH_SECRET");
  });
});
