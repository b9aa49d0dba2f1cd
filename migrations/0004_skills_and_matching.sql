CREATE TABLE `match_channels` (
	`team_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`mode` text NOT NULL,
	`cadence_weeks` integer NOT NULL,
	`weekday` integer NOT NULL,
	`hour` integer NOT NULL,
	`repeat_weeks` integer DEFAULT 12 NOT NULL,
	`anchor_date` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `channel_id`),
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `match_group_members` (
	`team_id` text NOT NULL,
	`group_id` integer NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`team_id`, `group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `match_groups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `match_group_members_team_user_idx` ON `match_group_members` (`team_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `match_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`channel_id` text,
	`round_date` text,
	`group_index` integer NOT NULL,
	`score` real NOT NULL,
	`reason` text NOT NULL,
	`conversation_id` text,
	`intro_ts` text,
	`created_at` integer NOT NULL,
	`outcome` text,
	`outcome_by` text,
	`outcome_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `match_groups_team_id_idx` ON `match_groups` (`team_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `match_groups_round_idx` ON `match_groups` (`team_id`,`channel_id`,`round_date`,`group_index`);--> statement-breakpoint
CREATE TABLE `match_round_people` (
	`team_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`round_date` text NOT NULL,
	`user_id` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `channel_id`, `round_date`, `user_id`),
	FOREIGN KEY (`team_id`,`channel_id`) REFERENCES `match_channels`(`team_id`,`channel_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `match_rounds` (
	`team_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`round_date` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`summary_ts` text,
	PRIMARY KEY(`team_id`, `channel_id`, `round_date`),
	FOREIGN KEY (`team_id`,`channel_id`) REFERENCES `match_channels`(`team_id`,`channel_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `member_skills` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`skill_key` text NOT NULL,
	`kind` text NOT NULL,
	`started_at` integer NOT NULL,
	`added_at` integer NOT NULL,
	`removed_at` integer,
	`completed_at` integer,
	`taught_by` text,
	`taught_confirmed_at` integer,
	FOREIGN KEY (`team_id`,`skill_key`) REFERENCES `skills`(`team_id`,`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_skills_team_id_idx` ON `member_skills` (`team_id`,`id`);--> statement-breakpoint
CREATE INDEX `member_skills_team_user_idx` ON `member_skills` (`team_id`,`user_id`,`kind`);--> statement-breakpoint
CREATE INDEX `member_skills_team_skill_idx` ON `member_skills` (`team_id`,`skill_key`,`kind`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text,
	`role_key` text,
	`matching_opt_in` integer DEFAULT false NOT NULL,
	`paused_until` integer,
	`pause_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `user_id`),
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `profiles_team_role_idx` ON `profiles` (`team_id`,`role_key`);--> statement-breakpoint
CREATE TABLE `skills` (
	`team_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `key`),
	FOREIGN KEY (`team_id`) REFERENCES `workspaces`(`team_id`) ON UPDATE no action ON DELETE cascade
);
