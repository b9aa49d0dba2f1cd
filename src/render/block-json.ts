/**
 * Reading Block Kit JSON defensively: the renderers take whatever a builder (or a stored
 * message) holds, so every field is checked before use and nothing throws on a surprise.
 */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A text object (`{ type: 'mrkdwn' | 'plain_text', text }`). */
export interface TextObject {
  text: string;
  mrkdwn: boolean;
  /** plain_text turns `:shortcodes:` into emoji unless `emoji: false`. */
  emoji: boolean;
}

export function textObject(value: unknown): TextObject | undefined {
  if (typeof value === 'string') return { text: value, mrkdwn: false, emoji: true };
  if (!isObject(value) || typeof value.text !== 'string') return undefined;
  return { text: value.text, mrkdwn: value.type === 'mrkdwn', emoji: value.emoji !== false };
}

/** Every text object found anywhere inside `value`, in order: what an unknown block still says. */
export function textsInside(value: unknown, found: TextObject[] = []): TextObject[] {
  if (Array.isArray(value)) for (const item of value) textsInside(item, found);
  else if (isObject(value)) {
    const text = textObject(value);
    if (text !== undefined && (value.type === 'mrkdwn' || value.type === 'plain_text')) found.push(text);
    else for (const [key, inner] of Object.entries(value)) if (key !== 'type') textsInside(inner, found);
  }
  return found;
}

/** The label an option shows (`{ text, value }`). */
export function optionText(option: unknown): TextObject | undefined {
  return isObject(option) ? textObject(option.text) : undefined;
}

/** The options of a select, checkboxes, radio buttons or overflow, option groups flattened. */
export function optionsOf(element: Json): Json[] {
  const direct = list(element.options).filter(isObject);
  const grouped = list(element.option_groups).filter(isObject).flatMap((g) => list(g.options).filter(isObject));
  return [...direct, ...grouped];
}

/** The options an element starts with selected (`initial_option` / `initial_options`). */
export function initialOptions(element: Json): Json[] {
  return [element.initial_option, ...list(element.initial_options)].filter(isObject);
}

/** Values of the selected options, to mark them among all options. */
export function selectedValues(element: Json): Set<string> {
  return new Set(initialOptions(element).map((o) => str(o.value) ?? ''));
}

/** Only these schemes become links: a `javascript:` URL in a message stays text. */
export function safeUrl(url: string): boolean {
  return /^(https?:|mailto:)/i.test(url.trim());
}
