CREATE TABLE "node_unreachable_changes" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"alert_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"alert" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "node_unreachable_open" (
	"subject_path" text PRIMARY KEY NOT NULL,
	"alert_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_feeds" (
	"source" text PRIMARY KEY NOT NULL,
	"fed_seq" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_outbox" DROP CONSTRAINT "notification_outbox_webhook_change_key";--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "source" text DEFAULT 'alert' NOT NULL;--> statement-breakpoint
CREATE INDEX "node_unreachable_changes_alert" ON "node_unreachable_changes" USING btree ("alert_id");--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD CONSTRAINT "notification_outbox_webhook_source_change_key" UNIQUE("webhook_id","source","change_seq");