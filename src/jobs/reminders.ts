import { serviceDeps } from '../deps.js';
import { checkReminder, type ReminderPayload } from '../services/reminders.js';
import { sendReminderDm } from '../slack/flows/cadence.js';
import type { JobHandler } from './types.js';

/** reminder:<session>:<user>:<lead>:<start>: one reminder DM, after checking at send time that it still makes sense. */
export const sendReminder: JobHandler<ReminderPayload> = async ({ deps, job, payload, meta }) => {
  const check = checkReminder(serviceDeps(deps), job.teamId, payload, deps.config.defaultTimeZone);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const sent = await sendReminderDm(deps, job.teamId, payload, check, meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts } };
};
