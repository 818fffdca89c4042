import { randomUUID } from "node:crypto";
import { inArray, sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rowsOf } from "@/lib/db/rows";
import { users } from "@/lib/db/schema";
import { withValues } from "@/lib/db/statement";
import { listListsQuery, listListsValues } from "@/lib/lists/queries";
import { scopeOf, type KeyValue } from "@/lib/resource/cursor";

// The list of lists (lib/lists/queries.ts's own listListsQuery, explained as drizzle renders it)
// is an ordered read of lists_user_id_name_key that stops after a page: no Seq Scan on lists and
// no Sort, on every driver, for a user with 3,000 lists among 6,000 (made in one statement, then
// ANALYZE), first page and after a cursor from the middle.

const OWN_LISTS = 3_000;
const OTHER_USERS = 3;
const LIMIT = 50;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

type Query = { toSQL(): { sql: string; params: unknown[] } };

/** EXPLAIN (FORMAT JSON) of a drizzle query, with the SQL text and parameters drizzle sends. */
/** A drizzle query as SQL to execute, with the SQL text and parameters drizzle sends. */
function rendered(query: Query): SQL {
  const { sql: text, params } = query.toSQL();
  return sql.join(text.split(/\$(\d+)/).map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`)));
}

async function explain(query: Query): Promise<PlanNode[]> {
  const rows = await rowsOf<Record<string, unknown>>((await db()).execute(sql`explain (format json) ${rendered(query)}`));
  const cell = rows[0]!["QUERY PLAN"];
  const plan = (typeof cell === "string" ? JSON.parse(cell) : cell) as [{ Plan: PlanNode }];
  return flatten(plan[0].Plan);
}

const summary = (nodes: PlanNode[]) =>
  nodes
    .map((node) => `${node["Node Type"]}${node["Index Name"] ? ` ${node["Index Name"]} (${node["Index Cond"]})` : ""}${node.Filter ? ` filter ${node.Filter}` : ""}`)
    .join(" → ");

describe("EXPLAIN: the list of lists is an ordered read of lists_user_id_name_key", () => {
  const userIds = Array.from({ length: 1 + OTHER_USERS }, () => `explain-${randomUUID()}`);
  const userId = userIds[0]!;
  let middle: KeyValue[] = [];
  let database: Awaited<ReturnType<typeof db>>;

  beforeAll(async () => {
    database = await db();
    await database.insert(users).values(userIds.map((id) => ({ id, name: "Explain", email: `${id}@example.com` })));
    // Interleaved as they would be created; names in mixed case, as people write them.
    const others = sql.join(
      userIds.slice(1).map((id, n) => sql`(${sql.raw(String(n))}, ${id})`),
      sql`, `,
    );
    await database.execute(sql`
      insert into lists (user_id, name)
      select case when g % 2 = 0 then ${userId} else u.id end,
             (array['Groceries', 'work', 'Home', 'errands', 'Reading'])[g % 5 + 1] || ' ' || g
      from generate_series(1, ${sql.raw(String(2 * OWN_LISTS))}) as g
      join (values ${others}) as u(n, id) on u.n::int = g % ${sql.raw(String(OTHER_USERS))}`);
    await database.execute(sql`analyze lists`);
    // The cursor of the page ending just before the middle list, as pageOf makes it: the key of
    // that row, after the moment of the first page if the sort carries one.
    const rowAt = withValues(listListsQuery(database, userId, { limit: 0 }).offset(OWN_LISTS / 2), listListsValues({ limit: 0 }));
    const [row] = await rowsOf<{ keys: string; listed_at: string }>(database.execute(rendered(rowAt)));
    middle = [row!.listed_at, ...(JSON.parse(row!.keys) as KeyValue[])];
  });

  afterAll(async () => {
    await database.delete(users).where(inArray(users.id, userIds));
  });

  it.each([
    ["first page", false],
    ["with cursor", true],
  ])("%s: index scan on lists_user_id_name_key, no Seq Scan, no Sort", async (_name, withCursor) => {
    const query = { limit: LIMIT };
    const cursor = withCursor ? { scope: scopeOf(query), values: middle } : undefined;
    const nodes = await explain(withValues(listListsQuery(database, userId, { ...query, cursor }), listListsValues({ ...query, cursor })));
    expect(nodes.filter((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "lists"), summary(nodes)).toEqual([]);
    expect(nodes.filter((node) => node["Node Type"].includes("Sort")), summary(nodes)).toEqual([]);
    const scan = nodes.find((node) => node["Index Name"] === "lists_user_id_name_key");
    expect(scan?.["Node Type"], summary(nodes)).toMatch(/^Index (Only )?Scan$/);
    expect(scan?.["Index Cond"], summary(nodes)).toMatch(/user_id/);
    if (withCursor) expect(scan?.["Index Cond"], summary(nodes)).toMatch(/lower/);
    if (process.env.EXPLAIN_VERBOSE) console.log(`explain lists ${withCursor ? "with cursor" : "first page"}: ${summary(nodes)}`);
  });
});
