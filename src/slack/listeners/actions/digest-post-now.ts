import type { AppDeps } from '../../../deps.js';
import { IsoWeek } from '../../../services/digest.js';
import { postDigestNow } from '../../flows/digest.js';
import { createClickListener } from './click-reply.js';
import { FORGED_TEXT } from './match-values.js';

/** Post to #channel now, under a `/peer digest` preview (admins; checked again in the flow). */
export function createDigestPostNowListener(deps: AppDeps) {
  return createClickListener(
    deps,
    async ({ actor, value }) => {
      // The week the button names (2026-W48).
      const week = IsoWeek.safeParse(value);
      if (!week.success) return { refused: FORGED_TEXT };
      return postDigestNow(deps, actor, week.data);
    },
    { queued: true },
  );
}
