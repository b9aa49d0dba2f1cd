import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { postDigestNow } from '../../flows/digest.js';
import { createClickListener } from './click-reply.js';
import { FORGED_TEXT } from './match-values.js';

/** The week a Post now button names (2026-W48). */
const WeekValue = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'not a week');

/** Post to #channel now, under a `/peer digest` preview (admins; checked again in the flow). */
export function createDigestPostNowListener(deps: AppDeps) {
  return createClickListener(
    deps,
    async ({ actor, value }) => {
      const week = WeekValue.safeParse(value);
      if (!week.success) return { refused: FORGED_TEXT };
      return postDigestNow(deps, actor, week.data);
    },
    { queued: true },
  );
}
