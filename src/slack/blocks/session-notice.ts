import { BlockKitLimits } from './limits.js';
import { mrkdwn, plainText } from './text.js';

/**
 * A small modal that only says something: the answer to a click on App Home, which has no
 * response_url to reply to. `text` is mrkdwn the caller built (user text already escaped).
 */
export function buildSessionNoticeModal(text: string): Record<string, unknown> {
  return {
    type: 'modal',
    title: plainText('Peerloop', BlockKitLimits.viewTitle),
    close: plainText('OK', BlockKitLimits.viewClose),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  };
}
