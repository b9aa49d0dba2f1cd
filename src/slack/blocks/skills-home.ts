import { formatYmd, ROLE_MAX, SKILL_NAME_MAX, SKILLS_PER_KIND_MAX, type SkillsProfile } from '../../services/skills.js';
import { formatInZone, localCalendarDays, localDateYmd } from '../../services/time.js';
import { SkillsActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeTruncated, mrkdwn, plainText } from './text.js';
import { matchingLine, skillList } from './skills-modal.js';
import type { BlockJson } from './types.js';

/**
 * App Home's "Skills and matching" part: the profile at a glance with Edit, the next matching
 * round (when the rounds feature passes one in), and learning progress with "Mark learned" per
 * skill and the recently learned.
 */

export interface SkillsHomeInput {
  profile: SkillsProfile;
  timeZone: string;
  now: number;
}

/** Most blocks this part can take (so Home can leave room for it under the 100-block cap). */
export const SKILLS_HOME_MAX_BLOCKS = 5 + SKILLS_PER_KIND_MAX;

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

function learnedLine(s: SkillsProfile['learned'][number], zone: string): string {
  const took = localCalendarDays(s.startedAt, s.completedAt, zone);
  const teacher = s.taughtBy === null ? '' : ` · taught by <@${s.taughtBy}>${s.taughtConfirmedAt === null ? ' (not confirmed yet)' : ' :white_check_mark:'}`;
  return `*${escapeTruncated(s.name, SKILL_NAME_MAX)}* · learned ${formatYmd(localDateYmd(s.completedAt, zone))}, ${took === 0 ? 'the same day it started' : `in ${days(took)}`}${teacher}`;
}

export function buildSkillsHomeBlocks({ profile, timeZone, now }: SkillsHomeInput): BlockJson[] {
  const empty = !profile.saved && profile.teach.length === 0 && profile.learn.length === 0;
  const blocks: BlockJson[] = [
    { type: 'divider' },
    {
      type: 'section',
      block_id: 'home_skills',
      text: mrkdwn(
        empty
          ? '*Skills and matching*\nAdd what you can teach and want to learn, and Peerloop can pair you with peers who complement you.'
          : [
              '*Skills and matching*',
              `*I can teach:* ${skillList(profile.teach)}`,
              `*Role or team:* ${profile.role === null ? '_none_' : escapeTruncated(profile.role, ROLE_MAX)}`,
              `*Matching:* ${matchingLine(profile, timeZone, now)}`,
            ].join('\n'),
      ),
      accessory: { type: 'button', action_id: SkillsActions.openProfile, value: 'home', text: plainText(empty ? 'Set up profile' : 'Edit profile', BlockKitLimits.buttonText) },
    },
  ];
  if (profile.learn.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn('*Learning*') });
    for (const s of profile.learn.slice(0, SKILLS_PER_KIND_MAX)) {
      const since = localCalendarDays(s.startedAt, now, timeZone);
      blocks.push({
        type: 'section',
        block_id: `home_learn_${s.id}`,
        text: mrkdwn(`*${escapeTruncated(s.name, SKILL_NAME_MAX)}* · since ${formatYmd(localDateYmd(s.startedAt, timeZone))} (${since === 0 ? 'started today' : days(since)})`),
        accessory: { type: 'button', action_id: SkillsActions.markLearned, value: String(s.id), style: 'primary', text: plainText('Mark learned', BlockKitLimits.buttonText) },
      });
    }
    blocks.push({
      type: 'actions',
      block_id: 'home_learn_actions',
      elements: [{ type: 'button', action_id: SkillsActions.openStartDates, value: 'home', text: plainText('Edit start dates', BlockKitLimits.buttonText) }],
    });
  } else if (!empty) {
    blocks.push({ type: 'context', elements: [mrkdwn('Nothing on your learning list. Add a skill with Edit profile.')] });
  }
  if (profile.learned.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(`*Learned*\n${profile.learned.map((s) => learnedLine(s, timeZone)).join('\n')}`) });
  }
  return blocks;
}
