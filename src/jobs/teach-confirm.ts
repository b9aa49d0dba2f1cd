import { serviceDeps } from '../deps.js';
import { checkTeachConfirm, type TeachConfirmPayload } from '../services/skills.js';
import { deliverTeachConfirm } from '../slack/flows/skills.js';
import type { JobHandler } from './types.js';

/**
 * teach_confirm:<row>: the DM asking the peer a learner named as their teacher to confirm,
 * planned in the same transaction as "I learned it" (services/skills.ts), so a retry or a restart
 * never sends it twice. Skipped when the row is gone or already confirmed.
 */
export const handleTeachConfirm: JobHandler<TeachConfirmPayload> = async ({ deps, job, payload, meta }) => {
  const check = checkTeachConfirm(serviceDeps(deps), job.teamId, payload);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const sent = await deliverTeachConfirm(deps, job.teamId, payload, check.row, meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts } };
};
