import type { ReminderPayload, ReminderSession } from '../../services/reminders.js';
import type { WeekOverview } from '../../services/weekly.js';
import type { AppDeps } from '../../deps.js';
import { buildReminderMessage } from '../blocks/reminder.js';
import { buildWeeklyMessage } from '../blocks/weekly.js';
import type { CallMeta } from '../messenger.js';
import { sendDirectMessage } from './notices.js';

/**
 * The cadence DMs: a session reminder and the weekly "your week" message, rendered in the
 * person's zone and sent through the one DM path (opt-out honoured).
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

export type DmSent = { channel: string; ts: string } | { skipped: 'opted_out' };

/** One reminder DM for a session that, as checked at send time, still starts when planned. */
export function sendReminderDm(
  deps: AppDeps,
  teamId: string,
  payload: ReminderPayload,
  current: { session: ReminderSession; timeZone: string },
  meta?: CallMeta,
): Promise<DmSent> {
  const { session, timeZone } = current;
  const message = buildReminderMessage({
    number: session.number,
    title: session.title,
    startsAt: session.startsAt,
    durationMin: session.durationMin,
    channelId: session.channelId,
    agenda: session.agenda,
    link: session.link,
    leadMinutes: payload.leadMinutes,
    timeZone,
    isHost: session.hostId === payload.userId,
  });
  return sendDirectMessage(deps, teamId, payload.userId, message, meta);
}

/** The weekly "your week" DM: the person's own sessions ahead and a few suggestions. */
export function sendWeeklyOverview(
  deps: AppDeps,
  teamId: string,
  userId: string,
  view: { timeZone: string; nowMs: number; overview: WeekOverview },
  meta?: CallMeta,
): Promise<DmSent> {
  const { timeZone, nowMs, overview } = view;
  const message = buildWeeklyMessage({ timeZone, nowMs, mine: overview.mine, suggestions: overview.suggestions });
  return sendDirectMessage(deps, teamId, userId, message, meta);
}
