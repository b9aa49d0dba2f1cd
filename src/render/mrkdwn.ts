/**
 * Slack's mrkdwn read into a small tree, so one parser feeds both renderers (terminal text and
 * HTML) and they cannot disagree on what is bold or what is a link. It follows what Slack does
 * with the text Peerloop sends: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```pre``` ````,
 * `>` quotes, `<@U1>`, `<#C1>`, `<!here>`, `<!subteam^S1|@team>`, `<!date^…|fallback>`,
 * `<url|label>`, `:emoji:`, and the three entities Slack escapes (`&lt;` `&gt;` `&amp;`).
 */

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; url: string; label: string | null }
  | { kind: 'user'; id: string; label: string | null }
  | { kind: 'channel'; id: string; label: string | null }
  | { kind: 'usergroup'; id: string; label: string | null }
  /** @here, @channel, @everyone. */
  | { kind: 'broadcast'; name: string }
  /** A `<!date^…>` token: the fallback is what a reader without Slack's formatting sees. */
  | { kind: 'date'; fallback: string }
  | { kind: 'emoji'; name: string };

export type Chunk =
  /** One line of text; `quote` when it started with `>`. */
  | { kind: 'line'; quote: boolean; inlines: Inline[] }
  /** A ```preformatted``` block, its text as written (entities decoded). */
  | { kind: 'pre'; text: string };

/** The only entities Slack's escaping produces; `&amp;` last, so `&amp;lt;` reads `&lt;`. */
export function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp);/g, (_, name: string) => (name === 'lt' ? '<' : name === 'gt' ? '>' : '&'));
}

export function parseMrkdwn(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  const parts = text.split('```');
  // An unclosed fence is a literal ``` (an even number of parts means the last one opened nothing).
  if (parts.length % 2 === 0) parts.splice(parts.length - 2, 2, `${parts[parts.length - 2]}\`\`\`${parts[parts.length - 1]}`);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      chunks.push({ kind: 'pre', text: decodeEntities(part.replace(/^\n/, '').replace(/\n$/, '')) });
      return;
    }
    // Text around a fence keeps its lines; the newline next to a fence belongs to the fence.
    const body = i > 0 ? part.replace(/^\n/, '') : part;
    const trimmed = i < parts.length - 1 ? body.replace(/\n$/, '') : body;
    if (trimmed === '' && parts.length > 1) return;
    for (const line of trimmed.split('\n')) {
      const quote = /^>\s?/.exec(line);
      chunks.push({ kind: 'line', quote: quote !== null, inlines: parseInline(quote === null ? line : line.slice(quote[0].length)) });
    }
  });
  return chunks;
}

const STYLE = { '*': 'bold', _: 'italic', '~': 'strike' } as const;
type Marker = keyof typeof STYLE;

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** An opening marker follows the start or a non-word character, and is followed by text. */
function opens(s: string, i: number): boolean {
  return !isWord(s[i - 1]) && s[i + 1] !== undefined && !isSpace(s[i + 1]) && s[i + 1] !== s[i];
}

