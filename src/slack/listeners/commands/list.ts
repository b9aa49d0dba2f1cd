import { countParticipantsMany, listParticipantRoles, listUpcomingSessions } from '../../../services/sessions.js';
import { seatsLine } from '../../blocks/session-card.js';
import { buildSessionListMessage, LIST_MAX_ITEMS } from '../../blocks/session-list.js';
import { serviceDeps } from '../../deps.js';
import type { SubcommandHandler } from './subcommand.js';

export const LIST_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `/peer list [mine]`: upcoming sessions in the next 14 days, in the reader's zone, with Join buttons. */
export const handleList: SubcommandHandler<'list'> = async ({ command, actor, deps, ack }) => {
  const svc = serviceDeps(deps);
  const now = deps.clock.now();
  const { sessions, total } = listUpcomingSessions(svc, actor.teamId, {
    from: now,
    to: now + LIST_DAYS * DAY_MS,
    limit: LIST_MAX_ITEMS,
    ...(command.mine ? { userId: actor.userId } : {}),
  });
  const numbers = sessions.map((s) => s.number);
  const counts = countParticipantsMany(svc, actor.teamId, numbers);
  const roles = listParticipantRoles(svc, actor.teamId, actor.userId, numbers);
  await ack(
    buildSessionListMessage({
      items: sessions.map((s) => ({
        number: s.number,
        title: s.title,
        format: s.format,
        hostId: s.hostId,
        startsAt: s.startsAt,
        durationMin: s.durationMin,
        seats: seatsLine({ capacity: s.capacity, attendeeCount: counts.get(s.number)?.attendees ?? 0, waitlistCount: counts.get(s.number)?.waitlist ?? 0 }),
        mine: roles.get(s.number) ?? null,
      })),
      total,
      mineOnly: command.mine,
      days: LIST_DAYS,
      timeZone: actor.timeZone,
    }),
  );
};
