import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { BenchDatabase } from "./database";
import { COMMON_WORD, explainTaskQueries, RARE_WORD, type ExplainCheck } from "./explain";
import { runLoad, runSequential, taskEndpoints, type Endpoint } from "./load";
import { loadAverage, quiesce, treeCpuMs } from "./proc";
import { restore, seedSmall, signUp, type BenchUser } from "./seed";
import { startNext, type Server } from "./servers";

// --scale: is listing cost flat with size? The same requests (list page 1, a deep page reached
// by following cursors, get by id) for one user on the small data set and on a copy of it grown
// to 1,000,000 tasks across 10,000 users, where that user holds 10,000. Two product servers, one
// per database, measured alternately in rounds so that both see the same machine noise; the
// ratios are the medians of the per-round ratios. Plus EXPLAIN (and EXPLAIN ANALYZE) of every
// list shape at 1M, for that user and for one holding 100,000 tasks: each sort, the filters, and
// `q`, whose cost is reported next to the first page's.

const SCALE_USERS = 10_000;
const SCALE_TASKS = 1_000_000;
const HEAVY_TASKS = 10_000;
/** A second heavy user, for EXPLAIN only: every 9th of the first 900,000 bulk rows. */
const HEAVIER_TASKS = 100_000;
const HEAVIER_ID = "scale-100k";
const LISTS_PER_HEAVY_USER = 5;
const DEEP_PAGE = 100;
const SMALL_DEEP_PAGE = 10; // the small set's users have 500 tasks: 10 pages of 50
const PAGE_SIZE = 50;
const ROUNDS = 3;

interface ScaleOptions {
  root: string;
  db: BenchDatabase;
  env: Record<string, string>;
  /** Server processes of every product server (--processes), as npm start runs them. */
  processes: number;
  connections: number;
  durationS: number;
  warmupS: number;
  resultsDir: string;
  stamp: string;
  log: (line: string) => void;
  cleanups: (() => Promise<void>)[];
}

