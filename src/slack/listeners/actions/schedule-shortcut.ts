import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openScheduleModal } from '../../flows/session-modals.js';

/** Global shortcut "Schedule a peer session": a global shortcut has no channel, so none is preset. */
export function createScheduleShortcutListener(deps: AppDeps) {
  return async ({ ack, shortcut, context }: SlackShortcutMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    try {
      await openScheduleModal(deps, actor, shortcut.trigger_id, undefined);
    } catch (error) {
      deps.logger.error({ err: error, teamId: actor.teamId }, 'schedule modal not opened from the shortcut');
    }
  };
}
