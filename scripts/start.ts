// `npm start`: `next start` in one process per core, all on one port, through node:cluster
// (the primary accepts connections and hands them to the processes in turn). Next serves
// requests on one thread per process, so one process leaves every other core idle.
//
// WEB_CONCURRENCY sets the number of processes (Heroku's and Render's convention); the default
// is one per core, and 1 on PGlite, which allows one process per data directory. Vercel does
// not run this: it scales instances itself. SIGTERM (and SIGINT) reach every process, each of
// which drains its requests and closes its pool (lib/shutdown.ts); this exits 0 when all of them
// did. A process that dies unexpectedly is replaced; one that fails before it listens (a bad
// configuration, a port in use) stops them all, with its exit code.
import cluster, { type Worker } from "node:cluster";
import { createRequire } from "node:module";
import os from "node:os";
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { drivers, resolveDriver } = await import("@/lib/db/drivers");
const { ConfigError, parseEnv } = await import("@/lib/env");
const { logError, logInfo } = await import("@/lib/log");

function processCount(): number {
  const config = parseEnv({ ...process.env, NODE_ENV: "production" });
  const embedded = drivers[resolveDriver(config)].kind === "embedded";
  const count = config.WEB_CONCURRENCY ?? (embedded ? 1 : os.availableParallelism());
  if (embedded && count > 1) {
    throw new ConfigError(
      `Invalid environment configuration:\n  WEB_CONCURRENCY: ${count}, but PGlite (${config.DATABASE_URL}) allows one process per data directory; use 1, or a PostgreSQL server`,
    );
  }
  return count;
}

let count: number;
try {
  count = processCount();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// The workers run Next's own CLI, without this script's TypeScript loader.
cluster.setupPrimary({ exec: createRequire(import.meta.url).resolve("next/dist/bin/next"), args: ["start", ...process.argv.slice(2)], execArgv: [] });

const listening = new WeakSet<Worker>();
let stopping = false;
let exitCode = 0;

function fork() {
  const worker = cluster.fork();
  worker.once("listening", () => listening.add(worker));
  worker.once("exit", (code, signal) => {
    const status = code ?? (signal ? 1 : 0);
    if (stopping) {
      exitCode = Math.max(exitCode, status);
    } else if (!listening.has(worker)) {
      logError("server process failed to start; stopping", new Error(`exit ${status}`), { pid: worker.process.pid });
      exitCode = status || 1;
      stop();
    } else {
      logError("server process died; starting another", new Error(`exit ${code} ${signal ?? ""}`.trim()), { pid: worker.process.pid });
      fork();
    }
    if (Object.keys(cluster.workers ?? {}).length === 0 && stopping) process.exit(exitCode);
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
logInfo("starting server processes", { processes: count });
for (let i = 0; i < count; i++) fork();
