import { type WorkspaceSettingsView, LEAD_MINUTES_MAX, LEAD_MINUTES_MIN, POLL_QUESTION_MAX } from '../../services/workspace-settings.js';
import { SettingsViews } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { mrkdwn, plainText, truncate } from './text.js';

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** 1440 -> "24h", 15 -> "15m", 90 -> "90m": what the lead-times field shows and accepts back. */
export function formatLeadMinutes(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

const hourLabel = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;

function option(text: string, value: string) {
  return { text: plainText(text, BlockKitLimits.optionText), value };
}

function input(blockId: string, label: string, element: Record<string, unknown>, hint?: string, optional = false) {
  return {
    type: 'input',
    block_id: blockId,
    label: plainText(label, BlockKitLimits.inputLabel),
    element: { action_id: SettingsViews.input, ...element },
    ...(hint === undefined ? {} : { hint: plainText(hint, BlockKitLimits.inputHint) }),
    ...(optional ? { optional: true } : {}),
  };
}

function numberInput(min: number, max: number, initial: number | null) {
  return { type: 'number_input', is_decimal_allowed: false, min_value: String(min), max_value: String(max), ...(initial === null ? {} : { initial_value: String(initial) }) };
}

/** Where and when the digest goes, in words: "<#C1> every Monday at 09:00 (Europe/Berlin)". */
export function describeDigestSchedule(saved: Pick<WorkspaceSettingsView, 'digestChannelId' | 'digestDay' | 'digestHour' | 'timeZone'>): string {
  if (saved.digestChannelId === null) return 'off (no channel chosen)';
  return `<#${saved.digestChannelId}> every ${WEEKDAY_NAMES[saved.digestDay]} at ${hourLabel(saved.digestHour)} (${saved.timeZone})`;
}

function describeBaseline(saved: Pick<WorkspaceSettingsView, 'competencyBaselineDays' | 'competencyBaselineBefore'>): string {
  if (saved.competencyBaselineDays !== null) return `${saved.competencyBaselineDays} days (entered)`;
  if (saved.competencyBaselineBefore !== null) return `skills learned before ${saved.competencyBaselineBefore}`;
  return 'not set';
}

/** `/peer settings` (admins): every workspace setting on one modal, pre-filled with what is saved. */
export function buildSettingsModal(current: WorkspaceSettingsView): Record<string, unknown> {
  const weekdayOptions = [1, 2, 3, 4, 5, 6, 0].map((d) => option(WEEKDAY_NAMES[d]!, String(d)));
  const hourOptions = Array.from({ length: 24 }, (_, h) => option(hourLabel(h), String(h)));
  return {
    type: 'modal',
    callback_id: SettingsViews.modal,
    title: plainText('Peerloop settings', BlockKitLimits.viewTitle),
    submit: plainText('Save', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks: [
      { type: 'section', text: mrkdwn('These apply to the whole workspace. Only admins see this.') },
      input(
        SettingsViews.timeZoneBlock,
        'Workspace time zone',
        { type: 'plain_text_input', initial_value: current.timeZone, max_length: 64, placeholder: plainText('e.g. Europe/Berlin', BlockKitLimits.placeholder) },
        'An IANA zone name. Used where a person has no Slack time zone, and in channel messages.',
      ),
      input(
        SettingsViews.leadTimesBlock,
        'Reminder lead times',
        { type: 'plain_text_input', initial_value: current.reminderLeadMinutes.map(formatLeadMinutes).join(', '), max_length: 40 },
        `1 to 3 times before a session, comma-separated, like "24h, 15m". Each from ${LEAD_MINUTES_MIN}m to ${LEAD_MINUTES_MAX / 60}h.`,
      ),
      input(
        SettingsViews.weeklyDayBlock,
        'Weekly "your week" DM: day',
        { type: 'static_select', options: weekdayOptions, initial_option: option(WEEKDAY_NAMES[current.weeklyDay]!, String(current.weeklyDay)) },
        "Sent on this day at the hour below, in each person's own time zone.",
      ),
      input(SettingsViews.weeklyHourBlock, 'Weekly "your week" DM: hour', { type: 'static_select', options: hourOptions, initial_option: option(hourLabel(current.weeklyHour), String(current.weeklyHour)) }),
      input(
        SettingsViews.pollQuestionBlock,
        'Feedback poll question',
        { type: 'plain_text_input', initial_value: truncate(current.pollQuestion, POLL_QUESTION_MAX), max_length: POLL_QUESTION_MAX + 1 },
        `Asked after every session, answered 1 to 5. Up to ${POLL_QUESTION_MAX} characters.`,
      ),
      input(
        SettingsViews.messagesPerMinuteBlock,
        'Messages per minute (workspace cap)',
        { type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: '600', initial_value: String(current.messagesPerMinute) },
        'Peerloop paces its DMs and posts to stay under this. 1 to 600.',
      ),
      { type: 'divider' },
      { type: 'section', text: mrkdwn('*Weekly KPI digest*\nThe numbers of the last full week (Monday to Sunday), posted to a channel with a chart.') },
      input(
        SettingsViews.digestChannelBlock,
        'Digest channel',
        {
          type: 'conversations_select',
          filter: { include: ['public', 'private'], exclude_bot_users: true },
          placeholder: plainText('No digest', BlockKitLimits.placeholder),
          ...(current.digestChannelId === null ? {} : { initial_conversation: current.digestChannelId }),
        },
        'Leave empty for no digest. Invite @Peerloop to the channel so it can post there.',
        true,
      ),
      input(
        SettingsViews.digestDayBlock,
        'Digest: day',
        { type: 'static_select', options: weekdayOptions, initial_option: option(WEEKDAY_NAMES[current.digestDay]!, String(current.digestDay)) },
        'Posted on this day at the hour below, in the workspace time zone.',
      ),
      input(SettingsViews.digestHourBlock, 'Digest: hour', { type: 'static_select', options: hourOptions, initial_option: option(hourLabel(current.digestHour), String(current.digestHour)) }),
      { type: 'section', text: mrkdwn('*KPI targets*\nThe digest says whether each was met.') },
      input(SettingsViews.participationTargetBlock, 'Participation target (%)', numberInput(1, 100, current.participationTargetPct), 'Share of the people invited to sessions who attend. 1 to 100.'),
      input(SettingsViews.sessionsTargetBlock, 'Sessions per month target', numberInput(1, 1000, current.sessionsPerMonthTarget), 'Sessions held in any 30 days. 1 to 1000.'),
      input(
        SettingsViews.competencyTargetBlock,
        'Time-to-competency target (% faster)',
        numberInput(1, 99, current.competencyFasterTargetPct),
        'How much faster than the baseline people should learn a skill. 1 to 99.',
      ),
      input(
        SettingsViews.baselineDaysBlock,
        'Time-to-competency baseline (days)',
        numberInput(1, 3650, current.competencyBaselineDays),
        'The median days to learn a skill before Peerloop, if you know it. Or pick a date below instead.',
        true,
      ),
      input(
        SettingsViews.baselineBeforeBlock,
        'Or: baseline from skills learned before',
        { type: 'datepicker', ...(current.competencyBaselineBefore === null ? {} : { initial_date: current.competencyBaselineBefore }) },
        'Skills marked learned before this date form the baseline. Leave both empty for no baseline.',
        true,
      ),
    ],
  };
}

/**
 * Replaces the modal after a save, so the admin sees what is now in force. `digestNotInChannel`:
 * Peerloop is not in the digest channel (checked with Slack after the save), said at the top.
 */
export function buildSettingsSavedModal(saved: WorkspaceSettingsView, notes: { digestNotInChannel?: boolean } = {}): Record<string, unknown> {
  const lines = [
    `*Time zone:* ${saved.timeZone}`,
    `*Reminders:* ${saved.reminderLeadMinutes.map(formatLeadMinutes).join(', ')} before`,
    `*Weekly DM:* ${WEEKDAY_NAMES[saved.weeklyDay]} ${hourLabel(saved.weeklyHour)}, each person's own time`,
    `*Messages per minute:* ${saved.messagesPerMinute}`,
    `*Digest:* ${describeDigestSchedule(saved)}`,
    `*Targets:* participation ${saved.participationTargetPct}%, ${saved.sessionsPerMonthTarget} sessions a month, time to competency ${saved.competencyFasterTargetPct}% faster than the baseline`,
    `*Baseline:* ${describeBaseline(saved)}`,
  ];
  const warning =
    notes.digestNotInChannel === true && saved.digestChannelId !== null
      ? [{ type: 'section', text: mrkdwn(`:warning: Invite @Peerloop to <#${saved.digestChannelId}>, or the digest cannot be posted: type \`/invite @Peerloop\` in that channel.`) }]
      : [];
  return {
    type: 'modal',
    title: plainText('Peerloop settings', BlockKitLimits.viewTitle),
    close: plainText('Done', BlockKitLimits.viewClose),
    blocks: [
      { type: 'section', text: mrkdwn('Settings saved. New reminders, weekly DMs and digests follow them; polls already posted keep their question.') },
      ...warning,
      { type: 'section', text: mrkdwn(lines.join('\n')) },
    ],
  };
}
