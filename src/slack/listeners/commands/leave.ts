import { buildEphemeralText } from '../../blocks/help.js';
import { leaveFlow } from '../../flows/sessions.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer leave <id>`: a freed seat goes to the first on the waitlist, who gets a DM. */
export const handleLeave: SubcommandHandler<'leave'> = async ({ command, actor, deps, ack }) => {
  const outcome = leaveFlow(deps, actor, command.number);
  await ack(buildEphemeralText(outcome.text));
  await outcome.followUp();
};
