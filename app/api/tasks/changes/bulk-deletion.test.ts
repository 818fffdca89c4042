import { randomUUID } from "node:crypto";
import { and, eq, inArray, like, lt, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db, type Database } from "@/lib/db";
import { syncCounters, taskTombstones, tasks, users } from "@/lib/db/schema";
import type { TaskChanges } from "@/lib/tasks/schema";
import { api, createTask, signUp, type TestUser } from "@/test/api";

// Deletions of many tasks in one statement (migration 0005 records tombstones per statement, not
// per row): every deleted task of an existing owner still gets exactly one tombstone, numbered
// with its owner's change number of the transaction, and the change feed reports each one; a
// statement deleting several owners' tasks numbers each owner's with that owner's number; the
// prune stays bounded; a user's deletion cascades to their tasks, tombstones and counter, also in
// the transaction that wrote their tasks. The deletions go to the database directly: the API
// deletes one task at a time. Every test makes its own users: the pg and neon projects share one
// database.

type Change = TaskChanges["changes"][number];

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Inserts `count` tasks titled `bulk <n>` for the owner, in one statement (one change number). */
async function insertTasks(database: Pick<Database, "execute">, userId: string, count: number) {
  // Setup, not what is tested: each row goes through the numbering trigger, which on a loaded
  // machine can take a while for 20,000 rows, so not under the pool's statement_timeout.
  await database.execute(sql`set local statement_timeout = '60s'`);
  await database.execute(sql`
    insert into tasks (user_id, title)
    select ${userId}, 'bulk ' || g from generate_series(1, ${sql.raw(String(count))}) as g`);
}

async function insertTasksInTransaction(userId: string, count: number) {
  await (await db()).transaction((tx) => insertTasks(tx, userId, count));
}

/** Syncs until has_more is false, in pages of 1000: every page's changes in order and the last token. */
async function syncToEnd(user: TestUser, since?: string) {
  const changes: Change[] = [];
  let token = since;
  for (let pages = 1; ; pages++) {
    const params = new URLSearchParams({ limit: "1000", ...(token === undefined ? {} : { since: token }) });
    const response = await api<TaskChanges>("GET", `/api/tasks/changes?${params}`, { token: user.token });
    expect(response.status).toBe(200);
    changes.push(...response.body.changes);
    token = response.body.sync_token;
    if (!response.body.has_more) return { changes, token };
    expect(pages).toBeLessThan(100);
  }
}

async function tombstonesOf(userId: string) {
  return (await db())
    .select({ taskId: taskTombstones.taskId, changeSeq: taskTombstones.changeSeq })
    .from(taskTombstones)
    .where(eq(taskTombstones.userId, userId));
}

