import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import * as schema from "@/lib/db/schema";
import { tasks } from "@/lib/db/schema";
import { scopeOf, type KeyValue } from "@/lib/resource/cursor";
import { and, eq } from "drizzle-orm";
import { withValues } from "@/lib/db/statement";
import { listTasksQuery, listTasksValues } from "@/lib/tasks/queries";
import type { TaskListQuery } from "@/lib/tasks/schema";

// EXPLAIN of the list and get queries as lib/tasks/queries.ts builds them (the list query is its
// own listTasksQuery, rendered with .toSQL()), for every sort, the filters and `q`, first page and
// after a cursor made as the product makes it; checked, and timed with EXPLAIN ANALYZE.

/** A word in a handful of titles (scale.ts puts it there), and one in a twelfth of them. */
export const RARE_WORD = "zebrafish";
export const COMMON_WORD = "report";

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/**
 * - `ordered`: an ordered index read that stops after a page: an index, no Seq Scan on tasks, no
 *   Sort (the default sort and `due`, issue #11);
 * - `indexed`: an index and no Seq Scan on tasks (`priority`, the filters, get by id);
 * - `trigram`: no Seq Scan on tasks, and tasks_title_trgm_idx (`q`, a rare word);
 * - `reported`: measured, not required (`q` with a common word: any plan the planner likes).
 */
export type Expectation = "ordered" | "indexed" | "trigram" | "reported";

export interface ExplainCheck {
  user: string;
  name: string;
  expectation: Expectation;
  sql: string;
  params: unknown[];
  nodes: string[];
  indexes: string[];
  seqScanOnTasks: boolean;
  sort: boolean;
  ok: boolean;
  /** Median of EXPLAIN ANALYZE runs. */
  executionMs: number;
  /** Rows the plan read and threw away (a cursor condition that is not an Index Cond shows here). */
  rowsRemovedByFilter: number;
  rows: number;
}

type Shape = Omit<TaskListQuery, "limit" | "cursor">;

interface ListShape {
  name: string;
  shape: Shape;
  /** After a cursor at this row of the sort (0-based), or the first page. */
  depth?: number;
  expectation: Expectation;
}

const LIMIT = 50;
const RUNS = 3;

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** The shapes of the list request explained: each sort, the filters, `q`. */
function listShapes(depth: number, listId: number | undefined): ListShape[] {
  return [
    { name: "created, first page", shape: { sort: "created" }, expectation: "ordered" },
    { name: `created, after ${depth}`, shape: { sort: "created" }, depth, expectation: "ordered" },
    { name: "due, first page", shape: { sort: "due" }, expectation: "ordered" },
    { name: `due, after ${depth}`, shape: { sort: "due" }, depth, expectation: "ordered" },
    { name: "priority, first page", shape: { sort: "priority" }, expectation: "indexed" },
    { name: `priority, after ${depth}`, shape: { sort: "priority" }, depth, expectation: "indexed" },
    { name: "completed=true", shape: { sort: "created", completed: true }, expectation: "indexed" },
    { name: `completed=false, after ${depth}`, shape: { sort: "created", completed: false }, depth, expectation: "indexed" },
    ...(listId === undefined ? [] : [{ name: "list_id=<a list>", shape: { sort: "created", list_id: listId }, expectation: "indexed" } as const]),
    { name: "list_id=none", shape: { sort: "created", list_id: "none" }, expectation: "indexed" },
    { name: "due, completed=false", shape: { sort: "due", completed: false }, expectation: "indexed" },
    { name: `q=${RARE_WORD}`, shape: { sort: "created", q: RARE_WORD }, expectation: "trigram" },
    { name: `q=${COMMON_WORD}`, shape: { sort: "created", q: COMMON_WORD }, expectation: "reported" },
  ];
}

/**
 * listTasks's query for each shape of the list request, and getTask's, for one user. Cursors
 * are those of a page ending with the row at `depth` in the shape's order, made as pageOf makes
 * them: that row's key values, after the moment of the first page for a sort that carries one.
 */
export async function taskQueries(client: pg.Client, userId: string, taskId: number, depth: number, listId?: number) {
  const db = drizzle({ client, schema });
  const queries: { name: string; expectation: Expectation; query: { toSQL(): { sql: string; params: unknown[] } } }[] = [];
  for (const { name, shape, depth: at, expectation } of listShapes(depth, listId)) {
    let cursor: { scope: string; values: KeyValue[] } | undefined;
    const query = { ...shape, limit: LIMIT };
    if (at !== undefined) {
      const first = { ...shape, limit: 0 };
      const { sql: text, params } = withValues(listTasksQuery(db, userId, first).offset(at), listTasksValues(first)).toSQL();
      const [row] = (await client.query<{ keys: string; listed_at?: string }>(text, params)).rows;
      if (!row) throw new Error(`the user has no row ${at} in ${JSON.stringify(shape)}`);
      cursor = { scope: scopeOf(query), values: [...(row.listed_at ? [row.listed_at] : []), ...(JSON.parse(row.keys) as KeyValue[])] };
    }
    queries.push({ name, expectation, query: withValues(listTasksQuery(db, userId, { ...query, cursor }), listTasksValues({ ...query, cursor })) });
  }
  queries.push({ name: "get by id", expectation: "indexed", query: db.select().from(tasks).where(and(eq(tasks.id, taskId), eq(tasks.userId, userId))) });
  return queries;
}

export async function explainTaskQueries(
  client: pg.Client,
  user: { label: string; id: string; taskId: number; depth: number; listId?: number },
): Promise<ExplainCheck[]> {
  const checks: ExplainCheck[] = [];
  for (const { name, expectation, query } of await taskQueries(client, user.id, user.taskId, user.depth, user.listId)) {
    const { sql, params } = query.toSQL();
    const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`explain (format json) ${sql}`, params);
    const nodes = planNodes(rows[0]!["QUERY PLAN"][0].Plan);
    const times: number[] = [];
    let analyzed: PlanNode[] = [];
    for (let run = 0; run < RUNS; run++) {
      const result = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode; "Execution Time": number }] }>(`explain (analyze, format json) ${sql}`, params);
      times.push(result.rows[0]!["QUERY PLAN"][0]["Execution Time"]);
      analyzed = planNodes(result.rows[0]!["QUERY PLAN"][0].Plan);
    }
    times.sort((a, b) => a - b);
    const seqScanOnTasks = nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "tasks");
    const indexes = nodes.flatMap((node) => (node["Index Name"] ? [node["Index Name"]] : []));
    const sort = nodes.some((node) => node["Node Type"].includes("Sort"));
    const ok = {
      ordered: !seqScanOnTasks && indexes.length > 0 && !sort,
      indexed: !seqScanOnTasks && indexes.length > 0,
      trigram: !seqScanOnTasks && indexes.includes("tasks_title_trgm_idx"),
      reported: true,
    }[expectation];
    checks.push({
      user: user.label,
      name,
      expectation,
      sql,
      params,
      nodes: nodes.map((node) => node["Node Type"] + (node["Index Name"] ? ` using ${node["Index Name"]}` : "")),
      indexes,
      seqScanOnTasks,
      sort,
      ok,
      executionMs: times[Math.floor(times.length / 2)]!,
      rowsRemovedByFilter: analyzed.reduce((sum, node) => sum + (node["Rows Removed by Filter"] ?? 0), 0),
      rows: analyzed[0]!["Actual Rows"] ?? 0,
    });
  }
  return checks;
}
