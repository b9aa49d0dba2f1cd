import type { AppDeps } from '../../../deps.js';
import { SlackUserId } from '../../../services/match-people.js';
import { introduceSuggested } from '../../flows/matching.js';
import { createClickListener } from './click-reply.js';
import { FORGED_TEXT } from './match-values.js';

/** Introduce us (a `/peer match` suggestion). */
export function createMatchOpenDmListener(deps: AppDeps) {
  return createClickListener(
    deps,
    async ({ actor, value }) => {
      const parsed = SlackUserId.safeParse(value);
      if (!parsed.success) return { refused: FORGED_TEXT };
      return introduceSuggested(deps, actor, parsed.data);
    },
    { queued: true },
  );
}
