import { formatYmd, ROLE_MAX, SKILL_NAME_MAX, SKILLS_PER_KIND_MAX, START_BACK_DAYS, TOO_LONG_PREFIX, type KnownRole, type KnownSkill, type MatchingChoice, type SkillsProfile, type ActiveSkill } from '../../services/skills.js';
import { localDateYmd } from '../../services/time.js';
import { SkillsInputs, SkillsViews } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeMrkdwn, escapeTruncated, mrkdwn, plainText, truncate } from './text.js';
import type { BlockJson, ViewJson } from './types.js';

/**
 * The skills profile modal (`/peer skills`, App Home "Edit profile"), the options its
 * type-ahead selects load (block_suggestion), the learning start dates modal, and the summary a
 * saved profile turns into.
 */

const DAY_MS = 86_400_000;

/** Role option values carry this prefix; `none` clears the role. */
export const ROLE_VALUE_PREFIX = 'r:';
export const ROLE_NONE_VALUE = 'none';

function option(text: string, value: string, description?: string) {
  return {
    text: plainText(text, BlockKitLimits.optionText),
    value: truncate(value, BlockKitLimits.optionValue),
    ...(description === undefined ? {} : { description: plainText(description, BlockKitLimits.optionText) }),
  };
}

/** A skill as a select option: shown and sent as its canonical name (the save normalises it again). */
export function skillOption(name: string) {
  return option(name, name);
}

function roleOption(name: string) {
  return option(name, `${ROLE_VALUE_PREFIX}${name}`);
}

/** The current matching choice, as the radio buttons show it. */
export function matchingChoiceOf(profile: Pick<SkillsProfile, 'matchingOptIn' | 'pausedUntil'>, now: number): MatchingChoice {
  if (!profile.matchingOptIn) return 'out';
  return profile.pausedUntil !== null && profile.pausedUntil > now ? 'pause' : 'in';
}

/** The last local day of a pause (pausedUntil is the start of the day after it). */
export function pauseLastDay(pausedUntil: number, zone: string): string {
  return localDateYmd(pausedUntil - DAY_MS / 2, zone);
}

const MATCHING_TEXT: Record<MatchingChoice, string> = {
  in: 'Take part in matching',
  pause: 'Pause matching until the date below',
  out: "Don't match me",
};

function matchingOption(choice: MatchingChoice) {
  return { text: plainText(MATCHING_TEXT[choice], BlockKitLimits.optionText), value: choice };
}

function skillsSelect(actionId: string, skills: readonly ActiveSkill[], placeholder: string): BlockJson {
  return {
    type: 'multi_external_select',
    action_id: actionId,
    // 0: the most used skills show as soon as the menu opens, so people see what exists before typing.
    min_query_length: 0,
    max_selected_items: SKILLS_PER_KIND_MAX,
    placeholder: plainText(placeholder, BlockKitLimits.placeholder),
    ...(skills.length === 0 ? {} : { initial_options: skills.slice(0, SKILLS_PER_KIND_MAX).map((s) => skillOption(s.name)) }),
  };
}

function input(blockId: string, label: string, element: BlockJson, options: { hint?: string; optional?: boolean } = {}): BlockJson {
  return {
    type: 'input',
    block_id: blockId,
    optional: options.optional ?? false,
    label: plainText(label, BlockKitLimits.inputLabel),
    element,
    ...(options.hint === undefined ? {} : { hint: plainText(options.hint, BlockKitLimits.inputHint) }),
  };
}

export interface SkillsModalInput {
  profile: SkillsProfile;
  timeZone: string;
  now: number;
  /** False when Slack has not told us the person's zone and `timeZone` is the workspace's. */
  zoneFromSlack?: boolean;
}

