import { and, eq, gte, ilike, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Caller, OwnedRow, OwnedStatement } from "@/lib/auth/caller";
import type { Database } from "@/lib/db";
import { changeNumberTaken } from "@/lib/db/change-numbers";
import { translating } from "@/lib/db/constraints";
import { placeholder } from "@/lib/db/statement";
import { tasks } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { scopeOf } from "@/lib/resource/cursor";
import { afterCursor, cursorValues, orderBy, pageColumns, pageOf, pageRows, type PageRow, type Sort, type SortKey } from "@/lib/resource/keyset";
import { found, insertOwned, isoTime, named, notWritten, ownedItem, ownedRow, readRows, writtenNow, writtenRows } from "@/lib/resource/owned";
import { idSchema, timestampSchema } from "@/lib/resource/schemas";
import { PRIORITIES, type TaskCreate, type TaskListQuery, type TaskPatch } from "@/lib/tasks/schema";

// The caller's tasks (lib/auth/caller.ts): each request is one statement, its shape compiled once,
// its rows JSON made by the database. A single task comes with its version, the ETag of its
// answer; writes take the versions an If-Match allows.

const NOT_FOUND = "TASK_NOT_FOUND";

/** A task as JSON text, and its version. */
export interface VersionedTask {
  item: string;
  id: number;
  version: string;
}

/** The task's API item, made by the database (its shape is taskSchema's). */
export const taskItem = ownedItem(tasks, {
  title: tasks.title,
  description: tasks.description,
  completed: tasks.completed,
  list_id: tasks.listId,
  due_at: isoTime(tasks.dueAt),
  priority: sql`(array[${sql.join(PRIORITIES.map((name) => sql`${name}`), sql`, `)}]::text[])[${tasks.priority} + 1]`,
});

const versionedColumns = { item: taskItem, id: tasks.id, version: sql<string>`${tasks.changeSeq}::text` };

// Ids are assigned in creation order: newest first is id descending. Undated tasks sort last,
// as if due at the end of time, so that the due date is a key that is never null and its index
// serves every page. Due dates and priorities change, so those sorts page over the rows as they
// were at the first page (lib/resource/keyset.ts).
const dueKey = sql`coalesce(${tasks.dueAt}, 'infinity'::timestamptz)`;
const byId: SortKey = { column: tasks.id, value: tasks.id, cursorValue: idSchema };

const SORTS: Record<TaskListQuery["sort"], Sort> = {
  created: { direction: "desc", keys: [byId] },
  due: {
    direction: "asc",
    changedAt: tasks.changedAt,
    keys: [
      { column: dueKey, value: sql`coalesce(${isoTime(tasks.dueAt)}, 'infinity')`, cursorValue: z.union([timestampSchema, z.literal("infinity")]) },
      byId,
    ],
  },
  priority: {
    direction: "desc",
    changedAt: tasks.changedAt,
    keys: [{ column: tasks.priority, value: tasks.priority, cursorValue: z.int().min(0).max(PRIORITIES.length - 1) }, byId],
  },
};

const LIST_CONSTRAINT = "tasks_list_id_user_id_lists_fk";

// A list that is missing, someone else's, or deleted while this write ran: the same answer.
const notYourList = () =>
  new ApiError("VALIDATION_ERROR", undefined, { errors: [{ path: "list_id", message: "must be one of your lists" }] });

/** The stored form of the fields a create, replace or patch sets, by column key. */
function columnsOf(input: TaskPatch): Record<string, unknown> {
  const { list_id, due_at, priority, ...rest } = input;
  return {
    ...rest,
    ...(list_id !== undefined ? { listId: list_id } : {}),
    ...(due_at !== undefined ? { dueAt: due_at } : {}),
    ...(priority !== undefined ? { priority: PRIORITIES.indexOf(priority) } : {}),
  };
}

/** Placeholders named after the given column keys. */
const placeholders = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, placeholder(key)]));

/** `%`, `_` and `\` match themselves in the title search. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/** The list query's filter values, named as listTasksQuery's placeholders. */
export function listTasksValues(query: TaskListQuery): Record<string, unknown> {
  return {
    limit: query.limit + 1,
    ...(query.completed !== undefined ? { completed: query.completed } : {}),
    ...(typeof query.list_id === "number" ? { listId: query.list_id } : {}),
    ...(query.due_before ? { dueBefore: query.due_before } : {}),
    ...(query.due_after ? { dueAfter: query.due_after } : {}),
    ...(query.q ? { q: containing(query.q) } : {}),
    ...(query.cursor ? cursorValues(SORTS[query.sort], query.cursor, scopeOf(query)) : {}),
  };
}

/**
 * The list query of one shape (a sort, which filters, whether after a cursor): one page and one
 * row more, to know whether another follows; values as placeholders (listTasksValues). The EXPLAIN
 * test and the benchmark explain exactly this.
 */
