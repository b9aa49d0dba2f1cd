import { EXPORT_ADMIN_ONLY_TEXT, EXPORT_ADMIN_UNKNOWN_TEXT, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { resolveExportRange } from '../../../services/export-range.js';
import { buildExportWorkingMessage } from '../../blocks/export.js';
import { buildEphemeralText, type EphemeralMessage } from '../../blocks/help.js';
import { deliverExport } from '../../flows/export.js';
import { workspaceZone } from '../../flows/people.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer export [from] [to]` (admins): checked and acked at once ("Preparing…"), then the files
 * are built and sent to the admin's DM, and the outcome comes through response_url. A bad range
 * is an AppError, which the /peer listener shows privately in the ack.
 *
 * Not in a follow-up lane: an export of a large range takes a while, and would hold one of the
 * lane's two places for all of it; it gives the event loop a turn between chunks on its own.
 */
export const handleExport: SubcommandHandler<'export'> = async ({ command, body, actor, deps, ack }) => {
  if (!actor.isAdmin) {
    // No profile yet means Slack has not said whether they are an admin: "no" would be a guess.
    await ack(buildEphemeralText(actor.member.profileFetchedAt === null ? EXPORT_ADMIN_UNKNOWN_TEXT : EXPORT_ADMIN_ONLY_TEXT));
    return;
  }
  const range = resolveExportRange({ from: command.from, to: command.to }, workspaceZone(deps, actor.teamId), deps.clock.now());
  await ack(buildExportWorkingMessage(range));
  let message: EphemeralMessage;
  try {
    message = await deliverExport(deps, actor, range);
  } catch (error) {
    deps.logger.error({ err: error, teamId: actor.teamId, userId: actor.userId }, '/peer export failed');
    message = buildEphemeralText(UNEXPECTED_ERROR_TEXT);
  }
  try {
    await deps.messenger.respond(body.response_url, { ...message });
  } catch (error) {
    deps.logger.warn({ err: error, teamId: actor.teamId, userId: actor.userId }, '/peer export: the outcome could not be sent through response_url');
  }
};
