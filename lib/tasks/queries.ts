import { and, eq, getTableColumns, gte, ilike, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db";
import { changeNumberTaken } from "@/lib/db/change-numbers";
import { translating } from "@/lib/db/constraints";
import { tasks, type TaskRow } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { scopeOf } from "@/lib/resource/cursor";
import { after, listedAt, orderBy, pageOf, type Sort, type SortKey } from "@/lib/resource/keyset";
import { found, foundVersion, ownedBy, ownedItem, ownedRow, ownedVersion, writtenNow } from "@/lib/resource/owned";
import { idSchema, timestampSchema } from "@/lib/resource/schemas";
import { PRIORITIES, type Task, type TaskCreate, type TaskListQuery, type TaskPage, type TaskPatch } from "@/lib/tasks/schema";

// Every query here takes the owner's id and filters by it (lib/resource/owned.ts): another
// user's task is indistinguishable from a missing one. A single task comes with its version,
// the ETag of its answer; writes take the versions an If-Match allows.

const NOT_FOUND = "TASK_NOT_FOUND";

export interface VersionedTask {
  task: Task;
  version: number;
}

const versioned = (row: TaskRow): VersionedTask => ({ task: toTask(row), version: row.changeSeq });

export function toTask(row: TaskRow): Task {
  return ownedItem(row, {
    title: row.title,
    description: row.description,
    completed: row.completed,
    list_id: row.listId,
    due_at: row.dueAt?.toISOString() ?? null,
    priority: PRIORITIES[row.priority] ?? "none",
  });
}

// Ids are assigned in creation order: newest first is id descending. Undated tasks sort last,
// as if due at the end of time, so that the due date is a key that is never null and its index
// serves every page. Due dates and priorities change, so those sorts page over the rows as they
// were at the first page (lib/resource/keyset.ts).
const dueKey = sql`coalesce(${tasks.dueAt}, 'infinity'::timestamptz)`;
const byId: SortKey<TaskRow> = { column: tasks.id, of: (row) => row.id, cursorValue: idSchema };

const SORTS: Record<TaskListQuery["sort"], Sort<TaskRow>> = {
  created: { direction: "desc", keys: [byId] },
  due: {
    direction: "asc",
    changedAt: tasks.changedAt,
    keys: [{ column: dueKey, of: (row) => row.dueAt?.toISOString() ?? "infinity", cursorValue: z.union([timestampSchema, z.literal("infinity")]) }, byId],
  },
  priority: {
    direction: "desc",
    changedAt: tasks.changedAt,
    keys: [{ column: tasks.priority, of: (row) => row.priority, cursorValue: z.int().min(0).max(PRIORITIES.length - 1) }, byId],
  },
};

const LIST_CONSTRAINT = "tasks_list_id_user_id_lists_fk";

// A list that is missing, someone else's, or deleted while this write ran: the same answer.
const notYourList = () =>
  new ApiError("VALIDATION_ERROR", undefined, { errors: [{ path: "list_id", message: "must be one of your lists" }] });

/** The stored form of the fields a create, replace or patch may set. */
function columnsOf(input: TaskPatch) {
  const { list_id, due_at, priority, ...rest } = input;
  return {
    ...rest,
    ...(list_id !== undefined ? { listId: list_id } : {}),
    ...(due_at !== undefined ? { dueAt: due_at } : {}),
    ...(priority !== undefined ? { priority: PRIORITIES.indexOf(priority) } : {}),
  };
}

/** `%`, `_` and `\` match themselves in the title search. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;


/**
 * The list query, unexecuted: one page (and one row more, to know whether another follows) of
 * the user's tasks. The EXPLAIN test and the benchmark explain exactly this.
 */
export function listTasksQuery(database: Database, userId: string, query: TaskListQuery) {
  const sort = SORTS[query.sort];
  const conditions: (SQL | undefined)[] = [ownedBy(tasks, userId)];
  if (query.completed !== undefined) conditions.push(eq(tasks.completed, query.completed));
  if (query.list_id !== undefined) conditions.push(query.list_id === "none" ? isNull(tasks.listId) : eq(tasks.listId, query.list_id));
  if (query.due_before) conditions.push(lt(tasks.dueAt, query.due_before));
  if (query.due_after) conditions.push(gte(tasks.dueAt, query.due_after));
  if (query.q) conditions.push(ilike(tasks.title, containing(query.q)));
  if (query.cursor) conditions.push(after(sort, query.cursor, scopeOf(query)));
  return database
    .select({ ...getTableColumns(tasks), ...(sort.changedAt ? { listedAt } : {}) })
    .from(tasks)
    .where(and(...conditions))
    .orderBy(...orderBy(sort))
    .limit(query.limit + 1);
}

export async function listTasks(database: Database, userId: string, query: TaskListQuery): Promise<TaskPage> {
  const rows = await listTasksQuery(database, userId, query);
  return pageOf(rows, query.limit, SORTS[query.sort], query, scopeOf(query), toTask);
}

export async function getTask(database: Database, userId: string, id: number): Promise<VersionedTask> {
  const [row] = await database.select().from(tasks).where(ownedRow(tasks, userId, id)).limit(1);
  return versioned(found(row, NOT_FOUND));
}

export async function createTask(database: Database, userId: string, input: TaskCreate): Promise<VersionedTask> {
  const insert = database
    .insert(tasks)
    .values({ userId, ...columnsOf(input), title: input.title })
    .returning();
  const [row] = await translating(insert, LIST_CONSTRAINT, notYourList);
  return versioned(found(row, NOT_FOUND));
}

/** Full replace: every field absent from the body goes back to its default. */
export async function replaceTask(database: Database, userId: string, id: number, input: TaskCreate, ifMatch?: number[]): Promise<VersionedTask> {
  return updateTask(database, userId, id, {
    title: input.title,
    description: input.description ?? null,
    completed: input.completed ?? false,
    list_id: input.list_id ?? null,
    due_at: input.due_at ?? null,
    priority: input.priority ?? "none",
  }, ifMatch);
}

// One UPDATE ... RETURNING: concurrent writers to one task serialize on its row lock, so the
// result is always exactly one writer's version, and a racing delete leaves zero rows (404).
// With If-Match the version is part of the WHERE: a writer that waited for the lock re-checks
// it against the row the winner left, and matches nothing (412).
export async function updateTask(database: Database, userId: string, id: number, patch: TaskPatch, ifMatch?: number[]): Promise<VersionedTask> {
  const update = database
    .update(tasks)
    .set({ ...columnsOf(patch), ...writtenNow(tasks) })
    .where(and(ownedVersion(tasks, userId, id, ifMatch), changeNumberTaken(userId)))
    .returning();
  const [row] = await translating(update, LIST_CONSTRAINT, notYourList);
  return versioned(await foundVersion(database, tasks, row, { userId, id, versions: ifMatch }, NOT_FOUND));
}

export async function deleteTask(database: Database, userId: string, id: number, ifMatch?: number[]): Promise<void> {
  const [row] = await database.delete(tasks).where(and(ownedVersion(tasks, userId, id, ifMatch), changeNumberTaken(userId))).returning({ id: tasks.id });
  await foundVersion(database, tasks, row, { userId, id, versions: ifMatch }, NOT_FOUND);
}
