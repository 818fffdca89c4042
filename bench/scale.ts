import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { BenchDatabase } from "./database";
import { explainTaskQueries, type ExplainCheck } from "./explain";
import { runLoad, runSequential, taskEndpoints, type Endpoint } from "./load";
import { loadAverage, quiesce, treeCpuMs } from "./proc";
import { restore, seedSmall, signUp, type BenchUser } from "./seed";
import { startNext, type Server } from "./servers";

// --scale: is listing cost flat with size? The same requests (list page 1, a deep page reached
// by following cursors, get by id) for one user on the small data set and on a copy of it grown
// to 1,000,000 tasks across 10,000 users, where that user holds 10,000. Two product servers, one
// per database, measured alternately in rounds so that both see the same machine noise; the
// ratios are the medians of the per-round ratios. Plus EXPLAIN of the queries at 1M.

const SCALE_USERS = 10_000;
const SCALE_TASKS = 1_000_000;
const HEAVY_TASKS = 10_000;
const DEEP_PAGE = 100;
const SMALL_DEEP_PAGE = 10; // the small set's users have 500 tasks: 10 pages of 50
const PAGE_SIZE = 50;
const ROUNDS = 3;

interface ScaleOptions {
  root: string;
  db: BenchDatabase;
  env: Record<string, string>;
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
  const otherUsers = SCALE_USERS - smallUsers - 1;
  await admin.query(
    `insert into users (id, name, email, email_verified, created_at, updated_at)
     select 'scale-' || g, 'Scale User ' || g, 'scale-' || g || '@example.com', false, now(), now()
     from generate_series(1, $1::int) as g`,
    [otherUsers],
  );
  // The rest of the million, interleaved as they would arrive: every 99th to the heavy user.
  const bulk = SCALE_TASKS - smallTasks;
  const every = Math.floor(bulk / HEAVY_TASKS);
  const chunk = 100_000;
  for (let from = 1; from <= bulk; from += chunk) {
    const to = Math.min(bulk, from + chunk - 1);
    await admin.query(
      `insert into tasks (user_id, title, description, completed, created_at, updated_at)
       select case when g % $3 = 0 then $4 else 'scale-' || (g % $5 + 1) end, 'Scale task ' || g,
              case when g % 4 = 0 then null else 'Bulk-inserted for the scale run (' || g || ')' end,
              g % 3 = 0, now() - make_interval(secs => $6 - g), now() - make_interval(secs => $6 - g)
       from generate_series($1::int, $2::int) as g`,
      [from, to, every, heavy.id, otherUsers, bulk],
    );
    log(`scale data: ${to + smallTasks} / ${SCALE_TASKS} tasks`);
  }
  await admin.query("vacuum analyze tasks");
  await admin.query("analyze users, sessions");
  const { rows } = await admin.query<{ users: string; tasks: string; heavy: string }>(
    `select (select count(*) from users)::text as users, (select count(*) from tasks)::text as tasks,
            (select count(*) from tasks where user_id = $1)::text as heavy`,
    [heavy.id],
  );
  log(`scale data: ${rows[0]!.users} users, ${rows[0]!.tasks} tasks, the heavy user holds ${rows[0]!.heavy}, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
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
    const server = await startNext(root, { name, env: { ...options.env, DATABASE_URL: databaseUrl } });
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
  await growToScale(large.admin, seed.users.length, heavyAccount, log);
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

  const cursorId = Number(Buffer.from(deepCursor!, "base64url").toString());
  const explains: ExplainCheck[] = await explainTaskQueries(large.admin, heavy.id, heavy.taskIds[Math.floor(heavy.taskIds.length / 2)]!, cursorId);
  for (const check of explains) {
    log(`EXPLAIN ${check.name}: ${check.ok ? "ok" : "NOT OK"}: ${check.nodes.join(" → ")} (${check.executionMs?.toFixed(3)} ms)`);
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

  console.log(`\nmedians of ${ROUNDS} alternating rounds, ${options.connections} connections × ${options.durationS} s, then 1 connection × ${Math.max(1, options.durationS / 2)} s`);
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
  const lists = summary.slice(0, 2);
  const flatMet = lists.every((s) => s.p50Ratio <= 1.5);
  const explainMet = explains.every((check) => check.ok);
  const all = samples.flatMap((s) => [...s.small, ...s.big]);
  const clean = all.every((s) => s.non2xx === 0 && s.errors === 0);
  console.log(`\n${flatMet ? "MET   " : "MISSED"} first-page and page-${DEEP_PAGE} list p50 at 1M within 1.5× of the small data set: ${lists.map((s) => `${s.label} ${s.p50Ratio.toFixed(2)}×`).join(", ")}`);
  console.log(`${explainMet ? "MET   " : "MISSED"} EXPLAIN at 1M: list and get on an index, no Seq Scan on tasks, no Sort in the list`);
  console.log(`${clean ? "MET   " : "MISSED"} no errors and no non-2xx`);
  const loadAfter = loadAverage();
  console.log(`\nload average: before ${loadBefore} · after ${loadAfter}`);

  const file = path.join(options.resultsDir, `${options.stamp}-scale.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { kind: "scale", startedAt: options.stamp, loadavg: { before: loadBefore, after: loadAfter }, connections: options.connections, durationS: options.durationS, rounds: ROUNDS, summary, samples: kinds.map((kind, i) => ({ label: kind.label, ...samples[i] })), explains, met: { flat: flatMet, explain: explainMet, clean } },
      null,
      2,
    ),
  );
  log(`results written to ${path.relative(root, file)}`);
  return explainMet && clean ? 0 : 1;
}
