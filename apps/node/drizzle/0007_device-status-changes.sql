CREATE TABLE "device_status_changes" (
	"device_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	CONSTRAINT "device_status_changes_device_id_at_status_pk" PRIMARY KEY("device_id","at","status"),
	CONSTRAINT "device_status_changes_status_check" CHECK ("device_status_changes"."status" in ('online', 'offline', 'silent'))
);
--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "expected_interval_ms" integer DEFAULT 60000 NOT NULL;--> statement-breakpoint
CREATE INDEX "device_status_changes_at_idx" ON "device_status_changes" USING btree ("at");