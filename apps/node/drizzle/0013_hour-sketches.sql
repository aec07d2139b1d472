CREATE TABLE "rollups_hour_sketch" (
	"device_id" text NOT NULL,
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	"bin_sides" smallint[] NOT NULL,
	"bin_keys" integer[] NOT NULL,
	"bin_counts" bigint[] NOT NULL,
	CONSTRAINT "rollups_hour_sketch_device_id_metric_bucket_pk" PRIMARY KEY("device_id","metric","bucket")
);
--> statement-breakpoint
CREATE INDEX "rollups_hour_sketch_bucket_idx" ON "rollups_hour_sketch" USING btree ("bucket");