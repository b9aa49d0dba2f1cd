import { getPersonalStats } from '../../../services/personal-stats.js';
import { buildPersonalStatsMessage } from '../../blocks/personal-stats.js';
import { serviceDeps } from '../../../deps.js';
import { answerCommandLater } from '../../flows/command-replies.js';
import type { SubcommandHandler } from './subcommand.js';

/**
 * `/peer stats`: the person's own numbers, ephemeral. Acked at once with no body and answered
 * through response_url, as `/peer list` is: the reads take milliseconds, tens of them on a large
 * workspace (who someone taught has no index of its own: services/personal-stats.ts).
 */
export const handleStats: SubcommandHandler<'stats'> = async ({ body, actor, deps, ack }) => {
  await ack();
  await answerCommandLater(deps, actor, { responseUrl: body.response_url, channelId: body.channel_id }, '/peer stats', () =>
    buildPersonalStatsMessage({ stats: getPersonalStats(serviceDeps(deps), actor.teamId, actor.userId), timeZone: actor.timeZone }),
  );
};
