CREATE SEQUENCE "public"."device_command_change_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "device_commands" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"device_id" text NOT NULL,
	"name" text NOT NULL,
	"params" jsonb NOT NULL,
	"state" text NOT NULL,
	"timeout_ms" integer NOT NULL,
	"ttl_ms" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"sent_at" bigint,
	"finished_at" bigint,
	"result" jsonb,
	"error" text,
	CONSTRAINT "device_commands_state_check" CHECK ("device_commands"."state" in ('queued', 'sent', 'succeeded', 'failed', 'timed_out', 'expired'))
);
--> statement-breakpoint
CREATE INDEX "device_commands_device_created_idx" ON "device_commands" USING btree ("device_id","created_at","id");--> statement-breakpoint
CREATE INDEX "device_commands_device_seq_idx" ON "device_commands" USING btree ("device_id","seq");--> statement-breakpoint
CREATE INDEX "device_commands_open_idx" ON "device_commands" USING btree ("device_id") WHERE "device_commands"."state" in ('queued', 'sent');