import { AppError } from '../../errors.js';
import {
  completeLearning,
  confirmTaught,
  findSkillToLearn,
  getActiveLearnRow,
  getSkillsProfile,
  listKnownRoles,
  listKnownSkills,
  normaliseSkillName,
  ROLE_MAX,
  saveSkillsProfile,
  setLearningStartDates,
  SKILL_NAME_MAX,
  tooLongText,
  validateProfileForm,
  type CompleteOutcome,
  type ProfileField,
  type ProfileForm,
  type TaughtRow,
  type TeachConfirmPayload,
  formatYmd,
} from '../../services/skills.js';
import { mayDirectMessage } from '../../services/delivery.js';
import { localDateYmd } from '../../services/time.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { buildLearnedDoneModal, buildLearnedModal, buildTeachConfirmDm, buildTeachConfirmedMessage } from '../blocks/learned-modal.js';
import { buildNoticeModal } from '../blocks/notice.js';
import { buildRoleOptions, buildSkillOptions, buildSkillsModal, buildSkillsSavedModal, buildStartDatesModal, buildStartDatesSavedModal } from '../blocks/skills-modal.js';
import { inlineCode } from '../blocks/text.js';
import type { BlockJson, ViewJson } from '../blocks/types.js';
import type { CallMeta } from '../messenger.js';
import type { Actor } from '../actor.js';
import { queueHomeRefresh } from './home.js';
import { sendDirectMessage, sendPlannedNotices } from './notices.js';
import { learnPersonIfNew } from './people.js';
import { openModal } from './session-modals.js';

/**
 * Skills profiles and learning progress in Slack: opening the profile, start dates and "I
 * learned it" modals, saving them, the type-ahead options, and the teacher's confirm DM.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

// ---------------------------------------------------------------------------------------------
// Opening the modals

export async function openSkillsModal(deps: AppDeps, actor: Actor, triggerId: string): Promise<void> {
  const profile = getSkillsProfile(serviceDeps(deps), actor.teamId, actor.userId);
  await openModal(deps, actor.teamId, triggerId, buildSkillsModal({ profile, timeZone: actor.timeZone, now: deps.clock.now(), zoneFromSlack: actor.member.timeZone !== null }));
}

export async function openStartDatesModal(deps: AppDeps, actor: Actor, triggerId: string): Promise<void> {
  const { learn } = getSkillsProfile(serviceDeps(deps), actor.teamId, actor.userId);
  const view =
    learn.length === 0
      ? buildNoticeModal('Nothing on your learning list yet. Add a skill to learn with `/peer skills`.', 'Learning start dates')
      : buildStartDatesModal({ learn, timeZone: actor.timeZone });
  await openModal(deps, actor.teamId, triggerId, view);
}

/** The "I learned it" modal for one of the person's active skills to learn (checked before it opens). */
export async function openLearnedModal(deps: AppDeps, actor: Actor, triggerId: string, rowId: number, ack: () => Promise<void> = async () => undefined): Promise<void> {
  const svc = serviceDeps(deps);
  const row = getActiveLearnRow(svc, actor.teamId, actor.userId, rowId);
  if (row === undefined) throw new AppError('not_found', "That skill isn't on your learning list any more (it was learned or removed). `/peer skills` shows your list.");
  const alreadyTeaching = getSkillsProfile(svc, actor.teamId, actor.userId).teach.some((s) => s.key === row.key);
  await ack();
  await openModal(deps, actor.teamId, triggerId, buildLearnedModal({ rowId: row.id, name: row.name, alreadyTeaching }));
}

/**
 * `/peer learned <skill>`: the modal for a skill on the list; otherwise the specific reason
 * (nothing typed, learned already, never on the list), as the command's answer.
 */
