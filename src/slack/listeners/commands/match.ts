import { openMatchSetup, stopMatchRoundsFlow, suggestionsFlow } from '../../flows/matching.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer match`: my three best partners now (anyone, ephemeral, in the ack: a database read).
 * `/peer match setup` (admins, in the channel): the rounds form, after checking Peerloop is in
 * the channel. `/peer match stop` (admins): no more rounds here. Refusals are AppErrors, shown
 * privately by the /peer listener.
 */
export const handleMatch: SubcommandHandler<'match'> = async ({ command, body, actor, deps, ack }) => {
  if (command.action === 'setup') {
    await openMatchSetup(deps, actor, body.trigger_id, body.channel_id, () => ack(), body.channel_name);
    return;
  }
  if (command.action === 'stop') {
    await ack(stopMatchRoundsFlow(deps, actor, body.channel_id));
    return;
  }
  await ack(suggestionsFlow(deps, actor));
};
