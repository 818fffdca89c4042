// `npm run soak [-- --seconds 60 --connections 64 --users 20]`: mixed traffic against `next start`
// on PostgreSQL, then a check that nothing acknowledged was lost. Not part of `npm test`.
//
// - Database: SOAK_DATABASE_URL if set (it is migrated and written to), otherwise a throwaway
//   cluster from scripts/pg-cluster.sh, removed at the end.
// - Server: the production build (`next build` first if .next/BUILD_ID is missing), started with
//   Better Auth's limiter off and the app's own limits far above the load.
// - Load: a fixed number of workers (the connections), each a loop of fetches until the time is
//   up: reads (list, list with cursor or filter, get), writes (create, patch, put), deletes, and
//   bad requests (invalid JSON, bad ids, no or bad auth, oversize bodies with and without
//   Content-Length, wrong media type, another user's task, cross-origin cookie write, unknown
//   route, unsupported method). Every response is checked, not a sample: its status against the
//   one the contract gives for that request, every 4xx for the envelope (`detail`,
//   `error_code`, and `X-Error-Code` equal to it).
// - Acknowledged writes: every 201 is recorded with its task, every later 200 replaces it, every
//   204 removes it. A task is never written by two workers at once, so "the last acknowledged
//   state" is well defined. At the end each user's tasks are listed through the API and must be
//   exactly the acknowledged ones, each in its last acknowledged state.
// - Memory: VmRSS of the `next start` process tree from /proc, at the start, every second, and
//   at the end.
//
// Exits non-zero on any 5xx, envelope violation, lost or stale acknowledged write, task that no
// 2xx created, unexpected status, or a server that died. Requests that got no answer at all
// (a connection reset, a timeout) are reported with examples but do not fail the run by
// themselves: on a loaded machine a keep-alive connection can be closed by the server just as
// the client reuses it. Writes a JSON report to bench/results/soak-<timestamp>.json.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { migrateDatabase } from "@/lib/db/drivers";
import { parseEnv } from "@/lib/env";
import type { Task } from "@/lib/tasks/schema";
import { loadAverage, processTree } from "../bench/proc";
import { signUp } from "../tools/accounts";
import { startNextServer, type NextServer } from "../tools/next-server";
import { encodeCursor, scopeOf } from "@/lib/resource/cursor";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "64" },
    users: { type: "string", default: "20" },
    "seed-tasks": { type: "string", default: "10" },
    skip: { type: "string", default: "" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(
    "npm run soak -- [--seconds 60] [--connections 64] [--users 20] [--seed-tasks 10] [--skip op,op]\n" +
      "  SOAK_DATABASE_URL=postgres://... to use an existing database instead of a throwaway cluster\n" +
      "  --skip leaves operations out of the mix (names as in the per-operation table)",
  );
  process.exit(0);
}

function positive(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return number;
}

const SECONDS = positive("seconds", args.seconds!);
const CONNECTIONS = Math.floor(positive("connections", args.connections!));
const USERS = Math.floor(positive("users", args.users!));
const SEED_TASKS = Math.floor(Number(args["seed-tasks"]));
const MAX_BODY = 64 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Memory of the server's process tree.

interface ProcessMemory {
  pid: number;
  name: string;
  rssKiB: number;
  hwmKiB: number;
}

