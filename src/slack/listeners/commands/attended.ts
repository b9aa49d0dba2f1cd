import { openAttendanceModal } from '../../flows/session-modals.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer attended <id>`: the host's checklist of who joined (once the session has started). */
export const handleAttended: SubcommandHandler<'attended'> = async ({ command, body, actor, deps, ack }) => {
  await openAttendanceModal(deps, actor, body.trigger_id, command.number, ack);
};
