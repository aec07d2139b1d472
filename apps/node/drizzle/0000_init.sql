CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedup_key" text,
	CONSTRAINT "audit_log_dedup_key_unique" UNIQUE("dedup_key")
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"topic" text NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"payload_preview" text NOT NULL,
	"size" integer NOT NULL,
	CONSTRAINT "dead_letters_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT '' NOT NULL,
	"site" text DEFAULT '' NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'unknown' NOT NULL,
	"status_at" timestamp with time zone,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone,
	CONSTRAINT "devices_status_check" CHECK ("devices"."status" in ('online', 'offline', 'unknown'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"attrs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', "type" || ' ' || "message")) STORED NOT NULL,
	CONSTRAINT "events_device_ts_type_key" UNIQUE("device_id","ts","type")
);
--> statement-breakpoint
CREATE TABLE "ingest_checkpoint" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "ingest_checkpoint_single_row" CHECK ("ingest_checkpoint"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "latest_values" (
	"device_id" text NOT NULL,
	"metric" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "latest_values_device_id_metric_pk" PRIMARY KEY("device_id","metric")
);
--> statement-breakpoint
CREATE TABLE "rollups_hour" (
	"device_id" text NOT NULL,
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"sum" double precision NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "rollups_hour_device_id_metric_bucket_pk" PRIMARY KEY("device_id","metric","bucket")
);
--> statement-breakpoint
CREATE TABLE "rollups_minute" (
	"device_id" text NOT NULL,
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"sum" double precision NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "rollups_minute_device_id_metric_bucket_pk" PRIMARY KEY("device_id","metric","bucket")
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "devices_name_id_idx" ON "devices" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "events_ts_idx" ON "events" USING btree ("ts" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "events_search_idx" ON "events" USING gin ("search");--> statement-breakpoint
CREATE INDEX "rollups_hour_bucket_idx" ON "rollups_hour" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "rollups_minute_bucket_idx" ON "rollups_minute" USING btree ("bucket");