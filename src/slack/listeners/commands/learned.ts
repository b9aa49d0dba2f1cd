import { buildEphemeralText } from '../../blocks/help.js';
import { learnedCommand } from '../../flows/skills.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer learned <skill>`: opens the "I learned it" modal for a skill on the person's learning
 * list; anything else (no skill, not on the list, learned already) is answered in the ack.
 */
export const handleLearned: SubcommandHandler<'learned'> = async ({ command, body, actor, deps, ack }) => {
  await learnedCommand(deps, actor, body.trigger_id, command.skill, (text) => ack(text === undefined ? undefined : buildEphemeralText(text)));
};
