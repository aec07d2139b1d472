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
CREATE INDEX "node_unreachable_changes_alert" ON "node_unreachable_changes" USING btree ("alert_id");