import { setOptedOut } from '../../../services/members.js';
import { buildEphemeralText } from '../../blocks/help.js';
import { OPTED_IN_TEXT, OPTED_OUT_TEXT } from '../../blocks/opt-out.js';
import { serviceDeps, type Actor, type AppDeps } from '../../deps.js';
import { refreshHome } from '../../home.js';
import type { SubcommandHandler } from './subcommand.js';

function apply(deps: AppDeps, actor: Actor, optedOut: boolean): void {
  setOptedOut(serviceDeps(deps), actor.teamId, actor.userId, optedOut);
  deps.logger.info({ teamId: actor.teamId, userId: actor.userId, optedOut }, 'opt-out changed');
}

/** `/peer optout`: no more DMs of any kind; says what still works. */
export const handleOptOut: SubcommandHandler<'optout'> = async ({ actor, deps, ack }) => {
  apply(deps, actor, true);
  await ack(buildEphemeralText(OPTED_OUT_TEXT));
  // Fire and forget: Home shows the new state next time; refreshHome never throws.
  void refreshHome(deps, actor.teamId, actor.userId);
};

/** `/peer optin`: DMs (reminders, the weekly "your week", invites) come back. */
export const handleOptIn: SubcommandHandler<'optin'> = async ({ actor, deps, ack }) => {
  apply(deps, actor, false);
  await ack(buildEphemeralText(OPTED_IN_TEXT));
  // Fire and forget: Home shows the new state next time; refreshHome never throws.
  void refreshHome(deps, actor.teamId, actor.userId);
};
