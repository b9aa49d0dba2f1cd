import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { LearnedMetadata } from '../../blocks/learned-modal.js';
import { saveLearnedForm } from '../../flows/skills.js';
import { noticeView, toBoltView } from '../../bolt-view.js';
import { SkillsInputs, SkillsViews } from '../../ids.js';
import { parsePrivateMetadata } from '../../private-metadata.js';

const TITLE = 'Mark as learned';

const LearnedState = z.object({
  taughtBy: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,20}$/, 'Pick a person from the list.')
    .nullish()
    .transform((v) => v ?? null),
  canTeachNow: z
    .array(z.object({ value: z.literal('yes') }))
    .nullish()
    .transform((v) => (v ?? []).length > 0),
});

/** "I learned it": stamps the learn row (and a teach row, and the teacher's confirm job) in one transaction. */
export function createLearnedSubmitListener(deps: AppDeps) {
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const meta = parsePrivateMetadata(LearnedMetadata, view.private_metadata);
    if (meta === undefined) {
      await ack({ response_action: 'update', view: noticeView("This form didn't come from Peerloop, so nothing was saved. Run `/peer learned <skill>` again.", TITLE) });
      return;
    }
    const values = view.state.values;
    const state = LearnedState.safeParse({
      taughtBy: (values[SkillsViews.taughtByBlock]?.[SkillsInputs.taughtBy] as { selected_user?: unknown } | undefined)?.selected_user,
      canTeachNow: (values[SkillsViews.canTeachBlock]?.[SkillsInputs.canTeach] as { selected_options?: unknown } | undefined)?.selected_options,
    });
    if (!state.success) {
      const block = state.error.issues[0]?.path[0] === 'canTeachNow' ? SkillsViews.canTeachBlock : SkillsViews.taughtByBlock;
      await ack({ response_action: 'errors', errors: { [block]: state.error.issues[0]?.message ?? 'This could not be read.' } });
      return;
    }
    try {
      const saved = await saveLearnedForm(deps, actor, { rowId: meta.row, ...state.data });
      if (saved.ok) {
        await ack({ response_action: 'update', view: toBoltView(saved.view) });
        return;
      }
      if (saved.field === 'form') await ack({ response_action: 'update', view: noticeView(saved.message, TITLE) });
      else await ack({ response_action: 'errors', errors: { [saved.field === 'taughtBy' ? SkillsViews.taughtByBlock : SkillsViews.canTeachBlock]: saved.message } });
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'marking a skill learned failed');
      await ack({ response_action: 'update', view: noticeView(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT, TITLE) });
    }
  };
}
