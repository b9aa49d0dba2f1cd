import { attendanceSummary, findAttendanceAskDm, markEveryoneAttended, type AttendanceSummary } from '../../services/attendance-ask.js';
import type { Session } from '../../services/session-model.js';
import { getSession } from '../../services/session-queries.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { buildAttendanceAskDm, buildAttendanceSavedDm } from '../blocks/attendance-ask.js';
import type { MessageJson } from '../blocks/types.js';
import { followUps } from '../follow-ups.js';
import type { CallMeta } from '../messenger.js';
import type { Actor } from '../actor.js';
import { sendDirectMessage } from './notices.js';
import { learnPersonIfNew, personZone } from './people.js';
import { refreshSessionCard } from './session-card.js';

/**
 * Attendance in Slack after a session: the host's "Who came?" DM (a job at the session's end),
 * its Everyone came button, and keeping that DM and the card true once attendance is saved.
 * Mark who came opens the existing checklist (session-modals.ts openAttendanceModal).
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

/** attendance_ask job: the DM to the host, in their zone, opt-out honoured (sendDirectMessage). */
export async function deliverAttendanceAsk(
  deps: AppDeps,
  teamId: string,
  current: { session: Session; summary: AttendanceSummary },
  meta?: CallMeta,
): ReturnType<typeof sendDirectMessage> {
  const { session, summary } = current;
  await learnPersonIfNew(deps, teamId, session.hostId);
  const message = buildAttendanceAskDm({
    number: session.number,
    title: session.title,
    startsAt: session.startsAt,
    durationMin: session.durationMin,
    joined: summary.seated,
    timeZone: personZone(deps, teamId, session.hostId),
  });
  return sendDirectMessage(deps, teamId, session.hostId, message, meta);
}

/** Rewrites the "Who came?" DM of this session, if one went out. Returns whether it did; a Slack failure is logged. */
async function updateAskDm(deps: AppDeps, teamId: string, number: number, message: MessageJson): Promise<boolean> {
  const dm = findAttendanceAskDm(serviceDeps(deps), teamId, number);
  if (dm === undefined) return false;
  try {
    await deps.messenger.updateMessage(teamId, { channel: dm.channel, ts: dm.ts, text: message.text, blocks: message.blocks });
    return true;
  } catch (error) {
    deps.logger.warn({ err: error, teamId, sessionNumber: number }, 'attendance DM not updated');
    return false;
  }
}

/**
 * Everyone came: marks every seated attendee yes (services/attendance-ask.ts: rights checked,
 * nothing changed when attendance was already saved), then the DM says what is recorded and the
 * card is refreshed. Returns what to tell the clicker privately: nothing when the DM itself
 * changed, else the same words (no DM on record, or Slack refused the update).
 */
export async function everyoneCameClick(deps: AppDeps, actor: Actor, number: number): Promise<string | undefined> {
  const outcome = markEveryoneAttended(serviceDeps(deps), actor.teamId, number, actor);
  if (outcome.status === 'marked') {
    deps.logger.info({ teamId: actor.teamId, userId: actor.userId, sessionNumber: number, yes: outcome.summary.yes }, 'attendance marked: everyone came');
    void refreshSessionCard(deps, actor.teamId, number);
  }
  const message = buildAttendanceSavedDm({ number, title: outcome.session.title, summary: outcome.summary, how: outcome.status === 'marked' ? 'everyone' : 'already' });
  return (await updateAskDm(deps, actor.teamId, number, message)) ? undefined : message.text;
}

/**
 * After the checklist was saved (from the DM's Mark who came or `/peer attended`): the card is
 * refreshed and the "Who came?" DM, if one went out, turns into "Saved: 5 of 6 came". Rendered
 * from the database when its turn comes; never throws.
 */
export async function attendanceSaved(deps: AppDeps, teamId: string, number: number): Promise<void> {
  const dm = followUps(deps, deps.logger).run(`attendance-dm:${teamId}:${number}`, async () => {
    const svc = serviceDeps(deps);
    const session = getSession(svc, teamId, number);
    if (session === undefined) return;
    const summary = attendanceSummary(svc, teamId, number);
    await updateAskDm(deps, teamId, number, buildAttendanceSavedDm({ number, title: session.title, summary, how: 'saved' }));
  });
  await Promise.all([refreshSessionCard(deps, teamId, number), dm]);
}
