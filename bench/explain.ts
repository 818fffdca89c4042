import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import * as schema from "@/lib/db/schema";
import { tasks } from "@/lib/db/schema";
import { scopeOf } from "@/lib/resource/cursor";
import { ownedRow } from "@/lib/resource/owned";
import { listTasksQuery } from "@/lib/tasks/queries";

// EXPLAIN of the list and get queries as lib/tasks/queries.ts builds them (the list query is
// its own listTasksQuery, rendered with .toSQL()), checked for sequential scans of tasks.

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export interface ExplainCheck {
  name: string;
  sql: string;
  params: unknown[];
  nodes: string[];
  indexes: string[];
  seqScanOnTasks: boolean;
  sort: boolean;
  ok: boolean;
  executionMs?: number;
}

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** listTasks's query for each shape of the list request, and getTask's. */
export function taskQueries(client: pg.Client, userId: string, taskId: number, cursor: number) {
  const db = drizzle({ client, schema });
  const list = (completed: boolean | undefined, after: number | undefined, limit = 50) => {
    const query = { completed, limit, sort: "created" as const };
    return listTasksQuery(db, userId, { ...query, cursor: after === undefined ? undefined : { scope: scopeOf(query), values: [after] } });
  };
  return {
    "list, first page": list(undefined, undefined),
    "list, completed=true": list(true, undefined),
    "list, completed=false": list(false, undefined),
    "list, cursor": list(undefined, cursor),
    "list, completed=false + cursor": list(false, cursor),
    "get by id": db.select().from(tasks).where(ownedRow(tasks, userId, taskId)).limit(1),
  };
}

export async function explainTaskQueries(client: pg.Client, userId: string, taskId: number, cursor: number): Promise<ExplainCheck[]> {
  const checks: ExplainCheck[] = [];
  for (const [name, query] of Object.entries(taskQueries(client, userId, taskId, cursor))) {
    const { sql, params } = query.toSQL();
    const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`explain (format json) ${sql}`, params);
    const nodes = planNodes(rows[0]!["QUERY PLAN"][0].Plan);
    const analyzed = await client.query<{ "QUERY PLAN": [{ "Execution Time": number }] }>(`explain (analyze, format json) ${sql}`, params);
    const seqScanOnTasks = nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "tasks");
    const indexes = nodes.flatMap((node) => (node["Index Name"] ? [node["Index Name"]] : []));
    const sort = nodes.some((node) => node["Node Type"].includes("Sort"));
    checks.push({
      name,
      sql,
      params,
      nodes: nodes.map((node) => node["Node Type"] + (node["Index Name"] ? ` using ${node["Index Name"]}` : "")),
      indexes,
      seqScanOnTasks,
      sort,
      ok: !seqScanOnTasks && indexes.length > 0 && !(name.startsWith("list") && sort),
      executionMs: analyzed.rows[0]!["QUERY PLAN"][0]["Execution Time"],
    });
  }
  return checks;
}
