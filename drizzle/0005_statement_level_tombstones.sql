-- Written by hand: drizzle does not model functions or triggers.
-- Tombstones are recorded once per deleting statement, not once per deleted row: the row-level
-- trigger of 0004 asked for the owner's change number and ran a prune (and inserted a tombstone)
-- for every task, so deleting a user with 110,000 tasks, by cascade, did all that 110,000 times
-- and outlasted the pool's statement_timeout. The deleted rows arrive as a transition table.
DROP TRIGGER "tasks_record_deletion" ON "tasks";--> statement-breakpoint
-- The owners' change numbers are taken once per distinct owner, in a materialized CTE (no join
-- re-evaluates it): the transaction remembers one owner's number at a time, so a call per row of
-- a statement deleting several owners' tasks in turn would take a fresh number from their
-- counters again and again. Owners in id order, so that two such statements lock the counters in
-- the same order. An owner who is gone (the deletion cascades from the user's) gets none: no one
-- to tell, and their tombstones would go with them. That is checked here, once per owner, and not
-- left to next_change_seq: it trusts the number its transaction holds, which outlives the owner
-- in a transaction that wrote the user's tasks and then deleted the user (whose cascade then
-- failed on the tombstones' foreign key). A scalar subquery, so an index probe per owner: an
-- EXISTS may be planned as a hash of the whole users table.
--
-- The prune stays bounded and never scans the table. Each recorded tombstone still pays for
-- removing up to two past the retention, as in 0004, so expired ones cannot pile up faster than
-- they go however deletions are batched; but at most 1,000 per statement, and two for one that
-- recorded none (a cascade). It deletes by ctid, a TID scan whatever the planner makes of the
-- limit: held in a variable, the limit is a parameter, which a generic plan guesses at a tenth of
-- the rows, and with many expired tombstones that could join them against a scan of the table.
CREATE OR REPLACE FUNCTION "tasks_record_deletion"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	"recorded" bigint;
BEGIN
	-- A statement trigger fires even when no row was deleted (a 404): nothing to record or prune.
	IF NOT EXISTS (SELECT FROM "deleted") THEN
		RETURN NULL;
	END IF;
	WITH "owners" AS MATERIALIZED (
		SELECT "user_id", CASE WHEN (SELECT true FROM "users" WHERE "users"."id" = "deleted"."user_id")
			THEN "next_change_seq"("user_id") END AS "seq"
		FROM "deleted" GROUP BY "user_id" ORDER BY "user_id"
	)
	INSERT INTO "task_tombstones" ("user_id", "task_id", "change_seq")
	SELECT "deleted"."user_id", "deleted"."id", "owners"."seq"
	FROM "deleted" JOIN "owners" ON "owners"."user_id" = "deleted"."user_id"
	WHERE "owners"."seq" IS NOT NULL;
	GET DIAGNOSTICS "recorded" = ROW_COUNT;
	DELETE FROM "task_tombstones" WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM "task_tombstones"
		WHERE "deleted_at" < now() - interval '31 days'
		ORDER BY "deleted_at" LIMIT least(2 * greatest("recorded", 1), 1000) FOR UPDATE SKIP LOCKED
	));
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_record_deletion" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS "deleted"
	FOR EACH STATEMENT EXECUTE FUNCTION "tasks_record_deletion"();
