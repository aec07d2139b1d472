CREATE TABLE "report_archive" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"schedule_id" bigint,
	"name" text NOT NULL,
	"made_at" timestamp with time zone NOT NULL,
	"node_path" text NOT NULL,
	"period" text NOT NULL,
	"from_ms" bigint NOT NULL,
	"to_ms" bigint NOT NULL,
	"coverage" text NOT NULL,
	"format" text NOT NULL,
	"file_name" text NOT NULL,
	"content" "bytea" NOT NULL,
	"recipients" jsonb NOT NULL,
	"delivery" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "report_schedules" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cron" text NOT NULL,
	"time_zone" text NOT NULL,
	"recipients" jsonb NOT NULL,
	"format" text NOT NULL,
	"paper" text NOT NULL,
	"period" text NOT NULL,
	"grouping" text NOT NULL,
	"node_path" text,
	"created_by" bigint NOT NULL,
	"next_run_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_archive" ADD CONSTRAINT "report_archive_schedule_id_report_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."report_schedules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_schedules" ADD CONSTRAINT "report_schedules_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "report_archive_made_at" ON "report_archive" USING btree ("made_at");--> statement-breakpoint
CREATE INDEX "report_archive_due" ON "report_archive" USING btree ("next_attempt_at");