import type { App } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { OptOutActions, PollActions, SCHEDULE_SHORTCUT, SessionActions } from '../../ids.js';
import { createOptOutToggleListener } from './opt-out-toggle.js';
import { createPollCommentListener } from './poll-comment.js';
import { createPollVoteListener, POLL_VOTE_ACTION } from './poll-vote.js';
import { createScheduleShortcutListener } from './schedule-shortcut.js';
import { handleCalendarLinkClick } from './session-calendar-link.js';
import { createSessionCancelListener } from './session-cancel.js';
import { createSessionEditListener } from './session-edit.js';
import { createFormatSelectListener } from './session-format-select.js';
import { createSessionJoinListener } from './session-join.js';
import { createSessionLeaveListener } from './session-leave.js';
import { createOpenScheduleListener } from './session-open-schedule.js';

/** Registers every block_actions / shortcut listener (one listener per file in this folder). */
export function registerActions(app: App, deps: AppDeps): void {
  app.shortcut(SCHEDULE_SHORTCUT, createScheduleShortcutListener(deps));
  app.action(SessionActions.join, createSessionJoinListener(deps));
  app.action(SessionActions.leave, createSessionLeaveListener(deps));
  app.action(SessionActions.cancel, createSessionCancelListener(deps));
  app.action(SessionActions.edit, createSessionEditListener(deps));
  app.action(SessionActions.openSchedule, createOpenScheduleListener(deps));
  app.action(SessionActions.formatSelect, createFormatSelectListener(deps));
  app.action(SessionActions.calendarLink, handleCalendarLinkClick);
  app.action(POLL_VOTE_ACTION, createPollVoteListener(deps));
  app.action(PollActions.comment, createPollCommentListener(deps));
  app.action(OptOutActions.toggle, createOptOutToggleListener(deps));
}
