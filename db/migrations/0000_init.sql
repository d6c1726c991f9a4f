CREATE TYPE "public"."task_state" AS ENUM('PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS', 'FAIL');--> statement-breakpoint
CREATE TABLE "callback_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner" text,
	"task_id" uuid,
	"provider_task_id" text,
	"body_sha256" text NOT NULL,
	"body" jsonb NOT NULL,
	"signature_valid" boolean,
	"outcome" text NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "callback_events_body_sha256_unique" UNIQUE("body_sha256")
);
--> statement-breakpoint
CREATE TABLE "characters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner" text NOT NULL,
	"task_id" uuid NOT NULL,
	"character_id" text NOT NULL,
	"prompt" text,
	"safety_instruction" text,
	"source_video_url" text NOT NULL,
	"source_video_expires_at" timestamp (3) with time zone,
	"source_video_format" text,
	"source_video_duration_seconds" real,
	"source_video_size_bytes" integer,
	"source_video_sha256" text,
	"search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', coalesce(prompt, ''))) STORED,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "characters_task_id_unique" UNIQUE("task_id")
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner" text NOT NULL,
	"model" text NOT NULL,
	"state" "task_state" DEFAULT 'PENDING' NOT NULL,
	"input" jsonb NOT NULL,
	"provider_task_id" text,
	"error_code" text,
	"error_message" text,
	"idempotency_key" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"next_poll_at" timestamp (3) with time zone,
	"poll_attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tasks_provider_task_id_unique" UNIQUE("provider_task_id")
);
--> statement-breakpoint
ALTER TABLE "callback_events" ADD CONSTRAINT "callback_events_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "characters" ADD CONSTRAINT "characters_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "callback_events_task_idx" ON "callback_events" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "characters_search_idx" ON "characters" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "characters_owner_created_idx" ON "characters" USING btree ("owner","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_owner_idempotency_key_idx" ON "tasks" USING btree ("owner","idempotency_key") WHERE "tasks"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "tasks_owner_created_idx" ON "tasks" USING btree ("owner","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_next_poll_idx" ON "tasks" USING btree ("next_poll_at") WHERE "tasks"."state" not in ('SUCCESS', 'FAIL');