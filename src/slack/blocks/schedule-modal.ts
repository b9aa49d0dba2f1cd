import { z } from 'zod';
import { getFormat, SESSION_FORMATS } from '../../services/formats.js';
import { AGENDA_MAX, CAPACITY_MAX, DURATION_MAX, DURATION_MIN, REPEAT_MAX, TITLE_MAX, TOPIC_MAX } from '../../services/session-model.js';
import { describeZone } from '../../services/time.js';
import { ScheduleModalFields as F, SessionActions, SessionViews } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { plainText, truncate } from './text.js';
import { parsePrivateMetadata } from '../private-metadata.js';
import { readInput, type InputKind } from './input-state.js';

/**
 * The schedule / edit modal. Its private_metadata carries the mode, the session number (edit),
 * the channel the command came from, a revision counter and, from a match intro, the group; it is validated with zod when it
 * comes back and never trusted for the workspace (the payload's team is).
 */
export const ScheduleModalMetadata = z.object({
  mode: z.enum(['create', 'edit']),
  number: z.number().int().positive().optional(),
  origin: z.string().regex(/^[CGD][A-Z0-9]+$/).optional(),
  rev: z.number().int().min(0).max(1_000_000).default(0),
  /**
   * Opened from a match intro's "Schedule a skill-swap": the group's id. When the form is saved
   * the group's other people join as attendees (read from the group, never from this metadata).
   */
  matchGroup: z.number().int().positive().optional(),
});
export type ScheduleModalMetadata = z.infer<typeof ScheduleModalMetadata>;

export function parseScheduleModalMetadata(raw: string): ScheduleModalMetadata | undefined {
  return parsePrivateMetadata(ScheduleModalMetadata, raw);
}

/** What the modal's fields hold, as text, the way Slack returns them (all optional). */
export interface ScheduleModalValues {
  format?: string | undefined;
  title?: string | undefined;
  topic?: string | undefined;
  date?: string | undefined;
  time?: string | undefined;
  duration?: string | undefined;
  hostId?: string | undefined;
  capacity?: string | undefined;
  channelId?: string | undefined;
  link?: string | undefined;
  agenda?: string | undefined;
  repeat?: string | undefined;
}

export interface ScheduleModalInput {
  metadata: ScheduleModalMetadata;
  values: ScheduleModalValues;
  /** The person's Slack time zone: date and time are read in it, and it is shown. */
  timeZone: string;
  now: number;
}

/** Block id of a field; duration and agenda carry the revision (see ScheduleModalFields). */
export function scheduleBlockId(field: keyof typeof F, rev: number): string {
  return field === 'duration' || field === 'agenda' ? `${F[field]}.${rev}` : F[field];
}

function input(field: keyof typeof F, rev: number, label: string, element: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    type: 'input',
    block_id: scheduleBlockId(field, rev),
    label: plainText(label, BlockKitLimits.inputLabel),
    // The format select has its own action id: picking one is a block action we answer.
    element: { action_id: field === 'format' ? SessionActions.formatSelect : F[field], ...element },
    ...extra,
  };
}

function option(value: string, text: string, description?: string) {
  return {
    value,
    text: plainText(text, BlockKitLimits.optionText),
    ...(description === undefined ? {} : { description: plainText(description, BlockKitLimits.optionText) }),
  };
}

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v !== '';

