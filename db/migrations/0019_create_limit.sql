CREATE TABLE "budget_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	"spent" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "create_admissions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "create_admissions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"owner" text NOT NULL,
	"admitted_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "create_holds" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"until" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "create_waiters" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_availability" (
	"model" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"message" text,
	"checked_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "create_admissions_admitted_at_idx" ON "create_admissions" USING btree ("admitted_at");--> statement-breakpoint
CREATE INDEX "create_waiters_owner_idx" ON "create_waiters" USING btree ("owner");