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
