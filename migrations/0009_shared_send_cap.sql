CREATE TABLE `send_pauses` (
	`team_id` text NOT NULL,
	`method` text NOT NULL,
	`until` integer NOT NULL,
	PRIMARY KEY(`team_id`, `method`)
);
--> statement-breakpoint
CREATE TABLE `send_reservations` (
	`id` integer PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `send_reservations_team_at_idx` ON `send_reservations` (`team_id`,`at`,`id`);