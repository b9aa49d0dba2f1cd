import { cancelSession, joinSession, leaveSession } from '../../services/sessions.js';
import { TITLE_MAX, type Session } from '../../services/session-model.js';
import { formatInZone } from '../../services/time.js';
import { mayDirectMessage } from '../../services/delivery.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { escapeTruncated } from '../blocks/text.js';
import type { Actor } from '../actor.js';
import { inviteQuietly, sendPlannedNotices } from './notices.js';
import { queueHomeRefresh } from './home.js';
import { refreshSessionCard } from './session-card.js';

/**
 * Join, leave and cancel, from a command or a button: the write (a service), the reply for the
 * person, and the Slack work that follows it (card, calendar file, App Home, planned notices).
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

/** People who got a seat off the waitlist: their DM and calendar file are planned jobs; Home shows the seat. */
export async function refreshPromoted(deps: AppDeps, session: Session, userIds: readonly string[]): Promise<void> {
  for (const userId of userIds) await queueHomeRefresh(deps, session.teamId, userId);
}

function label(session: Pick<Session, 'number' | 'title'>): string {
  return `*#${session.number} ${escapeTruncated(session.title, TITLE_MAX)}*`;
}

/**
 * What a join / leave / cancel produces: the reply for the person (ready as soon as the write
 * commits, so it can go in the ack) and the Slack work that follows (card, calendar, Home, and
 * the kick that sends the notices the write planned).
 */
export interface FlowOutcome {
  text: string;
  followUp: () => Promise<void>;
}

const nothing = async (): Promise<void> => undefined;

/** Join from a command or a button. AppErrors (cancelled, finished, not found) throw. */
export function joinFlow(deps: AppDeps, actor: Actor, number: number): FlowOutcome {
  const result = joinSession(serviceDeps(deps), actor.teamId, number, actor.userId);
  const { session } = result;
  switch (result.status) {
    case 'is_host':
      return { text: `You're hosting ${label(session)}, so you're already in.`, followUp: nothing };
    case 'already_joined':
      return { text: `You're already in ${label(session)}. See you there!`, followUp: nothing };
    case 'already_waitlisted':
      return { text: `You're already on the waitlist for ${label(session)}: number ${result.position} in line.`, followUp: nothing };
    case 'waitlisted':
      return {
        text: `${label(session)} is full, so you're on the waitlist: number ${result.position} in line. You'll get a DM if a seat opens up.`,
        followUp: async () => {
          await refreshSessionCard(deps, actor.teamId, number);
          await queueHomeRefresh(deps, actor.teamId, actor.userId);
        },
      };
    case 'joined': {
      // Opted-out people get no DM, so no calendar file: point them to what still works.
      const dmsOn = mayDirectMessage(serviceDeps(deps), actor.teamId, actor.userId);
      const calendar = dmsOn
        ? 'Your calendar file is on its way by DM.'
        : "You've turned off Peerloop DMs, so no calendar file is coming: `/peer calendar` gives the workspace feed, `/peer optin` turns DMs back on.";
      return {
        text: `You're in ${label(session)}: ${formatInZone(session.startsAt, actor.timeZone)}. ${calendar}`,
        followUp: async () => {
          await refreshSessionCard(deps, actor.teamId, number);
          if (dmsOn) await inviteQuietly(deps, actor.teamId, actor.userId, number, 'REQUEST');
          await queueHomeRefresh(deps, actor.teamId, actor.userId);
        },
      };
    }
  }
}

export function leaveFlow(deps: AppDeps, actor: Actor, number: number): FlowOutcome {
  const result = leaveSession(serviceDeps(deps), actor.teamId, number, actor.userId);
  if (result.status === 'not_joined') {
    return { text: `You're not in ${label(result.session)}, so there's nothing to leave. \`/peer join ${number}\` if you'd like to come.`, followUp: nothing };
  }
  return {
    text: result.wasWaitlisted ? `You're off the waitlist for ${label(result.session)}.` : `You've left ${label(result.session)}. Your seat is free for someone else.`,
    followUp: async () => {
      if (result.promoted.length > 0) sendPlannedNotices(deps, actor.teamId);
      await refreshSessionCard(deps, actor.teamId, number);
      await queueHomeRefresh(deps, actor.teamId, actor.userId);
      await refreshPromoted(deps, result.session, result.promoted);
    },
  };
}

/**
 * Cancels (host, creator or admin) and updates the card. The DMs and cancellation files to the
 * attendees and the waitlist are jobs planned by cancelSession; the follow-up only kicks them.
 */
export function cancelFlow(deps: AppDeps, actor: Actor, number: number, reason: string | null): FlowOutcome {
  const { session, notifyIds } = cancelSession(serviceDeps(deps), actor.teamId, number, actor, reason);
  const svc = serviceDeps(deps);
  const reachable = notifyIds.filter((userId) => mayDirectMessage(svc, actor.teamId, userId)).length;
  const unreachable = notifyIds.length - reachable;
  // Said as it is: people who turned Peerloop's DMs off are not told, and the host should know.
  const told =
    notifyIds.length === 0
      ? 'Nobody had joined yet.'
      : `${reachable} ${reachable === 1 ? 'person gets' : 'people get'} a DM.` +
        (unreachable === 0 ? '' : ` ${unreachable} ${unreachable === 1 ? 'person has' : 'people have'} Peerloop DMs turned off and won't be told.`);
  return {
    text: `Cancelled ${label(session)}. ${told}`,
    followUp: async () => {
      if (notifyIds.length > 0) sendPlannedNotices(deps, actor.teamId);
      await refreshSessionCard(deps, actor.teamId, number);
      for (const userId of notifyIds) await queueHomeRefresh(deps, actor.teamId, userId);
      await queueHomeRefresh(deps, actor.teamId, actor.userId);
      if (session.hostId !== actor.userId) await queueHomeRefresh(deps, actor.teamId, session.hostId);
    },
  };
}
