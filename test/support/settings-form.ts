import { SettingsViews } from '../../src/slack/ids.js';

/**
 * The `/peer settings` modal as Slack submits it: every field by name, its block and element type,
 * good values for each, and the state.values a submission carries. Tests pass only the fields
 * they are about; the rest are GOOD.
 */

export const SETTINGS_FIELDS = {
  timeZone: { block: SettingsViews.timeZoneBlock, type: 'plain_text_input' },
  leadTimes: { block: SettingsViews.leadTimesBlock, type: 'plain_text_input' },
  weeklyDay: { block: SettingsViews.weeklyDayBlock, type: 'static_select' },
  weeklyHour: { block: SettingsViews.weeklyHourBlock, type: 'static_select' },
  pollQuestion: { block: SettingsViews.pollQuestionBlock, type: 'plain_text_input' },
  messagesPerMinute: { block: SettingsViews.messagesPerMinuteBlock, type: 'number_input' },
  digestChannel: { block: SettingsViews.digestChannelBlock, type: 'conversations_select' },
  digestDay: { block: SettingsViews.digestDayBlock, type: 'static_select' },
  digestHour: { block: SettingsViews.digestHourBlock, type: 'static_select' },
  participationTarget: { block: SettingsViews.participationTargetBlock, type: 'number_input' },
  sessionsTarget: { block: SettingsViews.sessionsTargetBlock, type: 'number_input' },
  competencyTarget: { block: SettingsViews.competencyTargetBlock, type: 'number_input' },
  baselineDays: { block: SettingsViews.baselineDaysBlock, type: 'number_input' },
  baselineBefore: { block: SettingsViews.baselineBeforeBlock, type: 'datepicker' },
} as const;

/** A value per field; null is an empty (or unpicked) field. */
export type SettingsValues = Partial<Record<keyof typeof SETTINGS_FIELDS, string | null>>;

export const GOOD_SETTINGS: Required<SettingsValues> = {
  timeZone: 'Europe/Berlin',
  leadTimes: '2d, 15m, 1h',
  weeklyDay: '3',
  weeklyHour: '7',
  pollQuestion: 'Would you recommend this session to a colleague?',
  messagesPerMinute: '120',
  digestChannel: null,
  digestDay: '1',
  digestHour: '9',
  participationTarget: '60',
  sessionsTarget: '4',
  competencyTarget: '20',
  baselineDays: null,
  baselineBefore: null,
};

/** What Slack sends for each element type (an empty optional field: null). */
function fieldState(type: string, value: string | null): Record<string, unknown> {
  if (type === 'static_select') return { type, selected_option: value === null ? null : { value } };
  if (type === 'conversations_select') return { type, selected_conversation: value };
  if (type === 'datepicker') return { type, selected_date: value };
  return { type, value };
}

/** state.values of a settings submission: GOOD_SETTINGS with `values` over them. */
export function settingsState(values: SettingsValues): Record<string, Record<string, Record<string, unknown>>> {
  const state: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [name, value] of Object.entries({ ...GOOD_SETTINGS, ...values })) {
    const field = SETTINGS_FIELDS[name as keyof typeof SETTINGS_FIELDS];
    state[field.block] = { [SettingsViews.input]: fieldState(field.type, value) };
  }
  return state;
}