async function counterOf(userId: string) {
  const [row] = await (await db()).select({ seq: syncCounters.seq }).from(syncCounters).where(eq(syncCounters.userId, userId));
  return row?.seq;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

describe("deleting many tasks in one statement", () => {
  const doomed: string[] = [];
  afterAll(async () => {
    if (doomed.length) await (await db()).delete(users).where(inArray(users.id, doomed));
  });

  it("leaves one tombstone per task, all with the owner's one change number, and the feed reports every deletion", async () => {
    const user = await signUp("Bulk deletion");
    doomed.push(user.id);
    const database = await db();
    await insertTasksInTransaction(user.id, 5_000);
    const kept = await createTask(user, { title: "kept" });
    const before = await syncToEnd(user);
    expect(before.changes).toHaveLength(5_001);
    const counterBefore = (await counterOf(user.id))!;

    const deleted = await database
      .delete(tasks)
      .where(and(eq(tasks.userId, user.id), like(tasks.title, "bulk %")))
      .returning({ id: tasks.id });
    expect(deleted).toHaveLength(5_000);
    const deletedIds = sorted(deleted.map((row) => row.id));

    const tombstones = await tombstonesOf(user.id);
    expect(sorted(tombstones.map((row) => row.taskId))).toEqual(deletedIds);
    // The deleting statement's transaction took the owner's next number, once.
    expect(await counterOf(user.id)).toBe(counterBefore + 1);
    expect(new Set(tombstones.map((row) => row.changeSeq))).toEqual(new Set([counterBefore + 1]));

    const { changes, token } = await syncToEnd(user, before.token);
    expect(changes).toHaveLength(5_000);
    for (const change of changes) expect(change).toEqual({ id: change.id, deleted: true, deleted_at: expect.stringMatching(TIMESTAMP) });
    expect(sorted(changes.map((change) => change.id))).toEqual(deletedIds);
    expect((await syncToEnd(user, token)).changes).toEqual([]);
    // The task the statement left alone is still there, and was not reported again.
    expect((await api("GET", `/api/tasks/${kept.id}`, { token: user.token })).status).toBe(200);
  });

  it("numbers each owner's tombstones with that owner's number when one statement deletes several owners' tasks", async () => {
    const owners = [await signUp("Bulk owner 1"), await signUp("Bulk owner 2"), await signUp("Bulk owner 3")];
    doomed.push(...owners.map((owner) => owner.id));
    const database = await db();
    // Interleaved, as a statement deleting by something other than the owner meets them.
    await database.transaction(async (tx) => {
      await tx.execute(sql`
        insert into tasks (user_id, title)
        select (array[${owners[0]!.id}, ${owners[1]!.id}, ${owners[2]!.id}])[g % 3 + 1], 'bulk ' || g
        from generate_series(1, 900) as g`);
    });
    const tokens = await Promise.all(owners.map(async (owner) => (await syncToEnd(owner)).token));
    const countersBefore = await Promise.all(owners.map((owner) => counterOf(owner.id)));

    const deleted = await database
      .delete(tasks)
      .where(inArray(tasks.userId, owners.map((owner) => owner.id)))
      .returning({ id: tasks.id, userId: tasks.userId });
    expect(deleted).toHaveLength(900);

    for (const [n, owner] of owners.entries()) {
      const own = sorted(deleted.filter((row) => row.userId === owner.id).map((row) => row.id));
      expect(own).toHaveLength(300);
      const tombstones = await tombstonesOf(owner.id);
      expect(sorted(tombstones.map((row) => row.taskId))).toEqual(own);
      expect(await counterOf(owner.id)).toBe(countersBefore[n]! + 1);
      expect(new Set(tombstones.map((row) => row.changeSeq))).toEqual(new Set([countersBefore[n]! + 1]));
      const { changes } = await syncToEnd(owner, tokens[n]);
      expect(sorted(changes.map((change) => change.id))).toEqual(own);
      for (const change of changes) expect(change).toMatchObject({ deleted: true });
    }
  });

  it("prunes up to two expired tombstones per tombstone it records, at most 1,000 per statement", async () => {
    const database = await db();
    const userId = `bulk-prune-${randomUUID()}`;
    // All in one transaction that removes what it made: expired tombstones left committed would
    // be pruned by the other tests' deletions (the table is shared) and skew their counts. Until
    // then no one else sees them, and dated ten years back they are the first to be pruned.
    await database.transaction(async (tx) => {
      await tx.insert(users).values({ id: userId, name: "Bulk prune", email: `${userId}@example.com` });
      const longAgo = new Date(Date.now() - 3650 * 86_400_000);
      await tx.insert(taskTombstones).values(Array.from({ length: 3_000 }, (_, n) => ({ userId, taskId: 2_000_000_000 + n, changeSeq: 1, deletedAt: longAgo })));
      const expired = () => tx.$count(taskTombstones, and(eq(taskTombstones.userId, userId), lt(taskTombstones.deletedAt, new Date(Date.now() - 31 * 86_400_000))));
      await insertTasks(tx, userId, 601);
      const [first] = await tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.userId, userId)).orderBy(tasks.id).limit(1);

      await tx.delete(tasks).where(and(eq(tasks.userId, userId), sql`${tasks.id} <> ${first!.id}`));
      expect(await expired()).toBe(2_000); // 600 recorded: 1,200, capped at 1,000
      await tx.delete(tasks).where(eq(tasks.userId, userId));
      expect(await expired()).toBe(1_998);
      expect(await tx.$count(taskTombstones, eq(taskTombstones.userId, userId))).toBe(1_998 + 601);

      await tx.delete(users).where(eq(users.id, userId));
    });
  });

  it("deletes a user with 20,000 tasks, their tombstones and their counter, within the pool's statement_timeout", async () => {
    const user = await signUp("Bulk leaving");
    doomed.push(user.id);
    const database = await db();
    await insertTasksInTransaction(user.id, 20_000);
    const gone = await createTask(user, { title: "deleted first" });
    expect((await api("DELETE", `/api/tasks/${gone.id}`, { token: user.token })).status).toBe(204);
    expect(await tombstonesOf(user.id)).toHaveLength(1);

    // With the pool's own statement_timeout (5 s by default on PostgreSQL servers): the per-row
    // trigger of 0004 ran a counter call, an insert attempt and a prune for each of the 20,000.
    await database.delete(users).where(eq(users.id, user.id));
    expect(await database.$count(tasks, eq(tasks.userId, user.id))).toBe(0);
    expect(await tombstonesOf(user.id)).toEqual([]);
    expect(await counterOf(user.id)).toBeUndefined();
  });

  it("deletes a user in the transaction that wrote their tasks: no tombstone for someone gone", async () => {
    const database = await db();
    const userId = `bulk-gone-${randomUUID()}`;
    // The transaction still holds the user's change number when their tasks go by cascade.
    await database.transaction(async (tx) => {
      await tx.insert(users).values({ id: userId, name: "Bulk gone", email: `${userId}@example.com` });
      await tx.insert(tasks).values([{ userId, title: "a" }, { userId, title: "b" }]);
      await tx.delete(users).where(eq(users.id, userId));
    });
    expect(await database.$count(tasks, eq(tasks.userId, userId))).toBe(0);
    expect(await tombstonesOf(userId)).toEqual([]);
    expect(await counterOf(userId)).toBeUndefined();
  });
});
