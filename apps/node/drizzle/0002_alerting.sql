CREATE TABLE "alert_changes" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"alert_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"alert" jsonb NOT NULL,
	CONSTRAINT "alert_changes_alert_kind_at_key" UNIQUE("alert_id","kind","at")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"fingerprint" text NOT NULL,
	"rule_id" text NOT NULL,
	"rule_name" text NOT NULL,
	"device_id" text,
	"severity" text NOT NULL,
	"state" text NOT NULL,
	"summary" text NOT NULL,
	"value" double precision,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"ack_by" text,
	"ack_at" timestamp with time zone,
	"ack_note" text,
	"silenced" boolean DEFAULT false NOT NULL,
	"sort_key" bigint NOT NULL,
	CONSTRAINT "alerts_state_check" CHECK ("alerts"."state" in ('pending', 'firing', 'flapping', 'resolved'))
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"webhook_id" text NOT NULL,
	"change_seq" bigint NOT NULL,
	"fingerprint" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "notification_outbox_webhook_change_key" UNIQUE("webhook_id","change_seq")
);
--> statement-breakpoint
CREATE TABLE "rules" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"severity" text NOT NULL,
	"enabled" boolean NOT NULL,
	"device_pattern" text NOT NULL,
	"labels" jsonb NOT NULL,
	"condition" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"matchers" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"comment" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_fingerprint_idx" ON "alerts" USING btree ("fingerprint") WHERE "alerts"."state" <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_sort_idx" ON "alerts" USING btree ("sort_key" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" USING btree ("next_attempt_at") WHERE "notification_outbox"."delivered_at" is null and "notification_outbox"."failed_at" is null;