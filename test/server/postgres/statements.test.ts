import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/lib/db/drivers";
import { parseEnv } from "@/lib/env";
import { createApiKey, signUp } from "@/tools/accounts";
import { startWsProxy, type WsProxy } from "@/tools/neon-wsproxy";
import { startNextServer, type NextServer } from "@/tools/next-server";

// How many SQL statements a request costs, counted by PostgreSQL itself (pg_stat_statements)
// while `next start` answers real HTTP requests, on the pg driver and on the neon driver (through
// the test wsproxy). Every authenticated task and list request is ONE statement: the session or
// key lookup, the write count and the data together (lib/auth/caller.ts). The other paths cost
// what their code says, and this counts them too, so that a change that adds a round trip shows
// here and not only in the bench.
//
// pg_stat_statements is cluster-wide, so the counts are kept apart by database: the servers run
// on a database of this test's own, which nothing else uses, and the test's bookkeeping (reset,
// read) runs in another database of its own, which also holds the extension's view; the shared
// test database is left as it was. Statements run inside another (a trigger's, a foreign key's)
// are not counted: pg_stat_statements.track = top, the default, counts what clients send.

/** Requests per measurement, sent one after another. */
const N = 5;

const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
const suffix = `${process.pid}_${Date.now().toString(36)}`;
/** The servers' database: every statement counted ran in it. */
const MEASURED = `stmt_${suffix}`;
/** The test's own: pg_stat_statements' view, read and reset from here, outside what is counted. */
const STATS = `stmt_${suffix}_stats`;
function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

let root: pg.Client;
let stats: pg.Client;
/** The measured database's oid: pg_stat_statements' `dbid`. */
let dbid: number;

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** The server's setting, or null when it does not exist (the module is not loaded). */
async function setting(client: pg.Client, name: string): Promise<string | null> {
  const { rows } = await client.query<{ value: string | null }>("select current_setting($1, true) as value", [name]);
  return rows[0]?.value ?? null;
}

beforeAll(async () => {
  root = await connect(serverUrl.href);
  // Never skipped: without the module there is nothing to count, and CI's server has it.
  const preloaded = (await setting(root, "shared_preload_libraries")) ?? "";
  if (!/\bpg_stat_statements\b/.test(preloaded)) {
    throw new Error(
      `pg_stat_statements is not loaded by the TEST_DATABASE_URL server (shared_preload_libraries = '${preloaded}'). ` +
        "This test counts SQL statements per request with it: start PostgreSQL with shared_preload_libraries = 'pg_stat_statements' " +
        "(scripts/pg-cluster.sh does).",
    );
  }
  // The counts below assume the defaults: top-level statements only, BEGIN and COMMIT included.
  const track = await setting(root, "pg_stat_statements.track");
  const utility = await setting(root, "pg_stat_statements.track_utility");
  if (track !== "top" || utility !== "on") {
    throw new Error(`pg_stat_statements.track = ${track} and track_utility = ${utility}; this test's counts assume the defaults, top and on`);
  }

  await root.query(`create database "${MEASURED}"`);
  await root.query(`create database "${STATS}"`);
  await migrateDatabase(parseEnv({ NODE_ENV: "test", DATABASE_URL: databaseUrl(MEASURED), DATABASE_DRIVER: "pg" }));
  stats = await connect(databaseUrl(STATS));
  try {
    await stats.query("create extension if not exists pg_stat_statements");
  } catch (error) {
    throw new Error(`pg_stat_statements is preloaded but its extension cannot be created: ${(error as Error).message}`);
  }
  const { rows } = await stats.query<{ oid: number }>("select oid from pg_database where datname = $1", [MEASURED]);
  dbid = rows[0]!.oid;
}, 180_000);

afterAll(async () => {
  await stats?.end().catch(() => {});
  if (!root) return;
  for (const name of [MEASURED, STATS]) await root.query(`drop database if exists "${name}" with (force)`);
  await root.end();
});

interface Executed {
  calls: number;
  query: string;
}

/** Transactions rolled back in the measured database, as its statistics say so far. */
async function rollbacks(): Promise<number> {
  const { rows } = await stats.query<{ n: number }>("select xact_rollback::int as n from pg_stat_database where datid = $1::oid", [dbid]);
  return rows[0]!.n;
}

/**
 * Runs `work` and counts the statements executed in the measured database meanwhile. Every
 * request it sends has been answered before this reads, so nothing is still on its way: a
 * statement is counted when it ends (its transaction's COMMIT at the latest), before the driver
 * has its result and so before the server answers.
 *
 * pg_stat_statements counts the statements that succeed. One that fails is rolled back, which
 * pg_stat_database counts, but a server process reports that only when idle, within about 10 s:
 * `failing`, the failures expected, are waited for (and any more that arrive by then counted).
 */
