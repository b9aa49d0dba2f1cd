import { countParticipants, getSession, seriesPosition } from '../../services/session-queries.js';
import { isFinished, type Session } from '../../services/session-model.js';
import { setAnnouncement } from '../../services/sessions.js';
import { ensureCalendarToken, sessionCalendarUrl } from '../../services/calendar.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { buildSessionCardMessage } from '../blocks/session-card.js';
import { createMessageChain } from '../message-chain.js';
import { followUps } from '../follow-ups.js';
import type { CallMeta } from '../messenger.js';
import { workspaceZone } from './people.js';

/**
 * A session's announcement card: rendered from the database, posted once, rewritten in place
 * in turn with every other write to it.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

/** The card for a session as it stands in the database now. */
export function renderSessionCard(deps: AppDeps, session: Session) {
  const svc = serviceDeps(deps);
  const counts = countParticipants(svc, session.teamId, session.number);
  const publicUrl = deps.config.publicUrl;
  const calendarUrl =
    publicUrl === undefined ? undefined : sessionCalendarUrl(publicUrl, ensureCalendarToken(svc, session.teamId), session.number);
  return buildSessionCardMessage({
    number: session.number,
    title: session.title,
    format: session.format,
    topic: session.topic,
    hostId: session.hostId,
    startsAt: session.startsAt,
    durationMin: session.durationMin,
    capacity: session.capacity,
    agenda: session.agenda,
    link: session.link,
    status: session.status,
    cancelReason: session.cancelReason,
    attendeeCount: counts.attendees,
    waitlistCount: counts.waitlist,
    seriesPosition: seriesPosition(svc, session),
    calendarUrl,
    finished: isFinished(session, deps.clock.now()),
    fallbackZone: workspaceZone(deps, session.teamId),
  });
}

/**
 * Posts the card and stores its ts. Throws the SlackCallError when posting fails, so the
 * schedule flow can undo the write and tell the person.
 */
export async function announceSession(deps: AppDeps, session: Session, meta?: CallMeta): Promise<string> {
  const card = renderSessionCard(deps, session);
  const posted = await deps.messenger.postMessage(
    session.teamId,
    {
      channel: session.channelId,
      text: card.text,
      blocks: card.blocks,
      unfurl_links: false,
      unfurl_media: false,
    },
    meta,
  );
  setAnnouncement(serviceDeps(deps), session.teamId, session.number, posted.channel, posted.ts);
  return posted.ts;
}

/**
 * Rewrites the card in place from the database, through the follow-up queue: a burst of joins
 * on one session becomes one or two chat.update calls. Never throws: a stale card is logged.
 */
export function refreshSessionCard(deps: AppDeps, teamId: string, number: number): Promise<void> {
  return followUps(deps, deps.logger).run(`card:${teamId}:${number}`, async () => {
    try {
      await updateSessionCard(deps, teamId, number);
    } catch (error) {
      deps.logger.warn({ err: error, teamId, sessionNumber: number }, 'announcement card not updated');
    }
  });
}

// Every write to a card (a click's refresh, an edit, the session-end job) takes its turn here and
// renders when its turn comes, so the last write to land is always the newest state (a join's
// refresh cannot put Join back on a card the end job has just closed).
const inCardChain = createMessageChain();

/**
 * Rewrites the card in place from the session as the database has it when this write's turn
 * comes. Slack errors reach the caller (a job retries them). 'no_card': the session is gone or
 * was never announced.
 */
export function updateSessionCard(deps: AppDeps, teamId: string, number: number, meta?: CallMeta): Promise<'updated' | 'no_card'> {
  return inCardChain(`${teamId}:${number}`, async () => {
    const session = getSession(serviceDeps(deps), teamId, number);
    if (session?.announcementTs == null) return 'no_card';
    const card = renderSessionCard(deps, session);
    await deps.messenger.updateMessage(teamId, { channel: session.channelId, ts: session.announcementTs, text: card.text, blocks: card.blocks }, meta);
    return 'updated';
  });
}