/** The profile form, pre-filled with what is saved. */
export function buildSkillsModal({ profile, timeZone, now, zoneFromSlack = true }: SkillsModalInput): ViewJson {
  const choice = matchingChoiceOf(profile, now);
  // A pause Peerloop set after unanswered rounds lasts until resumed: it has no last day to show.
  const pauseDay = choice === 'pause' && profile.pausedUntil !== null && profile.pauseReason !== 'no_answers' ? pauseLastDay(profile.pausedUntil, timeZone) : undefined;
  const blocks: BlockJson[] = [
    {
      type: 'section',
      text: mrkdwn('What you can teach and want to learn. Peerloop uses it to pair you with peers, and tracks how long learning takes.'),
    },
    input(SkillsViews.teachBlock, 'I can teach', skillsSelect(SkillsInputs.teach, profile.teach, 'Type to find or add a skill'), {
      optional: true,
      hint: `Pick skills people here already use, or type a new one and choose "Add". Up to ${SKILLS_PER_KIND_MAX}, ${SKILL_NAME_MAX} characters each.`,
    }),
    input(SkillsViews.learnBlock, 'I want to learn', skillsSelect(SkillsInputs.learn, profile.learn, 'Type to find or add a skill'), {
      optional: true,
      hint: `Up to ${SKILLS_PER_KIND_MAX}. A new one starts today; you can move its start date back on App Home. Mark it learned with /peer learned <skill>.`,
    }),
    input(
      SkillsViews.roleBlock,
      'Role or team',
      {
        type: 'external_select',
        action_id: SkillsInputs.role,
        min_query_length: 0,
        placeholder: plainText('Type to find or add your role', BlockKitLimits.placeholder),
        ...(profile.role === null ? {} : { initial_option: roleOption(profile.role) }),
      },
      { optional: true, hint: `Learning pods group people by it. Up to ${ROLE_MAX} characters; choose "No role" to clear it.` },
    ),
    input(SkillsViews.matchingBlock, 'Matching', {
      type: 'radio_buttons',
      action_id: SkillsInputs.matching,
      options: (['in', 'pause', 'out'] as const).map(matchingOption),
      initial_option: matchingOption(choice),
    }),
    input(
      SkillsViews.pauseBlock,
      'Pause matching until',
      { type: 'datepicker', action_id: SkillsInputs.pause, ...(pauseDay === undefined ? {} : { initial_date: pauseDay }), placeholder: plainText('Last day of your pause', BlockKitLimits.placeholder) },
      { optional: true, hint: `Only with "Pause matching until": you are matched again the day after. Up to a year ahead, in your time zone (${timeZone}).` },
    ),
  ];
  const notes = [
    zoneFromSlack
      ? `Your time zone comes from Slack: ${escapeMrkdwn(timeZone)}.`
      : `Dates are in ${escapeMrkdwn(timeZone)} (the workspace's zone: Slack has not told us yours yet).`,
  ];
  if (profile.pauseReason === 'no_answers' && choice === 'pause') notes.push('Peerloop paused your matching after rounds without an answer. Choose "Take part" to come back.');
  blocks.push({ type: 'context', elements: [mrkdwn(notes.join(' '))] });
  return {
    type: 'modal',
    callback_id: SkillsViews.profile,
    title: plainText('Your skills profile', BlockKitLimits.viewTitle),
    submit: plainText('Save', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks,
  };
}

/** One line per part of the profile: what the saved modal and App Home show. */
export function matchingLine(profile: Pick<SkillsProfile, 'matchingOptIn' | 'pausedUntil' | 'pauseReason'>, zone: string, now: number): string {
  const choice = matchingChoiceOf(profile, now);
  if (choice === 'out') return "off (you aren't matched; turn it on with Edit profile)";
  if (choice === 'pause' && profile.pauseReason === 'no_answers') return 'paused after rounds without an answer (Resume matching turns it back on)';
  if (choice === 'pause') return `paused until ${formatYmd(pauseLastDay(profile.pausedUntil!, zone))} (last day, ${escapeMrkdwn(zone)})`;
  return 'taking part';
}

export function skillList(skills: readonly { name: string }[]): string {
  return skills.length === 0 ? '_none yet_' : skills.map((s) => `*${escapeTruncated(s.name, SKILL_NAME_MAX)}*`).join(', ');
}

/** What the modal turns into once saved: the profile as it now stands. */
export function buildSkillsSavedModal({ profile, timeZone, now }: SkillsModalInput): ViewJson {
  const lines = [
    `*I can teach:* ${skillList(profile.teach)}`,
    `*I want to learn:* ${skillList(profile.learn)}`,
    `*Role or team:* ${profile.role === null ? '_none_' : escapeTruncated(profile.role, ROLE_MAX)}`,
    `*Matching:* ${matchingLine(profile, timeZone, now)}`,
  ];
  return {
    type: 'modal',
    title: plainText('Your skills profile', BlockKitLimits.viewTitle),
    close: plainText('Done', BlockKitLimits.viewClose),
    blocks: [
      { type: 'section', text: mrkdwn('Profile saved.') },
      { type: 'section', text: mrkdwn(lines.join('\n')) },
      { type: 'context', elements: [mrkdwn('App Home shows your learning progress. `/peer learned <skill>` marks a skill learned.')] },
    ],
  };
}

/**
 * Options for a skill select: the workspace's skills that match, and, when what was typed is
 * not one of them, an option to add it (or, when it cannot be a skill name, why; choosing that
 * one is refused on save with the same reason).
 */
export interface TypedName {
  key: string;
  display: string;
  /** Why it cannot be saved (too long): the option says so and carries a marker, not the name. */
  problem?: string;
}

/** The too-long option's value: the name would be cut at 150 characters, so saving maps the marker back to the option's text. */
const tooLongValue = (display: string) => `${TOO_LONG_PREFIX}${Array.from(display).length}`;

/** "2 teach · 1 learning": who has it now, so a learner sees whether anyone can teach it. */
function usedBy(skill: Pick<KnownSkill, 'people'> & Partial<Pick<KnownSkill, 'teaching' | 'learning'>>): string | undefined {
  if (skill.teaching === undefined || skill.learning === undefined) return skill.people === 0 ? undefined : skill.people === 1 ? '1 person' : `${skill.people} people`;
  const parts = [...(skill.teaching > 0 ? [`${skill.teaching} ${skill.teaching === 1 ? 'teaches' : 'teach'}`] : []), ...(skill.learning > 0 ? [`${skill.learning} learning`] : [])];
  return parts.length === 0 ? undefined : parts.join(' · ');
}

export function buildSkillOptions(known: readonly (Pick<KnownSkill, 'key' | 'name' | 'people'> & Partial<Pick<KnownSkill, 'teaching' | 'learning'>>)[], typed: TypedName): { options: BlockJson[] } {
  const options: BlockJson[] = [];
  const exact = known.some((k) => k.key === typed.key);
  if (typed.key !== '' && !exact) {
    options.push(typed.problem === undefined ? option(`Add “${typed.display}”`, typed.display, 'New skill') : option(typed.problem, tooLongValue(typed.display)));
  }
  for (const skill of known) {
    if (options.length >= BlockKitLimits.optionsPerSelect) break;
    options.push(option(skill.name, skill.name, usedBy(skill)));
  }
  return { options };
}

/** Options for the role select: roles in use that match, what was typed, and "No role". */
export function buildRoleOptions(known: readonly KnownRole[], typed: TypedName): { options: BlockJson[] } {
  const options: BlockJson[] = [];
  if (typed.key !== '' && !known.some((r) => r.key === typed.key)) {
    options.push(typed.problem === undefined ? option(`Add “${typed.display}”`, `${ROLE_VALUE_PREFIX}${typed.display}`) : option(typed.problem, `${ROLE_VALUE_PREFIX}${tooLongValue(typed.display)}`));
  }
  for (const role of known) {
    if (options.length >= BlockKitLimits.optionsPerSelect - 1) break;
    options.push(roleOption(role.name));
  }
  if (typed.key === '') options.push(option('No role or team', ROLE_NONE_VALUE));
  return { options };
}

export interface StartDatesModalInput {
  learn: readonly ActiveSkill[];
  timeZone: string;
}

/** One date picker per skill to learn: when learning it started (time-to-competency counts from it). */
export function buildStartDatesModal({ learn, timeZone }: StartDatesModalInput): ViewJson {
  const shown = learn.slice(0, SKILLS_PER_KIND_MAX);
  return {
    type: 'modal',
    callback_id: SkillsViews.startDates,
    title: plainText('Learning start dates', BlockKitLimits.viewTitle),
    submit: plainText('Save', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(`When did you start learning each skill? Up to ${START_BACK_DAYS} days back, dates in your time zone (${escapeMrkdwn(timeZone)}). Your team's time-to-competency counts from these.`),
      },
      ...shown.map((s) =>
        input(`${SkillsViews.startBlockPrefix}${s.id}`, truncate(s.name, SKILL_NAME_MAX), { type: 'datepicker', action_id: SkillsInputs.startDate, initial_date: localDateYmd(s.startedAt, timeZone) }),
      ),
    ],
  };
}

/** What the start dates modal turns into once saved, so the click is seen to have done something. */
export function buildStartDatesSavedModal(changed: number): ViewJson {
  const text = changed === 0 ? 'Nothing changed: the dates were already these.' : `Saved: ${changed === 1 ? '1 start date' : `${changed} start dates`} changed. App Home shows them.`;
  return {
    type: 'modal',
    title: plainText('Learning start dates', BlockKitLimits.viewTitle),
    close: plainText('Done', BlockKitLimits.viewClose),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  };
}
