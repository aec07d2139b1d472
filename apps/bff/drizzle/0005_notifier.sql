CREATE TABLE "notification_feeds" (
	"source" text PRIMARY KEY NOT NULL,
	"fed_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"webhook_id" text NOT NULL,
	"source" text DEFAULT 'alert' NOT NULL,
	"change_seq" bigint NOT NULL,
	"fingerprint" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "notification_outbox_webhook_source_change_key" UNIQUE("webhook_id","source","change_seq")
);
--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" USING btree ("next_attempt_at") WHERE "notification_outbox"."delivered_at" is null and "notification_outbox"."failed_at" is null;