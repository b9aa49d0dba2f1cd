import { BlockKitLimits } from './limits.js';

/**
 * Text people typed is shown through these helpers only. Escaping &, < and > is what Slack
 * asks for: it turns `<!channel>` or `<@U123>` into harmless text, so nobody can ping a
 * channel through the bot.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  // UTF-16 length is never below the character count: a short text needs no splitting (the common case).
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** User text for inline code spans: escaped and without backticks, which would end the span. */
export function inlineCode(text: string, max = 60): string {
  return `\`${escapeMrkdwn(truncate(text.replace(/`/g, "'"), max))}\``;
}

export function mrkdwn(text: string, max: number = BlockKitLimits.sectionText) {
  return { type: 'mrkdwn' as const, text: truncate(text, max) };
}

export function plainText(text: string, max: number) {
  return { type: 'plain_text' as const, text: truncate(text, max), emoji: true };
}
