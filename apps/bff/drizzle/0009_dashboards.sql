CREATE TABLE "dashboards" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"owner_id" bigint,
	"visibility" text NOT NULL,
	"min_role" text,
	"document" jsonb NOT NULL,
	"version" integer NOT NULL,
	"seed" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dashboards_seed_unique" UNIQUE("seed"),
	CONSTRAINT "dashboards_sharing_check" CHECK (("dashboards"."visibility" = 'private' and "dashboards"."min_role" is null) or ("dashboards"."visibility" = 'shared' and "dashboards"."min_role" is not null))
);
--> statement-breakpoint
ALTER TABLE "dashboards" ADD CONSTRAINT "dashboards_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dashboards_owner" ON "dashboards" USING btree ("owner_id");