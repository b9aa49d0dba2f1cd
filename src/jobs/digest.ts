import { serviceDeps } from '../deps.js';
import { listTeamsWithDigestChannel, parseDigestKey, planDigest, type DigestNoticePayload, type DigestPayload } from '../services/digest.js';
import { deliverDigestNotice, runDigest } from '../slack/flows/digest.js';
import type { JobHandler, JobPlanner } from './types.js';

/**
 * digest:<team>:<week>: the weekly KPI digest (slack/flows/digest.ts runDigest). Late is fine
 * (the app was down): it is posted until the next week's is due; after that it is skipped as
 * too_late and the week in progress gets its digest instead.
 */
export const handleDigest: JobHandler<DigestPayload> = async ({ deps, job, payload, meta }) => {
  if (parseDigestKey(job.teamId, job.key) !== payload.weekId) return { status: 'skipped', reason: 'bad_key' };
  const run = await runDigest(deps, job.teamId, payload, meta);
  if (run.status === 'not_due') return { status: 'rescheduled', runAt: run.at, reason: 'not_due_yet' };
  if (run.status === 'skipped') return run;
  return { status: 'done', result: run.result };
};

/** digest_notice:<channel>:<week>:<user>: an admin hears the digest channel refused the digest. */
export const handleDigestNotice: JobHandler<DigestNoticePayload> = async ({ deps, job, payload, meta }) => {
  const sent = await deliverDigestNotice(deps, job.teamId, payload, meta);
  return sent.status === 'skipped' ? sent : { status: 'done', result: { channel: sent.channel, ts: sent.ts } };
};

/** Plans each workspace's next digest, visiting only workspaces with a digest channel. */
export const planDigestJobs: JobPlanner = (deps) => {
  const services = serviceDeps(deps);
  for (const teamId of listTeamsWithDigestChannel(services)) planDigest(services, teamId, deps.config.defaultTimeZone);
};
