import { formatInZone } from '../../services/time.js';

/**
 * A Slack date token: each reader of a channel message sees the instant in their own Slack
 * time zone. The fallback (shown by clients that cannot render tokens, and in notifications)
 * is written in `fallbackZone` with the zone named, so it is never ambiguous.
 */
export function slackDateTime(ms: number, fallbackZone: string): string {
  const unix = Math.floor(ms / 1000);
  return `<!date^${unix}^{date_short_pretty} at {time}|${formatInZone(ms, fallbackZone)}>`;
}
