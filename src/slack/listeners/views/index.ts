import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { PollViews, SessionViews, SettingsViews } from '../../ids.js';
import { createPollCommentSubmitListener } from './poll-comment.js';
import { createAttendanceSubmissionListener } from './session-attendance.js';
import { createScheduleSubmissionListener } from './session-schedule.js';
import { createSettingsSubmitListener } from './settings.js';

/** Registers every view_submission / view_closed listener (one listener per file in this folder). */
export function registerViews(app: App, deps: AppDeps): void {
  app.view(PollViews.comment, createPollCommentSubmitListener(deps));
  app.view(SettingsViews.modal, createSettingsSubmitListener(deps));
  app.view(SessionViews.schedule, createScheduleSubmissionListener(deps));
  app.view(SessionViews.attendance, createAttendanceSubmissionListener(deps));
}
