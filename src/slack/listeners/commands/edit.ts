import { openEditModal } from '../../flows/session-modals.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer edit <id>`: the schedule modal, prefilled; rights are checked before it opens and again on save. */
export const handleEdit: SubcommandHandler<'edit'> = async ({ command, body, actor, deps, ack }) => {
  // Checks run before the ack so a refusal is the ack's reply; views.open follows within the trigger's life.
  await openEditModal(deps, actor, body.trigger_id, command.number, ack, body.channel_id);
};
