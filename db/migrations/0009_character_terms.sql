CREATE TABLE "character_terms" (
	"owner" text NOT NULL,
	"term" text NOT NULL,
	"rank" real NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"character_id" uuid NOT NULL
);
--> statement-breakpoint
DROP INDEX "characters_prompt_trgm_idx";--> statement-breakpoint
DROP INDEX "characters_owner_created_idx";--> statement-breakpoint
DROP INDEX "tasks_owner_created_idx";--> statement-breakpoint
CREATE INDEX "character_terms_ranked_idx" ON "character_terms" USING btree ("owner","term","rank" DESC NULLS FIRST,"created_at" DESC NULLS FIRST,"character_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "characters_owner_created_idx" ON "characters" USING btree ("owner","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_owner_created_idx" ON "tasks" USING btree ("owner","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);