import type { NextRound } from '../../services/match-participation.js';
import { formatInZone } from '../../services/time.js';
import { MatchActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { mrkdwn, plainText } from './text.js';

/**
 * App Home's matching block: the next round I am in, with Skip this round (or Join this round
 * once skipped), or my pause with Resume. Meant to sit in the profile section of Home; returns
 * no blocks when there is nothing to say.
 */

export interface NextRoundBlocksInput {
  next: NextRound | undefined;
  /** A pause in force: its end (PAUSED_UNTIL_RESUMED when it lasts until resumed) and why. */
  pause?: { until: number; reason: 'chosen' | 'no_answers' | null; untilResumed: boolean } | undefined;
  /** The reader's zone. */
  timeZone: string;
}

/** The value Skip / Join this round carry: which round, as `<channel>:<YYYY-MM-DD>`. */
export function roundButtonValue(next: Pick<NextRound, 'channelId' | 'roundDate'>): string {
  return `${next.channelId}:${next.roundDate}`;
}

export function buildNextRoundBlocks({ next, pause, timeZone }: NextRoundBlocksInput): Record<string, unknown>[] {
  if (pause !== undefined) {
    const why = pause.reason === 'no_answers' ? 'after three rounds without an answer to "Did you meet?"' : 'as you asked';
    const until = pause.untilResumed ? 'until you resume' : `until ${formatInZone(pause.until, timeZone)}`;
    return [
      {
        type: 'section',
        block_id: 'home_match_round',
        text: mrkdwn(`*Matching is paused* ${why}, ${until}.`),
        accessory: { type: 'button', action_id: MatchActions.resume, value: 'resume', text: plainText('Resume matching', BlockKitLimits.buttonText) },
      },
    ];
  }
  if (next === undefined) return [];
  const when = formatInZone(next.at, timeZone);
  const kind = next.mode === 'pods' ? 'learning pods' : 'skill swaps';
  const text = next.skipping
    ? `*Next matching round:* <#${next.channelId}>, ${when} (${kind}). You're skipping this one.`
    : `*Next matching round:* <#${next.channelId}>, ${when} (${kind}).`;
  return [
    {
      type: 'section',
      block_id: 'home_match_round',
      text: mrkdwn(text),
      accessory: next.skipping
        ? { type: 'button', action_id: MatchActions.unskip, value: roundButtonValue(next), text: plainText('Join this round', BlockKitLimits.buttonText) }
        : { type: 'button', action_id: MatchActions.skip, value: roundButtonValue(next), text: plainText('Skip this round', BlockKitLimits.buttonText) },
    },
  ];
}
