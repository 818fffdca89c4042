// The database drivers, and everything that differs between them: their names, whether each is a
// server or embedded, how to open it and how to migrate it. The rest of the app takes the names
// and the per-driver behaviour from here.
//
// Importing this module loads nothing: the driver libraries, drizzle, the schema and the logger
// are imported when a database is opened or migrated. lib/env.ts reads DRIVERS from here, and
// `next build` imports every route module (so this one) and must never load a driver or open a
// database.
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { ConfigError } from "@/lib/config-error";
import type * as schema from "@/lib/db/schema";
import type { DatabaseEnv } from "@/lib/env";

export const DRIVERS = ["pg", "neon", "pglite"] as const;
export type DriverName = (typeof DRIVERS)[number];

/**
 * - `server`: a PostgreSQL server that any number of processes share. A job migrates it
 *   (`npm run db:migrate`, the Vercel build, test setup) over one connection holding an advisory
 *   lock, so that concurrent runs apply each migration exactly once.
 * - `embedded`: PGlite, inside this process. One process per data directory (a lock file beside
 *   the directory refuses a second one), and that process keeps it migrated: opening it applies
 *   pending migrations.
 */
export type DriverKind = "server" | "embedded";

/** The drizzle client, whichever driver is under it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database: the drizzle client, the driver it runs on, and how to close it. */
export interface DatabaseHandle {
  db: Database;
  driver: DriverName;
  close(): Promise<void>;
}

/**
 * Runs a named prepared statement on an open database's own client, resolving to its rows: what
 * lib/db/statement.ts runs on the hot paths, without drizzle's per-query layers (spans, cache,
 * row mapping).
 */
export type StatementRunner = (name: string, text: string, params: unknown[]) => Promise<unknown[]>;

interface CallbackPool {
  query(config: { name: string; text: string; values: unknown[] }, callback: (error: Error | undefined, result: { rows: unknown[] }) => void): void;
}

// Through the pool's callback API: one promise per statement, where its promise API makes three
// (the pool's, the client's and ours), each one more turn through Next's async context hooks.
const poolRunner = (pool: CallbackPool): StatementRunner => (name, text, values) =>
  new Promise((resolve, reject) => pool.query({ name, text, values }, (error, result) => (error ? reject(error) : resolve(result.rows))));

// Process-wide, like the database itself (lib/db/index.ts): Next bundles instrumentation, which
// opens an embedded database, apart from the routes that run its statements, each bundle with a
// copy of this module.
const globalForRunners = globalThis as typeof globalThis & { taskApiStatementRunners?: WeakMap<Database, StatementRunner> };
const runners = (globalForRunners.taskApiStatementRunners ??= new WeakMap());

/** The runner of a database this module opened; undefined for a transaction. */
export const statementRunnerOf = (database: Database) => runners.get(database);

function withRunner<Handle extends DatabaseHandle>(handle: Handle, runner: StatementRunner): Handle {
  runners.set(handle.db, runner);
  return handle;
}

/** What migrating reads from the configuration (the Vercel build passes just these). */
export type MigrationTarget = Pick<DatabaseEnv, "DATABASE_URL" | "DATABASE_DRIVER" | "NEON_WS_PROXY">;

export interface Driver {
  kind: DriverKind;
  /** A server's pool connects on its first query; an embedded database is opened, locked and migrated now. */
  open(env: DatabaseEnv): Promise<DatabaseHandle>;
  /** Applies pending migrations, safely against every other process migrating the same database. */
  migrate(target: MigrationTarget): Promise<void>;
}

export const drivers = {
  // node-postgres over TCP: any PostgreSQL server, Neon included.
  pg: {
    kind: "server",
    async open(env) {
      const { Pool } = await import("pg");
      const { drizzle } = await import("drizzle-orm/node-postgres");
      const pool = new Pool(poolOptions(env));
      await logIdleClientErrors(pool);
      await attachToPlatform(pool);
      const db = drizzle({ client: pool, schema: await import("@/lib/db/schema") });
      return withRunner({ db, driver: "pg", close: () => pool.end() }, poolRunner(pool));
    },
    async migrate(target) {
      const { Client } = await import("pg");
      const { drizzle } = await import("drizzle-orm/node-postgres");
      const { migrate } = await import("drizzle-orm/node-postgres/migrator");
      const { MIGRATIONS_FOLDER } = await import("@/lib/db/migrations");
      const client = new Client({ connectionString: target.DATABASE_URL });
      await withMigrationLock(client, () => migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER }));
    },
  },
  // Neon's serverless driver: a WebSocket pool (transactions supported), or a local wsproxy in
  // front of a plain PostgreSQL when NEON_WS_PROXY is set.
  neon: {
    kind: "server",
    async open(env) {
      await configureNeon(env.NEON_WS_PROXY);
      const { Pool } = await import("@neondatabase/serverless");
      const { drizzle } = await import("drizzle-orm/neon-serverless");
      const pool = new Pool(poolOptions(env));
      await logIdleClientErrors(pool);
      const db = drizzle({ client: pool, schema: await import("@/lib/db/schema") });
      return withRunner({ db, driver: "neon", close: () => pool.end() }, poolRunner(pool));
    },
    async migrate(target) {
      await configureNeon(target.NEON_WS_PROXY);
      const { Client } = await import("@neondatabase/serverless");
      const { drizzle } = await import("drizzle-orm/neon-serverless");
      const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
      const { MIGRATIONS_FOLDER } = await import("@/lib/db/migrations");
      const client = new Client({ connectionString: target.DATABASE_URL });
      await withMigrationLock(client, () => migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER }));
    },
  },
  // PGlite: PostgreSQL compiled to WebAssembly, in this process, in memory or in a directory.
  pglite: {
    kind: "embedded",
    open: (env) => openPglite(env.DATABASE_URL),
    // Opening it migrates it; the directory lock makes this refuse while a server holds it.
    async migrate(target) {
      const handle = await openPglite(target.DATABASE_URL);
      await handle.close();
    },
  },
} satisfies { readonly [name in DriverName]: Driver };

