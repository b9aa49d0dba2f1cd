import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import type { ProfileField, ProfileForm } from '../../../services/skills.js';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { ROLE_NONE_VALUE, ROLE_VALUE_PREFIX } from '../../blocks/skills-modal.js';
import { saveProfileForm } from '../../flows/skills.js';
import { noticeView, toBoltView } from '../../bolt-view.js';
import { SkillsInputs, SkillsViews } from '../../ids.js';

type StateValues = ViewSubmitAction['view']['state']['values'];

const Selected = z.object({ value: z.string() });

/** The modal's state as Slack sends it, one element per block; anything malformed is a field error. */
const ProfileState = z.object({
  teach: z.array(Selected).nullish().transform((v) => (v ?? []).map((o) => o.value)),
  learn: z.array(Selected).nullish().transform((v) => (v ?? []).map((o) => o.value)),
  role: Selected.nullish().transform((o, ctx) => {
    if (o === null || o === undefined || o.value === ROLE_NONE_VALUE) return null;
    if (!o.value.startsWith(ROLE_VALUE_PREFIX)) {
      ctx.addIssue({ code: 'custom', message: 'Pick a role from the list, or type yours and choose "Add".' });
      return z.NEVER;
    }
    return o.value.slice(ROLE_VALUE_PREFIX.length);
  }),
  matching: Selected.nullish().transform((o, ctx) => {
    if (o === null || o === undefined) return null;
    const choice = z.enum(['in', 'pause', 'out']).safeParse(o.value);
    if (!choice.success) {
      ctx.addIssue({ code: 'custom', message: 'Choose one of the matching options.' });
      return z.NEVER;
    }
    return choice.data;
  }),
  pauseUntil: z.string().nullish().transform((v) => v ?? null),
});

const FIELD_BLOCK: Record<ProfileField, string> = {
  teach: SkillsViews.teachBlock,
  learn: SkillsViews.learnBlock,
  role: SkillsViews.roleBlock,
  matching: SkillsViews.matchingBlock,
  pauseUntil: SkillsViews.pauseBlock,
};

function element(values: StateValues, block: string, action: string): Record<string, unknown> | undefined {
  return values[block]?.[action] as Record<string, unknown> | undefined;
}

export function readProfileState(values: StateValues): { ok: true; form: ProfileForm } | { ok: false; errors: Record<string, string> } {
  const parsed = ProfileState.safeParse({
    teach: element(values, SkillsViews.teachBlock, SkillsInputs.teach)?.selected_options,
    learn: element(values, SkillsViews.learnBlock, SkillsInputs.learn)?.selected_options,
    role: element(values, SkillsViews.roleBlock, SkillsInputs.role)?.selected_option,
    matching: element(values, SkillsViews.matchingBlock, SkillsInputs.matching)?.selected_option,
    pauseUntil: element(values, SkillsViews.pauseBlock, SkillsInputs.pause)?.selected_date,
  });
  if (parsed.success) return { ok: true, form: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'teach') as ProfileField;
    const block = FIELD_BLOCK[field] ?? SkillsViews.teachBlock;
    errors[block] ??= issue.code === 'custom' ? issue.message : 'This field could not be read. Pick again.';
  }
  return { ok: false, errors };
}

/** Saves `/peer skills`: every problem inline on its field and nothing saved; else the saved summary. */
export function createSkillsProfileSubmitListener(deps: AppDeps) {
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const state = readProfileState(view.state.values);
    if (!state.ok) {
      await ack({ response_action: 'errors', errors: state.errors });
      return;
    }
    try {
      const saved = saveProfileForm(deps, actor, state.form);
      if (!saved.ok) {
        const errors: Record<string, string> = {};
        for (const [field, message] of Object.entries(saved.errors) as [ProfileField, string][]) errors[FIELD_BLOCK[field]] = message;
        await ack({ response_action: 'errors', errors });
        return;
      }
      await ack({ response_action: 'update', view: toBoltView(saved.view) });
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'saving a skills profile failed');
      await ack({ response_action: 'update', view: noticeView(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT, 'Your skills profile') });
    }
  };
}
