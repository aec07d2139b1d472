CREATE TABLE "device_config_desired" (
	"device_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"set_by" text NOT NULL,
	"set_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_config_reported" (
	"device_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"ok" boolean NOT NULL,
	"error" text,
	"document" jsonb,
	"reported_at" bigint NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_config_versions" (
	"device_id" text NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"set_by" text NOT NULL,
	"set_at" bigint NOT NULL,
	CONSTRAINT "device_config_versions_device_id_version_pk" PRIMARY KEY("device_id","version")
);
