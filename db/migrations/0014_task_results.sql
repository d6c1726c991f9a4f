CREATE TABLE "video_characters" (
	"video_id" uuid NOT NULL,
	"character_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "video_characters_video_id_position_pk" PRIMARY KEY("video_id","position")
);
--> statement-breakpoint
CREATE TABLE "videos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner" text NOT NULL,
	"task_id" uuid NOT NULL,
	"model" text NOT NULL,
	"url" text NOT NULL,
	"urls" text[] NOT NULL,
	"expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "videos_task_id_unique" UNIQUE("task_id")
);
--> statement-breakpoint
-- Every character so far was made by a Sora 2 model; from now on each insert names its family.
ALTER TABLE "characters" ADD COLUMN "family" text DEFAULT 'sora-2' NOT NULL;--> statement-breakpoint
ALTER TABLE "characters" ALTER COLUMN "family" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "result" jsonb;--> statement-breakpoint
ALTER TABLE "video_characters" ADD CONSTRAINT "video_characters_video_id_videos_id_fk" FOREIGN KEY ("video_id") REFERENCES "public"."videos"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_characters" ADD CONSTRAINT "video_characters_character_id_characters_id_fk" FOREIGN KEY ("character_id") REFERENCES "public"."characters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "videos" ADD CONSTRAINT "videos_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "video_characters_character_idx" ON "video_characters" USING btree ("character_id");--> statement-breakpoint
CREATE INDEX "videos_owner_created_idx" ON "videos" USING btree ("owner","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);