// npm run bench [-- options]: what each request costs, measured side by side in one run against
// a bare node:http + pg baseline and Next's own floor. See bench/README.md.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase, statementRunnerOf } from "@/lib/db/drivers";
import { parseDatabaseEnv } from "@/lib/env";
import { provisionDatabase, type BenchDatabase } from "./database";
import { checkLatency, formatLatency, measureLatency, type LatencyMeasurement } from "./latency";
import { floorEndpoint, floorVariants, prepareLoad, runLoad, taskEndpoints, type Endpoint } from "./load";
import { copyToPglite } from "./pglite";
import { cpuBetween, loadAverage, quiesce, treeCpu, treeCpuMs } from "./proc";
import { summarizeProfiles } from "./profile";
import {
  checkTargets,
  formatChecks,
  formatHeaderComparisons,
  formatKeyComparisons,
  formatMeasurements,
  formatRatios,
  formatShares,
  headerComparisons,
  keyComparisons,
  ratios,
  type Measurement,
} from "./report";
import { runScale } from "./scale";
import { restore, seedSmall, type Seed } from "./seed";
import { serverRuntime, setLogDirectory, setNodeBinary, startBaseline, startNext, startScript, type Server } from "./servers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const ALL_TARGETS = ["product", "floor", "baseline", "neon", "pglite", "rtt"] as const;
type TargetKey = (typeof ALL_TARGETS)[number];

