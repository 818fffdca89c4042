import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import journal from "@/drizzle/meta/_journal.json";

// `npm run db:migrate` (scripts/migrate.ts) as a deploy runs it: a real process against a new
// database on the test server.
const server = new URL(process.env.TEST_DATABASE_URL!);
const admin = new pg.Client({ connectionString: server.href });
const created: string[] = [];

async function newDatabase(purpose: string): Promise<string> {
  if (created.length === 0) await admin.connect();
  const name = `migrate_${purpose}_${process.pid}_${Date.now()}`;
  await admin.query(`create database ${name}`);
  created.push(name);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.href;
}

function migrate(env: { NODE_ENV: "production" | "development"; DATABASE_URL?: string; DATABASE_DRIVER?: "pg" }) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("npx", ["tsx", "scripts/migrate.ts"], { env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp", ...env } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** Each migration of the journal applied exactly once, in order. */
async function expectEveryMigrationAppliedOnce(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const applied = await client.query("select created_at from drizzle.__drizzle_migrations order by created_at");
    expect(applied.rows.map((row) => Number(row.created_at))).toEqual(journal.entries.map((entry) => entry.when));
    const tables = await client.query("select count(*)::int as n from information_schema.tables where table_name = 'tasks'");
    expect(tables.rows[0].n).toBe(1);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (created.length === 0) return;
  for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe("npm run db:migrate", () => {
  // The advisory lock makes the second wait and then find nothing to do.
  it("is safe to run twice at once: both exit 0 and each migration is applied exactly once", async () => {
    const url = await newDatabase("race");
    const results = await Promise.all([1, 2].map(() => migrate({ NODE_ENV: "development", DATABASE_URL: url, DATABASE_DRIVER: "pg" })));
    for (const result of results) expect(result.code, result.output).toBe(0);
    await expectEveryMigrationAppliedOnce(url);
  });

  // Issue #14: with NODE_ENV=production it refused to run without BETTER_AUTH_SECRET. A
  // migration job needs the database settings only: nothing else is in its environment here.
  it("runs in production with DATABASE_URL alone (no BETTER_AUTH_SECRET)", async () => {
    const url = await newDatabase("production");
    const result = await migrate({ NODE_ENV: "production", DATABASE_URL: url });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("migrations applied (pg)");
    await expectEveryMigrationAppliedOnce(url);
  });

  it("still refuses to run in production without DATABASE_URL, naming it and only it", async () => {
    const result = await migrate({ NODE_ENV: "production" });
    expect(result.code).toBe(1);
    expect(result.output).toContain("DATABASE_URL: required when NODE_ENV=production");
    expect(result.output).not.toContain("BETTER_AUTH_SECRET");
  });
});
