import { REMINDER_KIND } from '../services/reminders.js';
import { handlePollClose, handlePollOpen } from './polls.js';
import { sendReminder } from './reminders.js';
import { postSessionCard } from './session-announce.js';
import { refreshEndedSessionCard } from './session-end.js';
import { sendSessionInvite, sendSessionNotice } from './session-notices.js';
import { sendWeeklyDm } from './weekly.js';
import { POLL_CLOSE_KIND, POLL_OPEN_KIND } from '../services/polls.js';
import { SESSION_ANNOUNCE_KIND } from '../services/session-announce.js';
import { SESSION_END_KIND } from '../services/session-end.js';
import { SESSION_INVITE_KIND, SESSION_NOTICE_KIND } from '../services/session-notices.js';
import { WEEKLY_KIND } from '../services/weekly.js';
import type { JobHandler } from './types.js';

/** kind -> handler: the scheduler runs a claimed job with the handler of its kind. */
export const jobHandlers: Record<string, JobHandler> = {
  [REMINDER_KIND]: sendReminder,
  [POLL_OPEN_KIND]: handlePollOpen,
  [POLL_CLOSE_KIND]: handlePollClose,
  [WEEKLY_KIND]: sendWeeklyDm,
  [SESSION_NOTICE_KIND]: sendSessionNotice,
  [SESSION_INVITE_KIND]: sendSessionInvite,
  [SESSION_END_KIND]: refreshEndedSessionCard,
  [SESSION_ANNOUNCE_KIND]: postSessionCard,
};