function treeMemory(rootPid: number): { totalRssKiB: number; processes: ProcessMemory[] } {
  const processes: ProcessMemory[] = [];
  for (const pid of processTree([rootPid])) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
      const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
      processes.push({ pid, name, rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") });
    } catch {
      // exited meanwhile
    }
  }
  return { totalRssKiB: processes.reduce((sum, p) => sum + p.rssKiB, 0), processes };
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// Database and server.

interface Database {
  url: string;
  source: "SOAK_DATABASE_URL" | "throwaway cluster";
  stop(): void;
}

function startDatabase(): Database {
  const given = process.env.SOAK_DATABASE_URL;
  if (given) return { url: given, source: "SOAK_DATABASE_URL", stop() {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-soak-pg-"));
  const started = spawnSync("bash", ["scripts/pg-cluster.sh", "start", dir], { encoding: "utf8" });
  if (started.status !== 0) throw new Error(`pg-cluster.sh start failed:\n${started.stderr}${started.stdout}`);
  const url = started.stdout.trim().split("\n").at(-1)!;
  let stopped = false;
  return {
    url,
    source: "throwaway cluster",
    stop() {
      if (stopped) return;
      stopped = true;
      spawnSync("bash", ["scripts/pg-cluster.sh", "stop", dir], { stdio: "inherit" });
    },
  };
}

async function ensureBuild(): Promise<{ buildId: string; builtAt: string; builtNow: boolean }> {
  const file = path.join(root, ".next", "BUILD_ID");
  let builtNow = false;
  if (!fs.existsSync(file)) {
    console.log("No production build (.next/BUILD_ID missing): running next build …");
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(path.join(root, "node_modules", ".bin", "next"), ["build"], {
        stdio: "inherit",
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      });
      child.once("exit", resolve);
    });
    if (code !== 0) throw new Error(`next build exited with ${code}`);
    builtNow = true;
  }
  return { buildId: fs.readFileSync(file, "utf8").trim(), builtAt: fs.statSync(file).mtime.toISOString(), builtNow };
}

// ---------------------------------------------------------------------------------------------
// The traffic.


interface User {
  index: number;
  token: string;
  cookie: string;
  /** Acknowledged tasks in their last acknowledged state. */
  tasks: Map<number, Task>;
  /** Tasks a request is in flight for: nobody else touches them meanwhile. */
  busy: Set<number>;
  /** Ids whose DELETE answered 204. */
  deleted: number[];
}

type Op =
  | "list" | "list-page" | "get" | "create" | "patch" | "put" | "delete"
  | "bad-json" | "bad-id" | "no-auth" | "bad-token" | "oversize" | "oversize-chunked" | "wrong-type" | "other-users-task"
  | "deleted-task" | "cross-origin-cookie" | "unknown-route" | "method-not-allowed" | "validation" | "health"
  | "malformed-path" | "sign-in-wrong" | "auth-bad-json";

const WEIGHTS: [Op, number][] = [
  ["list", 14], ["list-page", 4], ["get", 16], ["create", 14], ["patch", 10], ["put", 5], ["delete", 6],
  ["bad-json", 3], ["bad-id", 3], ["no-auth", 3], ["bad-token", 2], ["oversize", 2], ["oversize-chunked", 1], ["wrong-type", 2],
  ["other-users-task", 3], ["deleted-task", 2], ["cross-origin-cookie", 2], ["unknown-route", 1], ["method-not-allowed", 1],
  ["validation", 3], ["health", 2], ["malformed-path", 1], ["sign-in-wrong", 1], ["auth-bad-json", 1],
];
const SKIPPED = new Set(args.skip!.split(",").map((op) => op.trim()).filter(Boolean));
for (const op of SKIPPED) if (!WEIGHTS.some(([name]) => name === op)) throw new Error(`--skip: unknown operation ${op}`);
const MIX = WEIGHTS.filter(([op]) => !SKIPPED.has(op));
const TOTAL_WEIGHT = MIX.reduce((sum, [, weight]) => sum + weight, 0);

function pickOp(): Op {
  let n = Math.random() * TOTAL_WEIGHT;
  for (const [op, weight] of MIX) {
    n -= weight;
    if (n < 0) return op;
  }
  return "list";
}

const randomItem = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
const randomIp = () => `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

interface Plan {
  op: Op;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | ReadableStream<Uint8Array>;
  expect: { status: number; code?: string };
  user?: User;
  /** The task this request is about; locked while it is in flight. */
  taskId?: number;
  /** For writes: the fields sent, to check the answer against. */
  sent?: Partial<Task>;
}

interface Stats {
  total: number;
  byOp: Record<string, { count: number; latencies: number[]; statuses: Record<string, number> }>;
  byStatus: Record<string, number>;
  fiveXx: { op: Op; method: string; path: string; status: number; body: string }[];
  fiveXxCount: number;
  envelopeChecked: number;
  envelopeViolationCount: number;
  envelopeViolations: { op: Op; status: number; problem: string; body: string }[];
  unexpected: { op: Op; method: string; path: string; expected: string; status: number; body: string }[];
  unexpectedCount: number;
  transportErrors: { op: Op; method: string; path: string; error: string }[];
  transportErrorCount: number;
  writesAcknowledged: { created: number; updated: number; deleted: number };
}

const freshStats = (): Stats => ({
  total: 0,
  byOp: {},
  byStatus: {},
  fiveXx: [],
  fiveXxCount: 0,
  envelopeChecked: 0,
  envelopeViolationCount: 0,
  envelopeViolations: [],
  unexpected: [],
  unexpectedCount: 0,
  transportErrors: [],
  transportErrorCount: 0,
  writesAcknowledged: { created: 0, updated: 0, deleted: 0 },
});
let stats = freshStats();
/** Requests that could have created a task but got no answer: their task may or may not exist. */
let unansweredCreates = 0;

const keep = <T>(list: T[], item: T, max = 20) => {
  if (list.length < max) list.push(item);
};

function bearer(user: User) {
  return { authorization: `Bearer ${user.token}` };
}

const JSON_TYPE = { "content-type": "application/json" };
let sequence = 0;

function oversizeStream(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ >= 6) return controller.close(); // 96 KiB, no Content-Length
      controller.enqueue(chunk);
    },
  });
}

/** Picks an acknowledged task of the user that no request is in flight for, and locks it. */
function lockTask(user: User): number | undefined {
  if (user.tasks.size === 0) return undefined;
  const ids = [...user.tasks.keys()];
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = randomItem(ids);
    if (!user.busy.has(id)) {
      user.busy.add(id);
      return id;
    }
  }
  return undefined;
}

function plan(users: User[], baseUrl: string): Plan {
  const user = randomItem(users);
  const op = pickOp();
  const n = ++sequence;
  switch (op) {
    case "list": {
      const filter = randomItem(["", "", "&completed=true", "&completed=false"]);
      return { op, method: "GET", path: `/api/tasks?limit=${randomItem([10, 50, 100])}${filter}`, headers: bearer(user), expect: { status: 200 }, user };
    }
    case "list-page": {
      const ids = [...user.tasks.keys()];
      const cursor = ids.length ? encodeCursor({ scope: scopeOf({ sort: "created" }), values: [randomItem(ids)] }) : "";
      return { op, method: "GET", path: `/api/tasks?limit=20${cursor ? `&cursor=${cursor}` : ""}`, headers: bearer(user), expect: { status: 200 }, user };
    }
    case "get": {
      const id = lockTask(user);
      if (id === undefined) break;
      return { op, method: "GET", path: `/api/tasks/${id}`, headers: bearer(user), expect: { status: 200 }, user, taskId: id };
    }
    case "patch": {
      const id = lockTask(user);
      if (id === undefined) break;
      const sent = Math.random() < 0.5 ? { title: `soak u${user.index} patched ${n}` } : { completed: Math.random() < 0.5 };
      return { op, method: "PATCH", path: `/api/tasks/${id}`, headers: { ...bearer(user), ...JSON_TYPE }, body: JSON.stringify(sent), expect: { status: 200 }, user, taskId: id, sent };
    }
    case "put": {
      const id = lockTask(user);
      if (id === undefined) break;
      const sent = { title: `soak u${user.index} replaced ${n}`, description: Math.random() < 0.5 ? null : `replaced ${n}`, completed: Math.random() < 0.5 };
      return { op, method: "PUT", path: `/api/tasks/${id}`, headers: { ...bearer(user), ...JSON_TYPE }, body: JSON.stringify(sent), expect: { status: 200 }, user, taskId: id, sent };
    }
    case "delete": {
      const id = lockTask(user);
      if (id === undefined) break;
      return { op, method: "DELETE", path: `/api/tasks/${id}`, headers: bearer(user), expect: { status: 204 }, user, taskId: id };
    }
    case "bad-json":
      return {
        op, method: "POST", path: "/api/tasks", headers: { ...bearer(user), ...JSON_TYPE },
        body: randomItem(['{"title":', "not json", '{"title":"a",}', "[1,2,3]", '"just a string"', '{"title":"a","title":"b"}']),
        expect: { status: 400, code: "INVALID_JSON" }, user,
      };
    case "bad-id":
      return { op, method: randomItem(["GET", "DELETE"]), path: `/api/tasks/${randomItem(["abc", "0", "-1", "1.5", "99999999999", "1e3"])}`, headers: bearer(user), expect: { status: 400, code: "VALIDATION_ERROR" }, user };
    case "no-auth":
      return { op, method: randomItem(["GET", "POST"]), path: "/api/tasks", headers: { ...JSON_TYPE, "x-forwarded-for": randomIp() }, body: undefined, expect: { status: 401, code: "UNAUTHORIZED" } };
    case "bad-token":
      return { op, method: "GET", path: "/api/tasks", headers: { authorization: `Bearer ${randomItem(["garbage", "x".repeat(40), `${user.token}x`, "a.b"])}`, "x-forwarded-for": randomIp() }, expect: { status: 401, code: "UNAUTHORIZED" } };
    case "oversize":
      return { op, method: "POST", path: "/api/tasks", headers: { ...bearer(user), ...JSON_TYPE }, body: JSON.stringify({ title: "x".repeat(MAX_BODY + 100) }), expect: { status: 413, code: "PAYLOAD_TOO_LARGE" }, user };
    case "oversize-chunked":
      return { op, method: "POST", path: "/api/tasks", headers: { ...bearer(user), ...JSON_TYPE }, body: oversizeStream(), expect: { status: 413, code: "PAYLOAD_TOO_LARGE" }, user };
    case "wrong-type":
      return { op, method: "POST", path: "/api/tasks", headers: { ...bearer(user), "content-type": randomItem(["text/plain", "application/x-www-form-urlencoded"]) }, body: '{"title":"t"}', expect: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" }, user };
    case "other-users-task": {
      const others = users.filter((candidate) => candidate !== user);
      if (others.length === 0) break;
      const ids = [...randomItem(others).tasks.keys()];
      if (ids.length === 0) break;
      const method = randomItem(["GET", "PATCH", "DELETE"]);
      return {
        op, method, path: `/api/tasks/${randomItem(ids)}`, headers: { ...bearer(user), ...(method === "PATCH" ? JSON_TYPE : {}) },
        body: method === "PATCH" ? '{"title":"not yours"}' : undefined, expect: { status: 404, code: "TASK_NOT_FOUND" }, user,
      };
    }
    case "deleted-task": {
      if (user.deleted.length === 0) break;
      const method = randomItem(["GET", "DELETE", "PATCH"]);
      return {
        op, method, path: `/api/tasks/${randomItem(user.deleted)}`, headers: { ...bearer(user), ...(method === "PATCH" ? JSON_TYPE : {}) },
        body: method === "PATCH" ? '{"completed":true}' : undefined, expect: { status: 404, code: "TASK_NOT_FOUND" }, user,
      };
    }
    case "cross-origin-cookie":
      return { op, method: "POST", path: "/api/tasks", headers: { cookie: user.cookie, origin: "http://evil.example", ...JSON_TYPE }, body: JSON.stringify({ title: `csrf ${n}` }), expect: { status: 403, code: "FORBIDDEN" }, user };
    case "unknown-route":
      return { op, method: "GET", path: `/api/${randomItem(["nope", "tasks/1/extra", "v2/tasks"])}`, headers: bearer(user), expect: { status: 404, code: "NOT_FOUND" }, user };
    case "method-not-allowed":
      return { op, method: randomItem(["DELETE", "PUT", "PATCH"]), path: "/api/tasks", headers: bearer(user), expect: { status: 405, code: "METHOD_NOT_ALLOWED" }, user };
    case "validation":
      return {
        op, method: "POST", path: "/api/tasks", headers: { ...bearer(user), ...JSON_TYPE },
        body: JSON.stringify(randomItem([{ title: "" }, { title: "x".repeat(201) }, { title: "t", completed: "true" }, { title: "t", id: 1 }, { title: "a\u0000b" }, {}])),
        expect: { status: 400, code: "VALIDATION_ERROR" }, user,
      };
    case "health":
      return { op, method: "GET", path: "/api/health", headers: {}, expect: { status: 200 } };
    case "malformed-path":
      // Percent-encoding that does not decode (a bad escape, or bytes that are not UTF-8).
      return { op, method: randomItem(["GET", "DELETE"]), path: `/api/tasks/${randomItem(["%zz", "%E0%A4%A", "%ED%A0%80", "1%"])}`, headers: bearer(user), expect: { status: 400, code: "VALIDATION_ERROR" }, user };
    case "sign-in-wrong":
      return {
        op, method: "POST", path: "/api/auth/sign-in/email", headers: { ...JSON_TYPE, origin: baseUrl, "x-forwarded-for": randomIp() },
        body: JSON.stringify({ email: `nobody-${n}@example.com`, password: "not the password at all" }), expect: { status: 401, code: "UNAUTHORIZED" },
      };
    case "auth-bad-json":
      return {
        op, method: "POST", path: randomItem(["/api/auth/sign-in/email", "/api/auth/sign-up/email"]), headers: { ...JSON_TYPE, origin: baseUrl, "x-forwarded-for": randomIp() },
        body: randomItem(['{"email":', "[]", '{"email":"a@example.com","email":"b@example.com"}']), expect: { status: 400, code: "INVALID_JSON" },
      };
    case "create":
      break;
  }
  const sent = { title: `soak u${user.index} #${n}`, description: Math.random() < 0.3 ? null : `created ${n}`, completed: Math.random() < 0.2 };
  return createPlan(user, sent);
}

