import { SETTINGS_ADMIN_ONLY_TEXT, SETTINGS_ADMIN_UNKNOWN_TEXT } from '../../../errors.js';
import { getSettingsView } from '../../../services/workspace-settings.js';
import { buildEphemeralText } from '../../blocks/help.js';
import { buildSettingsModal } from '../../blocks/settings.js';
import { serviceDeps } from '../../../deps.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer settings` (admins only): opens the settings modal pre-filled with what is saved. */
export const handleSettings: SubcommandHandler<'settings'> = async ({ actor, deps, ack, body }) => {
  if (!actor.isAdmin) {
    // No profile yet means Slack has not said whether they are an admin: "no" would be a guess.
    const unknown = actor.member.profileFetchedAt === null;
    await ack(buildEphemeralText(unknown ? SETTINGS_ADMIN_UNKNOWN_TEXT : SETTINGS_ADMIN_ONLY_TEXT));
    return;
  }
  await ack();
  const current = getSettingsView(serviceDeps(deps), actor.teamId, deps.config.defaultTimeZone);
  // Builders return plain JSON (checked against Block Kit limits in tests), not the SDK's union types.
  await deps.messenger.openView(actor.teamId, { trigger_id: body.trigger_id, view: buildSettingsModal(current) });
};
