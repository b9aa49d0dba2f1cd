import type { HomeData, HomeSession } from '../../services/home.js';
import { formatLabel } from '../../services/formats.js';
import { TITLE_MAX } from '../../services/session-model.js';
import { formatInZone } from '../../services/time.js';
import { SessionActions } from '../ids.js';
import { buildOptOutHomeBlocks } from './opt-out.js';
import { buildSkillsHomeBlocks } from './skills-home.js';
import type { SkillsProfile } from '../../services/skills.js';
import { BlockKitLimits } from './limits.js';
import { escapeMrkdwn, escapeTruncated, fillMrkdwn, mrkdwn, plainText } from './text.js';

/** Slack's limit for a confirm dialog's text. */
const CONFIRM_TEXT_MAX = 300;

export interface HomeViewInput {
  userId: string;
  /** The reader's zone: Home is one person's view, so times are written in it, zone shown. */
  timeZone: string;
  data: HomeData;
  /** Whether the person opted out of DMs: shown with a toggle. */
  optedOut?: boolean;
  /** The skills profile and learning progress; the part is left out when absent. */
  profile?: SkillsProfile;
  /** Now, for "learning for 12 days" and whether a pause is over (blocks never read the clock). */
  now?: number;
  /** The matching block (blocks/next-round.ts): the next round with Skip, or a pause with Resume. At most 2 blocks. */
  matching?: Block[];
}

type Block = Record<string, unknown>;

/** Room kept for the matching block (next round / pause). */
const MATCHING_BLOCKS_MAX = 2;

/** Blocks around the lists (header, actions, dividers, footer, matching): what the 100-block cap must leave room for. */
export const HOME_FIXED_BLOCKS = 16 + MATCHING_BLOCKS_MAX;

const ROLE_TEXT: Record<HomeSession['role'], string> = {
  host: 'You host',
  creator: 'You scheduled it',
  attendee: "You're going",
  waitlisted: "You're on the waitlist",
};

function sessionLine(s: HomeSession, zone: string): string {
  const title = `*#${s.number} ${escapeTruncated(s.title, TITLE_MAX)}*`;
  const when = `${formatInZone(s.startsAt, zone)} · ${s.durationMin} min · ${escapeMrkdwn(formatLabel(s.format))}`;
  const host = s.role === 'host' ? ROLE_TEXT.host : `${ROLE_TEXT[s.role]} · host <@${s.hostId}>`;
  return `${title}\n${when}\n${host} · <#${s.channelId}>`;
}

function cancelButton(s: HomeSession): Block {
  return {
    type: 'button',
    action_id: SessionActions.cancel,
    value: String(s.number),
    text: plainText('Cancel', BlockKitLimits.buttonText),
    style: 'danger',
    confirm: {
      title: plainText('Cancel this session?', 100),
      // A confirm text holds only 300 characters: the title gets what the sentence leaves.
      text: mrkdwn(fillMrkdwn(CONFIRM_TEXT_MAX, (title) => `*#${s.number} ${title}* will be cancelled and everyone who joined gets a DM.`, s.title, 120), CONFIRM_TEXT_MAX),
      confirm: plainText('Cancel session', 30),
      deny: plainText('Keep it', 30),
      style: 'danger',
    },
  };
}

function leaveButton(s: HomeSession): Block {
  return {
    type: 'button',
    action_id: SessionActions.leave,
    value: String(s.number),
    text: plainText(s.role === 'waitlisted' ? 'Leave waitlist' : 'Leave', BlockKitLimits.buttonText),
  };
}

function upcomingBlock(s: HomeSession, zone: string): Block {
  const accessory = s.role === 'host' || s.role === 'creator' ? cancelButton(s) : leaveButton(s);
  return { type: 'section', block_id: `home_upcoming_${s.number}`, text: mrkdwn(sessionLine(s, zone)), accessory };
}

const ATTENDED_TEXT: Record<HomeSession['attended'], string> = {
  yes: ':white_check_mark: You attended',
  no: ':heavy_minus_sign: Marked as not attended',
  unknown: ':grey_question: Attendance not marked yet',
};

function recentBlock(s: HomeSession, zone: string): Block {
  const state = s.role === 'host' ? ':teacher: You hosted' : ATTENDED_TEXT[s.attended];
  const text = `*#${s.number} ${escapeTruncated(s.title, TITLE_MAX)}* · ${formatInZone(s.startsAt, zone)}\n${state}`;
  return { type: 'section', block_id: `home_recent_${s.number}`, text: mrkdwn(text) };
}

/** The App Home tab (views.publish): my upcoming sessions with Leave / Cancel, a Schedule button, my history. */
export function buildHomeView(input: HomeViewInput): { type: 'home'; blocks: Block[] } {
  const { data, timeZone } = input;
  const skillsBlocks =
    input.profile === undefined
      ? []
      : buildSkillsHomeBlocks({ profile: input.profile, timeZone, now: input.now ?? 0 });
  const room = BlockKitLimits.blocksPerView - HOME_FIXED_BLOCKS - data.recent.length - skillsBlocks.length;
  const shown = data.upcoming.slice(0, Math.max(0, room));
  const more = Math.max(0, data.upcomingTotal - shown.length);

  const blocks: Block[] = [
    { type: 'header', text: plainText('Your peer learning', BlockKitLimits.headerText) },
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        {
          type: 'button',
          action_id: SessionActions.openSchedule,
          value: 'home',
          style: 'primary',
          text: plainText('Schedule a session', BlockKitLimits.buttonText),
        },
      ],
    },
    { type: 'context', elements: [mrkdwn(`Times are shown in your Slack time zone, ${escapeMrkdwn(timeZone)}.`)] },
    ...(input.matching ?? []).slice(0, MATCHING_BLOCKS_MAX),
    { type: 'divider' },
    { type: 'section', text: mrkdwn('*Coming up*') },
  ];
  if (shown.length === 0) {
    blocks.push({ type: 'context', elements: [mrkdwn('Nothing coming up. Schedule a session, or find one to join with `/peer list`.')] });
  }
  for (const s of shown) blocks.push(upcomingBlock(s, timeZone));
  // `/peer list mine` covers 14 days only; the feed has every session, so both are named.
  if (more > 0) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${more} more. \`/peer list mine\` shows yours in the next 14 days; \`/peer calendar\` gives a feed with all of them.`)] });

  blocks.push(...skillsBlocks);

  blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn('*Your recent sessions*') });
  if (data.recent.length === 0) {
    blocks.push({ type: 'context', elements: [mrkdwn('None yet. Sessions you host or join show up here once they are over.')] });
  }
  for (const s of data.recent) blocks.push(recentBlock(s, timeZone));

  blocks.push(...buildOptOutHomeBlocks(input.optedOut ?? false));

  blocks.push(
    { type: 'divider' },
    {
      type: 'context',
      elements: [
        mrkdwn(
          '*How to:* `/peer schedule` runs a session · `/peer list` shows what is coming up, with Join buttons · ' +
            '`/peer join <id>` / `/peer leave <id>` · `/peer skills` edits your skills profile · `/peer learned <skill>` marks one learned · ' +
            '`/peer calendar` subscribes your calendar · `/peer help` lists everything.',
        ),
      ],
    },
  );
  return { type: 'home', blocks };
}
