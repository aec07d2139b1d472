CREATE SEQUENCE "public"."notification_escalation_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "notification_escalations" (
	"policy_id" text NOT NULL,
	"alert_id" text NOT NULL,
	"alert" jsonb NOT NULL,
	"fired_at" timestamp with time zone NOT NULL,
	"next_step" integer DEFAULT 0 NOT NULL,
	"next_at" timestamp with time zone,
	"state" text DEFAULT 'escalating' NOT NULL,
	"told" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "notification_escalations_policy_id_alert_id_pk" PRIMARY KEY("policy_id","alert_id")
);
--> statement-breakpoint
ALTER TABLE "notification_feeds" ADD COLUMN "last_event_id" text;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "channel" text DEFAULT 'webhook' NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "recipient" text;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "recipient_name" text;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "alert_id" text;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "event" text;--> statement-breakpoint
ALTER TABLE "notification_outbox" ADD COLUMN "escalation_id" text;--> statement-breakpoint
CREATE INDEX "notification_escalations_due_idx" ON "notification_escalations" USING btree ("next_at") WHERE "notification_escalations"."state" = 'escalating';--> statement-breakpoint
CREATE INDEX "notification_escalations_alert_idx" ON "notification_escalations" USING btree ("alert_id");--> statement-breakpoint
CREATE INDEX "notification_outbox_alert_idx" ON "notification_outbox" USING btree ("alert_id");