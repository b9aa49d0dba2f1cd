import { getPersonalStats } from '../../../services/personal-stats.js';
import { buildPersonalStatsMessage } from '../../blocks/personal-stats.js';
import { serviceDeps } from '../../../deps.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer stats`: the person's own numbers, ephemeral, in the ack. A handful of indexed reads on
 * (team, person), well under a millisecond on a large workspace (see the report of this change),
 * so the answer is ready within Slack's 3 s without a round trip through response_url.
 */
export const handleStats: SubcommandHandler<'stats'> = async ({ actor, deps, ack }) => {
  const stats = getPersonalStats(serviceDeps(deps), actor.teamId, actor.userId);
  await ack(buildPersonalStatsMessage({ stats, timeZone: actor.timeZone }));
};