/** Where the marker opened at `i` closes: after text, before the end or a non-word character. Links and code inside are skipped whole. */
function closing(s: string, i: number, marker: Marker): number {
  for (let j = i + 1; j < s.length; j += 1) {
    const c = s[j];
    if (c === '<') {
      const end = s.indexOf('>', j + 1);
      if (end !== -1) j = end;
      continue;
    }
    if (c === '`') {
      const end = s.indexOf('`', j + 1);
      if (end !== -1) j = end;
      continue;
    }
    if (c === marker && j > i + 1 && !isSpace(s[j - 1]) && !isWord(s[j + 1])) return j;
  }
  return -1;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') out.push({ kind: 'text', text: decodeEntities(text) });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '<') {
      const end = s.indexOf('>', i + 1);
      if (end > i + 1) {
        flush();
        out.push(angle(s.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    } else if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ kind: 'code', text: decodeEntities(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    } else if (c === '*' || c === '_' || c === '~') {
      const end = opens(s, i) ? closing(s, i, c) : -1;
      if (end !== -1) {
        flush();
        out.push({ kind: STYLE[c], children: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    } else if (c === ':') {
      const emoji = /^:([a-z0-9_+'-]+):/.exec(s.slice(i));
      if (emoji !== null) {
        flush();
        out.push({ kind: 'emoji', name: emoji[1]! });
        i += emoji[0].length;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  flush();
  return out;
}

/** What is between `<` and `>`: a mention, a special command, or a link. */
function angle(content: string): Inline {
  const bar = content.indexOf('|');
  const target = bar === -1 ? content : content.slice(0, bar);
  const label = bar === -1 ? null : decodeEntities(content.slice(bar + 1));
  if (target.startsWith('@')) return { kind: 'user', id: target.slice(1), label };
  if (target.startsWith('#')) return { kind: 'channel', id: target.slice(1), label };
  if (target.startsWith('!')) {
    const [command, ...args] = target.slice(1).split('^');
    if (command === 'here' || command === 'channel' || command === 'everyone') return { kind: 'broadcast', name: command };
    if (command === 'subteam') return { kind: 'usergroup', id: args[0] ?? '', label };
    if (command === 'date') return { kind: 'date', fallback: label ?? args[0] ?? '' };
    return { kind: 'text', text: label ?? `<${decodeEntities(content)}>` };
  }
  return { kind: 'link', url: decodeEntities(target), label };
}

/**
 * The shortcodes Peerloop's messages use, as the characters a terminal or a browser shows.
 * Anything else stays as `:name:`, which still reads.
 */
export const EMOJI: Readonly<Record<string, string>> = {
  tada: '🎉',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  no_entry_sign: '🚫',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  bar_chart: '📊',
  star: '⭐',
  star2: '🌟',
  sparkles: '✨',
  trophy: '🏆',
  raised_hands: '🙌',
  clap: '👏',
  '+1': '👍',
  thumbsup: '👍',
  pray: '🙏',
  heart: '❤️',
  wave: '👋',
  calendar: '📆',
  date: '📅',
  clipboard: '📋',
  eyes: '👀',
  spiral_calendar_pad: '🗓️',
  alarm_clock: '⏰',
  hourglass_flowing_sand: '⏳',
  bulb: '💡',
  books: '📚',
  mortar_board: '🎓',
  teacher: '🧑‍🏫',
  seedling: '🌱',
  rocket: '🚀',
  fire: '🔥',
  muscle: '💪',
  handshake: '🤝',
  busts_in_silhouette: '👥',
  bust_in_silhouette: '👤',
  speech_balloon: '💬',
  memo: '📝',
  pencil2: '✏️',
  microphone: '🎤',
  mag: '🔍',
  point_right: '👉',
  arrow_up: '⬆️',
  arrow_down: '⬇️',
  arrow_right: '➡️',
  small_red_triangle: '🔺',
  small_red_triangle_down: '🔻',
  heavy_plus_sign: '➕',
  heavy_minus_sign: '➖',
  arrows_counterclockwise: '🔄',
  grey_question: '❔',
  question: '❓',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  red_circle: '🔴',
};

/** An emoji as a character: the map, else a rich_text element's `unicode` code points ("1f389"), else `:name:`. */
export function emojiText(name: string, unicode?: string): string {
  const known = EMOJI[name];
  if (known !== undefined) return known;
  if (unicode !== undefined && /^[0-9a-f]{2,6}(-[0-9a-f]{2,6})*$/i.test(unicode)) {
    const points = unicode.split('-').map((hex) => parseInt(hex, 16));
    if (points.every((p) => p <= 0x10ffff)) return String.fromCodePoint(...points);
  }
  return `:${name}:`;
}

/** A rich_text date element's text: its fallback, else the instant in UTC. */
export function dateText(timestamp: unknown, fallback: string | undefined): string {
  if (fallback !== undefined) return fallback;
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : 'a date';
}
