import { initialOptions, isObject, list, optionsOf, optionText, safeUrl, selectedValues, str, textObject, textsInside, type Json, type TextObject } from './block-json.js';
import { dateText, EMOJI, emojiText, parseMrkdwn, type Inline } from './mrkdwn.js';

/**
 * A Block Kit message as a self-contained HTML page that looks roughly like Slack (`npm run demo`
 * writes the digest this way, so it can be seen without a workspace). Inline CSS, no script, no
 * external resource but the optional image. Every string from the blocks is HTML-escaped: text
 * people typed reads as text and never becomes markup; only http(s) and mailto URLs become links.
 */
export interface HtmlRenderOptions {
  /** The page's title (also shown above the message). */
  title: string;
  /** An image shown under the message, as the digest's chart is posted in its thread (a path or URL). */
  imageSrc?: string;
  imageAlt?: string;
  /** Who the message is from; "Peerloop" by default. */
  sender?: string;
  /** Display names by user or channel id, for `<@U123>` and `<#C123>`; an id without a name shows as itself. */
  names?: Readonly<Record<string, string>>;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f8f8f8;color:#1d1c1d;font:15px/1.46668 Lato,"Slack-Lato","Helvetica Neue",Helvetica,"Segoe UI",Tahoma,Arial,sans-serif;-webkit-font-smoothing:antialiased}
.page{max-width:680px;margin:24px auto;background:#fff;border:1px solid #e2e2e2;border-radius:8px;overflow:hidden}
.page-title{padding:10px 20px;border-bottom:1px solid #e2e2e2;font-weight:700;font-size:15px}
.message{display:flex;gap:8px;padding:12px 20px 16px}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:900;display:flex;align-items:center;justify-content:center}
.content{min-width:0;flex:1;max-width:600px}
.sender{font-weight:900}
.badge{margin-left:4px;padding:1px 3px;border-radius:2px;background:rgba(29,28,29,.13);color:rgba(29,28,29,.7);font-size:10px;font-weight:700;vertical-align:1px}
.block{margin:6px 0;overflow-wrap:anywhere}
.header{font-size:18px;font-weight:900;line-height:1.33;margin-top:8px}
.section{display:flex;gap:12px;align-items:flex-start;justify-content:space-between}
.section .text{flex:1}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin-top:4px}
.context{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px;font-size:12px;line-height:1.5;color:#616061}
.context img{width:16px;height:16px;border-radius:3px}
hr.divider{border:0;border-top:1px solid #e2e2e2;margin:12px 0}
.actions{display:flex;flex-wrap:wrap;gap:8px}
.btn{display:inline-flex;align-items:center;height:28px;padding:0 12px;border:1px solid rgba(29,28,29,.3);border-radius:4px;background:#fff;color:#1d1c1d;font:700 13px/1 Lato,"Helvetica Neue",Helvetica,Arial,sans-serif;text-decoration:none;white-space:nowrap;cursor:default}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{background:#fff;border-color:#e01e5a;color:#e01e5a}
.select{display:inline-flex;align-items:center;gap:8px;height:28px;padding:0 10px;border:1px solid rgba(29,28,29,.3);border-radius:4px;font-size:13px;color:#616061}
.choices{list-style:none;margin:0;padding:0;font-size:14px}
.input label{display:block;font-weight:700;margin-bottom:4px}
.hint{font-size:12px;color:#616061}
.image img,.attachment img{display:block;max-width:100%;height:auto;border-radius:8px;border:1px solid #e2e2e2}
.image{margin:6px 0}
.image .caption{font-size:13px;color:#616061}
.attachment{margin-top:12px}
.attachment .label{font-size:12px;color:#616061;margin-bottom:4px}
.mention{padding:0 2px;border-radius:3px;background:rgba(29,155,209,.1);color:#1264a3}
.mention.broadcast{background:rgba(242,199,68,.4);color:#1d1c1d}
a{color:#1264a3;text-decoration:none}
code{padding:2px 3px 1px;border:1px solid rgba(29,28,29,.13);border-radius:3px;background:rgba(29,28,29,.04);color:#e01e5a;font:12px Monaco,Menlo,Consolas,"Courier New",monospace}
pre{margin:4px 0;padding:8px;border:1px solid rgba(29,28,29,.13);border-radius:4px;background:rgba(29,28,29,.04);font:12px/1.5 Monaco,Menlo,Consolas,"Courier New",monospace;white-space:pre-wrap}
blockquote{margin:0;padding-left:12px;border-left:4px solid #ddd}
ul,ol{margin:0;padding-left:22px}
.unknown{padding:4px 8px;border:1px dashed #bbb;border-radius:4px;font-size:13px;color:#616061}
`;

export function blocksToHtml(blocks: readonly unknown[], options: HtmlRenderOptions): string {
  const r = new HtmlRenderer(options.names ?? {});
  const sender = options.sender ?? 'Peerloop';
  const body = blocks.map((block) => r.block(block)).join('\n');
  const image =
    options.imageSrc === undefined
      ? ''
      : `<div class="attachment"><div class="label">In the thread</div><img src="${escapeHtml(options.imageSrc)}" alt="${escapeHtml(options.imageAlt ?? 'Chart')}"></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="page">
<div class="page-title">${escapeHtml(options.title)}</div>
<div class="message">
<div class="avatar" aria-hidden="true">${escapeHtml(Array.from(sender)[0] ?? 'P')}</div>
<div class="content">
<div><span class="sender">${escapeHtml(sender)}</span><span class="badge">APP</span></div>
${body}
${image}
</div>
</div>
</div>
</body>
</html>
`;
}

/** Bare web addresses become links, as Slack makes them; trailing punctuation stays text. */
function linkify(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .map((part, i) => {
      if (i % 2 === 0) return escapeHtml(part);
      const url = part.replace(/[.,;:!?)\]]+$/, '');
      return `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>${escapeHtml(part.slice(url.length))}`;
    })
    .join('');
}

class HtmlRenderer {
  constructor(private readonly names: Readonly<Record<string, string>>) {}

  block(block: unknown): string {
    if (!isObject(block)) return '<div class="block unknown">A block that is not an object</div>';
    switch (block.type) {
      case 'header':
        return `<div class="block header">${this.text(textObject(block.text))}</div>`;
      case 'section':
        return this.section(block);
      case 'context':
        return `<div class="block context">${list(block.elements)
          .map((e) => (isObject(e) && e.type === 'image' ? this.img(e) : `<span>${this.text(textObject(e))}</span>`))
          .join('')}</div>`;
      case 'divider':
        return '<hr class="block divider">';
      case 'actions':
        return `<div class="block actions">${list(block.elements).map((e) => this.element(e)).join('')}</div>`;
      case 'image': {
        const title = this.text(textObject(block.title));
        return `<figure class="block image">${title === '' ? '' : `<figcaption class="caption">${title}</figcaption>`}${this.img(block)}</figure>`;
      }
      case 'rich_text':
        return `<div class="block rich-text">${list(block.elements).map((e) => this.richBlock(e)).join('')}</div>`;
      case 'input':
        return this.input(block);
      default:
        return this.unknown(block);
    }
  }

  private section(block: Json): string {
    const text = this.text(textObject(block.text));
    const fields = list(block.fields).map((f) => `<div>${this.text(textObject(f))}</div>`);
    const inner = `${text === '' ? '' : `<div>${text}</div>`}${fields.length === 0 ? '' : `<div class="fields">${fields.join('')}</div>`}`;
    const accessory = block.accessory === undefined ? '' : `<div class="accessory">${this.element(block.accessory)}</div>`;
    return `<div class="block section"><div class="text">${inner}</div>${accessory}</div>`;
  }

  private input(block: Json): string {
    const label = this.text(textObject(block.label));
    const hint = this.text(textObject(block.hint));
    return `<div class="block input"><label>${label}${block.optional === true ? ' <span class="hint">(optional)</span>' : ''}</label>${this.element(block.element)}${hint === '' ? '' : `<div class="hint">${hint}</div>`}</div>`;
  }

  private img(value: Json): string {
    const url = str(value.image_url) ?? '';
    const alt = escapeHtml(str(value.alt_text) ?? '');
    // Only web images load; anything else is shown as its description.
    if (!/^https?:/i.test(url)) return `<span>[${alt || 'image'}]</span>`;
    return `<img src="${escapeHtml(url)}" alt="${alt}">`;
  }

  private element(value: unknown): string {
    if (!isObject(value)) return '<span class="unknown">?</span>';
    const placeholder = this.text(textObject(value.placeholder));
    const select = (shows: string) => `<span class="select">${shows}<span aria-hidden="true">▾</span></span>`;
    switch (value.type) {
      case 'button': {
        const style = value.style === 'primary' || value.style === 'danger' ? ` ${value.style}` : '';
        const label = this.text(textObject(value.text)) || 'Button';
        const url = str(value.url);
        return url !== undefined && safeUrl(url) ? `<a class="btn${style}" href="${escapeHtml(url)}">${label}</a>` : `<button type="button" class="btn${style}">${label}</button>`;
      }
      case 'overflow':
        return `<button type="button" class="btn" title="${escapeHtml(optionsOf(value).map((o) => optionText(o)?.text ?? '').join(', '))}">⋯</button>`;
      case 'checkboxes':
      case 'radio_buttons': {
        const chosen = selectedValues(value);
        const kind = value.type === 'checkboxes' ? 'checkbox' : 'radio';
        return `<ul class="choices">${optionsOf(value)
          .map((o) => `<li><input type="${kind}" disabled${chosen.has(str(o.value) ?? '') ? ' checked' : ''}> ${this.text(optionText(o))}</li>`)
          .join('')}</ul>`;
      }
      case 'datepicker':
        return select(escapeHtml(str(value.initial_date) ?? '') || placeholder || 'Pick a date');
      case 'timepicker':
        return select(escapeHtml(str(value.initial_time) ?? '') || placeholder || 'Pick a time');
      case 'image':
        return this.img(value);
      case 'plain_text_input':
      case 'number_input':
      case 'email_text_input':
      case 'url_text_input':
        return `<span class="select">${escapeHtml(str(value.initial_value) ?? '') || placeholder || '&nbsp;'}</span>`;
      default:
        if (typeof value.type === 'string' && /select$/.test(value.type)) return select(this.selectShows(value) || placeholder || 'Choose');
        return `<span class="unknown">${escapeHtml(str(value.type) ?? 'element')}</span>`;
    }
  }

  private selectShows(element: Json): string {
    const options = initialOptions(element).map((o) => this.text(optionText(o)));
    const users = [element.initial_user, ...list(element.initial_users)].flatMap((id) => (typeof id === 'string' ? [this.mention('user', id, null)] : []));
    const channels = [element.initial_channel, element.initial_conversation, ...list(element.initial_channels), ...list(element.initial_conversations)].flatMap((id) =>
      typeof id === 'string' ? [this.mention('channel', id, null)] : [],
    );
    return [...options, ...users, ...channels].join(', ');
  }

  private unknown(block: Json): string {
    const type = escapeHtml(str(block.type) ?? 'untyped');
    const texts = textsInside(block).map((t) => this.text(t));
    return `<div class="block unknown">Not shown here: a <code>${type}</code> block${texts.length > 0 ? `. It says: ${texts.join(' · ')}` : ''}</div>`;
  }

  private text(value: TextObject | undefined): string {
    if (value === undefined) return '';
    if (value.mrkdwn) return this.mrkdwn(value.text);
    const text = escapeHtml(value.text).replace(/\n/g, '<br>');
    return value.emoji ? text.replace(/:([a-z0-9_+'-]+):/g, (whole, name: string) => EMOJI[name] ?? whole) : text;
  }

  private mrkdwn(text: string): string {
    const html: string[] = [];
    let lines: string[] = [];
    let quote: string[] = [];
    const flushLines = () => {
      if (lines.length > 0) html.push(lines.join('<br>'));
      lines = [];
    };
    const flushQuote = () => {
      if (quote.length > 0) html.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
      quote = [];
    };
    for (const chunk of parseMrkdwn(text)) {
      if (chunk.kind === 'pre') {
        flushLines();
        flushQuote();
        html.push(`<pre>${escapeHtml(chunk.text)}</pre>`);
      } else if (chunk.quote) {
        flushLines();
        quote.push(this.inlines(chunk.inlines));
      } else {
        flushQuote();
        lines.push(this.inlines(chunk.inlines));
      }
    }
    flushLines();
    flushQuote();
    return html.join('');
  }

  private inlines(inlines: readonly Inline[]): string {
    return inlines.map((i) => this.inline(i)).join('');
  }

  private inline(inline: Inline): string {
    switch (inline.kind) {
      case 'text':
        return linkify(inline.text);
      case 'bold':
        return `<b>${this.inlines(inline.children)}</b>`;
      case 'italic':
        return `<i>${this.inlines(inline.children)}</i>`;
      case 'strike':
        return `<s>${this.inlines(inline.children)}</s>`;
      case 'code':
        return `<code>${escapeHtml(inline.text)}</code>`;
      case 'link':
        return this.link(inline.url, inline.label);
      case 'user':
      case 'channel':
        return this.mention(inline.kind, inline.id, inline.label);
      case 'usergroup':
        return `<span class="mention">${escapeHtml(inline.label ?? `@${this.names[inline.id] ?? inline.id}`)}</span>`;
      case 'broadcast':
        return `<span class="mention broadcast">@${escapeHtml(inline.name)}</span>`;
      case 'date':
        return escapeHtml(inline.fallback);
      case 'emoji':
        return escapeHtml(emojiText(inline.name));
    }
  }

  private mention(kind: 'user' | 'channel', id: string, label: string | null): string {
    const name = this.names[id] ?? label ?? id;
    return `<span class="mention">${kind === 'user' ? '@' : '#'}${escapeHtml(name)}</span>`;
  }

  private link(url: string, label: string | null): string {
    const shown = escapeHtml(label === null || label === '' ? url.replace(/^mailto:/i, '') : label);
    return safeUrl(url) ? `<a href="${escapeHtml(url)}">${shown}</a>` : shown;
  }

  private richBlock(value: unknown): string {
    if (!isObject(value)) return '';
    const elements = list(value.elements);
    switch (value.type) {
      case 'rich_text_section':
        return `<div>${this.richInline(elements)}</div>`;
      case 'rich_text_preformatted':
        return `<pre>${this.richInline(elements)}</pre>`;
      case 'rich_text_quote':
        return `<blockquote>${this.richInline(elements)}</blockquote>`;
      case 'rich_text_list': {
        const tag = value.style === 'ordered' ? 'ol' : 'ul';
        const indent = typeof value.indent === 'number' ? value.indent : 0;
        return `<${tag} style="margin-left:${indent * 22}px">${elements.map((item) => `<li>${this.richBlock(item)}</li>`).join('')}</${tag}>`;
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
        const styled = (html: string) => {
          let out = html;
          if (style.code === true) out = `<code>${out}</code>`;
          if (style.bold === true) out = `<b>${out}</b>`;
          if (style.italic === true) out = `<i>${out}</i>`;
          if (style.strike === true) out = `<s>${out}</s>`;
          return out;
        };
        switch (e.type) {
          case 'text':
            return styled(escapeHtml(str(e.text) ?? '').replace(/\n/g, '<br>'));
          case 'link':
            return styled(this.link(str(e.url) ?? '', str(e.text) ?? null));
          case 'user':
            return this.mention('user', str(e.user_id) ?? 'someone', null);
          case 'channel':
            return this.mention('channel', str(e.channel_id) ?? 'channel', null);
          case 'usergroup':
            return `<span class="mention">@${escapeHtml(this.names[str(e.usergroup_id) ?? ''] ?? str(e.usergroup_id) ?? 'group')}</span>`;
          case 'broadcast':
            return `<span class="mention broadcast">@${escapeHtml(str(e.range) ?? 'here')}</span>`;
          case 'emoji':
            return escapeHtml(emojiText(str(e.name) ?? '', str(e.unicode)));
          case 'date':
            return escapeHtml(dateText(e.timestamp, str(e.fallback)));
          case 'color':
            return escapeHtml(str(e.value) ?? '');
          default:
            return `<span class="unknown">${escapeHtml(str(e.type) ?? '?')}</span>`;
        }
      })
      .join('');
  }
}
