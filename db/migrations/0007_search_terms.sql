CREATE TABLE "search_terms" (
	"owner" text NOT NULL,
	"term" text NOT NULL,
	CONSTRAINT "search_terms_owner_term_pk" PRIMARY KEY("owner","term")
);
--> statement-breakpoint
CREATE INDEX "search_terms_term_trgm_idx" ON "search_terms" USING gin ("term" gin_trgm_ops);