export function buildScheduleModal({ metadata, values, timeZone, now }: ScheduleModalInput): Record<string, unknown> {
  const rev = metadata.rev;
  const editing = metadata.mode === 'edit';
  const zone = describeZone(timeZone, now);
  const formatOptions = SESSION_FORMATS.map((f) => option(f.id, f.label, f.shape));
  const selectedFormat = formatOptions.find((o) => o.value === values.format);

  const blocks: Record<string, unknown>[] = [
    input(
      'format',
      rev,
      'Format',
      {
        type: 'static_select',
        placeholder: plainText('Pick a format', BlockKitLimits.placeholder),
        options: formatOptions,
        ...(selectedFormat === undefined ? {} : { initial_option: selectedFormat }),
      },
      // Picking a format calls us right away, so the usual length and agenda can be filled in.
      { dispatch_action: true, hint: plainText('Picking a format fills in its usual length and agenda.', BlockKitLimits.inputHint) },
    ),
    input('title', rev, 'Title', {
      type: 'plain_text_input',
      max_length: TITLE_MAX,
      placeholder: plainText('e.g. Writing SQL window functions', BlockKitLimits.placeholder),
      ...(nonEmpty(values.title) ? { initial_value: truncate(values.title, TITLE_MAX) } : {}),
    }),
    input(
      'topic',
      rev,
      'Skill or topic',
      {
        type: 'plain_text_input',
        max_length: TOPIC_MAX,
        ...(nonEmpty(values.topic) ? { initial_value: truncate(values.topic, TOPIC_MAX) } : {}),
      },
      { optional: true },
    ),
    input(
      'date',
      rev,
      `Date (${zone})`,
      { type: 'datepicker', ...(nonEmpty(values.date) ? { initial_date: values.date } : {}) },
    ),
    input(
      'time',
      rev,
      'Start time',
      { type: 'timepicker', ...(nonEmpty(values.time) ? { initial_time: values.time } : {}) },
      { hint: plainText(`Read in your Slack time zone: ${zone}. Everyone else sees it in their own.`, BlockKitLimits.inputHint) },
    ),
    input(
      'duration',
      rev,
      'Length (minutes)',
      { type: 'number_input', is_decimal_allowed: false, ...(nonEmpty(values.duration) ? { initial_value: values.duration } : {}) },
      { hint: plainText(`${DURATION_MIN} to ${DURATION_MAX} minutes.`, BlockKitLimits.inputHint) },
    ),
    input('host', rev, 'Host', { type: 'users_select', ...(nonEmpty(values.hostId) ? { initial_user: values.hostId } : {}) }),
    input(
      'capacity',
      rev,
      'Seats',
      { type: 'number_input', is_decimal_allowed: false, ...(nonEmpty(values.capacity) ? { initial_value: values.capacity } : {}) },
      { optional: true, hint: plainText(`1 to ${CAPACITY_MAX}; leave empty for no limit. When full, people join a waitlist.`, BlockKitLimits.inputHint) },
    ),
    input(
      'channel',
      rev,
      'Announce in',
      {
        type: 'conversations_select',
        filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
        ...(nonEmpty(values.channelId) ? { initial_conversation: values.channelId } : {}),
      },
      { hint: plainText('Peerloop must be in this channel: /invite @Peerloop there first if needed.', BlockKitLimits.inputHint) },
    ),
    input(
      'link',
      rev,
      'Meeting or recording link',
      { type: 'url_text_input', ...(nonEmpty(values.link) ? { initial_value: values.link } : {}) },
      { optional: true },
    ),
    input(
      'agenda',
      rev,
      'Agenda',
      {
        type: 'plain_text_input',
        multiline: true,
        max_length: AGENDA_MAX,
        ...(nonEmpty(values.agenda) ? { initial_value: truncate(values.agenda, AGENDA_MAX) } : {}),
      },
      { optional: true },
    ),
  ];
  if (!editing) {
    blocks.push(
      input(
        'repeat',
        rev,
        'Repeat weekly for (weeks)',
        { type: 'number_input', is_decimal_allowed: false, ...(nonEmpty(values.repeat) ? { initial_value: values.repeat } : {}) },
        { optional: true, hint: plainText(`1 to ${REPEAT_MAX}. Each week gets its own number and card.`, BlockKitLimits.inputHint) },
      ),
    );
  }

  return {
    type: 'modal',
    callback_id: SessionViews.schedule,
    private_metadata: JSON.stringify(metadata),
    title: plainText(editing ? `Edit session #${metadata.number ?? ''}` : 'Schedule a session', BlockKitLimits.viewTitle),
    submit: plainText(editing ? 'Save' : 'Schedule', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks,
  };
}

const normalised = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();
const TEMPLATE_AGENDAS = new Set(SESSION_FORMATS.map((f) => normalised(f.agendaTemplate)));
const DEFAULT_DURATIONS = new Set(SESSION_FORMATS.map((f) => String(f.defaultDurationMin)));

/**
 * The values after a format is picked: its usual length and agenda where the person has not
 * written their own (the field is empty or still holds a format's default), everything else
 * kept. Switching formats after writing an agenda never throws the agenda away.
 */
export function applyFormatDefaults(values: ScheduleModalValues, formatId: string): ScheduleModalValues {
  const format = getFormat(formatId);
  if (format === undefined) return values;
  const agendaIsDefault = TEMPLATE_AGENDAS.has(normalised(values.agenda)) || normalised(values.agenda) === '';
  const durationIsDefault = DEFAULT_DURATIONS.has(normalised(values.duration)) || normalised(values.duration) === '';
  return {
    ...values,
    format: format.id,
    ...(durationIsDefault ? { duration: String(format.defaultDurationMin) } : {}),
    ...(agendaIsDefault ? { agenda: format.agendaTemplate } : {}),
  };
}

/** view.state.values: block_id -> action_id -> the element's value object (shape varies by element). */
export type StateValues = Record<string, Record<string, object>>;

type FieldKey = keyof typeof F;

/** Each field: the element kind it is, and where its text goes in ScheduleModalValues. */
const FIELD_READS: Readonly<Record<FieldKey, { kind: Exclude<InputKind, 'options'>; into: keyof ScheduleModalValues }>> = {
  format: { kind: 'option', into: 'format' },
  title: { kind: 'text', into: 'title' },
  topic: { kind: 'text', into: 'topic' },
  date: { kind: 'date', into: 'date' },
  time: { kind: 'time', into: 'time' },
  duration: { kind: 'text', into: 'duration' },
  host: { kind: 'user', into: 'hostId' },
  capacity: { kind: 'text', into: 'capacity' },
  channel: { kind: 'conversation', into: 'channelId' },
  link: { kind: 'text', into: 'link' },
  agenda: { kind: 'text', into: 'agenda' },
  repeat: { kind: 'text', into: 'repeat' },
};

/**
 * Reads Slack's view.state.values (keyed by block, then action; read by action id, since some
 * block ids carry the revision) back into field text. Each element is checked for its type's
 * shape (input-state.ts): a field whose value has the wrong shape is left out of `values` and
 * named in `unreadable` with the message to show under it, so it is refused, never read as empty.
 */
export function readScheduleModalFields(state: StateValues): { values: ScheduleModalValues; unreadable: Partial<Record<FieldKey, string>> } {
  const byAction = new Map<string, unknown>();
  for (const block of Object.values(state)) {
    for (const [actionId, value] of Object.entries(block)) byAction.set(actionId, value);
  }
  const values: ScheduleModalValues = {};
  const unreadable: Partial<Record<FieldKey, string>> = {};
  for (const [field, { kind, into }] of Object.entries(FIELD_READS) as [FieldKey, (typeof FIELD_READS)[FieldKey]][]) {
    const read = readInput(byAction.get(field === 'format' ? SessionActions.formatSelect : F[field]), kind);
    if (read.ok) values[into] = read.value;
    else unreadable[field] = read.message;
  }
  return { values, unreadable };
}

/** The field text of a modal being filled in (a format was picked): a field that cannot be read is left blank. */
export function readScheduleModalState(state: StateValues): ScheduleModalValues {
  return readScheduleModalFields(state).values;
}
