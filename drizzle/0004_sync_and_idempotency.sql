CREATE TABLE "idempotency_keys" (
	"user_id" text NOT NULL,
	"key" varchar(255) NOT NULL,
	"fingerprint" text NOT NULL,
	"status" smallint NOT NULL,
	"body" text NOT NULL,
	"headers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "sync_counters" (
	"user_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_tombstones" (
	"user_id" text NOT NULL,
	"task_id" integer NOT NULL,
	"change_seq" bigint NOT NULL,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_tombstones_user_id_change_seq_task_id_pk" PRIMARY KEY("user_id","change_seq","task_id")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "change_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_counters" ADD CONSTRAINT "sync_counters_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_tombstones" ADD CONSTRAINT "task_tombstones_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "task_tombstones_deleted_at_idx" ON "task_tombstones" USING btree ("deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_user_id_change_seq_id_idx" ON "tasks" USING btree ("user_id","change_seq","id");--> statement-breakpoint
-- Written by hand below: drizzle does not model functions or triggers.
-- Existing tasks share their owner's first change number.
UPDATE "tasks" SET "change_seq" = 1;--> statement-breakpoint
INSERT INTO "sync_counters" ("user_id", "seq") SELECT DISTINCT "user_id", 1 FROM "tasks";--> statement-breakpoint
-- The change number of the current transaction's writes for `owner`: the first write takes the
-- next one from the owner's counter row, whose lock it then holds until the transaction ends,
-- so numbers commit in the order they are handed out; the transaction's later writes for the
-- same owner reuse it (a setting local to the transaction remembers it), so a bulk write costs
-- one counter update, not one per row. NULL when the owner is gone (a write cascading from the
-- user's deletion): nothing to number, no one to tell.
CREATE FUNCTION "next_change_seq"("owner" text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	"held" text := current_setting('task_api.change', true);
	"seq" bigint;
BEGIN
	IF "held" IS NOT NULL AND "held" <> '' AND substr("held", strpos("held", ' ') + 1) = "owner" THEN
		RETURN split_part("held", ' ', 1)::bigint;
	END IF;
	INSERT INTO "sync_counters" AS "counter" ("user_id", "seq")
	SELECT "owner", 1 WHERE EXISTS (SELECT 1 FROM "users" WHERE "id" = "owner")
	ON CONFLICT ("user_id") DO UPDATE SET "seq" = "counter"."seq" + 1
	RETURNING "counter"."seq" INTO "seq";
	IF "seq" IS NOT NULL THEN
		PERFORM set_config('task_api.change', "seq" || ' ' || "owner", true);
	END IF;
	RETURN "seq";
END $$;--> statement-breakpoint
CREATE FUNCTION "tasks_number_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW."change_seq" := coalesce("next_change_seq"(NEW."user_id"), NEW."change_seq");
	RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_number_change" BEFORE INSERT OR UPDATE ON "tasks" FOR EACH ROW EXECUTE FUNCTION "tasks_number_change"();--> statement-breakpoint
-- A deleted task leaves a tombstone for the change feed. Each deletion also prunes up to two
-- tombstones past the retention (30 days promised, 31 kept): bounded work, never a table scan.
CREATE FUNCTION "tasks_record_deletion"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	"seq" bigint := "next_change_seq"(OLD."user_id");
BEGIN
	IF "seq" IS NOT NULL THEN
		INSERT INTO "task_tombstones" ("user_id", "task_id", "change_seq") VALUES (OLD."user_id", OLD."id", "seq");
	END IF;
	DELETE FROM "task_tombstones" WHERE ("user_id", "change_seq", "task_id") IN (
		SELECT "user_id", "change_seq", "task_id" FROM "task_tombstones"
		WHERE "deleted_at" < now() - interval '31 days' ORDER BY "deleted_at" LIMIT 2 FOR UPDATE SKIP LOCKED
	);
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_record_deletion" AFTER DELETE ON "tasks" FOR EACH ROW EXECUTE FUNCTION "tasks_record_deletion"();
