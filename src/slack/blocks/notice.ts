import { BlockKitLimits } from './limits.js';
import { mrkdwn, plainText } from './text.js';

/**
 * A small modal that only says something: the answer to a click on App Home (which has no
 * response_url), or what a submitted form turned into when it was refused. `text` is mrkdwn the
 * caller built (user text already escaped).
 */
export function buildNoticeModal(text: string, title = 'Peerloop'): Record<string, unknown> {
  return {
    type: 'modal',
    title: plainText(title, BlockKitLimits.viewTitle),
    close: plainText('OK', BlockKitLimits.viewClose),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  };
}
