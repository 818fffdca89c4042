// `npm start`: `next start` in one process per core, all on one port, through node:cluster
// (the primary accepts connections and hands them to the processes in turn). Next serves
// requests on one thread per process, so one process leaves every other core idle.
//
// WEB_CONCURRENCY sets the number of processes (Heroku's and Render's convention); the default
// is one per core, and 1 on PGlite, which allows one process per data directory. Vercel does
// not run this: it scales instances itself. SIGTERM (and SIGINT) reach every process, each of
// which drains its requests and closes its pool (lib/shutdown.ts); this exits 0 when all of them
// did, and 1 after SIGKILLing any still running past SHUTDOWN_DRAIN_TIMEOUT_MS plus a margin. A
// process that dies unexpectedly is replaced; one that fails before it listens (a bad
// configuration, a port in use) stops them all, with its exit code. If this process is
// SIGKILLed, each server process drains and exits by itself (scripts/start-worker.cjs); if npm
// is, this stops as on SIGTERM.
import cluster, { type Worker } from "node:cluster";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import nextEnv from "@next/env";

nextEnv.loadEnvConfig(process.cwd());

const { drivers, resolveDriver } = await import("@/lib/db/drivers");
const { ConfigError, parseEnv } = await import("@/lib/env");
const { logError, logInfo } = await import("@/lib/log");

// Idle connections are kept for 65 s, not Node's 5 s: longer than the idle timeout of the load
// balancers and proxies that reuse connections to the app (AWS ALB and nginx: 60 s) and of
// clients that ignore the `Keep-Alive: timeout` hint. A connection the server closes just as
// one of them sends a request on it fails that request (a 502, or ECONNRESET). A
// `--keepAliveTimeout` given to npm start comes later on the command line and wins.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

// After its drain a process still closes its pool, which waits for the queries still running
// (DB_STATEMENT_TIMEOUT_MS ends them), and exits.
const EXIT_MARGIN_MS = 5_000;

function settings() {
  const config = parseEnv({ ...process.env, NODE_ENV: "production" });
  const embedded = drivers[resolveDriver(config)].kind === "embedded";
  const count = config.WEB_CONCURRENCY ?? (embedded ? 1 : os.availableParallelism());
  if (embedded && count > 1) {
    throw new ConfigError(
      `Invalid environment configuration:\n  WEB_CONCURRENCY: ${count}, but PGlite (${config.DATABASE_URL}) allows one process per data directory; use 1, or a PostgreSQL server`,
    );
  }
  return { count, graceMs: config.SHUTDOWN_DRAIN_TIMEOUT_MS + EXIT_MARGIN_MS };
}

let count: number, graceMs: number;
try {
  ({ count, graceMs } = settings());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// The workers run Next's own CLI, without this script's TypeScript loader; start-worker.cjs
// is plain JS for that reason, named by absolute path so that any working directory will do.
cluster.setupPrimary({
  exec: createRequire(import.meta.url).resolve("next/dist/bin/next"),
  args: ["start", "--keepAliveTimeout", String(KEEP_ALIVE_TIMEOUT_MS), ...process.argv.slice(2)],
  execArgv: ["--require", fileURLToPath(new URL("start-worker.cjs", import.meta.url))],
});

const listening = new WeakSet<Worker>();
let stopping = false;
let exitCode = 0;

function fork() {
  // start-worker.cjs's limit on a drain that outlives this process.
  const worker = cluster.fork({ START_WORKER_GRACE_MS: String(graceMs) });
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

const workers = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);

function stop() {
  if (stopping) return;
  stopping = true;
  for (const worker of workers()) worker.process.kill("SIGTERM");
  // A process stuck in its drain (a hung request, a stopped process) would keep this running,
  // and the port taken, until someone SIGKILLed the whole tree by hand.
  setTimeout(() => {
    const stuck = workers();
    if (stuck.length === 0) return;
    const pids = stuck.map((worker) => worker.process.pid);
    logError("server processes still running after the shutdown grace period; killing them", new Error(`not exited after ${graceMs} ms`), { pids });
    exitCode = Math.max(exitCode, 1);
    for (const worker of stuck) worker.process.kill("SIGKILL");
  }, graceMs);
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);

// Run by `npm start`, this is npm's child, and a supervisor holds npm's pid: a SIGKILL to npm
// cannot be passed on, and would leave the server running with the port taken. When npm is
// gone, stop as on SIGTERM. (Only under npm: a server started from a shell with nohup
// outlives that shell on purpose.)
if (process.env.npm_lifecycle_event === "start") {
  const npm = process.ppid;
  setInterval(() => {
    if (process.ppid !== npm) stop();
  }, 1_000).unref();
}
logInfo("starting server processes", { processes: count });
for (let i = 0; i < count; i++) fork();
