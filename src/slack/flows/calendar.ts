import { buildSessionIcs, getCalendarSession, sessionIcsFilename, type CalendarMethod } from '../../services/calendar.js';
import { formatInZone } from '../../services/time.js';
import { mayDirectMessage } from '../../services/delivery.js';
import { resolvePersonZone } from '../../services/members.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { escapeMrkdwn, truncate } from '../blocks/text.js';
import type { CallMeta } from '../messenger.js';

/**
 * Calendar files in a person's DM: the .ics of a session they joined, or its cancellation.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

export interface CalendarInviteInput {
  teamId: string;
  userId: string;
  sessionNumber: number;
  method: CalendarMethod;
}

export type CalendarInviteResult =
  | { status: 'sent'; fileIds: string[] }
  | { status: 'skipped'; reason: 'opted_out' | 'session_not_found' }
  | { status: 'failed'; code: string };

/**
 * Sends the session's .ics into the person's DM: an invitation when they join (or get a seat,
 * or the time/place changes), a cancellation when the session is cancelled. Opted-out people
 * get nothing. A Slack failure is thrown (a SlackCallError), so a job can retry it; `meta`
 * carries the job key, which paces the upload as a scheduled send.
 */
export async function deliverCalendarInvite(
  deps: AppDeps,
  input: CalendarInviteInput,
  meta?: CallMeta,
): Promise<Exclude<CalendarInviteResult, { status: 'failed' }>> {
  const { teamId, userId, sessionNumber, method } = input;
  const svc = serviceDeps(deps);
  if (!mayDirectMessage(svc, teamId, userId)) return { status: 'skipped', reason: 'opted_out' };
  const session = getCalendarSession(svc, teamId, sessionNumber);
  if (session === undefined) return { status: 'skipped', reason: 'session_not_found' };

  const zone = resolvePersonZone(svc, teamId, userId, deps.config.defaultTimeZone);
  const when = formatInZone(session.startsAt, zone);
  // The comment is parsed like message text: escaping keeps `<!channel>` in a title harmless.
  const plainTitle = truncate(session.title, 120);
  const title = escapeMrkdwn(plainTitle);
  const initialComment =
    method === 'CANCEL'
      ? `Cancelled: ${title}, ${when}. Open the attached file to remove it from your calendar.`
      : `You're in: ${title}, ${when}. Add it to your calendar with the attached file.`;

  const content = buildSessionIcs(session, deps.clock.now(), method);
  const { fileIds } = await deps.messenger.uploadFileToDm(
    teamId,
    userId,
    {
      filename: sessionIcsFilename(sessionNumber, session.sequence),
      title: method === 'CANCEL' ? `Cancelled: ${plainTitle}` : plainTitle,
      content,
      initialComment,
    },
    meta,
  );
  deps.logger.debug({ component: 'calendar-invite', teamId, userId, sessionNumber, method, fileIds }, 'calendar file sent');
  return { status: 'sent', fileIds };
}

/**
 * deliverCalendarInvite for the join flow, where the file is a convenience: it never throws,
 * a Slack failure is logged and the caller's flow goes on.
 */
export async function sendCalendarInvite(deps: AppDeps, input: CalendarInviteInput): Promise<CalendarInviteResult> {
  try {
    return await deliverCalendarInvite(deps, input);
  } catch (error) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'unexpected';
    deps.logger.warn({ component: 'calendar-invite', err: error, code, ...input }, 'calendar file not sent');
    return { status: 'failed', code };
  }
}
