import type { AppDeps } from '../../../deps.js';
import { confirmTaughtClick } from '../../flows/skills.js';
import { createClickListener } from './click-reply.js';
import { INVALID_SKILL_BUTTON_TEXT, SkillRowValue } from './skills-values.js';

/**
 * Confirm, in the DM to a named teacher: records the confirmation once and turns the DM into
 * "Confirmed". Someone else, another workspace, or a forged value is refused privately.
 */
export function createConfirmTaughtListener(deps: AppDeps) {
  return createClickListener(deps, async ({ actor, value, body }) => {
    const row = SkillRowValue.safeParse(value);
    if (!row.success) return { refused: INVALID_SKILL_BUTTON_TEXT };
    // The DM itself becomes the answer (replaced through response_url), so nothing more is said.
    await confirmTaughtClick(deps, actor, row.data, body.response_url);
    return undefined;
  });
}
