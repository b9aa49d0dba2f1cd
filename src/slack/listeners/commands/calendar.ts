import { ensureCalendarToken, feedUrl } from '../../../services/calendar.js';
import { buildCalendarFeedMessage } from '../../blocks/calendar.js';
import { serviceDeps } from '../../../deps.js';
import type { SubcommandHandler } from './subcommand.js';

/** `/peer calendar`: the workspace's secret feed URL (created on first ask), ephemeral. */
export const handleCalendar: SubcommandHandler<'calendar'> = async ({ actor, deps, ack }) => {
  const publicUrl = deps.config.publicUrl;
  const url = publicUrl === undefined ? undefined : feedUrl(publicUrl, ensureCalendarToken(serviceDeps(deps), actor.teamId));
  await ack(buildCalendarFeedMessage({ feedUrl: url }));
};
