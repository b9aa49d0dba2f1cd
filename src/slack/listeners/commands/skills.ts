import { openSkillsModal } from '../../flows/skills.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer skills`: the skills profile modal, pre-filled with what is saved. */
export const handleSkills: SubcommandHandler<'skills'> = async ({ body, actor, deps, ack }) => {
  await ack();
  await openSkillsModal(deps, actor, body.trigger_id);
};
