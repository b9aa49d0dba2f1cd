import type { AppDeps } from '../../../deps.js';
import { AttendanceActions, DigestActions, MatchActions, OptOutActions, PollActions, SessionActions, SkillsActions } from '../../ids.js';
import { createEveryoneCameListener } from './attendance-everyone-came.js';
import { createMarkWhoCameListener } from './attendance-mark-who-came.js';
import { createRoutingTable, type ActionArgs, type Route } from '../dispatch.js';
import { createDigestPostNowListener } from './digest-post-now.js';
import { createMatchCheckinListener, MATCH_CHECKIN_ACTION } from './match-checkin.js';
import { createMatchOpenDmListener } from './match-open-dm.js';
import { createMatchResumeListener } from './match-resume.js';
import { createMatchScheduleListener } from './match-schedule.js';
import { createMatchSkipListener } from './match-skip.js';
import { createOptOutToggleListener } from './opt-out-toggle.js';
import { createPollCommentListener } from './poll-comment.js';
import { createPollVoteListener, POLL_VOTE_ACTION } from './poll-vote.js';
import { handleCalendarLinkClick } from './session-calendar-link.js';
import { createSessionCancelListener } from './session-cancel.js';
import { createSessionEditListener } from './session-edit.js';
import { createFormatSelectListener } from './session-format-select.js';
import { createSessionJoinListener } from './session-join.js';
import { createSessionLeaveListener } from './session-leave.js';
import { createOpenScheduleListener } from './session-open-schedule.js';
import { createConfirmTaughtListener } from './skills-confirm-taught.js';
import { createMarkLearnedListener } from './skills-mark-learned.js';
import { createOpenSkillsProfileListener } from './skills-open-profile.js';
import { createOpenStartDatesListener } from './skills-open-start-dates.js';

/** Every block_actions listener, filed by action_id (one listener per file in this folder). */
export function actionRoutes(deps: AppDeps): Route<ActionArgs>[] {
  return [
    { id: SessionActions.join, handler: createSessionJoinListener(deps) },
    { id: SessionActions.leave, handler: createSessionLeaveListener(deps) },
    { id: SessionActions.cancel, handler: createSessionCancelListener(deps) },
    { id: SessionActions.edit, handler: createSessionEditListener(deps) },
    { id: SessionActions.openSchedule, handler: createOpenScheduleListener(deps) },
    { id: SessionActions.formatSelect, handler: createFormatSelectListener(deps) },
    { id: SessionActions.calendarLink, handler: handleCalendarLinkClick },
    { id: AttendanceActions.everyoneCame, handler: createEveryoneCameListener(deps) },
    { id: AttendanceActions.markWhoCame, handler: createMarkWhoCameListener(deps) },
    { id: POLL_VOTE_ACTION, handler: createPollVoteListener(deps) },
    { id: PollActions.comment, handler: createPollCommentListener(deps) },
    { id: OptOutActions.toggle, handler: createOptOutToggleListener(deps) },
    { id: SkillsActions.openProfile, handler: createOpenSkillsProfileListener(deps) },
    { id: SkillsActions.openStartDates, handler: createOpenStartDatesListener(deps) },
    { id: SkillsActions.markLearned, handler: createMarkLearnedListener(deps) },
    { id: SkillsActions.confirmTaught, handler: createConfirmTaughtListener(deps) },
    { id: MatchActions.scheduleSwap, handler: createMatchScheduleListener(deps) },
    { id: MATCH_CHECKIN_ACTION, handler: createMatchCheckinListener(deps) },
    { id: MatchActions.skip, handler: createMatchSkipListener(deps, true) },
    { id: MatchActions.unskip, handler: createMatchSkipListener(deps, false) },
    { id: MatchActions.resume, handler: createMatchResumeListener(deps) },
    { id: MatchActions.openDm, handler: createMatchOpenDmListener(deps) },
    { id: DigestActions.postNow, handler: createDigestPostNowListener(deps) },
  ];
}

/** block_actions, dispatched by action_id. */
export function createActionListener(deps: AppDeps): (args: ActionArgs) => Promise<void> {
  const routes = createRoutingTable(actionRoutes(deps));
  return async (args) => {
    const handler = routes.find(args.action.action_id);
    if (handler !== undefined) return handler(args);
    // A click we have no listener for (an old message's button): acknowledge so Slack shows no error.
    deps.logger.warn({ actionId: args.action.action_id }, 'no listener for this action');
    await args.ack();
  };
}
