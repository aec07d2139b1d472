-- Raw samples, partitioned by UTC day so retention drops whole days instead of deleting rows.
-- (device_id, metric, ts) is the idempotent key: a replayed sample is ignored by ON CONFLICT.
-- Day partitions (samples_YYYYMMDD) are created by the node as samples arrive.
CREATE TABLE "samples" (
	"device_id" text NOT NULL,
	"metric" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "samples_pkey" PRIMARY KEY ("device_id", "metric", "ts")
) PARTITION BY RANGE ("ts");