async function counted<T>(work: () => Promise<T>, failing: number): Promise<{ result: T; statements: number; executed: Executed[] }> {
  // PostgreSQL 15's signature: (userid, dbid, queryid); 0 matches any, so this resets the measured
  // database's entries only (17 adds a fourth argument with a default).
  await stats.query("select pg_stat_statements_reset(0, $1::oid, 0)", [dbid]);
  const rolledBackBefore = await rollbacks();
  const result = await work();
  const { rows } = await stats.query<Executed>(
    "select calls::int as calls, query from pg_stat_statements where dbid = $1::oid order by calls desc, query",
    [dbid],
  );
  let failed = 0;
  for (const deadline = Date.now() + 20_000; failing > 0 && failed < failing && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    failed = (await rollbacks()) - rolledBackBefore;
  }
  const executed = failed ? [...rows, { calls: failed, query: "(failed, rolled back)" }] : rows;
  return { result, statements: executed.reduce((sum, row) => sum + row.calls, 0), executed };
}

interface Sent {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function send(baseUrl: string, { method, path, json, headers = {} }: Sent): Promise<Answer> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: json === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  const body = response.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, text, body };
}

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
const unique = () => randomUUID().slice(0, 8);
const times = (make: (i: number) => Sent): Sent[] => Array.from({ length: N }, (_, i) => make(i));

const DRIVERS = ["pg", "neon"] as const;
const KINDS = ["session", "API key"] as const;
type Kind = (typeof KINDS)[number];

/** What a measurement is of: an endpoint by one kind of credentials, or another path. */
type Measured = { endpoint: string; kind: Kind } | string;

