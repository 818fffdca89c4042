import { and, eq, getTableColumns, sql, type SQLWrapper } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { Database } from "@/lib/db";
import { syncCounters, taskTombstones, tasks } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { ownedBy } from "@/lib/resource/owned";
import { INT4_MAX } from "@/lib/resource/schemas";
import { encodeSyncToken } from "@/lib/resource/sync-token";
import { toTask } from "@/lib/tasks/queries";
import { TOMBSTONE_RETENTION_DAYS, type TaskChanges, type TaskChangesQuery } from "@/lib/tasks/schema";

// Incremental sync. Every write of a task, and every deletion (as a tombstone), carries its
// transaction's change number for the owner, handed out under a lock on the owner's counter
// row that is held until the transaction commits (migration 0004). So one user's numbers become
// visible in the order they were handed out: a reader that sees number n also sees every number
// below n, and all of n's rows at once. A page is read in one statement (one snapshot) in
// (number, id) order, and its token is the last (number, id) it returned (or the end, below):
// everything up to it was seen, and whatever commits later has a higher number.
// Neither `updated_at > since` nor a plain sequence has that property: a transaction holding
// a lower value may commit after a reader has moved past it.

const DAY_S = 86_400;

const columns = getTableColumns(tasks);
type Kind = "task" | "deleted" | "end";

/** A row in the shape of a task row (the union needs one): the given columns, the others null. */
function shaped(kept: Partial<Record<keyof typeof columns, SQLWrapper>>) {
  return Object.fromEntries(Object.keys(columns).map((name) => [name, kept[name as keyof typeof columns] ?? sql`null`])) as unknown as typeof columns;
}

// A tombstone: its task's id, owner and change number, and the time of deletion.
const deletedColumns = shaped({ id: taskTombstones.taskId, userId: taskTombstones.userId, changeSeq: taskTombstones.changeSeq });
// The end of the feed as the page's statement sees it: the owner's counter, after every id.
// Every change numbered up to the counter is visible in that same snapshot (numbers commit in
// order), so a page that reaches the end hands out a token past all of them. A token at the
// last change alone would make the next sync report deletions older than it again.
const endColumns = shaped({ id: sql`${INT4_MAX}`, userId: syncCounters.userId, changeSeq: syncCounters.seq });

export async function listChanges(database: Database, userId: string, query: TaskChangesQuery): Promise<TaskChanges> {
  const now = Math.floor(Date.now() / 1000);
  if (query.since && now - query.since.issuedAt > TOMBSTONE_RETENTION_DAYS * DAY_S) throw new ApiError("SYNC_TOKEN_EXPIRED");
  const after = query.since ?? { seq: 0, id: 0 };
  const past = (seq: SQLWrapper, id: SQLWrapper) => sql`(${seq}, ${id}) > (${after.seq}, ${after.id})`;
  const kind = (value: Kind) => sql<Kind>`${value}::text`;
  const notDeleted = () => sql`null::timestamptz`.mapWith(taskTombstones.deletedAt);

  const current = database
    .select({ ...columns, deletedAt: notDeleted(), kind: kind("task") })
    .from(tasks)
    .where(and(ownedBy(tasks, userId), past(tasks.changeSeq, tasks.id)));
  const deleted = database
    .select({ ...deletedColumns, deletedAt: taskTombstones.deletedAt, kind: kind("deleted") })
    .from(taskTombstones)
    .where(and(eq(taskTombstones.userId, userId), past(taskTombstones.changeSeq, taskTombstones.taskId)));
  const end = database
    .select({ ...endColumns, deletedAt: notDeleted(), kind: kind("end") })
    .from(syncCounters)
    .where(and(eq(syncCounters.userId, userId), past(syncCounters.seq, sql`${INT4_MAX}`)));
  // A full sync: every current task; deletions older than its first token are of no use.
  const rows = await (query.since ? unionAll(current, deleted, end) : unionAll(current, end))
    .orderBy(sql`"change_seq", "id"`)
    .limit(query.limit + 1);

  const endAt = rows.findIndex((row) => row.kind === "end");
  const reachedEnd = endAt !== -1 && endAt <= query.limit;
  const page = rows.slice(0, reachedEnd ? endAt : query.limit);
  const last = reachedEnd ? rows[endAt] : page.at(-1);
  return {
    changes: page.map((row) => (row.kind === "deleted" ? { id: row.id, deleted: true as const, deleted_at: row.deletedAt!.toISOString() } : toTask(row))),
    sync_token: encodeSyncToken({ ...(last ? { seq: last.changeSeq, id: last.id } : after), issuedAt: now }),
    has_more: !reachedEnd && rows.length > query.limit,
  };
}
