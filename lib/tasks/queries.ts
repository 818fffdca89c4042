import { and, eq, sql, type SQL } from "drizzle-orm";
import { db, type Database } from "@/lib/db";
import { tasks, type TaskRow } from "@/lib/db/schema";
import { scopeOf } from "@/lib/resource/cursor";
import { after, orderBy, pageOf, type SortKey } from "@/lib/resource/keyset";
import { found, ownedBy, ownedRow } from "@/lib/resource/owned";
import { idSchema } from "@/lib/resource/schemas";
import type { Task, TaskCreate, TaskListQuery, TaskPage, TaskPatch } from "@/lib/tasks/schema";

// Every query here takes the owner's id and filters by it (lib/resource/owned.ts): another
// user's task is indistinguishable from a missing one.

const NOT_FOUND = "TASK_NOT_FOUND";

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    user_id: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

// Newest first: ids are assigned in creation order.
const NEWEST_FIRST: SortKey<TaskRow>[] = [{ column: tasks.id, direction: "desc", of: (row) => row.id, cursorValue: idSchema }];

// Strictly later than the previous value even within one millisecond, so clients comparing
// RFC 3339 strings always see updated_at move.
const nextUpdatedAt = sql`greatest(now(), ${tasks.updatedAt} + interval '1 millisecond')`;

/**
 * The list query, unexecuted: one page (and one row more, to know whether another follows) of
 * the user's tasks. The EXPLAIN test and the benchmark explain exactly this.
 */
export function listTasksQuery(database: Database, userId: string, query: TaskListQuery) {
  const conditions: (SQL | undefined)[] = [ownedBy(tasks, userId)];
  if (query.completed !== undefined) conditions.push(eq(tasks.completed, query.completed));
  if (query.cursor) conditions.push(after(NEWEST_FIRST, query.cursor, scopeOf(query)));
  return database
    .select()
    .from(tasks)
    .where(and(...conditions))
    .orderBy(...orderBy(NEWEST_FIRST))
    .limit(query.limit + 1);
}

export async function listTasks(userId: string, query: TaskListQuery): Promise<TaskPage> {
  const rows = await listTasksQuery(await db(), userId, query);
  return pageOf(rows, query.limit, NEWEST_FIRST, scopeOf(query), toTask);
}

export async function getTask(userId: string, id: number): Promise<Task> {
  const [row] = await (await db()).select().from(tasks).where(ownedRow(tasks, userId, id)).limit(1);
  return toTask(found(row, NOT_FOUND));
}

export async function createTask(userId: string, input: TaskCreate): Promise<Task> {
  const [row] = await (await db())
    .insert(tasks)
    .values({ userId, title: input.title, description: input.description ?? null, completed: input.completed ?? false })
    .returning();
  return toTask(found(row, NOT_FOUND));
}

export async function replaceTask(userId: string, id: number, input: TaskCreate): Promise<Task> {
  return updateTask(userId, id, {
    title: input.title,
    description: input.description ?? null,
    completed: input.completed ?? false,
  });
}

// One UPDATE ... RETURNING: concurrent writers to one task serialize on its row lock, so the
// result is always exactly one writer's version, and a racing delete leaves zero rows (404).
export async function updateTask(userId: string, id: number, patch: TaskPatch): Promise<Task> {
  const [row] = await (await db())
    .update(tasks)
    .set({ ...patch, updatedAt: nextUpdatedAt })
    .where(ownedRow(tasks, userId, id))
    .returning();
  return toTask(found(row, NOT_FOUND));
}

export async function deleteTask(userId: string, id: number): Promise<void> {
  const [row] = await (await db()).delete(tasks).where(ownedRow(tasks, userId, id)).returning({ id: tasks.id });
  found(row, NOT_FOUND);
}
