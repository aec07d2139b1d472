CREATE TABLE "policy_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"desired" jsonb,
	"desired_hash" text,
	"authored" jsonb,
	"applied" jsonb,
	"applied_sources" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"applied_at" bigint,
	"rejection" jsonb,
	CONSTRAINT "policy_state_single_row" CHECK ("policy_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"content" jsonb NOT NULL,
	"comment" text NOT NULL,
	"published_by" text NOT NULL,
	"published_at" bigint NOT NULL,
	"canaries" jsonb NOT NULL,
	"canary_hold_ms" integer NOT NULL,
	"phase" text NOT NULL,
	"halt_reason" text,
	"rollback_of" integer,
	"previous_version" integer
);
