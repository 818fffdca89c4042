-- Records now keep the create statement's rows (`result`) instead of its answer. Additive: while
-- the previous version still serves (the build migrates before the new code takes traffic), it
-- writes and reads the answer columns as before, and this version replays the answers it recorded.
-- The one thing the previous version cannot do is replay a record of this one's: where both serve
-- at once (a rolling restart; not Vercel, whose deployment takes new traffic all at once), such a
-- retry fails there with 500, changing nothing, and succeeds once it reaches this version.
-- A later migration drops the answer columns, a day (REPLAY_HOURS) after this one is deployed.
ALTER TABLE "idempotency_keys" ALTER COLUMN "status" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "body" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "headers" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "result" text;