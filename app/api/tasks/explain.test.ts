import { randomUUID } from "node:crypto";
import { desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rowsOf } from "@/lib/db/rows";
import { scopeOf } from "@/lib/resource/cursor";
import { ownedRow } from "@/lib/resource/owned";
import { listTasksQuery } from "@/lib/tasks/queries";
import { tasks, users } from "@/lib/db/schema";

// The list and get queries must be served by an index, never by a sequential scan of tasks, and
// the list by an index on the owner (user_id in its Index Cond), so that the rows read are
// bounded by that user's own rows. The list query is lib/tasks/queries.ts's own
// (listTasksQuery), explained as drizzle renders it (.toSQL()), on every driver.
//
// The data must look like production to the planner: a user owning a small share of a table
// too big to scan. With 2,000 rows among 4 users the planner rightly prefers a seq scan and a
// top-N sort, or a backward scan of the primary key filtering by owner (each user owns a
// quarter of the rows, so 51 of them turn up after ~200): both fine on a tiny table, neither
// flat. So: one user with 120 tasks among 50,000, then ANALYZE, and the planner picks the
// owner's index on its own (enable_seqscan stays on). A Sort above that index is allowed here:
// when a filter leaves about a page of rows, fetching them all and sorting is the cheapest
// plan. `npm run bench -- --scale` checks, at 1,000,000 tasks, that the list has no Sort either.

const OWN_TASKS = 120;
const OTHER_USERS = 9;
const OTHER_TASKS = 50_000;
const LIMIT = 50;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

type Query = { toSQL(): { sql: string; params: unknown[] } };

/** EXPLAIN (FORMAT JSON) of a drizzle query, with the SQL text and parameters drizzle sends. */
async function explain(query: Query): Promise<PlanNode[]> {
  const { sql: text, params } = query.toSQL();
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [sql.raw("explain (format json) ")];
  parts.forEach((part, i) => chunks.push(i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
  const rows = await rowsOf<Record<string, unknown>>((await db()).execute(sql.join(chunks)));
  const cell = rows[0]!["QUERY PLAN"];
  const plan = (typeof cell === "string" ? JSON.parse(cell) : cell) as [{ Plan: PlanNode }];
  return flatten(plan[0].Plan);
}

const TASK_INDEXES = ["tasks_pkey", "tasks_user_id_id_idx", "tasks_user_id_completed_id_idx"];

/** No Seq Scan on tasks, and an index scan of tasks whose condition includes the column `on`. */
function expectIndexed(nodes: PlanNode[], on: string) {
  const summary = nodes
    .map((node) => `${node["Node Type"]}${node["Index Name"] ? ` using ${node["Index Name"]} (${node["Index Cond"]})` : ""}`)
    .join(" → ");
  expect(nodes.filter((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "tasks"), summary).toEqual([]);
  const scans = nodes.filter((node) => TASK_INDEXES.includes(node["Index Name"] ?? ""));
  expect(scans.some((node) => new RegExp(`\\b${on}\\b`).test(node["Index Cond"] ?? "")), summary).toBe(true);
}

describe("EXPLAIN: the task queries use an index, never a Seq Scan on tasks", () => {
  const userIds = Array.from({ length: 1 + OTHER_USERS }, () => `explain-${randomUUID()}`);
  const userId = userIds[0]!;
  let middleId = 0;
  let ownTaskId = 0;
  let database: Awaited<ReturnType<typeof db>>;

  beforeAll(async () => {
    database = await db();
    await database.insert(users).values(userIds.map((id) => ({ id, name: "Explain", email: `${id}@example.com` })));
    // Interleaved as real traffic would arrive; a third completed.
    const others = sql.join(
      userIds.slice(1).map((id, n) => sql`(${sql.raw(String(n))}, ${id})`),
      sql`, `,
    );
    const every = Math.floor(OTHER_TASKS / OWN_TASKS);
    await database.execute(sql`
      insert into tasks (user_id, title, completed)
      select case when g % ${sql.raw(String(every))} = 0 then ${userId} else u.id end, 'Explain task ' || g, g % 3 = 0
      from generate_series(1, ${sql.raw(String(every * OWN_TASKS))}) as g
      join (values ${others}) as u(n, id) on u.n::int = g % ${sql.raw(String(OTHER_USERS))}`);
    await database.execute(sql`analyze tasks`);
    const own = await database.select({ id: tasks.id }).from(tasks).where(eq(tasks.userId, userId)).orderBy(desc(tasks.id));
    expect(own).toHaveLength(OWN_TASKS);
    middleId = own[Math.floor(own.length / 2)]!.id;
    ownTaskId = own[7]!.id;
  });

  afterAll(async () => {
    await database.delete(users).where(inArray(users.id, userIds));
  });

  // The list query exactly as listTasks runs it, for each shape of the list request. (Not
  // async: a query builder is a thenable, and returning it from an async function would run it.)
  const listQuery = (completed?: boolean, cursorAt?: number) => {
    const query = { completed, limit: LIMIT, sort: "created" as const };
    const cursor = cursorAt === undefined ? undefined : { scope: scopeOf(query), values: [cursorAt] };
    return listTasksQuery(database, userId, { ...query, cursor });
  };

  it.each([
    ["no filter, first page", undefined, false],
    ["completed=true, first page", true, false],
    ["completed=false, first page", false, false],
    ["no filter, with cursor", undefined, true],
    ["completed=true, with cursor", true, true],
    ["completed=false, with cursor", false, true],
  ] as const)("list: %s", async (_name, completed, withCursor) => {
    const nodes = await explain(listQuery(completed, withCursor ? middleId : undefined));
    expectIndexed(nodes, "user_id");
  });

  it("get by id (getTask, and the WHERE of update and delete)", async () => {
    const query = database.select().from(tasks).where(ownedRow(tasks, userId, ownTaskId)).limit(1);
    expectIndexed(await explain(query), "id");
  });
});
