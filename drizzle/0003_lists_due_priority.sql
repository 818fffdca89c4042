-- Trigram index support for the title search (`q`); PGlite loads the same extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "lists" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lists_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"name" varchar(100) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "list_id" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "due_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "lists" ADD CONSTRAINT "lists_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "lists_user_id_name_key" ON "lists" USING btree ("user_id",(lower("name") collate "C"));--> statement-breakpoint
CREATE UNIQUE INDEX "lists_id_user_id_key" ON "lists" USING btree ("id","user_id");--> statement-breakpoint
CREATE INDEX "tasks_user_id_list_id_id_idx" ON "tasks" USING btree ("user_id","list_id","id" desc);--> statement-breakpoint
CREATE INDEX "tasks_user_id_due_at_id_idx" ON "tasks" USING btree ("user_id",coalesce("due_at", 'infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "tasks_user_id_priority_id_idx" ON "tasks" USING btree ("user_id","priority" desc,"id" desc);--> statement-breakpoint
CREATE INDEX "tasks_title_trgm_idx" ON "tasks" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
-- A task can only be in one of its owner's lists; deleting a list keeps its tasks, with no list.
-- Written by hand: drizzle cannot declare ON DELETE SET NULL for one column of a composite key.
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_list_id_user_id_lists_fk" FOREIGN KEY ("list_id","user_id") REFERENCES "public"."lists"("id","user_id") ON DELETE SET NULL ("list_id");