export async function learnedCommand(deps: AppDeps, actor: Actor, triggerId: string, typed: string | null, ack: (text?: string) => Promise<void>): Promise<void> {
  const svc = serviceDeps(deps);
  if (typed === null) {
    const learning = getSkillsProfile(svc, actor.teamId, actor.userId).learn.map((s) => s.name);
    await ack(
      learning.length === 0
        ? "Which skill? Your learning list is empty: add skills you want to learn with `/peer skills`, then `/peer learned <skill>` when you've got one."
        : `Which skill? For example ${inlineCode(`/peer learned ${learning[0]!}`, 80)}. You're learning: ${learning.map((n) => inlineCode(n, 60)).join(', ')}.`,
    );
    return;
  }
  const found = findSkillToLearn(svc, actor.teamId, actor.userId, typed);
  if (found.status === 'learned') {
    await ack(`You already marked ${inlineCode(found.name)} as learned on ${formatYmd(localDateYmd(found.completedAt, actor.timeZone))}.`);
    return;
  }
  if (found.status === 'teaching') {
    await ack(`${inlineCode(found.name, 60)} is on your "I can teach" list, not your learning list, so there is nothing to mark learned.`);
    return;
  }
  if (found.status === 'removed') {
    await ack(`You removed ${inlineCode(found.name, 60)} from your learning list on ${formatYmd(localDateYmd(found.removedAt, actor.timeZone))}, so it can't be marked learned. Add it again with \`/peer skills\`.`);
    return;
  }
  if (found.status === 'not_listed') {
    const list = found.learning.length === 0 ? 'Your learning list is empty.' : `You're learning: ${found.learning.map((n) => inlineCode(n, 60)).join(', ')}.`;
    await ack(`${inlineCode(found.display === '' ? typed : found.display, 60)} isn't on your learning list, so it can't be marked learned. ${list} Add skills with \`/peer skills\`.`);
    return;
  }
  await openLearnedModal(deps, actor, triggerId, found.row.id, () => ack());
}

// ---------------------------------------------------------------------------------------------
// Saving

export type ProfileSave = { ok: true; view: ViewJson } | { ok: false; errors: Partial<Record<ProfileField, string>> };

/** Checks and saves the profile form; the saved modal shows the profile as it now stands. */
export function saveProfileForm(deps: AppDeps, actor: Actor, form: ProfileForm): ProfileSave {
  const svc = serviceDeps(deps);
  const now = deps.clock.now();
  const checked = validateProfileForm(form, actor.timeZone, now, getSkillsProfile(svc, actor.teamId, actor.userId));
  if (!checked.ok) return checked;
  const changes = saveSkillsProfile(svc, actor.teamId, actor.userId, checked.value, actor.timeZone);
  deps.logger.info({ teamId: actor.teamId, userId: actor.userId, added: changes.added, removed: changes.removed }, 'skills profile saved');
  void queueHomeRefresh(deps, actor.teamId, actor.userId);
  const profile = getSkillsProfile(svc, actor.teamId, actor.userId);
  return { ok: true, view: buildSkillsSavedModal({ profile, timeZone: actor.timeZone, now }) };
}

export function saveStartDates(deps: AppDeps, actor: Actor, dates: ReadonlyMap<number, string>): { ok: true; view: ViewJson } | { ok: false; errors: Map<number, string> } {
  const result = setLearningStartDates(serviceDeps(deps), actor.teamId, actor.userId, dates, actor.timeZone);
  if (!result.ok) return result;
  if (result.changed > 0) void queueHomeRefresh(deps, actor.teamId, actor.userId);
  return { ok: true, view: buildStartDatesSavedModal(result.changed) };
}

/** How long the teacher check may take before the submission goes ahead without it (Slack waits 3 s). */
const TEACHER_CHECK_BUDGET_MS = 1_500;

