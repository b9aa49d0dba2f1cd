import { AppError } from '../../errors.js';
import { assertMayManage, isFinished, type Session } from '../../services/session-model.js';
import { localDateYmd, localTimeHm } from '../../services/time.js';
import { prepareAttendance } from '../../services/sessions.js';
import { requireSession } from '../../services/session-queries.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { buildAttendanceModal } from '../blocks/attendance-modal.js';
import { buildScheduleModal, type ScheduleModalValues } from '../blocks/schedule-modal.js';
import type { Actor } from '../actor.js';

/**
 * Opening the session forms (schedule, edit, attendance) after the same checks their save does.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

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
  ack: () => Promise<void> = async () => undefined,
  originChannel?: string,
): Promise<void> {
  const session = requireSession(serviceDeps(deps), actor.teamId, number);
  assertMayManage(session, actor, 'edit');
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
export async function openAttendanceModal(deps: AppDeps, actor: Actor, triggerId: string, number: number, ack: () => Promise<void> = async () => undefined): Promise<void> {
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