/** Each driver's kind, as a type (vitest.config.ts checks its project table against it). */
export type DriverKinds = { [name in DriverName]: (typeof drivers)[name]["kind"] };

/**
 * The driver a configuration selects: a `pglite:` URL is PGlite; a server URL uses
 * DATABASE_DRIVER when set, else neon for a `*.neon.tech` host and pg for any other.
 */
export function resolveDriver(env: Pick<DatabaseEnv, "DATABASE_URL" | "DATABASE_DRIVER">): DriverName {
  const isPglite = env.DATABASE_URL.startsWith("pglite:");
  if (isPglite && env.DATABASE_DRIVER && env.DATABASE_DRIVER !== "pglite") {
    throw new ConfigError(`DATABASE_DRIVER=${env.DATABASE_DRIVER} needs a postgres:// DATABASE_URL, not ${env.DATABASE_URL}`);
  }
  if (isPglite) return "pglite";
  if (env.DATABASE_DRIVER === "pglite") throw new ConfigError("DATABASE_DRIVER=pglite needs DATABASE_URL=pglite:<dir>");
  if (env.DATABASE_DRIVER) return env.DATABASE_DRIVER;
  return new URL(env.DATABASE_URL).hostname.endsWith(".neon.tech") ? "neon" : "pg";
}

/** Opens the configured database with its driver (see Driver.open). */
export function openDatabase(env: DatabaseEnv): Promise<DatabaseHandle> {
  return drivers[resolveDriver(env)].open(env);
}

/** Applies pending migrations to the configured database with its driver (see Driver.migrate). */
export function migrateDatabase(target: MigrationTarget): Promise<void> {
  return drivers[resolveDriver(target)].migrate(target);
}

// --- Servers (pg, neon) ----------------------------------------------------------------------

function poolOptions(env: DatabaseEnv) {
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

async function logIdleClientErrors(pool: { on(event: "error", listener: (error: Error) => void): unknown }) {
  const { logWarn } = await import("@/lib/log");
  // A dropped idle connection must not crash the process: the pool replaces it on next use.
  pool.on("error", (error) => logWarn("idle database connection failed", { error: error.message }));
}

// On Vercel Fluid compute, lets the platform close idle pool connections before it suspends
// an instance. Anywhere else it would do nothing but still run a listener (reading the
// environment) on every query's release, so it is attached on Vercel only.
async function attachToPlatform(pool: Parameters<typeof import("@vercel/functions").attachDatabasePool>[0]) {
  if (!process.env.VERCEL) return;
  const { attachDatabasePool } = await import("@vercel/functions");
  attachDatabasePool(pool);
}

async function configureNeon(proxy: string | undefined) {
  const { neonConfig } = await import("@neondatabase/serverless");
  const { default: ws } = await import("ws");
  const { coalescingWebSocket } = await import("@/lib/db/neon-websocket");
  // One WebSocket message per statement, without the driver's 1 ms wait for it (a `select 1`
  // through the local proxy, one at a time: p50 1.49 ms with coalesceWrites, 0.15 ms with this).
  neonConfig.webSocketConstructor = coalescingWebSocket(ws);
  neonConfig.coalesceWrites = false;
  if (proxy) {
    // A local wsproxy in front of a plain PostgreSQL (tests, offline rehearsals): no TLS,
    // and the startup messages cannot be pipelined through it.
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 727_274_001;

interface LockableClient {
  connect(): Promise<unknown>;
  query(text: string, values: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}

/**
 * Runs the migrator over one dedicated connection holding a session advisory lock, so that
 * concurrent deploys or CI jobs apply each migration exactly once: the second waits, then finds
 * nothing left to do.
 */
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

// --- Embedded (pglite) -----------------------------------------------------------------------

/** `pglite:memory` → undefined (in memory); `pglite:<dir>` → absolute directory. */
export function pgliteDirectory(url: string): string | undefined {
  const location = url.slice("pglite:".length);
  if (location === "memory" || location === "") return undefined;
  return path.resolve(location);
}

/**
 * Opens PGlite under its directory lock and applies pending migrations. The database is private
 * to this process, so this process is the one that keeps it migrated: this is what makes
 * `npm run dev` work on a fresh clone.
 */
async function openPglite(url: string): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  // The extensions the migrations create (CREATE EXTENSION), as PostgreSQL servers ship them.
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { acquireDirectoryLock } = await import("@/lib/db/pglite-lock");
  const schema = await import("@/lib/db/schema");
  const directory = pgliteDirectory(url);
  const releaseLock = directory ? acquireDirectoryLock(directory) : () => {};
  let client: InstanceType<typeof PGlite> | undefined;
  try {
    client = new PGlite({ dataDir: directory, extensions: { pg_trgm } });
    await client.waitReady;
    const db = drizzle({ client, schema });
    await migratePglite(db);
    const opened = client;
    const handle: DatabaseHandle = {
      db,
      driver: "pglite",
      close: async () => {
        await opened.close();
        releaseLock();
      },
    };
    return withRunner(handle, (_name, text, params) => opened.query(text, params).then((result) => result.rows));
  } catch (error) {
    await client?.close().catch(() => {});
    releaseLock();
    throw error;
  }
}

/** Applies pending migrations through an open PGlite database (one process owns it anyway). */
export async function migratePglite(db: Database) {
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const { MIGRATIONS_FOLDER } = await import("@/lib/db/migrations");
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS_FOLDER });
}
