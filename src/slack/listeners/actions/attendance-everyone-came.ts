import type { AppDeps } from '../../../deps.js';
import { everyoneCameClick } from '../../flows/attendance.js';
import { createClickListener } from './click-reply.js';
import { INVALID_BUTTON_TEXT, SessionButtonValue } from './session-reply.js';

/**
 * Everyone came, in the host's "Who came?" DM: marks every seated attendee as attended and turns
 * the DM into what is recorded. The session is (payload team, number); the host, the creator or
 * an admin only; anything else is refused privately and changes nothing.
 */
export function createEveryoneCameListener(deps: AppDeps) {
  return createClickListener(
    deps,
    async ({ actor, value }) => {
      const number = SessionButtonValue.safeParse(value ?? '');
      if (!number.success) return { refused: INVALID_BUTTON_TEXT };
      return everyoneCameClick(deps, actor, number.data);
    },
    { queued: true },
  );
}
