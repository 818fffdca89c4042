import { and, asc, eq, getTableColumns, sql, type AnyColumn } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { Database } from "@/lib/db";
import { taskTombstones, tasks } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { ownedBy } from "@/lib/resource/owned";
import { encodeSyncToken } from "@/lib/resource/sync-token";
import { toTask } from "@/lib/tasks/queries";
import { TOMBSTONE_RETENTION_DAYS, type TaskChanges, type TaskChangesQuery } from "@/lib/tasks/schema";

// Incremental sync. Every write of a task, and every deletion (as a tombstone), carries its
// transaction's change number for the owner, handed out under a lock on the owner's counter
// row that is held until the transaction commits (migration 0004). So one user's numbers become
// visible in the order they were handed out: a reader that sees number n also sees every number
// below n, and all of n's rows at once. A page is read in one statement (one snapshot) in
// (number, id) order, and its token is the last (number, id) it returned: everything up to it
// was seen, and whatever commits later has a higher number.
// Neither `updated_at > since` nor a plain sequence has that property: a transaction holding
// a lower value may commit after a reader has moved past it.

const DAY_S = 86_400;

const columns = getTableColumns(tasks);
// A tombstone in the shape of a task row (the union needs one shape): its id, owner and change
// number, the other columns null, and the time of deletion.
const KEPT = { id: taskTombstones.taskId, userId: taskTombstones.userId, changeSeq: taskTombstones.changeSeq };
const deletedColumns = Object.fromEntries(
  Object.keys(columns).map((name) => [name, KEPT[name as keyof typeof KEPT] ?? sql`null`]),
) as unknown as typeof columns;

export async function listChanges(database: Database, userId: string, query: TaskChangesQuery): Promise<TaskChanges> {
  const now = Math.floor(Date.now() / 1000);
  if (query.since && now - query.since.issuedAt > TOMBSTONE_RETENTION_DAYS * DAY_S) throw new ApiError("SYNC_TOKEN_EXPIRED");
  const after = query.since ?? { seq: 0, id: 0 };
  const past = (seq: AnyColumn, id: AnyColumn) => sql`(${seq}, ${id}) > (${after.seq}, ${after.id})`;

  const current = database
    .select({ ...columns, deletedAt: sql<Date | null>`null::timestamptz`.mapWith(taskTombstones.deletedAt) })
    .from(tasks)
    .where(and(ownedBy(tasks, userId), past(tasks.changeSeq, tasks.id)));
  const rows = query.since
    ? await unionAll(
        current,
        database
          .select({ ...deletedColumns, deletedAt: taskTombstones.deletedAt })
          .from(taskTombstones)
          .where(and(eq(taskTombstones.userId, userId), past(taskTombstones.changeSeq, taskTombstones.taskId))),
      )
        .orderBy(sql`"change_seq", "id"`)
        .limit(query.limit + 1)
    : // A full sync: every current task. Deletions older than the first token are of no use.
      await current.orderBy(asc(tasks.changeSeq), asc(tasks.id)).limit(query.limit + 1);

  const page = rows.slice(0, query.limit);
  return {
    changes: page.map((row) => (row.deletedAt ? { id: row.id, deleted: true as const, deleted_at: row.deletedAt.toISOString() } : toTask(row))),
    sync_token: encodeSyncToken({ ...(page.length ? { seq: page.at(-1)!.changeSeq, id: page.at(-1)!.id } : after), issuedAt: now }),
    has_more: rows.length > query.limit,
  };
}
