import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rowsOf } from "@/lib/db/rows";
import { scopeOf, type KeyValue } from "@/lib/resource/cursor";
import { withValues } from "@/lib/db/statement";
import { listTasksQuery, listTasksValues } from "@/lib/tasks/queries";
import type { TaskListQuery } from "@/lib/tasks/schema";
import { lists, tasks, users } from "@/lib/db/schema";

// The list and get queries must be served by an index, never by a sequential scan of tasks. The
// list query is lib/tasks/queries.ts's own (listTasksQuery), explained as drizzle renders it
// (.toSQL()), on every driver.
//
// The data must look like production to the planner, so it is made in one statement: a "heavy"
// user with 100,000 tasks (varied due dates, a fifth undated, priorities, a third completed,
// most in one of five lists, titles from a small vocabulary and a rare word in a handful), and
// interleaved with them a "light" user with 125 tasks and a few other users' 9,875, then
// ANALYZE. enable_* settings stay untouched: the planner picks every plan on its own.
//
// The light user owns a small share of a table too big to scan: the list is an index scan on the
// owner (user_id in its Index Cond), so the rows read are bounded by that user's own rows. A Sort
// above it is allowed: when a filter leaves about a page of rows, fetching them all and sorting
// is the cheapest plan.
//
// The heavy user owns most of the table, so only an ordered index read that stops after a page
// serves its list: for the default sort (created) and `due`, first page and after a cursor, no
// Seq Scan on tasks and no Sort or Incremental Sort; for `priority` and the list_id and completed
// filters, no Seq Scan. (Owning 91% of the rows, it gets `created` as a backward read of the
// primary key filtered by owner, which here is as cheap; the bench's scale mode checks a heavy
// user owning 1% of 1,000,000.) `q`, a word in a handful of titles, is served by the trigram
// index. EXPLAIN ANALYZE measures `q`, the first page and a page half-way down each sort, printed
// on one line per driver; set EXPLAIN_VERBOSE=1 to print every plan.

const HEAVY_TASKS = 100_000;
const LIGHT_TASKS = 125;
const OTHER_USERS = 5;
const LISTS = 5;
// g in 1..ROWS: g % 11 <> 0 → heavy (exactly 100,000); g % 880 = 0 → light (125); other g % 11 = 0 → the others.
const ROWS = 110_000;
const LIMIT = 50;
const RARE = "zebrafish";
const TIMED_RUNS = 5;
const VERBOSE = Boolean(process.env.EXPLAIN_VERBOSE);

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Filter?: string;
  "Actual Rows"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

type Query = { toSQL(): { sql: string; params: unknown[] } };

