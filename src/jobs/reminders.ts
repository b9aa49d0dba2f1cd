import { serviceDeps } from '../deps.js';
import { checkReminder, type ReminderPayload } from '../services/reminders.js';
import { buildReminderMessage } from '../slack/blocks/reminder.js';
import { sendDirectMessage } from '../slack/flows/notices.js';
import type { JobHandler } from './types.js';

/** reminder:<session>:<user>:<lead>:<start>: one reminder DM, after checking at send time that it still makes sense. */
export const sendReminder: JobHandler<ReminderPayload> = async ({ deps, job, payload }) => {
  const check = checkReminder(serviceDeps(deps), job.teamId, payload, deps.config.defaultTimeZone);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const { session, timeZone } = check;
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
  const sent = await sendDirectMessage(deps, job.teamId, payload.userId, message, { jobKey: job.key });
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts } };
};
