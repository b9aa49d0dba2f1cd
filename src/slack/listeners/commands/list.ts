import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { listUpcomingSessions } from '../../../services/session-queries.js';
import { buildEphemeralText, type EphemeralMessage } from '../../blocks/help.js';
import { seatsLine } from '../../blocks/session-card.js';
import { buildSessionListMessage, LIST_MAX_ITEMS } from '../../blocks/session-list.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { type Actor } from '../../actor.js';
import { followUps } from '../../follow-ups.js';
import type { SubcommandHandler } from './subcommand.js';

export const LIST_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The list as the database has it when the task runs, in the reader's zone. */
function buildList(deps: AppDeps, actor: Actor, mine: boolean): EphemeralMessage {
  const svc = serviceDeps(deps);
  const now = deps.clock.now();
  const { sessions, total } = listUpcomingSessions(svc, actor.teamId, {
    from: now,
    to: now + LIST_DAYS * DAY_MS,
    limit: LIST_MAX_ITEMS,
    readerId: actor.userId,
    mineOnly: mine,
  });
  return buildSessionListMessage({
    items: sessions.map((s) => ({
      number: s.number,
      title: s.title,
      format: s.format,
      hostId: s.hostId,
      startsAt: s.startsAt,
      durationMin: s.durationMin,
      seats: seatsLine({ capacity: s.capacity, attendeeCount: s.attendees, waitlistCount: s.waitlist }),
      mine: s.mine,
    })),
    total,
    mineOnly: mine,
    days: LIST_DAYS,
    timeZone: actor.timeZone,
  });
}

/**
 * Sends the list through the command's response_url; when that fails (expired, unreachable), as
 * an ephemeral message in the channel instead. A failure of both is logged: nothing is lost
 * but a read-only list the person can ask for again.
 */
async function deliverList(deps: AppDeps, actor: Actor, responseUrl: string, channelId: string, message: EphemeralMessage): Promise<void> {
  try {
    await deps.messenger.respond(responseUrl, { ...message });
    return;
  } catch (error) {
    deps.logger.warn({ err: error, teamId: actor.teamId, userId: actor.userId }, 'list not delivered through response_url; posting it ephemerally');
  }
  try {
    await deps.messenger.postEphemeral(actor.teamId, {
      channel: channelId,
      user: actor.userId,
      text: message.text,
      blocks: message.blocks,
    });
  } catch (error) {
    deps.logger.warn({ err: error, teamId: actor.teamId, userId: actor.userId }, 'list not delivered');
  }
}

/**
 * `/peer list [mine]`: upcoming sessions in the next 14 days, in the reader's zone, with Join
 * buttons. Acked at once with no body; the list is built in the app's click lane (follow-ups.ts)
 * and sent through response_url, so a burst of lists cannot delay the acks of other requests.
 */
export const handleList: SubcommandHandler<'list'> = async ({ command, body, actor, deps, ack }) => {
  await ack();
  await followUps(deps, deps.logger, 'clicks').run(undefined, async () => {
    let message: EphemeralMessage;
    try {
      message = buildList(deps, actor, command.mine);
    } catch (error) {
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId, userId: actor.userId }, '/peer list failed');
      message = buildEphemeralText(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT);
    }
    await deliverList(deps, actor, body.response_url, body.channel_id, message);
  });
};