interface Sample {
  round: number;
  rps: number;
  p50: number;
  p99: number;
  sequentialP50: number;
  sequentialP99: number;
  serverCpuMsPerReq: number;
  non2xx: number;
  errors: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function cursorOfPage(url: string, user: BenchUser, page: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let p = 1; p < page; p++) {
    const response = await fetch(`${url}/api/tasks?limit=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const body = (await response.json()) as { next_cursor: string | null };
    if (response.status !== 200 || !body.next_cursor) throw new Error(`page ${p + 1} does not exist for this user (status ${response.status})`);
    cursor = body.next_cursor;
  }
  return cursor;
}

function listPage(user: BenchUser, page: number, cursor: string | undefined): Endpoint {
  const headers = { authorization: `Bearer ${user.token}` };
  return {
    name: `GET /api/tasks?limit=${PAGE_SIZE} page ${page}`,
    task: true,
    request: () => ({ method: "GET", path: `/api/tasks?limit=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ""}`, headers }),
  };
}

function getById(user: BenchUser): Endpoint {
  const headers = { authorization: `Bearer ${user.token}` };
  return {
    name: "GET /api/tasks/{id}",
    task: true,
    request: (n) => ({ method: "GET", path: `/api/tasks/${user.taskIds[(Math.imul(n, 2_654_435_761) >>> 0) % user.taskIds.length]}`, headers }),
  };
}

async function sample(server: Server, endpoint: Endpoint, round: number, options: ScaleOptions): Promise<Sample> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const cpu0 = treeCpuMs([server.pid]);
  const load = await runLoad(server.url, endpoint, { connections: options.connections, durationS: options.durationS });
  await quiesce([server.pid]);
  const cpu1 = treeCpuMs([server.pid]);
  const sequential = await runSequential(server.url, endpoint, Math.max(1, options.durationS / 2));
  return {
    round,
    rps: load.rps,
    p50: load.p50,
    p99: load.p99,
    sequentialP50: sequential.p50,
    sequentialP99: sequential.p99,
    serverCpuMsPerReq: (cpu1 - cpu0) / Math.max(1, load.sent, load.requests),
    non2xx: load.non2xx + sequential.non2xx,
    errors: load.errors + load.timeouts,
  };
}

async function warmUp(server: Server, endpoints: Endpoint[], seconds: number, connections: number) {
  for (const endpoint of endpoints) {
    await runLoad(server.url, endpoint, { connections, durationS: seconds / endpoints.length });
    await quiesce([server.pid]);
  }
}

async function growToScale(admin: pg.Client, smallUsers: number, heavy: { id: string }, log: (line: string) => void) {
  const started = Date.now();
  const smallTasks = Number((await admin.query<{ n: string }>("select count(*)::text as n from tasks")).rows[0]!.n);
  const otherUsers = SCALE_USERS - smallUsers - 2;
  await admin.query(
    `insert into users (id, name, email, email_verified, created_at, updated_at)
     select 'scale-' || g, 'Scale User ' || g, 'scale-' || g || '@example.com', false, now(), now()
     from generate_series(1, $1::int) as g
     union all select $2, 'Scale User 100k', $2 || '@example.com', false, now(), now()`,
    [otherUsers, HEAVIER_ID],
  );
  const listsOf = async (userId: string) =>
    (
      await admin.query<{ id: number }>(
        "insert into lists (user_id, name) select $1, 'Scale list ' || g from generate_series(1, $2::int) as g returning id",
        [userId, LISTS_PER_HEAVY_USER],
      )
    ).rows.map((row) => row.id);
  const heavyLists = await listsOf(heavy.id);
  const heavierLists = await listsOf(HEAVIER_ID);
  // The rest of the million, interleaved as they would arrive: every 99th to the heavy user,
  // every 9th of the first 900,000 to the one with 100,000. By each task's number n among its
  // user's: titles from a small vocabulary (a twelfth say "report"), a handful of each heavy
  // user's with a rare word; a third completed; due dates on whole days over 13 months, a fifth
  // undated; most without priority; three in five of the heavy users' tasks in one of their lists.
  const bulk = SCALE_TASKS - smallTasks;
  const every = Math.floor(bulk / HEAVY_TASKS);
  const chunk = 100_000;
  for (let from = 1; from <= bulk; from += chunk) {
    const to = Math.min(bulk, from + chunk - 1);
    await admin.query(
      `insert into tasks (user_id, title, description, completed, list_id, due_at, priority, created_at, updated_at)
       select case who when 1 then $4 when 2 then $7 else 'scale-' || (g % $5 + 1) end,
              (array['Buy', 'Call', 'Write', 'Review', 'Fix', 'Plan', 'Book', 'Send'])[n % 8 + 1] || ' '
                || (array['milk', 'the report', 'invoice', 'the tests', 'roof', 'slides', 'Alice', 'budget', 'tickets', 'the car', 'Bob', 'release notes'])[n % 12 + 1]
                || ' #' || g
                || case when (who = 1 and n % 2000 = 7) or (who = 2 and n % 20000 = 7) or (who = 0 and g % 100003 = 7) then ' (${RARE_WORD})' else '' end,
              case when g % 4 = 0 then null else 'Bulk-inserted for the scale run (' || g || ')' end,
              n % 3 = 0,
              case when n % 5 < 3 then case who when 1 then ($8::int[])[n % 5 + 1] when 2 then ($9::int[])[n % 5 + 1] end end,
              case when n % 5 <> 4 then date '2026-01-01' + ((n::bigint * 7919) % 400) * interval '1 day' + interval '9 hours' end,
              (array[0, 0, 0, 0, 0, 0, 1, 1, 2, 3])[(n::bigint * 31) % 10 + 1],
              now() - make_interval(secs => $6 - g), now() - make_interval(secs => $6 - g)
       from (select g, who, case who when 1 then g / $3 when 2 then g / 9 else g end as n
             from (select g, case when g % $3 = 0 then 1 when g % 9 = 1 and g <= $10 then 2 else 0 end as who
                   from generate_series($1::int, $2::int) as g) as numbered) as rows`,
      [from, to, every, heavy.id, otherUsers, bulk, HEAVIER_ID, heavyLists, heavierLists, 9 * HEAVIER_TASKS],
    );
    log(`scale data: ${to + smallTasks} / ${SCALE_TASKS} tasks`);
  }
  await admin.query("vacuum analyze tasks");
  await admin.query("analyze users, sessions, lists");
  const { rows } = await admin.query<{ users: string; tasks: string; heavy: string; heavier: string }>(
    `select (select count(*) from users)::text as users, (select count(*) from tasks)::text as tasks,
            (select count(*) from tasks where user_id = $1)::text as heavy, (select count(*) from tasks where user_id = $2)::text as heavier`,
    [heavy.id, HEAVIER_ID],
  );
  log(
    `scale data: ${rows[0]!.users} users, ${rows[0]!.tasks} tasks, the heavy users hold ${rows[0]!.heavy} and ${rows[0]!.heavier}, ` +
      `in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return { heavyList: heavyLists[2]!, heavierList: heavierLists[2]! };
}

export async function runScale(options: ScaleOptions): Promise<number> {
  const { root, db, log } = options;
  const loadBefore = loadAverage();
  const started: Server[] = [];
  const stopAll = async () => {
    for (const server of started.splice(0)) await server.stop();
  };
  options.cleanups.push(stopAll);
  const start = async (name: string, databaseUrl: string) => {
    const server = await startNext(root, { name, processes: options.processes, env: { ...options.env, DATABASE_URL: databaseUrl } });
    started.push(server);
    return server;
  };

  // The small data set, signed up through a product server that is stopped again before the copy.
  const seeding = await start("product-seed", db.url);
  const seed = await seedSmall(db.admin, seeding.url, { users: 20, tasksPerUser: 500, overApi: 5 }, log);
  await seeding.stop();
  started.splice(started.indexOf(seeding), 1);
  log("copying the small data set into a second database, to grow it");
  const large = await db.clone("1m");

  const big = await start("product-1m", large.url);
  const heavyAccount = await signUp(big.url, `bench-heavy-${Date.now().toString(36)}@example.com`);
  log(`growing the copy to ${SCALE_TASKS} tasks across ${SCALE_USERS} users`);
  const { heavyList, heavierList } = await growToScale(large.admin, seed.users.length, heavyAccount, log);
  const heavyIds = await large.admin.query<{ ids: number[] }>("select array_agg(id order by id desc) as ids from tasks where user_id = $1", [heavyAccount.id]);
  const heavy: BenchUser = { ...heavyAccount, email: "", taskIds: heavyIds.rows[0]!.ids };
  const small = await start("product-small", db.url);

  // Warm both the same way, on the full endpoint mix, then remove what POST created.
  if (options.warmupS > 0) {
    log(`warming up both servers for ${options.warmupS} s each`);
    const mix = taskEndpoints(seed.users);
    await warmUp(small, mix, options.warmupS, options.connections);
    await warmUp(big, mix, options.warmupS, options.connections);
    await restore(db.admin, seed);
    await large.admin.query("delete from tasks where id > $1 and user_id <> $2 and user_id not like 'scale-%'", [seed.maxSeedId, heavy.id]);
    await large.admin.query("vacuum analyze tasks");
  }

  const smallUser = seed.users[0]!;
  const deepCursor = await cursorOfPage(big.url, heavy, DEEP_PAGE);
  const kinds = [
    { label: "list page 1", small: listPage(smallUser, 1, undefined), big: listPage(heavy, 1, undefined) },
    {
      label: `list page ${DEEP_PAGE} (small: page ${SMALL_DEEP_PAGE}, its deepest)`,
      small: listPage(smallUser, SMALL_DEEP_PAGE, await cursorOfPage(small.url, smallUser, SMALL_DEEP_PAGE)),
      big: listPage(heavy, DEEP_PAGE, deepCursor),
    },
    { label: "get by id", small: getById(smallUser), big: getById(heavy) },
  ];

  // EXPLAIN at 1M: the heavy user after a cursor at page 100's depth, the one with 100,000 tasks
  // half-way down each sort.
  const heavierTask = await large.admin.query<{ id: number }>("select max(id) as id from tasks where user_id = $1", [HEAVIER_ID]);
  const explains: ExplainCheck[] = [
    ...(await explainTaskQueries(large.admin, {
      label: `${HEAVY_TASKS} tasks`,
      id: heavy.id,
      taskId: heavy.taskIds[Math.floor(heavy.taskIds.length / 2)]!,
      depth: (DEEP_PAGE - 1) * PAGE_SIZE,
      listId: heavyList,
    })),
    ...(await explainTaskQueries(large.admin, {
      label: `${HEAVIER_TASKS} tasks`,
      id: HEAVIER_ID,
      taskId: heavierTask.rows[0]!.id,
      depth: HEAVIER_TASKS / 2,
      listId: heavierList,
    })),
  ];
  for (const check of explains) {
    log(
      `EXPLAIN ${check.user}, ${check.name}: ${check.ok ? "ok" : "NOT OK"} (${check.expectation}): ${check.nodes.join(" → ")} ` +
        `(${check.executionMs.toFixed(3)} ms, ${check.rows} rows, ${check.rowsRemovedByFilter} filtered out)`,
    );
  }
  for (const kind of kinds) await runLoad(big.url, kind.big, { connections: options.connections, durationS: 2 });
  await quiesce([big.pid]);

  const samples = kinds.map(() => ({ small: [] as Sample[], big: [] as Sample[] }));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, kind] of kinds.entries()) {
      const order = (round + i) % 2 === 0 ? (["small", "big"] as const) : (["big", "small"] as const);
      for (const which of order) {
        const s = await sample(which === "small" ? small : big, kind[which], round, options);
        samples[i]![which].push(s);
        log(
          `round ${round} ${which === "small" ? "small" : "1M   "} ${kind[which].name}: ${s.rps.toFixed(0)} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms; ` +
            `1 connection p50 ${s.sequentialP50.toFixed(2)} ms; CPU ${s.serverCpuMsPerReq.toFixed(3)} ms/req`,
        );
      }
    }
  }
  options.cleanups.splice(options.cleanups.indexOf(stopAll), 1);
  await stopAll();

  const ratio = (i: number, field: keyof Sample) =>
    median(samples[i]!.big.map((b, r) => (b[field] as number) / (samples[i]!.small[r]![field] as number)));
  const summary = kinds.map((kind, i) => {
    const pick = (which: "small" | "big", field: keyof Sample) => median(samples[i]![which].map((s) => s[field] as number));
    return {
      label: kind.label,
      small: { request: kind.small.name, p50: pick("small", "p50"), p99: pick("small", "p99"), sequentialP50: pick("small", "sequentialP50"), cpu: pick("small", "serverCpuMsPerReq"), rps: pick("small", "rps") },
      big: { request: kind.big.name, p50: pick("big", "p50"), p99: pick("big", "p99"), sequentialP50: pick("big", "sequentialP50"), cpu: pick("big", "serverCpuMsPerReq"), rps: pick("big", "rps") },
      p50Ratio: ratio(i, "p50"),
      sequentialP50Ratio: ratio(i, "sequentialP50"),
      cpuRatio: ratio(i, "serverCpuMsPerReq"),
      rpsRatio: ratio(i, "rps"),
    };
  });

  console.log(`\nmedians of ${ROUNDS} alternating rounds, ${options.processes} server processes each, ${options.connections} connections × ${options.durationS} s, then 1 connection × ${Math.max(1, options.durationS / 2)} s`);
  console.log("request                                         data set  req/s  p50 ms  p99 ms  1-conn p50 ms  server CPU ms/req");
  for (const s of summary) {
    for (const [name, f] of [["small", s.small], ["1M", s.big]] as const) {
      console.log(
        `${(name === "small" ? s.label : "").padEnd(46)}  ${name.padEnd(8)}  ${f.rps.toFixed(0).padStart(5)}  ${String(f.p50).padStart(6)}  ${String(f.p99).padStart(6)}  ${f.sequentialP50.toFixed(2).padStart(13)}  ${f.cpu.toFixed(3).padStart(17)}`,
      );
    }
  }
  console.log("\n1M ÷ small (median of per-round ratios)          p50 (32 conn)  p50 (1 conn)  CPU/req  req/s");
  for (const s of summary) {
    console.log(`${s.label.padEnd(46)} ${s.p50Ratio.toFixed(2).padStart(12)}×  ${s.sequentialP50Ratio.toFixed(2).padStart(11)}×  ${s.cpuRatio.toFixed(2).padStart(6)}×  ${s.rpsRatio.toFixed(2).padStart(4)}×`);
  }
  // q's cost next to the first page's, per user, and a page deep down each sort (after page 100
  // for the heavy user, half-way for the one with 100,000 tasks).
  const columns: [string, (user: string) => ExplainCheck | undefined][] = [
    ["first page", (user) => explains.find((c) => c.user === user && c.name === "created, first page")],
    [`q=${RARE_WORD}`, (user) => explains.find((c) => c.user === user && c.name === `q=${RARE_WORD}`)],
    [`q=${COMMON_WORD}`, (user) => explains.find((c) => c.user === user && c.name === `q=${COMMON_WORD}`)],
    ["due p1", (user) => explains.find((c) => c.user === user && c.name === "due, first page")],
    ["priority p1", (user) => explains.find((c) => c.user === user && c.name === "priority, first page")],
    ["deep created", (user) => explains.find((c) => c.user === user && c.name.startsWith("created, after"))],
    ["deep due", (user) => explains.find((c) => c.user === user && c.name.startsWith("due, after"))],
    ["deep priority", (user) => explains.find((c) => c.user === user && c.name.startsWith("priority, after"))],
  ];
  console.log(`\nEXPLAIN ANALYZE at ${SCALE_TASKS} tasks: ms (median of 3), and in brackets the rows read and filtered out`);
  console.log(["user".padEnd(14), ...columns.map(([label]) => label.padStart(17))].join(""));
  for (const user of [...new Set(explains.map((check) => check.user))]) {
    const cells = columns.map(([, find]) => {
      const check = find(user);
      return (check ? `${check.executionMs.toFixed(3)} (${check.rowsRemovedByFilter})` : "-").padStart(17);
    });
    console.log([user.padEnd(14), ...cells].join(""));
  }
  // Not an exit status (the plans are what issue #11 requires), but worth seeing: a plan that read
  // and threw away many rows for one page.
  for (const check of explains.filter((c) => c.rowsRemovedByFilter > 20 * PAGE_SIZE)) {
    console.log(`NOTE   ${check.user}, ${check.name}: read and filtered out ${check.rowsRemovedByFilter} rows for ${check.rows} (${check.nodes.join(" → ")}, ${check.executionMs.toFixed(3)} ms)`);
  }
  const lists = summary.slice(0, 2);
  const flatMet = lists.every((s) => s.p50Ratio <= 1.5);
  const explainMet = explains.every((check) => check.ok);
  const all = samples.flatMap((s) => [...s.small, ...s.big]);
  const clean = all.every((s) => s.non2xx === 0 && s.errors === 0);
  console.log(`\n${flatMet ? "MET   " : "MISSED"} first-page and page-${DEEP_PAGE} list p50 at 1M within 1.5× of the small data set: ${lists.map((s) => `${s.label} ${s.p50Ratio.toFixed(2)}×`).join(", ")}`);
  console.log(
    `${explainMet ? "MET   " : "MISSED"} EXPLAIN at 1M (users with ${HEAVY_TASKS} and ${HEAVIER_TASKS} tasks): no Seq Scan on tasks; created and due ` +
      `(first page and after a cursor) an ordered index read with no Sort; priority, filters and get on an index; q=${RARE_WORD} on tasks_title_trgm_idx` +
      (explainMet ? "" : `: ${explains.filter((check) => !check.ok).map((check) => `${check.user} ${check.name}`).join(", ")}`),
  );
  console.log(`${clean ? "MET   " : "MISSED"} no errors and no non-2xx`);
  const loadAfter = loadAverage();
  console.log(`\nload average: before ${loadBefore} · after ${loadAfter}`);

  const file = path.join(options.resultsDir, `${options.stamp}-scale.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { kind: "scale", startedAt: options.stamp, loadavg: { before: loadBefore, after: loadAfter }, processes: options.processes, connections: options.connections, durationS: options.durationS, rounds: ROUNDS, summary, samples: kinds.map((kind, i) => ({ label: kind.label, ...samples[i] })), explains, met: { flat: flatMet, explain: explainMet, clean } },
      null,
      2,
    ),
  );
  log(`results written to ${path.relative(root, file)}`);
  return explainMet && clean ? 0 : 1;
}
