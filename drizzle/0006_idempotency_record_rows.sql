-- Records now keep the create statement's rows (`result`) instead of its answer. Backward
-- compatible: while the previous version still serves, during a rollout, it writes and reads the
-- answer columns as before, and this one replays the answers it recorded.
ALTER TABLE "idempotency_keys" ALTER COLUMN "status" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "body" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "headers" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "result" text;