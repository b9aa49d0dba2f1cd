import { initialOptions, isObject, list, optionsOf, optionText, selectedValues, str, textObject, textsInside, type Json, type TextObject } from './block-json.js';
import { dateText, EMOJI, emojiText, parseMrkdwn, type Inline } from './mrkdwn.js';

/**
 * A Block Kit message as it reads in a terminal (`npm run demo`, `npm run report`): the words,
 * the structure (headers underlined, dividers as rules, buttons as `[ Join ]`), mrkdwn turned
 * into plain text, mentions as @name. Pure: no Slack call, the same blocks give the same text.
 */
export interface TextRenderOptions {
  /** Display names by user or channel id, for `<@U123>` -> `@ana` and `<#C123>` -> `#general`; an id without a name shows as itself. */
  names?: Readonly<Record<string, string>>;
}

const RULE = '─'.repeat(40);

export function blocksToText(blocks: readonly unknown[], options: TextRenderOptions = {}): string {
  const r = new TextRenderer(options.names ?? {});
  return blocks
    .map((block) => r.block(block))
    .filter((text) => text !== '')
    .join('\n\n');
}

/** One mrkdwn or plain text string as plain text (for a message's notification text, a modal title). */
export function mrkdwnToText(text: string, options: TextRenderOptions = {}): string {
  return new TextRenderer(options.names ?? {}).mrkdwn(text);
}

/**
 * Columns a string takes in a terminal: emoji and East Asian wide characters take two, joiners,
 * variation selectors and combining marks none. Close enough to line up a header's underline.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (/[\u200d\ufe0e\ufe0f]|\p{M}/u.test(char)) continue;
    width += /\p{Extended_Pictographic}|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  }
  return width;
}

/** Widest a left column gets before its lines are left to run into the right one. */
const COLUMN_MAX = 36;

/** Section fields side by side in two columns, as Slack lays them out. */
function columns(fields: readonly string[]): string {
  const width = displayWidth;
  const left = fields.filter((_, i) => i % 2 === 0);
  const column = Math.min(COLUMN_MAX, Math.max(0, ...left.flatMap((f) => f.split('\n').map(width)))) + 4;
  const rows: string[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const a = fields[i]!.split('\n');
    const b = i + 1 < fields.length ? fields[i + 1]!.split('\n') : [];
    for (let line = 0; line < Math.max(a.length, b.length); line += 1) {
      const l = a[line] ?? '';
      const r = b[line] ?? '';
      rows.push(r === '' ? l : `${l}${' '.repeat(Math.max(1, column - width(l)))}${r}`);
    }
  }
  return rows.join('\n');
}

class TextRenderer {
  constructor(private readonly names: Readonly<Record<string, string>>) {}

  block(block: unknown): string {
    if (!isObject(block)) return '[a block that is not an object]';
    switch (block.type) {
      case 'header':
        return this.header(block);
      case 'section':
        return this.section(block);
      case 'context':
        return list(block.elements).map((e) => this.contextElement(e)).filter((t) => t !== '').join('  ');
      case 'divider':
        return RULE;
      case 'actions':
        return list(block.elements).map((e) => this.element(e)).join('  ');
      case 'image':
        return this.image(block);
      case 'rich_text':
        return list(block.elements).map((e) => this.richBlock(e)).join('\n');
      case 'input':
        return this.input(block);
      case 'video':
        return `[video: ${this.text(textObject(block.title)) || 'untitled'}]${str(block.title_url) ? ` (${str(block.title_url)})` : ''}`;
      case 'file':
        return `[file${str(block.external_id) ? `: ${str(block.external_id)}` : ''}]`;
      default:
        return this.unknown(block);
    }
  }

  private header(block: Json): string {
    const title = this.text(textObject(block.text));
    return `${title}\n${'='.repeat(Math.max(3, displayWidth(title)))}`;
  }

