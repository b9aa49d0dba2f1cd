import { listUpcomingSessions } from '../../../services/session-queries.js';
import type { EphemeralMessage } from '../../blocks/help.js';
import { seatsLine } from '../../blocks/session-card.js';
import { buildSessionListMessage, LIST_MAX_ITEMS } from '../../blocks/session-list.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { type Actor } from '../../actor.js';
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
 * `/peer list [mine]`: upcoming sessions in the next 14 days, in the reader's zone, with Join
 * buttons, answered in the ack (the rule is in subcommand.ts). Building it is one indexed query
 * and a render of at most LIST_MAX_ITEMS items, a few ms on 10,000 sessions; through response_url
 * after an empty ack the person waited 8x longer at p99 (bench `open`, issue 13).
 */
export const handleList: SubcommandHandler<'list'> = async ({ command, actor, deps, ack }) => {
  await ack(buildList(deps, actor, command.mine));
};
