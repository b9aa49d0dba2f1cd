import type { AppDeps } from '../../../deps.js';
import { setRoundSkip } from '../../flows/matching.js';
import { createClickListener } from './click-reply.js';
import { FORGED_TEXT, RoundValue } from './match-values.js';

/** Skip this round / Join this round (App Home). */
export function createMatchSkipListener(deps: AppDeps, skip: boolean) {
  return createClickListener(
    deps,
    async ({ actor, value }) => {
      const parsed = RoundValue.safeParse(value);
      if (!parsed.success) return { refused: FORGED_TEXT };
      return setRoundSkip(deps, actor, parsed.data.channelId, parsed.data.roundDate, skip);
    },
    { queued: true },
  );
}
