import type { AppDeps } from '../../../deps.js';
import { MatchViews, PollViews, SessionViews, SettingsViews, SkillsViews } from '../../ids.js';
import { createRoutingTable, type Route, type ViewArgs } from '../dispatch.js';
import { createMatchSetupSubmitListener } from './match-setup.js';
import { createPollCommentSubmitListener } from './poll-comment.js';
import { createAttendanceSubmissionListener } from './session-attendance.js';
import { createScheduleSubmissionListener } from './session-schedule.js';
import { createSettingsSubmitListener } from './settings.js';
import { createLearnedSubmitListener } from './skills-learned.js';
import { createSkillsProfileSubmitListener } from './skills-profile.js';
import { createStartDatesSubmitListener } from './skills-start-dates.js';

/** Every view_submission listener, filed by callback_id (one listener per file in this folder). */
export function viewRoutes(deps: AppDeps): Route<ViewArgs>[] {
  return [
    { id: PollViews.comment, handler: createPollCommentSubmitListener(deps) },
    { id: SettingsViews.modal, handler: createSettingsSubmitListener(deps) },
    { id: SessionViews.schedule, handler: createScheduleSubmissionListener(deps) },
    { id: SessionViews.attendance, handler: createAttendanceSubmissionListener(deps) },
    { id: SkillsViews.profile, handler: createSkillsProfileSubmitListener(deps) },
    { id: SkillsViews.learned, handler: createLearnedSubmitListener(deps) },
    { id: SkillsViews.startDates, handler: createStartDatesSubmitListener(deps) },
    { id: MatchViews.setup, handler: createMatchSetupSubmitListener(deps) },
  ];
}

/** view_submission, dispatched by callback_id. */
export function createViewListener(deps: AppDeps): (args: ViewArgs) => Promise<void> {
  const routes = createRoutingTable(viewRoutes(deps));
  return async (args) => {
    const handler = routes.find(args.view.callback_id);
    if (handler !== undefined) return handler(args);
    deps.logger.warn({ callbackId: args.view.callback_id }, 'no listener for this view');
    await args.ack();
  };
}