  private section(block: Json): string {
    const parts: string[] = [];
    const text = this.text(textObject(block.text));
    if (text !== '') parts.push(text);
    const fields = list(block.fields).map((f) => this.text(textObject(f)));
    if (fields.length > 0) parts.push(columns(fields));
    if (block.accessory !== undefined) parts.push(this.element(block.accessory));
    return parts.join('\n');
  }

  private contextElement(element: unknown): string {
    if (isObject(element) && element.type === 'image') return `[${str(element.alt_text) ?? 'image'}]`;
    return this.text(textObject(element));
  }

  private image(block: Json): string {
    const title = this.text(textObject(block.title));
    const alt = str(block.alt_text) ?? '';
    const url = str(block.image_url);
    return `[image: ${title || alt || 'no description'}]${url === undefined ? '' : ` (${url})`}`;
  }

  private input(block: Json): string {
    const label = this.text(textObject(block.label));
    const hint = this.text(textObject(block.hint));
    const element = this.element(block.element);
    return [`${label}${block.optional === true ? ' (optional)' : ''}`, element, hint].filter((t) => t !== '').join('\n');
  }

  /** An interactive element (button, select, picker, input) as a bracketed control. */
  element(value: unknown): string {
    if (!isObject(value)) return '[ ? ]';
    const placeholder = this.text(textObject(value.placeholder));
    const control = (inside: string) => `[ ${inside} ]`;
    switch (value.type) {
      case 'button': {
        const url = str(value.url);
        return `${control(this.text(textObject(value.text)) || 'Button')}${url === undefined ? '' : ` (${url})`}`;
      }
      case 'overflow':
        return control(`⋯ ${optionsOf(value).map((o) => this.text(optionText(o))).join(' | ')}`.trim());
      case 'checkboxes':
      case 'radio_buttons': {
        const chosen = selectedValues(value);
        const box = (on: boolean) => (value.type === 'checkboxes' ? (on ? '[x]' : '[ ]') : on ? '(•)' : '( )');
        return optionsOf(value).map((o) => `${box(chosen.has(str(o.value) ?? ''))} ${this.text(optionText(o))}`).join('\n');
      }
      case 'datepicker':
        return control(`${str(value.initial_date) ?? (placeholder || 'Pick a date')} ▾`);
      case 'timepicker':
        return control(`${str(value.initial_time) ?? (placeholder || 'Pick a time')} ▾`);
      case 'image':
        return `[${str(value.alt_text) ?? 'image'}]`;
      case 'plain_text_input':
      case 'number_input':
      case 'email_text_input':
      case 'url_text_input':
        return control(str(value.initial_value) ?? (placeholder || '…'));
      default: {
        if (typeof value.type === 'string' && /select$/.test(value.type)) return control(`${this.selectShows(value) || placeholder || 'Choose'} ▾`);
        return control(str(value.type) ?? '?');
      }
    }
  }

  /** What a select shows before it is opened: its chosen option(s), user(s), channel(s). */
  private selectShows(element: Json): string {
    const options = initialOptions(element).map((o) => this.text(optionText(o)));
    const users = [element.initial_user, ...list(element.initial_users)].flatMap((id) => (typeof id === 'string' ? [`@${this.names[id] ?? id}`] : []));
    const channels = [element.initial_channel, element.initial_conversation, ...list(element.initial_channels), ...list(element.initial_conversations)].flatMap((id) =>
      typeof id === 'string' ? [`#${this.names[id] ?? id}`] : [],
    );
    return [...options, ...users, ...channels].join(', ');
  }

  private unknown(block: Json): string {
    const type = str(block.type) ?? 'untyped';
    const texts = textsInside(block).map((t) => this.text(t));
    return `[${type} block]${texts.length > 0 ? ` ${texts.join(' · ')}` : ''}`;
  }

  text(value: TextObject | undefined): string {
    if (value === undefined) return '';
    return value.mrkdwn ? this.mrkdwn(value.text) : value.emoji ? this.emojify(value.text) : value.text;
  }