function createPlan(user: User, sent: Partial<Task>): Plan {
  return { op: "create", method: "POST", path: "/api/tasks", headers: { ...bearer(user), ...JSON_TYPE }, body: JSON.stringify(sent), expect: { status: 201 }, user, sent };
}

function checkEnvelope(p: Plan, status: number, headers: Headers, text: string) {
  stats.envelopeChecked++;
  let body: { detail?: unknown; error_code?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problem =
    typeof body !== "object" || body === null ? "body is not a JSON object"
    : typeof body.detail !== "string" || !body.detail ? "no detail"
    : typeof body.error_code !== "string" || !body.error_code ? "no error_code"
    : headers.get("x-error-code") !== body.error_code ? `X-Error-Code ${headers.get("x-error-code")} ≠ error_code ${body.error_code}`
    : undefined;
  if (problem) {
    stats.envelopeViolationCount++;
    keep(stats.envelopeViolations, { op: p.op, status, problem, body: text.slice(0, 300) });
  }
  return body;
}

function sameFields(task: Task, sent: Partial<Task>) {
  return Object.entries(sent).every(([key, value]) => task[key as keyof Task] === value);
}

async function execute(p: Plan, baseUrl: string) {
  const started = performance.now();
  let status = 0;
  let text = "";
  let headers = new Headers();
  try {
    const response = await fetch(baseUrl + p.path, {
      method: p.method,
      headers: p.headers,
      body: p.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(p.body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    stats.transportErrorCount++;
    if (p.op === "create" || p.op === "cross-origin-cookie") unansweredCreates++;
    keep(stats.transportErrors, { op: p.op, method: p.method, path: p.path, error: String((error as Error).cause ?? error) });
    // An unanswered write may or may not have happened: its task is left out of the check.
    if (p.user && p.taskId !== undefined && p.method !== "GET") p.user.tasks.delete(p.taskId);
    return;
  } finally {
    if (p.user && p.taskId !== undefined) p.user.busy.delete(p.taskId);
  }
  const latency = performance.now() - started;
  stats.total++;
  const op = (stats.byOp[p.op] ??= { count: 0, latencies: [], statuses: {} });
  op.count++;
  op.latencies.push(latency);
  op.statuses[status] = (op.statuses[status] ?? 0) + 1;
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  if (status >= 500) {
    stats.fiveXxCount++;
    keep(stats.fiveXx, { op: p.op, method: p.method, path: p.path, status, body: text.slice(0, 300) });
  }
  // The envelope is checked on every 4xx; 5xx are failures by themselves.
  const errorBody = status >= 400 && status < 500 ? checkEnvelope(p, status, headers, text) : undefined;
  const codeOk = p.expect.code === undefined || (errorBody as { error_code?: string } | undefined)?.error_code === p.expect.code;
  if (status !== p.expect.status || !codeOk) {
    stats.unexpectedCount++;
    keep(stats.unexpected, { op: p.op, method: p.method, path: p.path, expected: `${p.expect.status}${p.expect.code ? ` ${p.expect.code}` : ""}`, status, body: text.slice(0, 300) });
    return;
  }
  const user = p.user;
  if (!user) return;
  if (p.op === "create") {
    const task = JSON.parse(text) as Task;
    if (!sameFields(task, p.sent!) || headers.get("location") !== `/api/tasks/${task.id}`) {
      stats.unexpectedCount++;
      keep(stats.unexpected, { op: p.op, method: p.method, path: p.path, expected: "the created task", status, body: text.slice(0, 300) });
    }
    user.tasks.set(task.id, task);
    stats.writesAcknowledged.created++;
  } else if (p.op === "patch" || p.op === "put") {
    const task = JSON.parse(text) as Task;
    if (!sameFields(task, p.sent!)) {
      stats.unexpectedCount++;
      keep(stats.unexpected, { op: p.op, method: p.method, path: p.path, expected: "the written fields", status, body: text.slice(0, 300) });
    }
    user.tasks.set(task.id, task);
    stats.writesAcknowledged.updated++;
  } else if (p.op === "delete") {
    user.tasks.delete(p.taskId!);
    user.deleted.push(p.taskId!);
    stats.writesAcknowledged.deleted++;
  } else if (p.op === "get") {
    const task = JSON.parse(text) as Task;
    if (JSON.stringify(task) !== JSON.stringify(user.tasks.get(p.taskId!))) {
      stats.unexpectedCount++;
      keep(stats.unexpected, { op: p.op, method: p.method, path: p.path, expected: "the last acknowledged state", status, body: text.slice(0, 300) });
    }
  }
}

async function listAll(baseUrl: string, user: User): Promise<{ tasks: Map<number, Task>; duplicates: number }> {
  const tasks = new Map<number, Task>();
  let duplicates = 0;
  let cursor: string | null = null;
  do {
    const response = await fetch(`${baseUrl}/api/tasks?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: bearer(user) });
    if (response.status !== 200) throw new Error(`listing user ${user.index}'s tasks: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: Task[]; next_cursor: string | null };
    for (const task of page.items) {
      if (tasks.has(task.id)) duplicates++;
      tasks.set(task.id, task);
    }
    cursor = page.next_cursor;
  } while (cursor);
  return { tasks, duplicates };
}

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date();
  const loadAverageAtStart = loadAverage().split(" ").slice(0, 3).join(" ");
  console.log(`soak: ${SECONDS} s, ${CONNECTIONS} connections, ${USERS} users`);
  const database = startDatabase();
  let server: NextServer | undefined;
  const cleanup = async () => {
    if (server) await server.stop();
    database.stop();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    console.log(`database: ${database.source} (${database.url.replace(/\/\/[^@]*@/, "//…@")})`);
    await migrateDatabase(parseEnv({ NODE_ENV: "test", DATABASE_URL: database.url, DATABASE_DRIVER: "pg" }));
    const build = await ensureBuild();
    console.log(`build: ${build.buildId} (${build.builtNow ? "built now" : `built ${build.builtAt}`})`);

    server = await startNextServer({
      DATABASE_URL: database.url,
      DATABASE_DRIVER: "pg",
      AUTH_RATE_LIMIT_ENABLED: "false",
      RATE_LIMIT_WRITES_MAX: "1000000000",
      RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000000",
      LOG_LEVEL: "warn",
    });
    const pid = server.process.pid!;
    const memoryAtStart = treeMemory(pid);
    console.log(`server: ${server.url}, pid ${pid}, RSS ${mib(memoryAtStart.totalRssKiB)} MiB`);

    const users: User[] = [];
    for (let index = 0; index < USERS; index++) {
      const session = await signUp(server.url);
      users.push({ index, token: session.token, cookie: session.cookie, tasks: new Map(), busy: new Set(), deleted: [] });
    }
    // Seed tasks, through the API, acknowledged like every other write.
    await Promise.all(
      users.map(async (user) => {
        for (let i = 0; i < SEED_TASKS; i++) {
          await execute(createPlan(user, { title: `seed u${user.index} ${i}`, description: null, completed: false }), server!.url);
        }
      }),
    );
    const memoryAfterSetup = treeMemory(pid);
    const setup = stats;
    if (setup.total !== USERS * SEED_TASKS || setup.fiveXxCount || setup.unexpectedCount || setup.transportErrors.length) {
      throw new Error(`seeding failed: ${JSON.stringify({ ...setup, byOp: undefined })}`);
    }
    stats = freshStats(); // the report covers the load phase; seeded tasks stay acknowledged

    const samples: { t: number; rssKiB: number }[] = [];
    const loadStarted = performance.now();
    const sampler = setInterval(() => samples.push({ t: Math.round(performance.now() - loadStarted), rssKiB: treeMemory(pid).totalRssKiB }), 1000);
    const deadline = Date.now() + SECONDS * 1000;
    const progress = setInterval(() => {
      const elapsed = (performance.now() - loadStarted) / 1000;
      console.log(`  ${elapsed.toFixed(0)} s: ${stats.total} requests, ${stats.fiveXxCount} 5xx, RSS ${mib(samples.at(-1)?.rssKiB ?? 0)} MiB`);
    }, 10_000);
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < deadline) await execute(plan(users, server!.url), server!.url);
      }),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    clearInterval(sampler);
    clearInterval(progress);
    const memoryAtEnd = treeMemory(pid);

    // Every acknowledged write, in its last acknowledged state, listed through the API.
    let missing = 0;
    let stale = 0;
    let resurrected = 0;
    let unacknowledged = 0;
    let duplicates = 0;
    const lostExamples: string[] = [];
    for (const user of users) {
      const listed = await listAll(server.url, user);
      duplicates += listed.duplicates;
      for (const [id, task] of user.tasks) {
        const found = listed.tasks.get(id);
        if (!found) {
          missing++;
          keep(lostExamples, `user ${user.index} task ${id}: acknowledged ${JSON.stringify(task)}, not listed`);
        } else if (JSON.stringify(found) !== JSON.stringify(task)) {
          stale++;
          keep(lostExamples, `user ${user.index} task ${id}: last acknowledged ${JSON.stringify(task)}, listed ${JSON.stringify(found)}`);
        }
      }
      for (const id of user.deleted) {
        if (listed.tasks.has(id)) {
          resurrected++;
          keep(lostExamples, `user ${user.index} task ${id}: deleted with 204, still listed`);
        }
      }
      for (const id of listed.tasks.keys()) if (!user.tasks.has(id) && !user.deleted.includes(id)) unacknowledged++;
    }
    const acknowledgedTasks = users.reduce((sum, user) => sum + user.tasks.size, 0);
    const serverErrors = server.output().split("\n").filter((line) => line.includes('"level":"error"')).length;
    const serverDied = server.process.exitCode !== null || server.process.signalCode !== null;

    await server.stop();
    server = undefined;

    const allLatencies = Object.values(stats.byOp).flatMap((op) => op.latencies).sort((a, b) => a - b);
    const byOp = Object.fromEntries(
      Object.entries(stats.byOp)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, data]) => {
          const sorted = [...data.latencies].sort((a, b) => a - b);
          return [op, { count: data.count, statuses: data.statuses, p50_ms: percentile(sorted, 50), p99_ms: percentile(sorted, 99), max_ms: percentile(sorted, 100) }];
        }),
    );
    const peakKiB = Math.max(memoryAtEnd.totalRssKiB, ...samples.map((sample) => sample.rssKiB));
    const failures = {
      five_xx: stats.fiveXxCount,
      envelope_violations: stats.envelopeViolationCount,
      lost_acknowledged_writes: missing + stale + resurrected,
      // A task no 2xx created, beyond those whose create got no answer at all.
      unacknowledged_tasks: Math.max(0, unacknowledged - unansweredCreates),
      unexpected_statuses: stats.unexpectedCount,
      duplicate_list_items: duplicates,
      server_died: serverDied ? 1 : 0,
    };
    const ok = Object.values(failures).every((count) => count === 0);
    const report = {
      ok,
      started_at: startedAt.toISOString(),
      config: { seconds: SECONDS, connections: CONNECTIONS, users: USERS, seed_tasks: SEED_TASKS, skipped: [...SKIPPED], database: database.source, build, cpus: os.cpus().length, load_average_at_start: loadAverageAtStart },
      load_seconds: Math.round(loadSeconds * 10) / 10,
      requests: { total: stats.total, per_second: Math.round(stats.total / loadSeconds), by_status: stats.byStatus, latency_ms: { p50: percentile(allLatencies, 50), p95: percentile(allLatencies, 95), p99: percentile(allLatencies, 99), max: percentile(allLatencies, 100) } },
      by_op: byOp,
      failures,
      envelope: { checked_4xx: stats.envelopeChecked, violations: stats.envelopeViolationCount, examples: stats.envelopeViolations },
      acknowledged_writes: { ...stats.writesAcknowledged, tasks_expected_at_end: acknowledgedTasks, missing, stale, resurrected, examples: lostExamples },
      memory: {
        start_rss_mib: mib(memoryAtStart.totalRssKiB),
        after_setup_rss_mib: mib(memoryAfterSetup.totalRssKiB),
        peak_rss_mib: mib(peakKiB),
        end_rss_mib: mib(memoryAtEnd.totalRssKiB),
        processes_at_end: memoryAtEnd.processes.map((p) => ({ ...p, rss_mib: mib(p.rssKiB), hwm_mib: mib(p.hwmKiB) })),
        samples_mib: samples.map((sample) => [sample.t, mib(sample.rssKiB)]),
      },
      server_error_log_lines: serverErrors,
      five_xx_examples: stats.fiveXx,
      unexpected_examples: stats.unexpected,
      no_answer: { count: stats.transportErrorCount, examples: stats.transportErrors },
    };

    const rows: [string, string][] = [
      ["duration", `${report.load_seconds} s at ${CONNECTIONS} connections, ${USERS} users (${os.cpus().length} CPUs, load average ${loadAverageAtStart} at start)`],
      ["requests", `${stats.total} (${report.requests.per_second}/s), p50 ${report.requests.latency_ms.p50} ms, p99 ${report.requests.latency_ms.p99} ms`],
      ["statuses", Object.entries(stats.byStatus).map(([status, count]) => `${status}: ${count}`).join(", ")],
      ["5xx", String(stats.fiveXxCount)],
      ["error envelope", `${stats.envelopeChecked - stats.envelopeViolationCount}/${stats.envelopeChecked} 4xx conform (detail, error_code, X-Error-Code = error_code)`],
      ["unexpected status", String(stats.unexpectedCount)],
      ["no answer", `${stats.transportErrorCount} (connection reset or timeout; reported, not a failure by itself)`],
      ["writes acked", `${stats.writesAcknowledged.created} created, ${stats.writesAcknowledged.updated} updated, ${stats.writesAcknowledged.deleted} deleted`],
      ["acked writes kept", `${acknowledgedTasks - missing - stale}/${acknowledgedTasks} present in last acked state; ${missing} missing, ${stale} stale, ${resurrected} deleted but listed, ${unacknowledged} never acked`],
      ["server RSS", `start ${report.memory.start_rss_mib} MiB, after setup ${report.memory.after_setup_rss_mib} MiB, peak ${report.memory.peak_rss_mib} MiB, end ${report.memory.end_rss_mib} MiB (${memoryAtEnd.processes.length} processes)`],
      ["server error logs", String(serverErrors)],
      ["result", ok ? "PASS" : `FAIL (${Object.entries(failures).filter(([, count]) => count > 0).map(([name, count]) => `${name}=${count}`).join(", ")})`],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log("");
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
    console.log("");
    console.log("per operation (count, p50/p99 ms, statuses):");
    for (const [op, data] of Object.entries(byOp)) {
      console.log(`  ${op.padEnd(20)} ${String(data.count).padStart(7)}  ${String(data.p50_ms).padStart(6)}/${String(data.p99_ms).padEnd(7)} ${JSON.stringify(data.statuses)}`);
    }
    for (const example of [...stats.fiveXx.slice(0, 5), ...stats.unexpected.slice(0, 5), ...stats.envelopeViolations.slice(0, 5), ...lostExamples.slice(0, 5)]) {
      console.log("  !", typeof example === "string" ? example : JSON.stringify(example));
    }

    const directory = path.join(root, "bench", "results");
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, `soak-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nreport: ${path.relative(root, file)}`);
    return ok;
  } finally {
    await cleanup();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
