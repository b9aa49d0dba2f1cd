import { z } from 'zod';
import { REPEAT_WEEKS_DEFAULT, REPEAT_WEEKS_MAX, type MatchSetupInput } from '../../services/match-rounds.js';
import { describeZone, formatInZone } from '../../services/time.js';
import { MatchViews } from '../ids.js';
import { parsePrivateMetadata } from '../private-metadata.js';
import { BlockKitLimits } from './limits.js';
import { WEEKDAY_NAMES } from './settings.js';
import { mrkdwn, plainText } from './text.js';

/**
 * `/peer match setup` (admins): the channel's matching rounds on one modal. The channel travels
 * in private_metadata (validated when it comes back; the workspace is always the payload's).
 */

export const MatchSetupMetadata = z.object({ channelId: z.string().regex(/^[CG][A-Z0-9]{2,30}$/) });
export type MatchSetupMetadata = z.infer<typeof MatchSetupMetadata>;

export function parseMatchSetupMetadata(raw: string): MatchSetupMetadata | undefined {
  return parsePrivateMetadata(MatchSetupMetadata, raw);
}

export const MODE_LABELS: Record<MatchSetupInput['mode'], { label: string; description: string }> = {
  'skill-swap': { label: 'Skill swap', description: 'Pairs who teach each other what the other wants to learn' },
  pods: { label: 'Learning pods', description: 'Small groups of people in the same role' },
};

export const CADENCE_LABELS: Record<1 | 2 | 4, string> = { 1: 'Every week', 2: 'Every 2 weeks', 4: 'Every 4 weeks' };

const hourLabel = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;

function option(text: string, value: string, description?: string) {
  return {
    text: plainText(text, BlockKitLimits.optionText),
    value,
    ...(description === undefined ? {} : { description: plainText(description, BlockKitLimits.optionText) }),
  };
}

function input(blockId: string, label: string, element: Record<string, unknown>, hint?: string) {
  return {
    type: 'input',
    block_id: blockId,
    label: plainText(label, BlockKitLimits.inputLabel),
    element: { action_id: MatchViews.input, ...element },
    ...(hint === undefined ? {} : { hint: plainText(hint, BlockKitLimits.inputHint) }),
  };
}

export interface MatchSetupModalInput {
  channelId: string;
  /** What is saved for this channel, to edit it; defaults otherwise. */
  current?: MatchSetupInput | undefined;
  /** The workspace zone: weekday and hour are read in it. */
  zone: string;
  now: number;
}

export function buildMatchSetupModal({ channelId, current, zone, now }: MatchSetupModalInput): Record<string, unknown> {
  const values: MatchSetupInput = current ?? { mode: 'skill-swap', cadenceWeeks: 2, weekday: 1, hour: 10, repeatWeeks: REPEAT_WEEKS_DEFAULT };
  const modeOptions = (Object.keys(MODE_LABELS) as MatchSetupInput['mode'][]).map((m) => option(MODE_LABELS[m].label, m, MODE_LABELS[m].description));
  const cadenceOptions = ([1, 2, 4] as const).map((w) => option(CADENCE_LABELS[w], String(w)));
  const weekdayOptions = [1, 2, 3, 4, 5, 6, 0].map((d) => option(WEEKDAY_NAMES[d]!, String(d)));
  const hourOptions = Array.from({ length: 24 }, (_, h) => option(hourLabel(h), String(h)));
  return {
    type: 'modal',
    callback_id: MatchViews.setup,
    private_metadata: JSON.stringify({ channelId } satisfies MatchSetupMetadata),
    title: plainText('Matching rounds', BlockKitLimits.viewTitle),
    submit: plainText(current === undefined ? 'Start rounds' : 'Save', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `Peerloop will match the people in <#${channelId}> who turned matching on, and introduce each group in a group DM. ` +
            'People who paused or skip a round are left out.',
        ),
      },
      input(MatchViews.modeBlock, 'How to match', { type: 'radio_buttons', options: modeOptions, initial_option: modeOptions.find((o) => o.value === values.mode) }),
      input(MatchViews.cadenceBlock, 'How often', { type: 'static_select', options: cadenceOptions, initial_option: cadenceOptions.find((o) => o.value === String(values.cadenceWeeks)) }),
      input(MatchViews.weekdayBlock, 'Day', { type: 'static_select', options: weekdayOptions, initial_option: weekdayOptions.find((o) => o.value === String(values.weekday)) }),
      input(
        MatchViews.hourBlock,
        'Hour',
        { type: 'static_select', options: hourOptions, initial_option: hourOptions.find((o) => o.value === String(values.hour)) },
        `In the workspace time zone, ${describeZone(zone, now)}.`,
      ),
      input(
        MatchViews.repeatBlock,
        // Pods keep their people together round after round, so only skill swap reads this.
        'Weeks before two people may be matched again (skill swap only)',
        { type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: String(REPEAT_WEEKS_MAX), initial_value: String(values.repeatWeeks) },
        `1 to ${REPEAT_WEEKS_MAX}. The default, ${REPEAT_WEEKS_DEFAULT}, gives everyone new faces for about a quarter.`,
      ),
    ],
  };
}

export interface MatchSetupSaved {
  channelId: string;
  setup: MatchSetupInput;
  /** The workspace zone the weekday and hour are in. */
  zone: string;
  /** The round that will really run next. */
  nextRoundAt: number;
  /** The zone of the admin reading the modal: the next round is shown in it. */
  readerZone: string;
  /** True the first time the channel is set up. */
  created: boolean;
}

/** What the modal turns into once saved: what is now in force and when the first round runs. */
export function buildMatchSetupSavedModal({ channelId, setup, zone, nextRoundAt, readerZone, created }: MatchSetupSaved): Record<string, unknown> {
  const lines = [
    `*Channel:* <#${channelId}>`,
    `*How:* ${MODE_LABELS[setup.mode].label}`,
    `*When:* ${CADENCE_LABELS[setup.cadenceWeeks]}, ${WEEKDAY_NAMES[setup.weekday]} at ${hourLabel(setup.hour)} (${zone})`,
    ...(setup.mode === 'pods' ? [] : [`*No repeat within:* ${setup.repeatWeeks} week${setup.repeatWeeks === 1 ? '' : 's'}`]),
    `*${created ? 'First' : 'Next'} round:* ${formatInZone(nextRoundAt, readerZone)}${readerZone === zone ? '' : ` (your time, ${readerZone})`}`,
  ];
  return {
    type: 'modal',
    title: plainText('Matching rounds', BlockKitLimits.viewTitle),
    close: plainText('Done', BlockKitLimits.viewClose),
    blocks: [
      { type: 'section', text: mrkdwn('Saved. Peerloop will post a short summary in the channel after each round, and DM you if a round cannot run.') },
      { type: 'section', text: mrkdwn(lines.join('\n')) },
    ],
  };
}
