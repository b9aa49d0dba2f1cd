import { z } from 'zod';

/**
 * Reading one input element of a submitted modal (view.state.values[block][action]). Slack sends
 * a fixed shape per element type: plain_text_input `value` string or null, datepicker
 * `selected_date`, static_select `selected_option.value`, checkboxes `selected_options`, ...
 * Each element's state is checked against its type's shape before anything reads it, so a value
 * of the wrong type (a forged or broken payload: seats as an object, a date as a number, a text
 * field answered by a datepicker) is refused on its field instead of being read as empty, which
 * would quietly change what the person asked for (seats as an object meant "no limit").
 *
 * An element that is absent, or whose value key is absent or null, is empty: that is how Slack
 * sends a field left blank, and the form's own rules then decide whether blank is allowed.
 */

export type InputKind = 'text' | 'date' | 'time' | 'user' | 'conversation' | 'option' | 'options';

const text = z.string().nullish();
const option = z.object({ value: z.string() });

/** One zod shape per kind; `type`, when sent, must be an element of that kind. */
const SHAPES = {
  text: z.object({ type: z.enum(['plain_text_input', 'number_input', 'url_text_input', 'email_text_input']).optional(), value: text }),
  date: z.object({ type: z.literal('datepicker').optional(), selected_date: text }),
  time: z.object({ type: z.literal('timepicker').optional(), selected_time: text }),
  user: z.object({ type: z.literal('users_select').optional(), selected_user: text }),
  conversation: z.object({ type: z.literal('conversations_select').optional(), selected_conversation: text }),
  option: z.object({ type: z.enum(['static_select', 'external_select', 'radio_buttons']).optional(), selected_option: option.nullish() }),
  options: z.object({ type: z.enum(['checkboxes', 'multi_static_select', 'multi_external_select']).optional(), selected_options: z.array(option).nullish() }),
} as const;

/** What the person reads under a field whose value could not be read. */
export const UNREADABLE_MESSAGES: Readonly<Record<InputKind, string>> = {
  text: 'This could not be read as text. Type it again.',
  date: 'This could not be read as a date. Pick the date again.',
  time: 'This could not be read as a time. Pick the time again.',
  user: 'This could not be read as a person. Pick them again.',
  conversation: 'This could not be read as a channel. Pick the channel again.',
  option: 'This could not be read as one of the choices. Pick one again.',
  options: 'These could not be read as choices. Tick them again.',
};

export type InputRead<T> = { ok: true; value: T | undefined } | { ok: false; message: string };

export type SingleKind = Exclude<InputKind, 'options'>;

/** Where each single-value kind keeps its value (an option keeps it one level down). */
const VALUE_KEY: Readonly<Record<SingleKind, string>> = {
  text: 'value',
  date: 'selected_date',
  time: 'selected_time',
  user: 'selected_user',
  conversation: 'selected_conversation',
  option: 'selected_option',
};

/** One element's value as the string it holds (undefined when blank), or why it cannot be read. */
export function readInput(state: unknown, kind: SingleKind): InputRead<string> {
  if (state === undefined || state === null) return { ok: true, value: undefined };
  const parsed = SHAPES[kind].safeParse(state);
  if (!parsed.success) return { ok: false, message: UNREADABLE_MESSAGES[kind] };
  const held = (parsed.data as Record<string, unknown>)[VALUE_KEY[kind]] as string | { value: string } | null | undefined;
  return { ok: true, value: (typeof held === 'object' ? held?.value : held) ?? undefined };
}

/** A multi-choice element's values (checkboxes, multi-selects), or why they cannot be read. */
export function readChoices(state: unknown): InputRead<string[]> {
  if (state === undefined || state === null) return { ok: true, value: undefined };
  const parsed = SHAPES.options.safeParse(state);
  if (!parsed.success) return { ok: false, message: UNREADABLE_MESSAGES.options };
  return { ok: true, value: parsed.data.selected_options?.map((o) => o.value) };
}

const KIND_OF_TYPE: Readonly<Record<string, SingleKind>> = {
  plain_text_input: 'text',
  number_input: 'text',
  url_text_input: 'text',
  email_text_input: 'text',
  datepicker: 'date',
  timepicker: 'time',
  users_select: 'user',
  conversations_select: 'conversation',
  static_select: 'option',
  external_select: 'option',
  radio_buttons: 'option',
};

/**
 * A single-value element of one of `kinds`, where the reader does not fix which (forms whose
 * blocks mix selects and text inputs): the kind comes from the `type` Slack sends, else from
 * which value key is there. Any other element type is unreadable.
 */
export function readAnyInput(state: unknown, kinds: readonly SingleKind[] = ['text', 'option']): InputRead<string> {
  if (state === undefined || state === null) return { ok: true, value: undefined };
  const has = (key: string): boolean => typeof state === 'object' && key in state;
  const guess: SingleKind = has('selected_option') ? 'option' : has('selected_conversation') ? 'conversation' : has('selected_date') ? 'date' : 'text';
  const { type } = (typeof state === 'object' ? state : {}) as { type?: unknown };
  const kind = type === undefined ? guess : typeof type === 'string' ? KIND_OF_TYPE[type] : undefined;
  if (kind === undefined || !kinds.includes(kind)) return { ok: false, message: UNREADABLE_MESSAGES[kinds.includes(guess) ? guess : kinds[0]!] };
  return readInput(state, kind);
}
