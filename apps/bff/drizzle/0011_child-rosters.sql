CREATE TABLE "child_rosters" (
	"child_id" text PRIMARY KEY NOT NULL,
	"synced_at" bigint NOT NULL,
	"devices" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "command_job_selectors" (
	"job_id" text PRIMARY KEY NOT NULL,
	"selector" jsonb NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "command_job_selectors_created" ON "command_job_selectors" USING btree ("created_at");