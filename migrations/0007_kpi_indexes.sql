DROP INDEX `member_skills_team_skill_idx`;--> statement-breakpoint
CREATE INDEX `member_skills_team_completed_idx` ON `member_skills` (`team_id`,`kind`,`completed_at`);--> statement-breakpoint
CREATE INDEX `member_skills_team_skill_idx` ON `member_skills` (`team_id`,`skill_key`,`kind`,`removed_at`,`completed_at`,`user_id`);--> statement-breakpoint
DROP INDEX `participants_team_user_idx`;--> statement-breakpoint
DROP INDEX `participants_team_session_state_idx`;--> statement-breakpoint
CREATE INDEX `participants_team_user_idx` ON `participants` (`team_id`,`user_id`,`session_number`,`role`,`waitlisted`,`left_at`,`attended`);--> statement-breakpoint
CREATE INDEX `participants_team_session_state_idx` ON `participants` (`team_id`,`session_number`,`left_at`,`role`,`waitlisted`,`attended`,`user_id`);--> statement-breakpoint
CREATE INDEX `match_groups_team_created_idx` ON `match_groups` (`team_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `sessions_team_channel_idx` ON `sessions` (`team_id`,`channel_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `sessions_team_number_state_idx` ON `sessions` (`team_id`,`number`,`status`,`starts_at`);