describe.each(DRIVERS)("SQL statements per request on the %s driver", (driver) => {
  let proxy: WsProxy | undefined;
  let server: NextServer;
  let credentials: { session: Record<string, string>; "API key": Record<string, string> };
  let taskId: number;
  let listId: number;
  // Statements per request, for the summary this block prints at its end.
  const byEndpoint = new Map<string, Partial<Record<Kind, number>>>();
  const otherPaths = new Map<string, number>();

  beforeAll(async () => {
    proxy = driver === "neon" ? await startWsProxy() : undefined;
    server = await startNextServer({
      DATABASE_URL: databaseUrl(MEASURED),
      DATABASE_DRIVER: driver,
      ...(proxy ? { NEON_WS_PROXY: proxy.address } : {}),
      LOG_LEVEL: "warn",
      AUTH_RATE_LIMIT_ENABLED: "false",
      // Many writes and some 401s from one user and address: the limits are tested elsewhere.
      RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000",
      RATE_LIMIT_WRITES_MAX: "1000000",
      RATE_LIMIT_WINDOW_S: "86400",
    });
    const account = await signUp(server.url);
    const key = await createApiKey(server.url, account.token, { name: "statements", scope: "read-write" });
    credentials = { session: bearer(account.token), "API key": bearer(key) };

    // A few lists and tasks, some in a list, so that the reads return rows.
    const lists: number[] = [];
    for (let i = 0; i < 3; i++) lists.push((await create("/api/lists", { name: `List ${i} ${unique()}` })).id);
    for (let i = 0; i < 6; i++) await create("/api/tasks", { title: `Seeded ${i}`, list_id: i % 2 ? lists[i % 3] : null });
    listId = lists[0]!;
    taskId = (await create("/api/tasks", { title: "The one read and written", list_id: listId })).id;
  }, 180_000);

  afterAll(async () => {
    const value = (perRequest: number | undefined) => perRequest?.toFixed(2) ?? "-";
    const endpoints = [...byEndpoint].map(([endpoint, kinds]) => `${endpoint} ${KINDS.map((kind) => value(kinds[kind])).join(" | ")}`);
    const others = [...otherPaths].map(([path, perRequest]) => `${path} ${value(perRequest)}`);
    if (endpoints.length || others.length) {
      console.log(
        `SQL statements per request on the ${driver} driver (${N} requests each), by ${KINDS.join(" | ")}: ${endpoints.join(", ")}; ` +
          `other paths: ${others.join(", ")}`,
      );
    }
    await server?.stop();
    await proxy?.close();
  });

  /** A create before the count starts (a task to delete, a list to delete...): its item. */
  async function create(path: string, json: unknown): Promise<{ id: number }> {
    const answer = await send(server.url, { method: "POST", path, json, headers: credentials.session });
    if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${answer.text}`);
    return answer.body;
  }

  /**
   * Sends N requests one after another (the i-th made by `next(i, the previous answer)`), checks
   * each answered `status`, and that the database ran exactly `perRequest` statements per request,
   * `failing` of them failing. The number is recorded first, so that the summary shows it even
   * when the check fails.
   */
  async function expectStatements(
    what: Measured,
    { status, perRequest, failing = 0 }: { status: number; perRequest: number; failing?: number },
    next: (i: number, previous: Answer | undefined) => Sent,
  ): Promise<Answer[]> {
    const { result: answers, statements, executed } = await counted(async () => {
      const answers: Answer[] = [];
      for (let i = 0; i < N; i++) answers.push(await send(server.url, next(i, answers.at(-1))));
      return answers;
    }, failing * N);
    const label = typeof what === "string" ? what : `${what.endpoint} by ${what.kind}`;
    if (typeof what === "string") otherPaths.set(what, statements / N);
    else byEndpoint.set(what.endpoint, { ...byEndpoint.get(what.endpoint), [what.kind]: statements / N });
    for (const answer of answers) expect(answer.status, `${label}: ${answer.text}`).toBe(status);
    const listing = executed.map((row) => `  ${row.calls} × ${row.query.replace(/\s+/g, " ").slice(0, 160)}`).join("\n");
    expect(statements, `${label}: ${statements} statements for ${N} requests:\n${listing}`).toBe(perRequest * N);
    return answers;
  }

  // Every authenticated task and list endpoint, by session and by API key: one statement each.
  // `requests` makes the N requests, creating first (before the count) whatever they need.
  const endpoints: { name: string; status: number; requests: () => Promise<Sent[]> }[] = [
    { name: "GET /api/tasks?limit=50", status: 200, requests: async () => times(() => ({ method: "GET", path: "/api/tasks?limit=50" })) },
    { name: "GET /api/tasks/{id}", status: 200, requests: async () => times(() => ({ method: "GET", path: `/api/tasks/${taskId}` })) },
    {
      name: "POST /api/tasks",
      status: 201,
      requests: async () => times((i) => ({ method: "POST", path: "/api/tasks", json: { title: `Created ${i}`, list_id: listId } })),
    },
    {
      name: "PATCH /api/tasks/{id}",
      status: 200,
      requests: async () => times((i) => ({ method: "PATCH", path: `/api/tasks/${taskId}`, json: { completed: i % 2 === 0, priority: "high" } })),
    },
    {
      name: "PUT /api/tasks/{id}",
      status: 200,
      requests: async () => times((i) => ({ method: "PUT", path: `/api/tasks/${taskId}`, json: { title: `Replaced ${i}`, list_id: listId } })),
    },
    {
      name: "DELETE /api/tasks/{id}",
      status: 204,
      requests: async () => {
        const doomed = [];
        for (let i = 0; i < N; i++) doomed.push((await create("/api/tasks", { title: `To delete ${i}` })).id);
        return doomed.map((id) => ({ method: "DELETE", path: `/api/tasks/${id}` }));
      },
    },
    { name: "GET /api/tasks/changes", status: 200, requests: async () => times(() => ({ method: "GET", path: "/api/tasks/changes" })) },
    { name: "GET /api/lists", status: 200, requests: async () => times(() => ({ method: "GET", path: "/api/lists" })) },
    { name: "GET /api/lists/{id}", status: 200, requests: async () => times(() => ({ method: "GET", path: `/api/lists/${listId}` })) },
    {
      name: "POST /api/lists",
      status: 201,
      requests: async () => times(() => ({ method: "POST", path: "/api/lists", json: { name: `Created ${unique()}` } })),
    },
    {
      name: "PATCH /api/lists/{id}",
      status: 200,
      requests: async () => times(() => ({ method: "PATCH", path: `/api/lists/${listId}`, json: { name: `Renamed ${unique()}` } })),
    },
    {
      name: "PUT /api/lists/{id}",
      status: 200,
      requests: async () => times(() => ({ method: "PUT", path: `/api/lists/${listId}`, json: { name: `Replaced ${unique()}` } })),
    },
    {
      name: "DELETE /api/lists/{id}",
      status: 204,
      requests: async () => {
        // Each with a task: the foreign key clears its list_id inside the DELETE, not as a statement of its own.
        const doomed = [];
        for (let i = 0; i < N; i++) {
          const list = await create("/api/lists", { name: `To delete ${unique()}` });
          await create("/api/tasks", { title: `In a list to delete ${i}`, list_id: list.id });
          doomed.push(list.id);
        }
        return doomed.map((id) => ({ method: "DELETE", path: `/api/lists/${id}` }));
      },
    },
  ];

  for (const kind of KINDS) {
    for (const endpoint of endpoints) {
      it(`${endpoint.name} by ${kind}: 1 statement`, async () => {
        const auth = credentials[kind];
        const requests = await endpoint.requests();
        await expectStatements({ endpoint: endpoint.name, kind }, { status: endpoint.status, perRequest: 1 }, (i) => ({
          ...requests[i]!,
          headers: auth,
        }));
      });
    }
  }

  // Without valid credentials: the check finds no caller, then the request is counted against its
  // IP's limit (lib/auth/caller.ts, refuse). Without any credentials there is nothing to check
  // (nor with a value that cannot be a token: a bad cookie signature, a malformed bearer).
  it("no credentials: 401, 1 statement (the per-IP count)", async () => {
    await expectStatements("401 without credentials", { status: 401, perRequest: 1 }, () => ({ method: "GET", path: "/api/tasks" }));
  });

  it("an unknown session token: 401, 2 statements (the check, the per-IP count)", async () => {
    // Shaped like a session token, so that it is looked up.
    const headers = bearer(randomUUID().replaceAll("-", ""));
    await expectStatements("401 unknown session token", { status: 401, perRequest: 2 }, () => ({ method: "GET", path: "/api/tasks", headers }));
  });

  it("an unknown API key: 401, 2 statements (the check, the per-IP count)", async () => {
    const headers = bearer(`tk_${randomUUID().replaceAll("-", "")}`);
    await expectStatements("401 unknown API key", { status: 401, perRequest: 2 }, () => ({ method: "GET", path: "/api/tasks", headers }));
  });

  // If-Match is a condition of the UPDATE itself: a match costs nothing more. A miss is told
  // apart (412 or 404) by a second statement, on that path only (lib/resource/owned.ts, notWritten).
  it("PATCH with the current If-Match: 1 statement", async () => {
    const current = await send(server.url, { method: "GET", path: `/api/tasks/${taskId}`, headers: credentials.session });
    const answers = await expectStatements("PATCH If-Match current", { status: 200, perRequest: 1 }, (i, previous) => ({
      method: "PATCH",
      path: `/api/tasks/${taskId}`,
      json: { title: `Versioned ${i}` },
      headers: { ...credentials.session, "if-match": (previous ?? current).headers.get("etag")! },
    }));
    expect(new Set(answers.map((answer) => answer.headers.get("etag"))).size).toBe(N);
  });

  it("PATCH with a stale If-Match: 412, 2 statements (the conditional update, then whether the task exists)", async () => {
    const stale = (await send(server.url, { method: "GET", path: `/api/tasks/${taskId}`, headers: credentials.session })).headers.get("etag")!;
    const moved = await send(server.url, { method: "PATCH", path: `/api/tasks/${taskId}`, json: { completed: true }, headers: credentials.session });
    expect(moved.headers.get("etag")).not.toBe(stale);
    await expectStatements("PATCH If-Match stale (412)", { status: 412, perRequest: 2 }, () => ({
      method: "PATCH",
      path: `/api/tasks/${taskId}`,
      json: { title: "Never written" },
      headers: { ...credentials.session, "if-match": stale },
    }));
  });

  // A keyed create records its rows in its own statement (lib/http/idempotency.ts): one statement,
  // like a create without a key.
  it("POST /api/tasks with an Idempotency-Key: 1 statement", async () => {
    const answers = await expectStatements("POST Idempotency-Key", { status: 201, perRequest: 1 }, (i) => ({
      method: "POST",
      path: "/api/tasks",
      json: { title: `Keyed ${i}` },
      headers: { ...credentials.session, "idempotency-key": randomUUID() },
    }));
    for (const answer of answers) expect(answer.headers.get("idempotent-replayed")).toBeNull();
  });

  // Its retry: the create's statement, which fails on the key's record and so creates nothing, then
  // the lookup of the record, with the check of the caller and the write's count.
  it("the same keyed POST replayed: 2 statements, the first failing", async () => {
    const request: Sent = {
      method: "POST",
      path: "/api/tasks",
      json: { title: "Keyed once" },
      headers: { ...credentials.session, "idempotency-key": randomUUID() },
    };
    const first = await send(server.url, request);
    expect(first.status, first.text).toBe(201);
    const replays = await expectStatements("POST Idempotency-Key replay", { status: 201, perRequest: 2, failing: 1 }, () => request);
    for (const replay of replays) {
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.text).toBe(first.text);
    }
  });
});
