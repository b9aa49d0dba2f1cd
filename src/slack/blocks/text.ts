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

/** Characters one character of user text takes once escaped (`&` is `&amp;`). */
function escapedWidth(char: string): number {
  return char === '&' ? 5 : char === '<' || char === '>' ? 4 : 1;
}

/**
 * What people typed, ready for mrkdwn: cut to `max` characters first and only then escaped, so a
 * cut can never land inside an entity (`&am…`). Escaping grows the text (up to five times, all
 * `&`), so `fit` caps the escaped result: when it would be longer, more of the typed text is cut
 * off, still before escaping, until it fits with its ellipsis. Block Kit limits go in `fit`.
 */
export function escapeTruncated(text: string, max: number, fit: number = Number.POSITIVE_INFINITY): string {
  // The common case: short, nothing to escape.
  if (text.length <= Math.min(max, fit) && !/[&<>]/.test(text)) return text;
  const chars = Array.from(text);
  const budget = Math.min(chars.length, max);
  let width = 0;
  let whole = chars.length <= max;
  for (let i = 0; i < budget && whole; i += 1) {
    width += escapedWidth(chars[i]!);
    if (width > fit) whole = false;
  }
  if (whole) return escapeMrkdwn(text);
  // Room for the ellipsis: keep the longest start whose escaped form and the "…" fit both limits.
  let kept = 0;
  width = 0;
  while (kept < max - 1 && kept < chars.length && width + escapedWidth(chars[kept]!) + 1 <= fit) {
    width += escapedWidth(chars[kept]!);
    kept += 1;
  }
  if (kept === 0 && fit < 1) return '';
  return `${escapeMrkdwn(chars.slice(0, kept).join(''))}…`;
}

/**
 * A mrkdwn text with one slot of user text in it (an agenda, a link, a reason) that must stay
 * within `limit` as a whole: the slot gets the room the rest of the template leaves.
 */
export function fillMrkdwn(limit: number, template: (slot: string) => string, text: string, max: number): string {
  return template(escapeTruncated(text, max, limit - Array.from(template('')).length));
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
