ALTER TABLE "tasks" ADD COLUMN "hint_reads" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "hint_window_at" timestamp (3) with time zone;