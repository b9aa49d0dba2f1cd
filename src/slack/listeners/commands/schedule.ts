import { openScheduleModal } from '../../flows/session-modals.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer schedule`: opens the modal with the command's trigger id, announcing in this channel by default. */
export const handleSchedule: SubcommandHandler<'schedule'> = async ({ body, actor, deps, ack }) => {
  await ack();
  await openScheduleModal(deps, actor, body.trigger_id, body.channel_id);
};
