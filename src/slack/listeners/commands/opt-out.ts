import { buildEphemeralText } from '../../blocks/help.js';
import { OPTED_IN_TEXT, OPTED_OUT_TEXT } from '../../blocks/opt-out.js';
import { setDmPreference } from '../../flows/home.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer optout`: no more DMs of any kind; says what still works. */
export const handleOptOut: SubcommandHandler<'optout'> = async ({ actor, deps, ack }) => {
  setDmPreference(deps, actor, true);
  await ack(buildEphemeralText(OPTED_OUT_TEXT));
};

/** `/peer optin`: DMs (reminders, the weekly "your week", invites) come back. */
export const handleOptIn: SubcommandHandler<'optin'> = async ({ actor, deps, ack }) => {
  setDmPreference(deps, actor, false);
  await ack(buildEphemeralText(OPTED_IN_TEXT));
};
