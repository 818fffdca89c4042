import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Env } from "@/lib/env";
import { ConfigError } from "@/lib/env";
import * as schema from "@/lib/db/schema";
import { logWarn } from "@/lib/log";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DriverName = "pg" | "neon" | "pglite";

export interface DatabaseHandle {
  db: Database;
  driver: DriverName;
  close(): Promise<void>;
}

export function resolveDriver(env: Pick<Env, "DATABASE_URL" | "DATABASE_DRIVER">): DriverName {
  const isPglite = env.DATABASE_URL.startsWith("pglite:");
  if (isPglite && env.DATABASE_DRIVER && env.DATABASE_DRIVER !== "pglite") {
    throw new ConfigError(`DATABASE_DRIVER=${env.DATABASE_DRIVER} needs a postgres:// DATABASE_URL, not ${env.DATABASE_URL}`);
  }
  if (isPglite) return "pglite";
  if (env.DATABASE_DRIVER === "pglite") throw new ConfigError("DATABASE_DRIVER=pglite needs DATABASE_URL=pglite:<dir>");
  if (env.DATABASE_DRIVER) return env.DATABASE_DRIVER;
  return new URL(env.DATABASE_URL).hostname.endsWith(".neon.tech") ? "neon" : "pg";
}

/** `pglite:memory` → undefined (in memory); `pglite:<dir>` → absolute directory. */
export function pgliteDirectory(url: string): string | undefined {
  const location = url.slice("pglite:".length);
  if (location === "memory" || location === "") return undefined;
  return path.resolve(location);
}

function poolOptions(env: Env) {
  // Neon's pooled endpoint (PgBouncer, transaction mode) rejects a statement_timeout startup
  // parameter; there it is set on the role instead (see README).
  const pooledNeon = new URL(env.DATABASE_URL).hostname.includes("-pooler.");
  return {
    connectionString: env.DATABASE_URL,
    application_name: "task-api",
    max: env.DB_POOL_MAX,
    connectionTimeoutMillis: env.DB_POOL_ACQUIRE_TIMEOUT_MS,
    idleTimeoutMillis: env.DB_POOL_IDLE_TIMEOUT_MS,
    maxLifetimeSeconds: env.DB_POOL_MAX_LIFETIME_S,
    ...(pooledNeon ? {} : { statement_timeout: env.DB_STATEMENT_TIMEOUT_MS }),
  };
}

function onIdleClientError(error: Error) {
  // A dropped idle connection must not crash the process: the pool replaces it on next use.
  logWarn("idle database connection failed", { error: error.message });
}

// On Vercel Fluid compute, lets the platform close idle pool connections before it suspends
// an instance; it does nothing anywhere else.
async function attachToPlatform(pool: Parameters<typeof import("@vercel/functions").attachDatabasePool>[0]) {
  const { attachDatabasePool } = await import("@vercel/functions");
  attachDatabasePool(pool);
}

async function openPg(env: Env): Promise<DatabaseHandle> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const pool = new Pool(poolOptions(env));
  pool.on("error", onIdleClientError);
  await attachToPlatform(pool);
  return { db: drizzle({ client: pool, schema }), driver: "pg", close: () => pool.end() };
}

export async function configureNeon(proxy: string | undefined) {
  const { neonConfig } = await import("@neondatabase/serverless");
  const { default: ws } = await import("ws");
  neonConfig.webSocketConstructor = ws;
  if (proxy) {
    // A local wsproxy in front of a plain PostgreSQL (tests, offline rehearsals): no TLS,
    // and the startup messages cannot be pipelined through it.
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

async function openNeon(env: Env): Promise<DatabaseHandle> {
  await configureNeon(env.NEON_WS_PROXY);
  const { Pool } = await import("@neondatabase/serverless");
  const { drizzle } = await import("drizzle-orm/neon-serverless");
  const pool = new Pool(poolOptions(env));
  pool.on("error", onIdleClientError);
  return { db: drizzle({ client: pool, schema }), driver: "neon", close: () => pool.end() };
}

async function openPglite(env: Env): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  // The extensions the migrations create (CREATE EXTENSION), as PostgreSQL servers ship them.
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { acquireDirectoryLock } = await import("@/lib/db/pglite-lock");
  const directory = pgliteDirectory(env.DATABASE_URL);
  const releaseLock = directory ? acquireDirectoryLock(directory) : () => {};
  try {
    const client = new PGlite({ dataDir: directory, extensions: { pg_trgm } });
    await client.waitReady;
    return {
      db: drizzle({ client, schema }),
      driver: "pglite",
      close: async () => {
        await client.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

export function openDatabase(env: Env): Promise<DatabaseHandle> {
  const driver = resolveDriver(env);
  if (driver === "pglite") return openPglite(env);
  return driver === "neon" ? openNeon(env) : openPg(env);
}
