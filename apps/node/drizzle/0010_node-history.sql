CREATE TABLE "node_history_hour" (
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"sum" double precision NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "node_history_hour_metric_bucket_pk" PRIMARY KEY("metric","bucket")
);
--> statement-breakpoint
CREATE TABLE "node_history_minute" (
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"sum" double precision NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "node_history_minute_metric_bucket_pk" PRIMARY KEY("metric","bucket")
);
