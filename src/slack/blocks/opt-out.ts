import { OptOutActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { mrkdwn, plainText } from './text.js';

export const OPTED_OUT_TEXT =
  "You're opted out: Peerloop won't send you any more DMs (no session reminders, no weekly \"your week\" message, no calendar invites), " +
  "and you won't be matched (an introduction is a message). " +
  'You can still schedule, join and leave sessions and vote in polls. Changed your mind? `/peer optin` turns DMs back on.';

export const OPTED_IN_TEXT =
  "You're opted in: Peerloop will DM you again (session reminders, the weekly \"your week\" message, calendar invites). `/peer optout` stops them any time.";

/** The App Home lines about DMs: the current state and a button that flips it. */
export function buildOptOutHomeBlocks(optedOut: boolean): Record<string, unknown>[] {
  const text = optedOut
    ? "*Direct messages: off.* You've opted out, so Peerloop sends you no reminders or weekly \"your week\" DMs."
    : '*Direct messages: on.* Peerloop DMs you reminders before your sessions and a weekly "your week" message.';
  return [
    { type: 'divider' },
    {
      type: 'section',
      block_id: 'home_optout',
      text: mrkdwn(text),
      accessory: {
        type: 'button',
        action_id: OptOutActions.toggle,
        value: optedOut ? 'in' : 'out',
        text: plainText(optedOut ? 'Turn DMs on' : 'Turn DMs off', BlockKitLimits.buttonText),
      },
    },
  ];
}
