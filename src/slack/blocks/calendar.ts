import type { EphemeralMessage } from './help.js';
import { mrkdwn } from './text.js';

/**
 * `/peer calendar`: the secret feed URL and how to subscribe, or, without PUBLIC_URL, what the
 * admin has to do. The URL is ours (PUBLIC_URL + a base64url token), so it needs no escaping.
 */
export function buildCalendarFeedMessage(input: { feedUrl: string | undefined }): EphemeralMessage {
  if (input.feedUrl === undefined) {
    const text =
      "The calendar feed is not available yet: a Peerloop admin must set `PUBLIC_URL` (this app's public https address) so calendars can fetch it.\n" +
      'Until then, you still get an `.ics` file in a DM from Peerloop each time you join a session: open it to add the session to your calendar.';
    return { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const intro = "*Your workspace's Peerloop calendar feed* (every session from a week ago to 90 days ahead, updated as they change):";
  const how =
    '*Google Calendar:* Other calendars > + > From URL, paste the address, Add calendar.\n' +
    '*Outlook:* Add calendar > Subscribe from web, paste the address, Import.\n' +
    'Calendars refresh a subscribed feed on their own schedule (Google: every few hours).';
  const warning = ':warning: Anyone with this link can see session titles, times and agendas. Do not post it in a public place.';
  return {
    response_type: 'ephemeral',
    text: `${intro}\n${input.feedUrl}\n${how}\n${warning}`,
    blocks: [
      { type: 'section', text: mrkdwn(intro) },
      { type: 'section', text: mrkdwn(`\`\`\`${input.feedUrl}\`\`\``) },
      { type: 'section', text: mrkdwn(how) },
      { type: 'context', elements: [mrkdwn(warning)] },
    ],
  };
}
