import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { saveStartDates } from '../../flows/skills.js';
import { noticeView, toBoltView } from '../../bolt-view.js';
import { SkillsInputs, SkillsViews } from '../../ids.js';

const BLOCK = new RegExp(`^${SkillsViews.startBlockPrefix}(\\d{1,12})$`);

/** Learning start dates: each bad date inline on its skill, nothing saved; else the modal says how many changed and Home refreshes. */
export function createStartDatesSubmitListener(deps: AppDeps) {
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const dates = new Map<number, string>();
    const blocks = new Map<number, string>();
    const errors: Record<string, string> = {};
    for (const [block, actions] of Object.entries(view.state.values)) {
      const match = BLOCK.exec(block);
      if (match === null) continue;
      const id = Number(match[1]);
      blocks.set(id, block);
      const date = (actions[SkillsInputs.startDate] as { selected_date?: unknown } | undefined)?.selected_date;
      if (typeof date !== 'string' || date === '') errors[block] = 'Pick a date.';
      else dates.set(id, date);
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    try {
      const saved = saveStartDates(deps, actor, dates);
      if (!saved.ok) {
        await ack({ response_action: 'errors', errors: Object.fromEntries([...saved.errors].map(([id, message]) => [blocks.get(id)!, message])) });
        return;
      }
      await ack({ response_action: 'update', view: toBoltView(saved.view) });
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'saving learning start dates failed');
      await ack({ response_action: 'update', view: noticeView(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT, 'Learning start dates') });
    }
  };
}
