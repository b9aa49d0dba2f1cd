import { mayDirectMessage } from '../services/delivery.js';
import { resolvePersonZone } from '../services/members.js';
import { getSettings } from '../services/workspace-settings.js';
import { getWeekOverview, listTeamsWithActiveMembers, parseWeeklyKey, planMissedWeeklyDm, planWeeklyDms, weeklyWindow, type WeeklyPayload } from '../services/weekly.js';
import { serviceDeps } from '../deps.js';
import { sendWeeklyOverview } from '../slack/flows/cadence.js';
import type { JobHandler, JobPlanner } from './types.js';

/**
 * weekly:<user>:<week>: the "your week" DM, composed at send time. Late is fine (the app was
 * down): it still goes out until the next week's DM is due, listing what is still ahead; after
 * that it is skipped as too_late, and the week in progress gets its DM instead.
 */
export const sendWeeklyDm: JobHandler<WeeklyPayload> = async ({ deps, job, payload: { userId }, meta }) => {
  const week = parseWeeklyKey(job.key);
  if (week === undefined) return { status: 'skipped', reason: 'bad_key' };
  const services = serviceDeps(deps);
  if (!mayDirectMessage(services, job.teamId, userId)) return { status: 'skipped', reason: 'opted_out' };
  const zone = resolvePersonZone(services, job.teamId, userId, deps.config.defaultTimeZone);
  // Recomputed in the person's zone as it is now, not as it was when the job was planned: after
  // a move west (Berlin to Los Angeles) the planned instant is midnight there. Same week, same
  // key, so moving the job can never make a second DM that week.
  const { dueAt, endsAt } = weeklyWindow(getSettings(services, job.teamId), week.weekId, zone);
  const now = deps.clock.now();
  if (now < dueAt) return { status: 'rescheduled', runAt: dueAt, reason: 'not_due_yet' };
  if (now >= endsAt) {
    // The next one covers the same days, but after downtime across two due times it was never
    // planned: this stale job hands over to the week in progress, which the same pass then sends.
    planMissedWeeklyDm(services, job.teamId, userId, zone);
    return { status: 'skipped', reason: 'too_late' };
  }
  const overview = getWeekOverview(services, job.teamId, userId, endsAt);
  if (overview.mine.length === 0 && overview.suggestions.length === 0) return { status: 'skipped', reason: 'nothing_to_show' };
  const sent = await sendWeeklyOverview(deps, job.teamId, userId, { timeZone: zone, nowMs: now, overview }, meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts, mine: overview.mine.length, suggestions: overview.suggestions.length } };
};

/** Creates each active member's next weekly job (a known key is a no-op), visiting only workspaces that have one. */
export const planWeeklyJobs: JobPlanner = (deps) => {
  const services = serviceDeps(deps);
  for (const teamId of listTeamsWithActiveMembers(services)) planWeeklyDms(services, teamId, deps.config.defaultTimeZone);
};
