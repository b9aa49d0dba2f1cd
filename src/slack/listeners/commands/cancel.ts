import { REASON_MAX } from '../../../services/session-model.js';
import { buildEphemeralText } from '../../blocks/help.js';
import { truncate } from '../../blocks/text.js';
import { cancelFlow } from '../../flows/sessions.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer cancel <id> [reason]`: host, creator or admin; the card says cancelled and attendees get a DM. */
export const handleCancel: SubcommandHandler<'cancel'> = async ({ command, actor, deps, ack }) => {
  const reason = command.rest === null ? null : truncate(command.rest, REASON_MAX);
  const outcome = cancelFlow(deps, actor, command.number, reason);
  await ack(buildEphemeralText(outcome.text));
  await outcome.followUp();
};
