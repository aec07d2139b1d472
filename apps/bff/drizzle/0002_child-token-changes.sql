CREATE TABLE "child_token_changes" (
	"child_id" text PRIMARY KEY NOT NULL,
	"token_hash" text,
	"configured_hash" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
