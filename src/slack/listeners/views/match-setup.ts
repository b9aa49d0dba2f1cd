import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { REPEAT_WEEKS_MAX, type MatchSetupInput } from '../../../services/match-rounds.js';
import { parseMatchSetupMetadata } from '../../blocks/match-setup-modal.js';
import { noticeView, toBoltView } from '../../bolt-view.js';
import { requireActor } from '../../actor.js';
import { saveMatchSetupForm } from '../../flows/matching.js';
import { MatchViews } from '../../ids.js';
import { IntField, readFormFields } from './form-fields.js';

/** The modal's fields, each keyed by its block so a problem lands on the right input. */
export const MatchSetupForm = z.object({
  [MatchViews.modeBlock]: z.enum(['skill-swap', 'pods'], { error: 'Pick how to match: skill swap or learning pods.' }),
  [MatchViews.cadenceBlock]: z.enum(['1', '2', '4'], { error: 'Pick every week, every 2 weeks or every 4 weeks.' }).transform((w) => Number(w) as 1 | 2 | 4),
  [MatchViews.weekdayBlock]: IntField(0, 6, 'Pick a day of the week.'),
  [MatchViews.hourBlock]: IntField(0, 23, 'Pick an hour from 00:00 to 23:00.'),
  [MatchViews.repeatBlock]: IntField(1, REPEAT_WEEKS_MAX, `Use a whole number of weeks from 1 to ${REPEAT_WEEKS_MAX}.`),
});

export function parseMatchSetupForm(values: ViewSubmitAction['view']['state']['values']): { ok: true; setup: MatchSetupInput } | { ok: false; errors: Record<string, string> } {
  const parsed = readFormFields(values, MatchSetupForm, MatchViews.input, MatchViews.modeBlock);
  if (!parsed.ok) return parsed;
  const f = parsed.data;
  return {
    ok: true,
    setup: { mode: f[MatchViews.modeBlock], cadenceWeeks: f[MatchViews.cadenceBlock], weekday: f[MatchViews.weekdayBlock], hour: f[MatchViews.hourBlock], repeatWeeks: f[MatchViews.repeatBlock] },
  };
}

/**
 * `/peer match setup` saved: bad fields come back inline and nothing is saved; a valid form is
 * saved (admin rights checked again) and the modal says what is now in force.
 */
export function createMatchSetupSubmitListener(deps: AppDeps) {
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const metadata = parseMatchSetupMetadata(view.private_metadata);
    if (metadata === undefined) {
      await ack({ response_action: 'errors', errors: { [MatchViews.modeBlock]: 'This form could not be read. Close it and run /peer match setup again.' } });
      return;
    }
    const form = parseMatchSetupForm(view.state.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    try {
      await ack({ response_action: 'update', view: toBoltView(saveMatchSetupForm(deps, actor, metadata.channelId, form.setup)) });
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'saving match setup failed');
      await ack({ response_action: 'update', view: noticeView(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT, 'Matching rounds') });
    }
  };
}
