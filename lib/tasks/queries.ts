import { and, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { db } from "@/lib/db";
import { tasks, type TaskRow } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { encodeCursor, type Task, type TaskCreate, type TaskListQuery, type TaskPage, type TaskPatch } from "@/lib/tasks/schema";

// Every query here takes the owner's id and filters by it: another user's task is
// indistinguishable from a missing one.

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

const owned = (userId: string, id: number) => and(eq(tasks.id, id), eq(tasks.userId, userId));

// Strictly later than the previous value even within one millisecond, so clients comparing
// RFC 3339 strings always see updated_at move.
const nextUpdatedAt = sql`greatest(now(), ${tasks.updatedAt} + interval '1 millisecond')`;

function found(row: TaskRow | undefined): Task {
  if (!row) throw new ApiError("TASK_NOT_FOUND");
  return toTask(row);
}

export async function listTasks(userId: string, query: TaskListQuery): Promise<TaskPage> {
  const conditions: SQL[] = [eq(tasks.userId, userId)];
  if (query.completed !== undefined) conditions.push(eq(tasks.completed, query.completed));
  if (query.cursor !== undefined) conditions.push(lt(tasks.id, query.cursor));
  // Keyset paging on id (assigned in creation order): tasks created or deleted between pages
  // can neither repeat nor hide a row, which offset paging cannot promise.
  const rows = await (await db())
    .select()
    .from(tasks)
    .where(and(...conditions))
    .orderBy(desc(tasks.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map(toTask), next_cursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
}

export async function getTask(userId: string, id: number): Promise<Task> {
  const [row] = await (await db()).select().from(tasks).where(owned(userId, id)).limit(1);
  return found(row);
}

export async function createTask(userId: string, input: TaskCreate): Promise<Task> {
  const [row] = await (await db())
    .insert(tasks)
    .values({ userId, title: input.title, description: input.description ?? null, completed: input.completed ?? false })
    .returning();
  return found(row);
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
    .where(owned(userId, id))
    .returning();
  return found(row);
}

export async function deleteTask(userId: string, id: number): Promise<void> {
  const [row] = await (await db()).delete(tasks).where(owned(userId, id)).returning({ id: tasks.id });
  if (!row) throw new ApiError("TASK_NOT_FOUND");
}