  private emojify(text: string): string {
    return text.replace(/:([a-z0-9_+'-]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
  }

  mrkdwn(text: string): string {
    return parseMrkdwn(text)
      .map((chunk) =>
        chunk.kind === 'pre'
          ? chunk.text
              .split('\n')
              .map((line) => `    ${line}`)
              .join('\n')
          : `${chunk.quote ? '│ ' : ''}${this.inlines(chunk.inlines)}`,
      )
      .join('\n');
  }

  private inlines(inlines: readonly Inline[]): string {
    return inlines.map((inline) => this.inline(inline)).join('');
  }

  private inline(inline: Inline): string {
    switch (inline.kind) {
      case 'text':
        return inline.text;
      case 'bold':
      case 'italic':
        return this.inlines(inline.children);
      case 'strike':
        return `~${this.inlines(inline.children)}~`;
      case 'code':
        return `\`${inline.text}\``;
      case 'link':
        return this.link(inline.url, inline.label);
      case 'user':
        return `@${this.names[inline.id] ?? inline.label ?? inline.id}`;
      case 'channel':
        return `#${this.names[inline.id] ?? inline.label ?? inline.id}`;
      case 'usergroup':
        return inline.label ?? `@${this.names[inline.id] ?? inline.id}`;
      case 'broadcast':
        return `@${inline.name}`;
      case 'date':
        return inline.fallback;
      case 'emoji':
        return emojiText(inline.name);
    }
  }

  /** `label (url)`, or just the url when the label adds nothing. */
  private link(url: string, label: string | null): string {
    const bare = url.replace(/^mailto:/i, '');
    if (label === null || label === '' || label === url || label === bare) return bare;
    return `${label} (${bare})`;
  }

  /** A rich_text element: section, list, preformatted or quote. */
  private richBlock(value: unknown, depth = 0): string {
    if (!isObject(value)) return '';
    const elements = list(value.elements);
    switch (value.type) {
      case 'rich_text_section':
        return this.richInline(elements);
      case 'rich_text_preformatted':
        return this.richInline(elements)
          .split('\n')
          .map((line) => `    ${line}`)
          .join('\n');
      case 'rich_text_quote':
        return this.richInline(elements)
          .split('\n')
          .map((line) => `│ ${line}`)
          .join('\n');
      case 'rich_text_list': {
        const indent = '  '.repeat(typeof value.indent === 'number' ? value.indent : depth);
        const start = typeof value.offset === 'number' ? value.offset : 0;
        return elements.map((item, i) => `${indent}${value.style === 'ordered' ? `${start + i + 1}.` : '•'} ${this.richBlock(item, depth + 1)}`).join('\n');
      }
      default:
        return this.unknown(value);
    }
  }

  private richInline(elements: unknown[]): string {
    return elements
      .map((e) => {
        if (!isObject(e)) return '';
        const style = isObject(e.style) ? e.style : {};
        switch (e.type) {
          case 'text': {
            const text = str(e.text) ?? '';
            return style.code === true ? `\`${text}\`` : style.strike === true ? `~${text}~` : text;
          }
          case 'link':
            return this.link(str(e.url) ?? '', str(e.text) ?? null);
          case 'user':
            return `@${this.names[str(e.user_id) ?? ''] ?? str(e.user_id) ?? 'someone'}`;
          case 'channel':
            return `#${this.names[str(e.channel_id) ?? ''] ?? str(e.channel_id) ?? 'channel'}`;
          case 'usergroup':
            return `@${this.names[str(e.usergroup_id) ?? ''] ?? str(e.usergroup_id) ?? 'group'}`;
          case 'broadcast':
            return `@${str(e.range) ?? 'here'}`;
          case 'emoji':
            return emojiText(str(e.name) ?? '', str(e.unicode));
          case 'date':
            return dateText(e.timestamp, str(e.fallback));
          case 'color':
            return str(e.value) ?? '';
          default:
            return `[${str(e.type) ?? '?'}]`;
        }
      })
      .join('');
  }
}