/** A drizzle query as SQL to execute, with the SQL text and parameters drizzle sends. */
function rendered(query: Query): SQL {
  const { sql: text, params } = query.toSQL();
  return sql.join(text.split(/\$(\d+)/).map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`)));
}

/** EXPLAIN (options) of a drizzle query. */
async function explainJson(query: Query, options = "format json"): Promise<{ Plan: PlanNode; "Execution Time"?: number }> {
  const rows = await rowsOf<Record<string, unknown>>((await db()).execute(sql`${sql.raw(`explain (${options}) `)}${rendered(query)}`));
  const cell = rows[0]!["QUERY PLAN"];
  return ((typeof cell === "string" ? JSON.parse(cell) : cell) as [{ Plan: PlanNode; "Execution Time"?: number }])[0];
}

const explain = async (query: Query) => flatten((await explainJson(query)).Plan);

/** Median execution time (ms) of EXPLAIN ANALYZE over a few runs, and the last run's plan. */
async function executionMs(query: Query): Promise<{ ms: number; nodes: PlanNode[] }> {
  const times: number[] = [];
  let last: PlanNode[] = [];
  for (let run = 0; run < TIMED_RUNS; run++) {
    const result = await explainJson(query, "analyze, format json");
    times.push(result["Execution Time"]!);
    last = flatten(result.Plan);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, nodes: last };
}

const summary = (nodes: PlanNode[]) =>
  nodes
    .map((node) => {
      const on = node["Index Name"] ?? node["Relation Name"];
      const cond = node["Index Cond"] ?? node["Recheck Cond"];
      return `${node["Node Type"]}${on ? ` ${on}` : ""}${cond ? ` (${cond})` : ""}${node.Filter ? ` filter ${node.Filter}` : ""}`;
    })
    .join(" → ");

const TASK_INDEXES = ["tasks_pkey", "tasks_user_id_id_idx", "tasks_user_id_completed_id_idx"];

const isSeqScanOnTasks = (node: PlanNode) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "tasks";
const isSort = (node: PlanNode) => node["Node Type"] === "Sort" || node["Node Type"] === "Incremental Sort";

/** No Seq Scan on tasks, and an index scan of tasks whose condition includes the column `on`. */
function expectIndexed(nodes: PlanNode[], on: string) {
  expect(nodes.filter(isSeqScanOnTasks), summary(nodes)).toEqual([]);
  const scans = nodes.filter((node) => TASK_INDEXES.includes(node["Index Name"] ?? ""));
  expect(scans.some((node) => new RegExp(`\\b${on}\\b`).test(node["Index Cond"] ?? "")), summary(nodes)).toBe(true);
}

describe("EXPLAIN: the task queries use an index, never a Seq Scan on tasks", () => {
  const [heavyId, lightId, ...otherIds] = Array.from({ length: 2 + OTHER_USERS }, () => `explain-${randomUUID()}`) as [string, string, ...string[]];
  const userIds = [heavyId, lightId, ...otherIds];
  let listIds: number[] = [];
  let middleId = 0;
  let ownTaskId = 0;
  let database: Awaited<ReturnType<typeof db>>;

  beforeAll(async () => {
    const started = performance.now();
    database = await db();
    await database.insert(users).values(userIds.map((id) => ({ id, name: "Explain", email: `${id}@example.com` })));
    listIds = (await database.insert(lists).values(Array.from({ length: LISTS }, (_, n) => ({ userId: heavyId, name: `List ${n}` }))).returning({ id: lists.id })).map((row) => row.id);
    const others = sql.join(
      otherIds.map((id, n) => sql`(${sql.raw(String(n))}, ${id})`),
      sql`, `,
    );
    const words = (values: string[]) => sql.raw(`(array[${values.map((value) => `'${value}'`).join(", ")}])`);
    const verbs = words(["Buy", "Call", "Write", "Review", "Fix", "Plan", "Book", "Send"]);
    const objects = words(["milk", "the report", "invoice", "the tests", "roof", "slides", "Alice", "budget", "tickets", "the car", "Bob", "release notes"]);
    const listArray = sql.raw(`(array[${listIds.join(", ")}])`);
    const n = (value: number) => sql.raw(String(value));
    // Interleaved as real traffic would arrive. Due dates fall on whole days over ~13 months, so
    // many tasks share one (the id breaks ties); every fifth is undated; most have no priority;
    // three in five are in one of the heavy user's lists; a handful of titles carry the rare word.
    // One statement, which on a loaded machine can outlast the pool's 5 s statement_timeout.
    const insertStarted = performance.now();
    await database.transaction(async (tx) => {
      await tx.execute(sql`set local statement_timeout = '120s'`);
      await tx.execute(sql`
        insert into tasks (user_id, title, completed, list_id, due_at, priority)
        select case when g % 11 <> 0 then ${heavyId} when g % 880 = 0 then ${lightId} else u.id end,
               ${verbs}[g % 8 + 1] || ' ' || ${objects}[g % 12 + 1] || ' #' || g
                 || case when g % 20000 = 1234 then ' (${sql.raw(RARE)})' else '' end,
               g % 3 = 0,
               case when g % 11 <> 0 and g % 5 < 3 then ${listArray}[g % ${n(LISTS)} + 1] end,
               case when g % 5 <> 4 then date '2026-01-01' + ((g * 7919) % 400) * interval '1 day' + interval '9 hours' end,
               (array[0, 0, 0, 0, 0, 0, 1, 1, 2, 3])[(g * 31) % 10 + 1]
        from generate_series(1, ${n(ROWS)}) as g
        join (values ${others}) as u(n, id) on u.n::int = g % ${n(OTHER_USERS)}`);
    });
    const insertMs = performance.now() - insertStarted;
    // The steady state autovacuum keeps: the trigram index's pending list merged, statistics fresh.
    await database.execute(sql`select gin_clean_pending_list('tasks_title_trgm_idx'::regclass)`);
    await database.execute(sql`analyze tasks`);
    const count = await rowsOf<{ n: number }>(database.execute(sql`select count(*)::int as n from tasks where user_id = ${heavyId}`));
    expect(count[0]!.n).toBe(HEAVY_TASKS);
    const own = await database.select({ id: tasks.id }).from(tasks).where(eq(tasks.userId, lightId)).orderBy(desc(tasks.id));
    expect(own).toHaveLength(LIGHT_TASKS);
    middleId = own[Math.floor(own.length / 2)]!.id;
    ownTaskId = own[7]!.id;
    if (VERBOSE) console.log(`explain data: insert ${insertMs.toFixed(0)} ms, setup ${(performance.now() - started).toFixed(0)} ms`);
  });

  afterAll(async () => {
    // Cascades to their 110,000 tasks. The deletion trigger runs once per statement (migration
    // 0005), not once per task, so this stays well inside the pool's statement_timeout.
    await database.delete(users).where(inArray(users.id, userIds));
  });

  // The list query exactly as listTasks runs it. (Not async: a query builder is a thenable, and
  // returning it from an async function would run it.)
  type Shape = Omit<TaskListQuery, "limit" | "cursor">;
  const listQuery = (userId: string, shape: Shape, values?: KeyValue[]) => {
    const query = { ...shape, limit: LIMIT };
    const cursor = values === undefined ? undefined : { scope: scopeOf(query), values };
    return withValues(listTasksQuery(database, userId, { ...query, cursor }), listTasksValues({ ...query, cursor }));
  };

  describe("a user with 125 tasks among 110,000: an index on the owner", () => {
    it.each([
      ["no filter, first page", undefined, false],
      ["completed=true, first page", true, false],
      ["completed=false, first page", false, false],
      ["no filter, with cursor", undefined, true],
      ["completed=true, with cursor", true, true],
      ["completed=false, with cursor", false, true],
    ] as const)("list: %s", async (_name, completed, withCursor) => {
      const nodes = await explain(listQuery(lightId, { completed, sort: "created" }, withCursor ? [middleId] : undefined));
      expectIndexed(nodes, "user_id");
    });

    it("get by id (getTask, and the WHERE of update and delete)", async () => {
      const query = database.select().from(tasks).where(and(eq(tasks.id, ownTaskId), eq(tasks.userId, lightId)));
      expectIndexed(await explain(query), "id");
    });
  });

  describe("a user with 100,000 tasks: each sort and filter is an ordered index read", () => {
    /**
     * The cursor of a page ending with the heavy user's row at `offset` in the shape's order,
     * made as pageOf makes it: that row's key values, after the moment of the first page for a
     * sort that carries one (the list query then selects `listedAt`).
     */
    async function cursorAt(shape: Shape, offset: number): Promise<KeyValue[]> {
      const query = { ...shape, limit: 0 };
      const rowAt = withValues(listTasksQuery(database, heavyId, query).offset(offset), listTasksValues(query));
      const [row] = await rowsOf<{ keys: string; listed_at?: string }>(database.execute(rendered(rowAt)));
      return [...(row!.listed_at ? [row!.listed_at] : []), ...(JSON.parse(row!.keys) as KeyValue[])];
    }

    const check = async (shape: Shape, offset: number | undefined, strict: boolean) => {
      const values = offset === undefined ? undefined : await cursorAt(shape, offset);
      const nodes = await explain(listQuery(heavyId, shape, values));
      if (VERBOSE) console.log(`explain ${JSON.stringify(shape)}${values ? ` after ${JSON.stringify(values)}` : ""}: ${summary(nodes)}`);
      expect(nodes.filter(isSeqScanOnTasks), summary(nodes)).toEqual([]);
      expect(nodes.some((node) => node["Index Name"]?.startsWith("tasks_")), summary(nodes)).toBe(true);
      if (strict) expect(nodes.filter(isSort), summary(nodes)).toEqual([]);
    };

    // Cursors: a middle row of the sort (a dated one for `due`), and for `due` one among the
    // undated tasks at the end.
    it.each([
      ["sort=created, first page", { sort: "created" }, undefined],
      ["sort=created, with cursor", { sort: "created" }, HEAVY_TASKS / 2],
      ["sort=due, first page", { sort: "due" }, undefined],
      ["sort=due, with cursor", { sort: "due" }, HEAVY_TASKS / 2],
      ["sort=due, with cursor among the undated", { sort: "due" }, HEAVY_TASKS - 1_000],
    ] as const)("%s: no Seq Scan, no Sort", async (_name, shape, offset) => {
      await check(shape, offset, true);
    });

    it.each([
      ["sort=priority, first page", { sort: "priority" }, undefined],
      ["sort=priority, with cursor", { sort: "priority" }, HEAVY_TASKS / 2],
      ["completed=true", { sort: "created", completed: true }, undefined],
      ["completed=false, with cursor", { sort: "created", completed: false }, HEAVY_TASKS / 4],
      ["completed=false, sort=due", { sort: "due", completed: false }, undefined],
      ["completed=true, sort=priority", { sort: "priority", completed: true }, undefined],
      ["list_id=none", { sort: "created", list_id: "none" }, undefined],
      ["list_id=none, sort=due", { sort: "due", list_id: "none" }, undefined],
    ] as const)("%s: no Seq Scan", async (_name, shape, offset) => {
      await check(shape, offset, false);
    });

    it.each([
      ["list_id=<a list>", "created"],
      ["list_id=<a list>, sort=due", "due"],
      ["list_id=<a list>, sort=priority", "priority"],
    ] as const)("%s: no Seq Scan", async (_name, sort) => {
      await check({ sort, list_id: listIds[2]! }, undefined, false);
    });

    it(`q (a word in a handful of titles) uses the trigram index; its cost and the first page's are measured`, async () => {
      const search = listQuery(heavyId, { sort: "created", q: RARE });
      // ANALYZE samples rows: a sample that happens to hold one of the few matching titles can
      // make the word look common enough for a walk of the primary key (seen once on PGlite).
      // The trigram index must be the plan on fresh statistics; three samples decide.
      let nodes = await explain(search);
      for (let attempt = 1; attempt < 3 && !nodes.some((node) => node["Index Name"] === "tasks_title_trgm_idx"); attempt++) {
        await database.execute(sql`analyze tasks`);
        nodes = await explain(search);
      }
      expect(nodes.filter(isSeqScanOnTasks), summary(nodes)).toEqual([]);
      expect(nodes.some((node) => node["Index Name"] === "tasks_title_trgm_idx"), summary(nodes)).toBe(true);
      const q = await executionMs(search);
      const firstPage = await executionMs(listQuery(heavyId, { sort: "created" }));
      const found = q.nodes[0]!["Actual Rows"];
      expect(found).toBeGreaterThan(0);
      // A page half-way down each sort: how the cost grows with the cursor's depth.
      const deep: string[] = [];
      for (const sort of ["created", "due", "priority"] as const) {
        const values = await cursorAt({ sort }, HEAVY_TASKS / 2);
        const { ms, nodes: analyzed } = await executionMs(listQuery(heavyId, { sort }, values));
        const removed = analyzed.reduce((sum, node) => sum + (node["Rows Removed by Filter"] ?? 0), 0);
        deep.push(`${sort} ${ms.toFixed(3)} ms (${removed} rows filtered out)`);
        if (VERBOSE) console.log(`explain analyze sort=${sort} after ${HEAVY_TASKS / 2}: ${summary(analyzed)}`);
      }
      console.log(
        `EXPLAIN ANALYZE at ${HEAVY_TASKS} tasks, ${process.env.TEST_DRIVER}: q=${RARE} (${found} rows) ${q.ms.toFixed(3)} ms, ` +
          `first page ${firstPage.ms.toFixed(3)} ms; page after ${HEAVY_TASKS / 2} rows: ${deep.join(", ")} (medians of ${TIMED_RUNS})`,
      );
      if (VERBOSE) console.log(`explain analyze q: ${summary(q.nodes)}\nexplain analyze first page: ${summary(firstPage.nodes)}`);
    });
  });
});
