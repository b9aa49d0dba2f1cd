import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { markAttendance, prepareAttendance } from '../../../services/sessions.js';
import { ATTENDANCE_MAX_GROUPS, CHECKBOXES_PER_GROUP, parseAttendanceMetadata, readAttendanceState } from '../../blocks/attendance-modal.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { AttendanceFields } from '../../ids.js';
import { requireActor } from '../../actor.js';
import { attendanceSaved } from '../../flows/attendance.js';

/**
 * Attendance checklist submission. The session comes from (payload team, number in metadata)
 * and rights are checked again here; ticked ids that are not attendees change nothing.
 */
export function createAttendanceSubmissionListener(deps: AppDeps) {
  const svc = serviceDeps(deps);
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const firstBlock = `${AttendanceFields.blockPrefix}0`;
    const metadata = parseAttendanceMetadata(view.private_metadata);
    const refuse = (message: string) =>
      // With nobody to tick there is no input block to hang an error on; close with nothing saved instead.
      view.blocks.some((b) => (b as { block_id?: string }).block_id === firstBlock)
        ? ack({ response_action: 'errors', errors: { [firstBlock]: message } })
        : ack({ response_action: 'update', view: { type: 'modal', title: { type: 'plain_text', text: 'Attendance' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message } }] } });
    if (metadata === undefined) {
      await refuse('This form could not be read. Run /peer attended again.');
      return;
    }
    try {
      const { attendees } = prepareAttendance(svc, actor.teamId, metadata.number, actor);
      // People beyond what the modal could show were not offered a box; they count as present.
      const unseen = attendees.slice(ATTENDANCE_MAX_GROUPS * CHECKBOXES_PER_GROUP).map((p) => p.userId);
      const ticked = readAttendanceState(view.state.values);
      markAttendance(svc, actor.teamId, metadata.number, actor, [...ticked, ...unseen], { shownAt: metadata.openedAt });
      await ack();
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'attendance submission failed');
      await refuse(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT);
      return;
    }
    // The card, and the host's "Who came?" DM if one went out, now show what was saved.
    await attendanceSaved(deps, actor.teamId, metadata.number);
  };
}
