CREATE TABLE "device_credentials" (
	"device_id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"rotated_by" text NOT NULL,
	CONSTRAINT "device_credentials_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "device_quarantine" (
	"device_id" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"until" timestamp with time zone,
	"by" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
