import { and, getTableColumns, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db";
import { changeNumberTaken } from "@/lib/db/change-numbers";
import { translating } from "@/lib/db/constraints";
import { lists, type ListRow } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { scopeOf } from "@/lib/resource/cursor";
import { after, listedAt, orderBy, pageOf, type Sort } from "@/lib/resource/keyset";
import { found, ownedBy, ownedItem, ownedRow, writtenNow } from "@/lib/resource/owned";
import type { List, ListCreate, ListListQuery, ListPage, ListPatch } from "@/lib/lists/schema";

// A user's lists, on the resource kit: owner-scoped, keyset-paged by name. Deleting a list
// keeps its tasks (the tasks' foreign key sets their list_id to null).

const NOT_FOUND = "LIST_NOT_FOUND";
const NAME_CONSTRAINT = "lists_user_id_name_key";

export function toList(row: ListRow): List {
  return ownedItem(row, { name: row.name });
}

// The key of lists_user_id_name_key: unique per user, so it orders a user's lists on its own.
// Read back from the database, whose lower() the cursor must match exactly. Names change, so
// pages after the first hold the lists as they were then (lib/resource/keyset.ts).
const nameKey = sql<string>`(lower(${lists.name}) collate "C")`;
type KeyedRow = ListRow & { nameKey: string };
const BY_NAME: Sort<KeyedRow> = {
  direction: "asc",
  changedAt: lists.changedAt,
  keys: [{ column: nameKey, of: (row) => row.nameKey, cursorValue: z.string().max(400) }],
};

const nameTaken = () => new ApiError("LIST_NAME_TAKEN");

/** The list query, unexecuted: one page and one row more. The EXPLAIN test explains this. */
export function listListsQuery(database: Database, userId: string, query: ListListQuery) {
  const conditions: (SQL | undefined)[] = [ownedBy(lists, userId)];
  if (query.cursor) conditions.push(after(BY_NAME, query.cursor, scopeOf(query)));
  return database
    .select({ ...getTableColumns(lists), nameKey, listedAt })
    .from(lists)
    .where(and(...conditions))
    .orderBy(...orderBy(BY_NAME))
    .limit(query.limit + 1);
}

export async function listLists(database: Database, userId: string, query: ListListQuery): Promise<ListPage> {
  const rows = await listListsQuery(database, userId, query);
  return pageOf(rows, query.limit, BY_NAME, query, scopeOf(query), toList);
}

export async function getList(database: Database, userId: string, id: number): Promise<List> {
  const [row] = await database.select().from(lists).where(ownedRow(lists, userId, id)).limit(1);
  return toList(found(row, NOT_FOUND));
}

export async function createList(database: Database, userId: string, input: ListCreate): Promise<List> {
  const [row] = await translating(database.insert(lists).values({ userId, name: input.name }).returning(), NAME_CONSTRAINT, nameTaken);
  return toList(found(row, NOT_FOUND));
}

export async function updateList(database: Database, userId: string, id: number, patch: ListPatch): Promise<List> {
  const update = database
    .update(lists)
    .set({ ...patch, ...writtenNow(lists) })
    .where(ownedRow(lists, userId, id))
    .returning();
  const [row] = await translating(update, NAME_CONSTRAINT, nameTaken);
  return toList(found(row, NOT_FOUND));
}

// Its tasks' list_id is cleared by the foreign key, which writes them: the owner's change
// counter is taken first, in the lock order of lib/db/change-numbers.ts.
export async function deleteList(database: Database, userId: string, id: number): Promise<void> {
  const [row] = await database.delete(lists).where(and(ownedRow(lists, userId, id), changeNumberTaken(userId))).returning({ id: lists.id });
  found(row, NOT_FOUND);
}
