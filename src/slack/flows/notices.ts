import { mayDirectMessage } from '../../services/delivery.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import type { CalendarMethod } from '../../services/calendar.js';
import type { Place, SessionInvitePayload, SessionNoticePayload } from '../../services/session-notices.js';
import type { Session } from '../../services/session-model.js';
import { buildHostingDm, buildPromotedDm, buildSessionCancelledDm, buildSessionChangedDm, buildUnhostedDm, type DmMessageBody, type SessionDmInput } from '../blocks/session-dm.js';
import { followUps } from '../follow-ups.js';
import type { CallMeta } from '../messenger.js';
import type { MessageContent } from '../blocks/types.js';
import { deliverCalendarInvite, sendCalendarInvite } from './calendar.js';
import { learnPersonIfNew, personZone } from './people.js';

/**
 * DMs to people: the one way Peerloop DMs someone (opt-out honoured), the quiet variants that
 * follow a click, the session notices and their calendar files, and the kick that sends the
 * notices a write planned as jobs.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

/**
 * The only way Peerloop DMs a person: it honours opt-out first. Resolves with the message
 * (channel, ts), or `{ skipped: 'opted_out' }` when the person opted out.
 */
export async function sendDirectMessage(
  deps: AppDeps,
  teamId: string,
  userId: string,
  message: MessageContent,
  meta?: CallMeta,
): Promise<{ channel: string; ts: string } | { skipped: 'opted_out' }> {
  if (!mayDirectMessage(serviceDeps(deps), teamId, userId)) return { skipped: 'opted_out' };
  return deps.messenger.sendDm(teamId, userId, message, meta);
}

function dmInput(deps: AppDeps, session: Session, userId: string): SessionDmInput {
  return {
    number: session.number,
    title: session.title,
    startsAt: session.startsAt,
    durationMin: session.durationMin,
    channelId: session.channelId,
    link: session.link,
    timeZone: personZone(deps, session.teamId, userId),
  };
}

/** DMs one person; a failure is logged (the person's seat or the change is already saved). */
export function dmQuietly(deps: AppDeps, teamId: string, userId: string, message: { text: string; blocks: Record<string, unknown>[] }): Promise<void> {
  return followUps(deps, deps.logger).run(undefined, async () => {
    try {
      await sendDirectMessage(deps, teamId, userId, message);
    } catch (error) {
      deps.logger.warn({ err: error, teamId, userId }, 'session DM not sent');
    }
  });
}

export function inviteQuietly(deps: AppDeps, teamId: string, userId: string, sessionNumber: number, method: CalendarMethod): Promise<void> {
  // sendCalendarInvite never throws for Slack errors; anything else must not break the flow either.
  return followUps(deps, deps.logger).run(undefined, async () => {
    await sendCalendarInvite(deps, { teamId, userId, sessionNumber, method }).catch((error: unknown) => {
      deps.logger.warn({ err: error, teamId, userId, sessionNumber }, 'calendar invite not sent');
    });
  });
}

/**
 * Sends the notices a write planned in its transaction (services/session-notices.ts: cancelled,
 * changed, you got a seat; each a job) now rather than at the next tick. Without a scheduler in
 * this process they wait in the jobs table for the next tick, so nothing is lost either way.
 */
export function sendPlannedNotices(deps: AppDeps, teamId: string): void {
  deps.runDueJobs?.(teamId);
}

function renderNotice(payload: SessionNoticePayload, session: Session, place: Place, input: SessionDmInput): DmMessageBody {
  switch (payload.notice) {
    case 'cancelled':
      return buildSessionCancelledDm(input, session.cancelReason);
    case 'changed':
      return buildSessionChangedDm(input, payload.changes ?? { time: true, place: true });
    case 'promoted':
      return buildPromotedDm(input);
    case 'hosting':
      return buildHostingDm(input, payload.by, payload.following ?? 0);
    case 'unhosted':
      return buildUnhostedDm(input, payload.by, session.hostId, place === 'waitlisted' ? 'waitlisted' : 'seated');
  }
}

/**
 * One session notice DM (cancelled, changed, you got a seat, you host now, you no longer host),
 * rendered from the session as it stands now, in the person's own zone (looked up in Slack first
 * for someone Peerloop has never seen).
 */
export async function deliverSessionNotice(
  deps: AppDeps,
  teamId: string,
  payload: SessionNoticePayload,
  current: { session: Session; place: Place },
  meta?: CallMeta,
): Promise<{ channel: string; ts: string } | { skipped: 'opted_out' }> {
  await learnPersonIfNew(deps, teamId, payload.userId);
  const message = renderNotice(payload, current.session, current.place, dmInput(deps, current.session, payload.userId));
  return sendDirectMessage(deps, teamId, payload.userId, message, meta);
}

/** One session calendar file (METHOD:REQUEST or CANCEL) that follows a notice. */
export async function deliverSessionInvite(deps: AppDeps, teamId: string, payload: SessionInvitePayload, meta?: CallMeta): ReturnType<typeof deliverCalendarInvite> {
  await learnPersonIfNew(deps, teamId, payload.userId);
  return deliverCalendarInvite(deps, { teamId, userId: payload.userId, sessionNumber: payload.sessionNumber, method: payload.method }, meta);
}
