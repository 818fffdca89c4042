import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrateDatabase } from "@/lib/db/drivers";
import { parseEnv } from "@/lib/env";
import { treeCpuMs } from "./proc";

// The bench's PostgreSQL: a fresh database on BENCH_DATABASE_URL's server when that is given,
// otherwise a throwaway cluster (scripts/pg-cluster.sh, with pg_stat_statements preloaded) that
// is removed afterwards. Either way the migrations are applied with the product's migrator.

export interface BenchDatabase {
  /** URL of the bench's own database. */
  url: string;
  /** True for BENCH_DATABASE_URL: PostgreSQL's processes are not ours to measure. */
  external: boolean;
  /** A connection for the bench's own bookkeeping (seeding, statistics): never measured. */
  admin: pg.Client;
  /** CPU ms of the cluster's processes so far; undefined when external. */
  cpuMs(): number | undefined;
  /** pg_stat_statements is usable. */
  statements: boolean;
  resetStatements(): Promise<void>;
  /** Statements executed in the bench database since the last reset, the bench's own excluded. */
  countStatements(): Promise<number | undefined>;
  /**
   * A copy of the bench database (CREATE DATABASE ... TEMPLATE), dropped with it. Nothing else
   * may be connected to the bench database meanwhile: the admin connection is closed and reopened.
   */
  clone(suffix: string): Promise<{ url: string; admin: pg.Client }>;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function provisionDatabase(root: string, log: (line: string) => void): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  let serverUrl: string;
  let clusterDir: string | undefined;
  if (external) {
    serverUrl = external;
    log(`PostgreSQL: BENCH_DATABASE_URL (${new URL(external).host}); PostgreSQL CPU is not measured`);
  } else {
    clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-bench-pg-"));
    serverUrl = execFileSync(path.join(root, "scripts", "pg-cluster.sh"), ["start", clusterDir], { encoding: "utf8" }).trim();
    log(`PostgreSQL: throwaway cluster in ${clusterDir} (${new URL(serverUrl).host})`);
  }
  const name = `task_bench_${process.pid}_${Date.now().toString(36)}`;
  const server = await connect(serverUrl);
  await server.query(`create database "${name}"`);
  await server.end();
  const url = withDatabase(serverUrl, name);

  await migrateDatabase(parseEnv({ NODE_ENV: "test", DATABASE_URL: url, DATABASE_DRIVER: "pg" }));
  const admin = await connect(url);
  admin.on("error", () => {});

  let statements = false;
  try {
    await admin.query("create extension if not exists pg_stat_statements");
    await admin.query("select pg_stat_statements_reset()");
    await admin.query("select 1 from pg_stat_statements limit 1");
    statements = true;
  } catch (error) {
    log(`pg_stat_statements unavailable (${(error as Error).message}): SQL statements per request are not measured`);
  }
  const { rows } = await admin.query<{ oid: number }>("select oid from pg_database where datname = current_database()");
  const databaseOid = rows[0]!.oid;

  const postmasterPid = (): number | undefined => {
    if (!clusterDir) return undefined;
    try {
      return Number(fs.readFileSync(path.join(clusterDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return undefined;
    }
  };

  const clones: { name: string; client: pg.Client }[] = [];
  const bench: BenchDatabase = {
    url,
    external: Boolean(external),
    admin,
    statements,
    cpuMs() {
      const pid = postmasterPid();
      return pid ? treeCpuMs([pid]) : undefined;
    },
    async resetStatements() {
      if (statements) await bench.admin.query("select pg_stat_statements_reset()");
    },
    async countStatements() {
      if (!statements) return undefined;
      // Only this database, and not the bench's own bookkeeping (which all names pg_stat_statements).
      const result = await bench.admin.query<{ calls: string | null }>(
        `select sum(calls)::text as calls from pg_stat_statements
         where dbid = $1 and query not ilike '%pg_stat_statements%'`,
        [databaseOid],
      );
      return Number(result.rows[0]?.calls ?? 0);
    },
    async clone(suffix: string) {
      const cloneName = `${name}_${suffix}`;
      await bench.admin.end();
      const server = await connect(serverUrl);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await server.query(`create database "${cloneName}" template "${name}"`);
            break;
          } catch (error) {
            // 55006: the template is still in use (a closing connection, autovacuum): retry.
            if ((error as { code?: string }).code !== "55006" || attempt === 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      } finally {
        await server.end();
      }
      bench.admin = await connect(url);
      bench.admin.on("error", () => {});
      const cloneUrl = withDatabase(serverUrl, cloneName);
      const client = await connect(cloneUrl);
      client.on("error", () => {});
      clones.push({ name: cloneName, client });
      return { url: cloneUrl, admin: client };
    },
    async close() {
      await bench.admin.end().catch(() => {});
      for (const clone of clones) await clone.client.end().catch(() => {});
      if (clusterDir) {
        execFileSync(path.join(root, "scripts", "pg-cluster.sh"), ["stop", clusterDir]);
        return;
      }
      try {
        const cleanup = await connect(serverUrl);
        for (const clone of clones) await cleanup.query(`drop database if exists "${clone.name}" with (force)`);
        await cleanup.query(`drop database if exists "${name}" with (force)`);
        await cleanup.end();
      } catch (error) {
        log(`could not drop database ${name}: ${(error as Error).message}`);
      }
    },
  };
  return bench;
}
