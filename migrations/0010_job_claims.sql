ALTER TABLE `jobs` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `claimed_at` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `verify_since` integer;