import { buildEphemeralText } from '../../blocks/help.js';
import { joinFlow } from '../../flows/sessions.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer join <id>`: the reply goes in the ack; the card, calendar file and Home follow. */
export const handleJoin: SubcommandHandler<'join'> = async ({ command, actor, deps, ack }) => {
  const outcome = joinFlow(deps, actor, command.number);
  await ack(buildEphemeralText(outcome.text));
  await outcome.followUp();
};