const { values: args } = parseArgs({
  options: {
    build: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    scale: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    connections: { type: "string", default: "32" },
    processes: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    targets: { type: "string" },
    rtt: { type: "string" },
    node: { type: "string" },
    users: { type: "string", default: "20" },
    tasks: { type: "string", default: "500" },
    env: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [options]
  --smoke            every target but rtt (unless --rtt is given) for about 2 s per endpoint (1 s warm-up, 1 s measured);
                     exit 1 on any error or non-2xx
  --scale            1,000,000 tasks across 10,000 users (one holding 10,000): list page 1 and 100, get by id, EXPLAIN
  --build            run next build first (also done when .next/BUILD_ID is missing)
  --profile          V8 CPU profiles of every process of the product (pg) and the floor; summarizes where the time goes
  --targets LIST     ${ALL_TARGETS.join(",")} (default: all)
  --rtt MS           the round trip the rtt target emulates on every database message of the neon path, whole ms (5)
  --node PATH        the Node binary of the servers, the baseline and the proxy (default: the bench's own), e.g.
                     --node "$(npx -y node@24 -p process.execPath)"
  --connections N    concurrent connections (32)
  --processes N      server processes of every target but PGlite (1): the product as npm start runs it
                     (WEB_CONCURRENCY), the floor and the baseline alike (default: one per core, ${os.availableParallelism()} here; smoke 2)
  --duration S       seconds per endpoint (10; smoke 1; scale 8)
  --warmup S         warm-up seconds per Next target, spread over its endpoints (15; baseline min(5, S); smoke 1)
  --users N --tasks N  small data set (20 users × 500 tasks)
  --env KEY=VALUE    extra environment for the Next targets (repeatable), e.g. --env LOG_LEVEL=warn
Environment: BENCH_DATABASE_URL=postgres://... uses that server (a fresh database on it, dropped afterwards)
instead of a throwaway cluster; PostgreSQL CPU is then not measured.`);
  process.exit(0);
}

const smoke = args.smoke;
const connections = Number(args.connections);
const durationS = Number(args.duration ?? (smoke ? 1 : args.scale ? 8 : 10));
const warmupS = Number(args.warmup ?? (smoke ? 1 : 15));
// A smoke run leaves out the RTT stage (two more servers, every endpoint timed one request at a
// time) unless an RTT is asked for.
const defaultTargets = smoke && args.rtt === undefined ? ALL_TARGETS.filter((t) => t !== "rtt") : ALL_TARGETS;
const targets = new Set((args.targets ?? defaultTargets.join(",")).split(",").map((t) => t.trim()) as TargetKey[]);
// Smoke: 2 processes on any machine, so that CI exercises the multi-process path without starting
// one server per core of a large runner.
const processes = Number(args.processes ?? (smoke ? 2 : os.availableParallelism()));
if (!Number.isInteger(processes) || processes < 1) throw new Error(`--processes expects a positive integer, got ${args.processes}`);
const rttMs = Number(args.rtt ?? 5);
if (!Number.isInteger(rttMs) || rttMs < 0) throw new Error(`--rtt expects a whole number of milliseconds (Node's timers count whole ones), got ${args.rtt}`);
if (args.node) setNodeBinary(path.resolve(args.node));
for (const target of targets) if (!ALL_TARGETS.includes(target)) throw new Error(`unknown target ${target}`);
const extraEnv = Object.fromEntries(
  args.env.map((pair) => {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--env expects KEY=VALUE, got ${pair}`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }),
);

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const resultsDir = path.join(root, "bench", "results");
fs.mkdirSync(resultsDir, { recursive: true });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-bench-"));
setLogDirectory(path.join(scratch, "logs"));
const profileDir = args.profile ? path.join(resultsDir, `${stamp}-profiles`) : undefined;

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

// Everything started is stopped on the way out, also on Ctrl-C.
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
let interrupted = false;
function cleanUp(): Promise<void> {
  // One cleanup at a time, however many callers (Ctrl-C racing the main flow's own error path).
  cleaning ??= (async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => log(`cleanup: ${(error as Error).message}`));
  })().finally(() => {
    cleaning = undefined;
  });
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  });
}

function ensureBuild() {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!args.build && fs.existsSync(buildId)) {
    const built = fs.statSync(buildId).mtimeMs;
    const newer = ["app", "lib", "drizzle"].some((dir) => newestMtime(path.join(root, dir)) > built);
    if (newer) log("warning: sources changed after the last next build; pass --build to measure them");
    return;
  }
  log("next build");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (${result.status})`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.endsWith(".test.ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** The environment of every Next target: production mode, the bench's database, limiters out of the way. */
function productEnv(db: BenchDatabase): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    DATABASE_DRIVER: "pg",
    // Sign-up limiter (Better Auth): the seed signs up every user from one address.
    AUTH_RATE_LIMIT_ENABLED: "false",
    // The per-user write limit (300/min by default) would turn most POST/PATCH into 429s. The
    // counter is still upserted on every write, inside the auth statement: only the cap is lifted.
    RATE_LIMIT_WRITES_MAX: "1000000000",
    ...extraEnv,
  };
}

interface Running {
  server: Server;
  /** Helper processes whose CPU is reported beside the server's (the neon proxy). */
  aux?: Server;
  /** Whether the target's database is the bench's PostgreSQL (so its CPU and statements count). */
  usesPg: boolean;
}

/** Registers a started target for cleanup; the returned function stops it (once). */
function track(running: Running): () => Promise<void> {
  const stop = async () => {
    await running.server.stop();
    await running.aux?.stop();
  };
  cleanups.push(stop);
  return async () => {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  };
}

async function measure(
  db: BenchDatabase,
  label: string,
  running: Running,
  endpoint: Endpoint,
  duration: number,
): Promise<Measurement> {
  const start = await prepareLoad(running.server.url, endpoint, { connections, durationS: duration });
  await sleep(smoke ? 100 : 500);
  if (running.usesPg) await db.resetStatements();
  const roots = [running.server.pid];
  const cpu0 = treeCpu(roots);
  const pg0 = running.usesPg ? db.cpuMs() : undefined;
  const aux0 = running.aux ? treeCpuMs([running.aux.pid]) : undefined;
  const started = monotonicUs();
  const load = await start();
  const finished = monotonicUs();
  // The requests in flight when the load stopped are finished by the server (their CPU and
  // statements count, and they are in load.sent) before the counters are read.
  await quiesce(running.aux ? [...roots, running.aux.pid] : roots);
  const cpu1 = treeCpu(roots);
  const serverCpu = cpuBetween(cpu0, cpu1);
  const pg1 = running.usesPg ? db.cpuMs() : undefined;
  const aux1 = running.aux ? treeCpuMs([running.aux.pid]) : undefined;
  const statements = running.usesPg ? await db.countStatements() : undefined;
  const sent = Math.max(1, load.sent, load.requests);
  const perRequest = (value: number | undefined) => (value === undefined ? null : value / sent);
  return {
    ...load,
    target: label,
    endpoint: endpoint.name,
    task: endpoint.task,
    route: endpoint.route ?? endpoint.name,
    credential: endpoint.credential ?? null,
    header: endpoint.header ?? null,
    floorOf: endpoint.floorOf ?? null,
    connections,
    serverCpuMsPerReq: serverCpu.totalMs / sent,
    pgCpuMsPerReq: pg0 !== undefined && pg1 !== undefined ? perRequest(pg1 - pg0) : null,
    statementsPerReq: perRequest(statements),
    auxCpuMsPerReq: aux0 !== undefined && aux1 !== undefined ? perRequest(aux1 - aux0) : null,
    loadavg: loadAverage(),
    processes: running.server.processes,
    processCpuShares: serverCpu.workers.map(({ share }) => share),
    serverPids: [running.server.pid, ...serverCpu.workers.map(({ pid }) => pid)],
    windowUs: [started, finished],
  };
}

async function warmUp(label: string, running: Running, endpoints: Endpoint[], seconds: number) {
  log(`${label}: warming up for ${seconds} s`);
  for (const endpoint of endpoints) {
    await runLoad(running.server.url, endpoint, { connections, durationS: seconds / endpoints.length });
    await quiesce([running.server.pid]);
  }
}

async function measureTarget(
  db: BenchDatabase,
  seed: Seed | undefined,
  label: string,
  running: Running,
  endpoints: Endpoint[],
  warmup: number,
  measurements: Measurement[],
) {
  if (warmup > 0) {
    await warmUp(label, running, endpoints, warmup);
    if (seed && running.usesPg) await restore(db.admin, seed);
  }
  for (const endpoint of endpoints) {
    const m = await measure(db, label, running, endpoint, durationS);
    measurements.push(m);
    log(
      `${label} ${endpoint.name}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ` +
        `CPU ${m.serverCpuMsPerReq.toFixed(3)} ms/req (${formatShares(m.processCpuShares)}), SQL ${m.statementsPerReq?.toFixed(2) ?? "n/a"}/req, non-2xx ${m.non2xx}`,
    );
  }
  if (seed && running.usesPg) await restore(db.admin, seed);
}

// --- JSON parity between the product and the baseline -------------------------------------------

interface ParitySample {
  task: unknown;
  listKeys: string;
  itemKeys: string;
  health: string;
}

async function paritySample(url: string, seed: Seed): Promise<ParitySample> {
  const user = seed.users[seed.sentinel.userIndex]!;
  const headers = { authorization: `Bearer ${user.token}` };
  const task = await (await fetch(`${url}/api/tasks/${seed.sentinel.taskId}`, { headers })).json();
  const page = (await (await fetch(`${url}/api/tasks?limit=2`, { headers })).json()) as { items: Record<string, unknown>[] };
  const health = (await (await fetch(`${url}/api/health`)).json()) as Record<string, unknown>;
  return {
    task,
    listKeys: Object.keys(page).sort().join(","),
    itemKeys: Object.keys(page.items[0] ?? {}).sort().join(","),
    health: JSON.stringify(health),
  };
}

/**
 * The same task read with the user's session token and with the user's API key, both as a bearer
 * and in `x-api-key`: the same 200 and the same JSON.
 */
async function keyParity(url: string, seed: Seed, label: string): Promise<string[]> {
  const user = seed.users[seed.sentinel.userIndex]!;
  const variants: [string, Record<string, string>][] = [
    ["session", { authorization: `Bearer ${user.token}` }],
    ["API key as bearer", { authorization: `Bearer ${user.apiKey}` }],
    ["API key in x-api-key", { "x-api-key": user.apiKey! }],
  ];
  const answers: { name: string; status: number; body: string }[] = [];
  for (const [name, headers] of variants) {
    const response = await fetch(`${url}/api/tasks/${seed.sentinel.taskId}`, { headers });
    answers.push({ name, status: response.status, body: await response.text() });
  }
  const [session, ...keys] = answers;
  return keys
    .filter((key) => key.status !== 200 || key.status !== session!.status || key.body !== session!.body)
    .map((key) => `${label}: GET /api/tasks/{id} with the ${key.name} answered ${key.status} ${key.body}, with the session ${session!.status} ${session!.body}`);
}

function compareParity(reference: ParitySample, other: ParitySample, label: string): string[] {
  const problems: string[] = [];
  if (JSON.stringify(reference.task) !== JSON.stringify(other.task)) {
    problems.push(`${label}: GET /api/tasks/{id} differs from the product: ${JSON.stringify(other.task)} vs ${JSON.stringify(reference.task)}`);
  }
  if (reference.listKeys !== other.listKeys || reference.itemKeys !== other.itemKeys) problems.push(`${label}: list JSON shape differs`);
  const healthKeys = (text: string) => Object.keys(JSON.parse(text) as object).sort().join(",");
  if (healthKeys(reference.health) !== healthKeys(other.health)) problems.push(`${label}: health JSON shape differs`);
  return problems;
}

// --- the run ----------------------------------------------------------------------------------

/**
 * The product on neon through the test WebSocket proxy, run in its own process so that its CPU
 * is measured apart; the proxy holds every message for `rtt` ms of round trip (0: none).
 */
async function startNeon(env: Record<string, string>, rtt: number, cpuProfileDir?: string): Promise<Running & { proxyAddress: string }> {
  const name = rtt > 0 ? `product-neon-rtt-${rtt}` : "product-neon";
  const { server: proxy, address } = await startScript(root, `${name}-wsproxy`, "bench/wsproxy.ts", { BENCH_RTT_MS: String(rtt) });
  const server = await startNext(root, { name, processes, env: { ...env, DATABASE_DRIVER: "neon", NEON_WS_PROXY: address }, cpuProfileDir }).catch(async (error: unknown) => {
    await proxy.stop();
    throw error;
  });
  return { server, aux: proxy, usesPg: true, proxyAddress: address };
}

/**
 * The rtt target: the product on neon with every database round trip `rttMs` longer, and a floor
 * of its own, warmed up like the other targets and then timed one request at a time.
 */
async function measureAtRtt(db: BenchDatabase, seed: Seed, env: Record<string, string>): Promise<LatencyMeasurement[]> {
  const floor: Running = {
    server: await startNext(root, { name: "floor-rtt", processes, env: { ...env, BENCH_FLOOR: "1" }, waitFor: "/api/bench/floor" }),
    usesPg: false,
  };
  const stopFloor = track(floor);
  const neon = await startNeon(env, rttMs);
  const stopNeon = track(neon);
  const endpoints = taskEndpoints(seed.users, { apiKeys: true, headers: true });
  await warmUp("floor (rtt)", floor, [floorEndpoint], Math.min(5, warmupS));
  await warmUp(`product (neon) at ${rttMs} ms RTT`, neon, endpoints, warmupS);
  await restore(db.admin, seed);
  // The product's own driver and statement runner, from this process, through the same proxy.
  const database = await openDatabase(parseDatabaseEnv({ DATABASE_URL: db.url, DATABASE_DRIVER: "neon", NEON_WS_PROXY: neon.proxyAddress }));
  const runStatement = statementRunnerOf(database.db)!;
  const roundTrip = async () => void (await runStatement("bench_round_trip", "select 1", []));
  const latency = await measureLatency(
    { target: "product (neon)", url: neon.server.url, floorUrl: floor.server.url, roundTrip, endpoints, rttMs, durationS },
    log,
  ).finally(() => database.close());
  await restore(db.admin, seed);
  await stopNeon();
  await stopFloor();
  return latency;
}

/** Server processes of every target that ran (the rtt target's product and floor run with `processes`). */
function processesPerTarget(measurements: Measurement[], latency: LatencyMeasurement[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(measurements.map((m) => [m.target, m.processes]));
  if (latency.length > 0) counts.rtt = processes;
  return counts;
}

async function runBench(db: BenchDatabase) {
  const measurements: Measurement[] = [];
  const problems: string[] = [];
  const env = productEnv(db);
  const loadBefore = loadAverage();
  const runtime = serverRuntime();
  log(`servers run on Node ${runtime.node} (${runtime.binary})`);

  // The product on pg comes first: it is also what the users sign up through.
  let running: Running = {
    server: await startNext(root, { name: "product-pg", processes, env, cpuProfileDir: targets.has("product") ? profileDir : undefined }),
    usesPg: true,
  };
  let stop = track(running);
  const seed = await seedSmall(db.admin, running.server.url, { users: Number(args.users), tasksPerUser: Number(args.tasks), overApi: 5 }, log);
  // The product's targets measure every task endpoint with a session token and then with an API
  // key, and POST and PATCH also with Idempotency-Key and If-Match; the baseline knows sessions
  // and plain requests only, and PGlite (no SQL counts) is measured with sessions.
  const endpoints = taskEndpoints(seed.users);
  const withKeys = taskEndpoints(seed.users, { apiKeys: true, headers: true });
  const reference = await paritySample(running.server.url, seed);
  problems.push(...(await keyParity(running.server.url, seed, "product (pg)")));
  if (targets.has("product")) await measureTarget(db, seed, "product (pg)", running, withKeys, warmupS, measurements);
  await stop();

  if (targets.has("floor")) {
    running = {
      server: await startNext(root, { name: "floor", processes, env: { ...env, BENCH_FLOOR: "1" }, waitFor: "/api/bench/floor", cpuProfileDir: profileDir }),
      usesPg: true,
    };
    stop = track(running);
    await measureTarget(db, seed, "floor", running, [floorEndpoint, ...floorVariants], warmupS, measurements);
    await stop();
  }

  if (targets.has("baseline")) {
    running = { server: await startBaseline(root, db.url, processes), usesPg: true };
    stop = track(running);
    problems.push(...compareParity(reference, await paritySample(running.server.url, seed), "baseline"));
    await measureTarget(db, seed, "baseline", running, endpoints, Math.min(5, warmupS), measurements);
    await stop();
  }

  if (targets.has("neon")) {
    running = await startNeon(env, 0, profileDir);
    stop = track(running);
    problems.push(...compareParity(reference, await paritySample(running.server.url, seed), "product (neon)"));
    problems.push(...(await keyParity(running.server.url, seed, "product (neon)")));
    await measureTarget(db, seed, "product (neon)", running, withKeys, warmupS, measurements);
    await stop();
  }

  if (targets.has("pglite")) {
    const directory = path.join(scratch, "pglite");
    log("copying the data set into PGlite");
    await copyToPglite(db.admin, directory);
    running = {
      // One process: PGlite allows one per data directory (npm start's default there too).
      server: await startNext(root, {
        name: "product-pglite",
        processes: 1,
        env: { ...env, DATABASE_URL: `pglite:${directory}`, DATABASE_DRIVER: "pglite" },
        cpuProfileDir: profileDir,
      }),
      usesPg: false,
    };
    stop = track(running);
    problems.push(...compareParity(reference, await paritySample(running.server.url, seed), "product (pglite)"));
    problems.push(...(await keyParity(running.server.url, seed, "product (pglite)")));
    await measureTarget(db, undefined, "product (pglite)", running, taskEndpoints(seed.users, { headers: true }), warmupS, measurements);
    await stop();
  }

  let latency: LatencyMeasurement[] = [];
  if (targets.has("rtt")) latency = await measureAtRtt(db, seed, env);

  const list = ratios(measurements);
  const keys = keyComparisons(measurements);
  const headerCosts = headerComparisons(measurements);
  const checks = [...checkTargets(measurements, list, keys), ...(latency.length > 0 ? checkLatency(latency) : [])];
  const loadAfter = loadAverage();
  if (measurements.length > 0) console.log(`\n${formatMeasurements(measurements)}\n`);
  if (list.length > 0) console.log(`${formatRatios(list)}\n`);
  if (keys.length > 0) console.log(`API key vs session token, same requests, same server:\n${formatKeyComparisons(keys)}\n`);
  if (headerCosts.length > 0) console.log(`Idempotency-Key and If-Match vs the plain request, same server, session:\n${formatHeaderComparisons(headerCosts)}\n`);
  if (latency.length > 0) {
    console.log(`Latency at ${rttMs} ms database RTT on the neon path, one request at a time on one connection:\n${formatLatency(latency)}\n`);
  }
  console.log(`${formatChecks(checks)}`);
  for (const problem of problems) console.log(`PROBLEM ${problem}`);
  console.log(
    `\nload average: before ${loadBefore} · after ${loadAfter} · ${os.cpus().length} CPUs · servers on Node ${runtime.node} · ` +
      `${connections} connections, ${durationS} s per endpoint, ${warmupS} s warm-up · ${processes} server process${processes === 1 ? "" : "es"} per target (PGlite 1)`,
  );
  console.log(
    "notes: the Next targets run as npm start runs them (scripts/start.ts, node:cluster, WEB_CONCURRENCY = processes), the baseline " +
      "in as many node:cluster processes; server CPU = every process of the server's tree summed (primary and workers, utime+stime, /proc); PG CPU = the cluster's processes; SQL/req from pg_stat_statements " +
      "(bench database only); floor = a bare route handler in the same build (?wrapped: through the app's route wrapper); same-shape floor = the floor with a task request's method, dynamic segment and JSON body (read as the API reads it), and for the list a page-sized answer, still no auth and no database; " +
      "(API key) = the same requests with the users' read-write API keys as bearer instead of their session tokens; " +
      "AUTH_RATE_LIMIT_ENABLED=false and RATE_LIMIT_WRITES_MAX=1e9 for the Next targets.",
  );

  let profiles: unknown;
  if (profileDir) profiles = await summarizeProfiles(root, profileDir, measurements, log);

  const file = path.join(resultsDir, `${stamp}${smoke ? "-smoke" : ""}.json`);
  const result = {
    kind: smoke ? "smoke" : "bench",
    startedAt: stamp,
    loadavg: { before: loadBefore, after: loadAfter },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    servers: runtime,
    options: { connections, processes, durationS, warmupS, targets: [...targets], rttMs, users: Number(args.users), tasksPerUser: Number(args.tasks), env: extraEnv },
    database: { external: db.external, statements: db.statements },
    processes: processesPerTarget(measurements, latency),
    measurements,
    ratios: list,
    apiKeyVsSession: keys.map(({ session, key, ...rest }) => ({
      ...rest,
      statementsPerReq: { session: session.statementsPerReq, apiKey: key.statementsPerReq },
      serverCpuMsPerReq: { session: session.serverCpuMsPerReq, apiKey: key.serverCpuMsPerReq },
      pgCpuMsPerReq: { session: session.pgCpuMsPerReq, apiKey: key.pgCpuMsPerReq },
      rps: { session: session.rps, apiKey: key.rps },
    })),
    headerVsPlain: headerCosts.map(({ plain, withHeader, ...rest }) => ({
      ...rest,
      statementsPerReq: { plain: plain.statementsPerReq, withHeader: withHeader.statementsPerReq },
      serverCpuMsPerReq: { plain: plain.serverCpuMsPerReq, withHeader: withHeader.serverCpuMsPerReq },
      pgCpuMsPerReq: { plain: plain.pgCpuMsPerReq, withHeader: withHeader.pgCpuMsPerReq },
      rps: { plain: plain.rps, withHeader: withHeader.rps },
    })),
    latency,
    checks,
    problems,
    profiles,
  };
  fs.writeFileSync(file, JSON.stringify(result, null, 2));
  log(`results written to ${path.relative(root, file)}`);
  const failed = checks.some((c) => c.target === "all" && !c.met) || problems.length > 0;
  return failed ? 1 : 0;
}

async function main(): Promise<number> {
  log(`load average ${loadAverage()}`);
  ensureBuild();
  const db = await provisionDatabase(root, log);
  cleanups.push(() => db.close());
  try {
    if (args.scale) {
      return await runScale({ root, db, env: productEnv(db), processes, connections, durationS, warmupS, resultsDir, stamp, log, cleanups });
    }
    return await runBench(db);
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => {
    if (code === 0) fs.rmSync(scratch, { recursive: true, force: true });
    else log(`server logs kept in ${path.join(scratch, "logs")}`);
    process.exit(code);
  },
  async (error: unknown) => {
    if (interrupted) return; // the signal handler cleans up and exits
    console.error(error);
    await cleanUp();
    log(`server logs kept in ${path.join(scratch, "logs")}`);
    process.exit(1);
  },
);
