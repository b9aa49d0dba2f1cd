CREATE TABLE `digest_snapshots` (
	`team_id` text NOT NULL,
	`week_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`kpis` text NOT NULL,
	`channel_id` text,
	`status` text DEFAULT 'computed' NOT NULL,
	`message_ts` text,
	`chart_file_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `week_id`),
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `poll_votes` ADD `comment_shared` integer DEFAULT false NOT NULL;