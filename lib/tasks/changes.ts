import { sql, type SQL } from "drizzle-orm";
import type { Caller, OwnedRow, OwnedStatement } from "@/lib/auth/caller";
import { syncCounters, taskTombstones, tasks } from "@/lib/db/schema";
import { ApiError } from "@/lib/errors";
import { isoTime } from "@/lib/resource/owned";
import { INT4_MAX } from "@/lib/resource/schemas";
import { encodeSyncToken } from "@/lib/resource/sync-token";
import { taskItem } from "@/lib/tasks/queries";
import { TOMBSTONE_RETENTION_DAYS, type TaskChangesQuery } from "@/lib/tasks/schema";
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

interface ChangeRow extends OwnedRow {
  item: string;
  kind: "task" | "deleted" | "end";
  seq: string;
  id: number;
}

const past = (seq: SQL, id: SQL) => sql`(${seq}, ${id}) > (${sql.placeholder("seq")}::bigint, ${sql.placeholder("id")}::integer)`;

/**
 * One page of the feed: the caller's current tasks and (after a token) tombstones past the
 * token, and the end of the feed as the statement sees it: the owner's counter, after every id.
 * Every change numbered up to the counter is visible in that same snapshot (numbers commit in
 * order), so a page that reaches the end hands out a token past all of them. A token at the last
 * change alone would make the next sync report deletions older than it again.
 */
function changesStatement(full: boolean): OwnedStatement {
  return {
    key: `tasks.changes:${full}`,
    ordered: true,
    build: (owner) => {
      const current = sql`select ${taskItem} as item, 'task' as kind, ${tasks.changeSeq} as seq, ${tasks.id} as id
        from ${tasks} where ${tasks.userId} = ${owner} and ${past(sql`${tasks.changeSeq}`, sql`${tasks.id}`)}`;
      const deletion = sql`(select row_to_json(item)::text from (select ${taskTombstones.taskId} as id, true as deleted, ${isoTime(taskTombstones.deletedAt)} as deleted_at) as item)`;
      const deleted = sql`select ${deletion}, 'deleted', ${taskTombstones.changeSeq}, ${taskTombstones.taskId}
        from ${taskTombstones} where ${taskTombstones.userId} = ${owner} and ${past(sql`${taskTombstones.changeSeq}`, sql`${taskTombstones.taskId}`)}`;
      const end = sql`select '', 'end', ${syncCounters.seq}, ${INT4_MAX}::integer
        from ${syncCounters} where ${syncCounters.userId} = ${owner} and ${past(sql`${syncCounters.seq}`, sql`${INT4_MAX}::integer`)}`;
      // A full sync: every current task; deletions older than its first token are of no use.
      const union = full ? sql`${current} union all ${end}` : sql`${current} union all ${deleted} union all ${end}`;
      return sql`d as (select u.*, row_number() over (order by u.seq, u.id) as n
        from (${union} order by seq, id limit ${sql.placeholder("limit")}) as u)`;
    },
  };
}

/** One page of the caller's change feed, as JSON text. */
export async function listChanges(caller: Caller, query: TaskChangesQuery): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  if (query.since && now - query.since.issuedAt > TOMBSTONE_RETENTION_DAYS * DAY_S) throw new ApiError("SYNC_TOKEN_EXPIRED");
  const after = query.since ?? { seq: 0, id: 0 };
  const rows = await caller.rows<ChangeRow>(changesStatement(!query.since), { seq: after.seq, id: after.id, limit: query.limit + 1 });

  const endAt = rows.findIndex((row) => row.kind === "end");
  const reachedEnd = endAt !== -1 && endAt <= query.limit;
  const page = rows.slice(0, reachedEnd ? endAt : query.limit);
  const last = reachedEnd ? rows[endAt] : page.at(-1);
  const token = encodeSyncToken({ ...(last ? { seq: Number(last.seq), id: last.id } : after), issuedAt: now });
  const more = !reachedEnd && rows.length > query.limit;
  return `{"changes":[${page.map((row) => row.item).join(",")}],"sync_token":"${token}","has_more":${more}}`;
}
