import { and, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Caller, OwnedRow, OwnedStatement } from "@/lib/auth/caller";
import type { Database } from "@/lib/db";
import { changeNumberTaken } from "@/lib/db/change-numbers";
import { translating } from "@/lib/db/constraints";
import { placeholder } from "@/lib/db/statement";
import { lists } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { scopeOf } from "@/lib/resource/cursor";
import { afterCursor, cursorValues, orderBy, pageColumns, pageOf, pageRows, type PageRow, type Sort } from "@/lib/resource/keyset";
import { found, insertOwned, named, ownedItem, ownedRow, readRows, writtenNow, writtenRows } from "@/lib/resource/owned";
import type { ListCreate, ListListQuery, ListPatch } from "@/lib/lists/schema";

// A user's lists, on the resource kit: owner-scoped, keyset-paged by name, one statement per
// request. Deleting a list keeps its tasks (the tasks' foreign key sets their list_id to null).

const NOT_FOUND = "LIST_NOT_FOUND";
const NAME_CONSTRAINT = "lists_user_id_name_key";

/** The list's API item, made by the database (its shape is listSchema's). */
const listItem = { item: ownedItem(lists, { name: lists.name }), id: lists.id };

// The key of lists_user_id_name_key: unique per user, so it orders a user's lists on its own.
// Read back from the database, whose lower() the cursor must match exactly. Names change, so
// pages after the first hold the lists as they were then (lib/resource/keyset.ts).
const nameKey = sql<string>`(lower(${lists.name}) collate "C")`;
const BY_NAME: Sort = {
  direction: "asc",
  changedAt: lists.changedAt,
  keys: [{ column: nameKey, value: nameKey, cursorValue: z.string().max(400) }],
};

const nameTaken = () => new ApiError("LIST_NAME_TAKEN");

/** The list query (one page and one row more), values as placeholders. The EXPLAIN test explains this. */
export function listListsQuery(qb: Database, owner: SQL | string, query: ListListQuery) {
  return qb
    .select(named({ ...listItem, ...pageColumns(BY_NAME) }))
    .from(lists)
    .where(and(eq(lists.userId, owner), query.cursor ? afterCursor(BY_NAME) : undefined))
    .orderBy(...orderBy(BY_NAME))
    .limit(sql.placeholder("limit"));
}

/** listListsQuery's values. */
export const listListsValues = (query: ListListQuery) => ({
  limit: query.limit + 1,
  ...(query.cursor ? cursorValues(BY_NAME, query.cursor, scopeOf(query)) : {}),
});

export async function listLists(caller: Caller, query: ListListQuery): Promise<string> {
  const list: OwnedStatement = {
    key: `lists.list:${query.cursor !== undefined}`,
    build: (owner, qb) => pageRows(BY_NAME, listListsQuery(qb, owner, query)),
  };
  const rows = await caller.rows<PageRow>(list, { ...listListsValues(query), size: query.limit });
  return pageOf(rows, BY_NAME, query, scopeOf(query));
}

const getStatement: OwnedStatement = {
  key: "lists.get",
  build: (owner, qb) => readRows(qb.select(named(listItem)).from(lists).where(ownedRow(lists, owner))),
};

export async function getList(caller: Caller, id: number): Promise<string> {
  return found(await caller.rows(getStatement, { id }), NOT_FOUND).item;
}

const createStatement: OwnedStatement = {
  key: "lists.create",
  build: (owner) => writtenRows(insertOwned(lists, owner, { name: placeholder("name") }), lists, listItem),
};

export async function createList(caller: Caller, input: ListCreate): Promise<{ item: string; id: number }> {
  return found(await translating(caller.rows<OwnedRow & { id: number }>(createStatement, { name: input.name }), NAME_CONSTRAINT, nameTaken), NOT_FOUND);
}

const updateStatement: OwnedStatement = {
  key: "lists.update",
  build: (owner, qb) =>
    writtenRows(qb.update(lists).set({ name: placeholder("name"), ...writtenNow(lists) }).where(ownedRow(lists, owner)).returning(), lists, listItem),
};

export async function updateList(caller: Caller, id: number, patch: ListPatch): Promise<string> {
  return found(await translating(caller.rows(updateStatement, { id, name: patch.name }), NAME_CONSTRAINT, nameTaken), NOT_FOUND).item;
}

// Its tasks' list_id is cleared by the foreign key, which writes them: the owner's change
// counter is taken first, in the lock order of lib/db/change-numbers.ts.
const deleteStatement: OwnedStatement = {
  key: "lists.delete",
  build: (owner, qb) =>
    writtenRows(qb.delete(lists).where(and(ownedRow(lists, owner), changeNumberTaken(owner))).returning(), lists, { item: sql`${lists.id}::text` }),
};

export async function deleteList(caller: Caller, id: number): Promise<void> {
  found(await caller.rows(deleteStatement, { id }), NOT_FOUND);
}
