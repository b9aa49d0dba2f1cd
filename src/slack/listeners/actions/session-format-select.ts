import type { AllMiddlewareArgs, BlockStaticSelectAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { applyFormatDefaults, buildScheduleModal, parseScheduleModalMetadata, readScheduleModalState } from '../../blocks/schedule-modal.js';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';

/**
 * Picking a format in the schedule modal: views.update with that format's usual length and
 * agenda, keeping everything else the person typed. The revision bump gives the duration and
 * agenda blocks new ids, which is what makes Slack show the new values.
 */
export function createFormatSelectListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockStaticSelectAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    const view = body.view;
    if (view === undefined) return;
    const metadata = parseScheduleModalMetadata(view.private_metadata);
    if (metadata === undefined) {
      deps.logger.warn({ teamId: actor.teamId }, 'format picked in a modal with unreadable metadata');
      return;
    }
    const values = applyFormatDefaults(readScheduleModalState(view.state.values), action.selected_option.value);
    const next = buildScheduleModal({ metadata: { ...metadata, rev: metadata.rev + 1 }, values, timeZone: actor.timeZone, now: deps.clock.now() });
    try {
      // The hash makes Slack refuse the update if the view changed meanwhile (a second quick pick wins).
      await deps.messenger.updateView(actor.teamId, { view_id: view.id, hash: view.hash, view: next });
    } catch (error) {
      deps.logger.warn({ err: error, teamId: actor.teamId }, 'schedule modal not updated after a format pick');
    }
  };
}
