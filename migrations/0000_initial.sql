CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`run_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`result` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_team_key_idx` ON `jobs` (`team_id`,`key`);--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE TABLE `members` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`name` text,
	`time_zone` text,
	`is_slack_admin` integer DEFAULT false NOT NULL,
	`opted_out` integer DEFAULT false NOT NULL,
	`first_seen_at` integer NOT NULL,
	`profile_fetched_at` integer,
	PRIMARY KEY(`team_id`, `user_id`),
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `participants` (
	`team_id` text NOT NULL,
	`session_number` integer NOT NULL,
	`user_id` text NOT NULL,
	`role` text DEFAULT 'attendee' NOT NULL,
	`joined_at` integer NOT NULL,
	`left_at` integer,
	`attended` text DEFAULT 'unknown' NOT NULL,
	`waitlisted` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`team_id`, `session_number`, `user_id`),
	FOREIGN KEY (`team_id`,`session_number`) REFERENCES `sessions`(`team_id`,`number`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `participants_team_user_idx` ON `participants` (`team_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `poll_votes` (
	`team_id` text NOT NULL,
	`session_number` integer NOT NULL,
	`user_id` text NOT NULL,
	`value` integer NOT NULL,
	`comment` text,
	`voted_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `session_number`, `user_id`),
	FOREIGN KEY (`team_id`,`session_number`) REFERENCES `polls`(`team_id`,`session_number`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `polls` (
	`team_id` text NOT NULL,
	`session_number` integer NOT NULL,
	`question` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_ts` text,
	`status` text DEFAULT 'open' NOT NULL,
	`opened_at` integer NOT NULL,
	`closes_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `session_number`),
	FOREIGN KEY (`team_id`,`session_number`) REFERENCES `sessions`(`team_id`,`number`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`team_id` text NOT NULL,
	`number` integer NOT NULL,
	`title` text NOT NULL,
	`format` text NOT NULL,
	`topic` text NOT NULL,
	`host_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`duration_min` integer NOT NULL,
	`capacity` integer,
	`channel_id` text NOT NULL,
	`announcement_ts` text,
	`agenda` text DEFAULT '' NOT NULL,
	`link` text,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`cancel_reason` text,
	`series_id` text,
	`sequence` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `number`),
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_team_start_idx` ON `sessions` (`team_id`,`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `sessions_team_host_idx` ON `sessions` (`team_id`,`host_id`);--> statement-breakpoint
CREATE INDEX `sessions_team_series_idx` ON `sessions` (`team_id`,`series_id`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`team_id` text PRIMARY KEY NOT NULL,
	`name` text,
	`time_zone` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`next_session_number` integer DEFAULT 1 NOT NULL,
	`calendar_token` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
