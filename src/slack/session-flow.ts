import { ensureCalendarToken, sessionCalendarUrl, type CalendarMethod } from '../services/calendar.js';
import { mayDirectMessage } from '../services/delivery.js';
import { resolvePersonZone, resolveWorkspaceZone } from '../services/members.js';
import {
  canManageSession,
  cancelSession,
  countParticipants,
  getSession,
  isFinished,
  joinSession,
  leaveSession,
  prepareAttendance,
  requireSession,
  seriesPosition,
  setAnnouncement,
  TITLE_MAX,
  type Session,
} from '../services/sessions.js';
import { AppError } from '../errors.js';
import { formatInZone, localDateYmd, localTimeHm } from '../services/time.js';
import { buildAttendanceModal } from './blocks/attendance-modal.js';
import { buildScheduleModal, type ScheduleModalValues } from './blocks/schedule-modal.js';
import { buildSessionCardMessage } from './blocks/session-card.js';
import type { SessionDmInput } from './blocks/session-dm.js';
import { escapeTruncated } from './blocks/text.js';
import { sendCalendarInvite } from './calendar-invite.js';
import { serviceDeps, type Actor, type AppDeps } from './deps.js';
import { followUps } from './follow-ups.js';
import { createMessageChain } from './message-chain.js';
import type { CallMeta } from './messenger.js';
import { refreshHome } from './home.js';
import { sendDirectMessage } from './notify.js';

/**
 * The Slack side of the session flows, shared by commands, buttons and modals: render and
 * (re)post the announcement card, send the join's calendar file, refresh App Home, and kick the
 * notices a write planned as jobs (cancelled, changed, you got a seat). Each runs after the
 * database write has committed.
 */

export function workspaceZone(deps: AppDeps, teamId: string): string {
  return resolveWorkspaceZone(serviceDeps(deps), teamId, deps.config.defaultTimeZone);
}

/** The zone to show one person a time in: their Slack zone, else the workspace's. */
export function personZone(deps: AppDeps, teamId: string, userId: string): string {
  return resolvePersonZone(serviceDeps(deps), teamId, userId, deps.config.defaultTimeZone);
}

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
// refresh can no longer put Join back on a card the end job has just closed).
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

/** Re-publishes a person's App Home (refreshHome) through the queue, once per burst. */
export function queueHomeRefresh(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  return followUps(deps, deps.logger).run(`home:${teamId}:${userId}`, () => refreshHome(deps, teamId, userId));
}

export function dmInput(deps: AppDeps, session: Session, userId: string): SessionDmInput {
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

export async function openModal(deps: AppDeps, teamId: string, triggerId: string, view: Record<string, unknown>): Promise<void> {
  await deps.messenger.openView(teamId, { trigger_id: triggerId, view });
}

/** Opens the empty schedule modal: host = the person, channel = where they asked, if known. */
export async function openScheduleModal(deps: AppDeps, actor: Actor, triggerId: string, originChannel: string | undefined): Promise<void> {
  const origin = asOriginChannel(originChannel);
  const view = buildScheduleModal({
    metadata: { mode: 'create', rev: 0, ...(origin === undefined ? {} : { origin }) },
    values: { hostId: actor.userId, channelId: origin, repeat: '1' },
    timeZone: actor.timeZone,
    now: deps.clock.now(),
  });
  await openModal(deps, actor.teamId, triggerId, view);
}

/** The modal's text for an existing session, read in the editor's own zone. */
export function sessionModalValues(session: Session, zone: string): ScheduleModalValues {
  return {
    format: session.format,
    title: session.title,
    topic: session.topic,
    date: localDateYmd(session.startsAt, zone),
    time: localTimeHm(session.startsAt, zone),
    duration: String(session.durationMin),
    hostId: session.hostId,
    capacity: session.capacity === null ? undefined : String(session.capacity),
    channelId: session.channelId,
    link: session.link ?? undefined,
    agenda: session.agenda,
  };
}

/**
 * The channel a form was opened from, kept in its metadata to answer there later: a public or
 * private channel id only (a DM or App Home has none to post an ephemeral note in).
 */
function asOriginChannel(channel: string | undefined): string | undefined {
  return channel !== undefined && /^[CG][A-Z0-9]+$/.test(channel) ? channel : undefined;
}

/**
 * Opens the edit modal after the same checks the save does (so nobody fills a form in vain).
 * `originChannel`: where the person asked, so a save that fails after the modal closed (Slack
 * was slow) can be explained privately there.
 */
export async function openEditModal(
  deps: AppDeps,
  actor: Actor,
  triggerId: string,
  number: number,
  ack: () => Promise<void> = nothing,
  originChannel?: string,
): Promise<void> {
  const session = requireSession(serviceDeps(deps), actor.teamId, number);
  if (!canManageSession(session, actor)) {
    throw new AppError('forbidden', `Only the host, the person who scheduled it, or a workspace admin can edit session #${number}.`);
  }
  if (session.status === 'cancelled') throw new AppError('conflict', `Session #${number} was cancelled, so it cannot be edited.`);
  if (isFinished(session, deps.clock.now())) throw new AppError('conflict', `Session #${number} has already finished, so it cannot be edited.`);
  await ack();
  const origin = asOriginChannel(originChannel);
  const view = buildScheduleModal({
    metadata: { mode: 'edit', number, rev: 0, ...(origin === undefined ? {} : { origin }) },
    values: sessionModalValues(session, actor.timeZone),
    timeZone: actor.timeZone,
    now: deps.clock.now(),
  });
  await openModal(deps, actor.teamId, triggerId, view);
}

/** Opens the host's attendance checklist, after the same checks the save does. */
export async function openAttendanceModal(deps: AppDeps, actor: Actor, triggerId: string, number: number, ack: () => Promise<void> = nothing): Promise<void> {
  const svc = serviceDeps(deps);
  const { session, attendees } = prepareAttendance(svc, actor.teamId, number, actor);
  await ack();
  const view = buildAttendanceModal({
    number,
    title: session.title,
    attendees: attendees.map((p) => ({ userId: p.userId, attended: p.attended })),
    openedAt: deps.clock.now(),
  });
  await openModal(deps, actor.teamId, triggerId, view);
}