export function listTasksQuery(qb: Database, owner: SQL | string, query: TaskListQuery) {
  const sort = SORTS[query.sort];
  const conditions: (SQL | undefined)[] = [eq(tasks.userId, owner)];
  if (query.completed !== undefined) conditions.push(eq(tasks.completed, placeholder("completed")));
  if (query.list_id !== undefined) conditions.push(query.list_id === "none" ? isNull(tasks.listId) : eq(tasks.listId, placeholder("listId")));
  if (query.due_before) conditions.push(lt(tasks.dueAt, placeholder("dueBefore")));
  if (query.due_after) conditions.push(gte(tasks.dueAt, placeholder("dueAfter")));
  if (query.q) conditions.push(ilike(tasks.title, placeholder("q")));
  if (query.cursor) conditions.push(afterCursor(sort));
  return qb
    .select(named({ item: taskItem, ...pageColumns(sort) }))
    .from(tasks)
    .where(and(...conditions))
    .orderBy(...orderBy(sort))
    .limit(sql.placeholder("limit"));
}

/** What a list query's statement depends on: the sort, which filters are given, whether there is a cursor. */
const shapeOf = (query: TaskListQuery) =>
  [query.sort, ...(["completed", "due_before", "due_after", "q", "cursor"] as const).map((name) => (query[name] === undefined ? "" : name)), query.list_id === "none" ? "none" : query.list_id === undefined ? "" : "list"].join(",");

export async function listTasks(caller: Caller, query: TaskListQuery): Promise<string> {
  const list: OwnedStatement = {
    key: `tasks.list:${shapeOf(query)}`,
    build: (owner, qb) => pageRows(SORTS[query.sort], listTasksQuery(qb, owner, query)),
  };
  const rows = await caller.rows<PageRow>(list, { ...listTasksValues(query), size: query.limit });
  return pageOf(rows, SORTS[query.sort], query, scopeOf(query));
}

const getStatement: OwnedStatement = {
  key: "tasks.get",
  build: (owner, qb) => readRows(qb.select(named(versionedColumns)).from(tasks).where(ownedRow(tasks, owner))),
};

export async function getTask(caller: Caller, id: number): Promise<VersionedTask> {
  return found(await caller.rows<VersionedTask & OwnedRow>(getStatement, { id }), NOT_FOUND);
}

const CREATED_COLUMNS = ["title", "description", "completed", "listId", "dueAt", "priority"];

const createStatement: OwnedStatement = {
  key: "tasks.create",
  build: (owner) => writtenRows(insertOwned(tasks, owner, placeholders(CREATED_COLUMNS)), tasks, versionedColumns),
};

export async function createTask(caller: Caller, input: TaskCreate): Promise<VersionedTask> {
  const values = { description: null, completed: false, listId: null, dueAt: null, priority: 0, ...columnsOf(input) };
  return found(await translating(caller.rows<VersionedTask & OwnedRow>(createStatement, values), LIST_CONSTRAINT, notYourList), NOT_FOUND);
}

/** Full replace: every field absent from the body goes back to its default. */
export async function replaceTask(caller: Caller, id: number, input: TaskCreate, ifMatch?: number[]): Promise<VersionedTask> {
  return updateTask(caller, id, {
    title: input.title,
    description: input.description ?? null,
    completed: input.completed ?? false,
    list_id: input.list_id ?? null,
    due_at: input.due_at ?? null,
    priority: input.priority ?? "none",
  }, ifMatch);
}

/** The caller's task `id`, and with an If-Match only at one of the allowed versions. */
function writable(owner: SQL, conditional: boolean): SQL {
  const atVersion = conditional ? sql`${tasks.changeSeq} = any(${sql.placeholder("versions")}::bigint[])` : undefined;
  return and(ownedRow(tasks, owner), atVersion, changeNumberTaken(owner))!;
}

// One UPDATE ... RETURNING: concurrent writers to one task serialize on its row lock, so the
// result is always exactly one writer's version, and a racing delete leaves zero rows (404).
// With If-Match the version is part of the WHERE: a writer that waited for the lock re-checks
// it against the row the winner left, and matches nothing (412).
export async function updateTask(caller: Caller, id: number, patch: TaskPatch, ifMatch?: number[]): Promise<VersionedTask> {
  const values = columnsOf(patch);
  const fields = Object.keys(values).sort();
  const update: OwnedStatement = {
    key: `tasks.update:${fields}:${ifMatch !== undefined}`,
    build: (owner, qb) =>
      writtenRows(qb.update(tasks).set({ ...placeholders(fields), ...writtenNow(tasks) }).where(writable(owner, ifMatch !== undefined)).returning(), tasks, versionedColumns),
  };
  const [row] = await translating(caller.rows<VersionedTask & OwnedRow>(update, { ...values, id, versions: ifMatch }), LIST_CONSTRAINT, notYourList);
  return row ?? notWritten(caller, tasks, ifMatch, id, NOT_FOUND);
}

export async function deleteTask(caller: Caller, id: number, ifMatch?: number[]): Promise<void> {
  const remove: OwnedStatement = {
    key: `tasks.delete:${ifMatch !== undefined}`,
    build: (owner, qb) => writtenRows(qb.delete(tasks).where(writable(owner, ifMatch !== undefined)).returning(), tasks, { item: sql`${tasks.id}::text` }),
  };
  const [row] = await caller.rows(remove, { id, versions: ifMatch });
  if (!row) await notWritten(caller, tasks, ifMatch, id, NOT_FOUND);
}
