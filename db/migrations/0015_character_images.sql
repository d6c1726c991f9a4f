ALTER TABLE "characters" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "characters" ADD COLUMN "image_url" text;--> statement-breakpoint
ALTER TABLE "characters" ADD COLUMN "source_images" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_images" jsonb DEFAULT '{}'::jsonb NOT NULL;