/** A bot or a deactivated account cannot have taught anyone; Slack being slow is not a refusal. */
async function checkTeacher(deps: AppDeps, teamId: string, teacherId: string): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), TEACHER_CHECK_BUDGET_MS);
  });
  try {
    const kind = await Promise.race([deps.messenger.fetchAccountKind(teamId, teacherId), late]);
    if (kind === undefined) return undefined;
    if (kind.isBot) return 'A bot can’t have taught you. Pick a person, or leave it empty.';
    if (kind.deleted) return 'That account is deactivated. Pick someone else, or leave it empty.';
    return undefined;
  } catch (error) {
    deps.logger.warn({ err: error, teamId, teacherId }, 'teacher check skipped: users.info failed');
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export type LearnedSave = { ok: true; view: ViewJson; outcome: CompleteOutcome } | { ok: false; field: 'taughtBy' | 'canTeachNow' | 'form'; message: string };

/**
 * Marks the skill learned (services/skills.ts completeLearning, one transaction with the
 * teacher's confirm job), then kicks the scheduler so the teacher's DM goes out now.
 */
export async function saveLearnedForm(deps: AppDeps, actor: Actor, input: { rowId: number; taughtBy: string | null; canTeachNow: boolean }): Promise<LearnedSave> {
  if (input.taughtBy === actor.userId) return { ok: false, field: 'taughtBy', message: 'Name the peer who taught you, not yourself (or leave it empty).' };
  if (input.taughtBy !== null) {
    const problem = await checkTeacher(deps, actor.teamId, input.taughtBy);
    if (problem !== undefined) return { ok: false, field: 'taughtBy', message: problem };
  }
  let outcome: CompleteOutcome;
  try {
    outcome = completeLearning(serviceDeps(deps), actor.teamId, actor.userId, input);
  } catch (error) {
    if (error instanceof AppError && (error.field === 'taughtBy' || error.field === 'canTeachNow')) return { ok: false, field: error.field, message: error.message };
    if (error instanceof AppError) return { ok: false, field: 'form', message: error.message };
    throw error;
  }
  if (outcome.status === 'completed') {
    deps.logger.info({ teamId: actor.teamId, userId: actor.userId, rowId: input.rowId, taughtBy: input.taughtBy, teachAdded: outcome.teachAdded }, 'skill learned');
    if (outcome.confirmJob) sendPlannedNotices(deps, actor.teamId);
    void queueHomeRefresh(deps, actor.teamId, actor.userId);
  }
  const view =
    outcome.status === 'already'
      ? buildLearnedDoneModal({ name: outcome.name, teacherId: null, teachAdded: false, alreadyAt: outcome.completedAt, timeZone: actor.timeZone })
      : buildLearnedDoneModal({
          name: outcome.name,
          teacherId: input.taughtBy,
          teachAdded: outcome.teachAdded,
          teacherReachable: input.taughtBy === null || mayDirectMessage(serviceDeps(deps), actor.teamId, input.taughtBy),
          timeZone: actor.timeZone,
        });
  return { ok: true, view, outcome };
}

// ---------------------------------------------------------------------------------------------
// The teacher's confirmation

/** teach_confirm job: the DM to the named teacher, in their DM channel, opt-out honoured. */
export async function deliverTeachConfirm(deps: AppDeps, teamId: string, payload: TeachConfirmPayload, row: TaughtRow, meta?: CallMeta): ReturnType<typeof sendDirectMessage> {
  await learnPersonIfNew(deps, teamId, payload.teacherId);
  return sendDirectMessage(deps, teamId, payload.teacherId, buildTeachConfirmDm({ rowId: row.rowId, learnerId: row.learnerId, name: row.name }), meta);
}

/**
 * The Confirm button: stamps the confirmation once (services/skills.ts confirmTaught checks it is
 * the named teacher, in this workspace) and turns the DM into "Confirmed". Returns the text that
 * replaced it.
 */
export async function confirmTaughtClick(deps: AppDeps, actor: Actor, rowId: number, responseUrl: string | undefined): Promise<string> {
  const outcome = confirmTaught(serviceDeps(deps), actor.teamId, actor.userId, rowId);
  const message = buildTeachConfirmedMessage({ learnerId: outcome.row.learnerId, name: outcome.row.name, confirmedAt: outcome.confirmedAt, timeZone: actor.timeZone, already: outcome.status === 'already' });
  if (outcome.status === 'confirmed') {
    deps.logger.info({ teamId: actor.teamId, teacherId: actor.userId, rowId }, 'teaching confirmed');
    void queueHomeRefresh(deps, actor.teamId, outcome.row.learnerId);
  }
  if (responseUrl !== undefined && responseUrl !== '') {
    try {
      await deps.messenger.respond(responseUrl, { ...message, replace_original: true });
    } catch (error) {
      deps.logger.warn({ err: error, teamId: actor.teamId, rowId }, 'confirm DM not updated');
    }
  }
  return message.text;
}

// ---------------------------------------------------------------------------------------------
// Type-ahead

/** How many known skills or roles one type-ahead answer lists (Slack shows at most 100 options). */
const SUGGESTIONS = 99;

function typedName(query: string, max: number, what: 'skill names' | 'roles') {
  const { key, display } = normaliseSkillName(query.slice(0, 500));
  const length = Array.from(display).length;
  return { key, display, ...(length > max ? { problem: tooLongText(what, max, length) } : {}) };
}

export function suggestSkills(deps: AppDeps, actor: Actor, query: string): { options: BlockJson[] } {
  const typed = typedName(query, SKILL_NAME_MAX, 'skill names');
  const known = listKnownSkills(serviceDeps(deps), actor.teamId, { query: typed.key === '' ? '' : query, limit: SUGGESTIONS });
  return buildSkillOptions(known, typed);
}

export function suggestRoles(deps: AppDeps, actor: Actor, query: string): { options: BlockJson[] } {
  const typed = typedName(query, ROLE_MAX, 'roles');
  const known = listKnownRoles(serviceDeps(deps), actor.teamId, { query, limit: SUGGESTIONS });
  return buildRoleOptions(known, typed);
}
