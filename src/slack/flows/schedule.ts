import { editSession, scheduleSessions, setAnnouncement, undoSchedule } from '../../services/sessions.js';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../errors.js';
import { planAnnouncementRetry } from '../../services/session-announce.js';
import { planHostingNotice } from '../../services/session-notices.js';
import { requireSession } from '../../services/session-queries.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { TITLE_MAX, type ScheduleInput, type Session, assertMayManage } from '../../services/session-model.js';
import { buildEphemeralText } from '../blocks/help.js';
import { escapeTruncated, truncate } from '../blocks/text.js';
import { NOT_IN_CHANNEL_ERRORS, SlackCallError } from '../slack-errors.js';
import { ScheduleModalFields } from '../ids.js';
import type { Actor } from '../actor.js';
import { announceSession, refreshSessionCard, renderSessionCard } from './session-card.js';
import { dmQuietly, sendPlannedNotices } from './notices.js';
import { queueHomeRefresh } from './home.js';
import { refreshPromoted } from './sessions.js';
import { joinGroupToSessions } from './matching.js';

/**
 * Saving the schedule and edit forms once they are valid: write, post the card within Slack's
 * 3 s for the answer, undo and say why if Slack refuses the channel, then the notices, cards and
 * App Home that follow.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

type FieldKey = keyof typeof ScheduleModalFields;
/** Modal field -> the error shown under it. */
export type FieldErrors = Partial<Record<FieldKey, string>>;

/** Modal errors are plain text, so the channel is not named with a <#C…> mention here. */
function inviteBotText(code: string): string {
  return code === 'is_archived'
    ? 'That channel is archived. Pick another channel.'
    : `Peerloop can't post in that channel yet. Type /invite @Peerloop there, then press Schedule again (or pick another channel).`;
}

/** What the host check may spend of the ack budget, so the post after it still has time. */
export const HOST_CHECK_BUDGET_MS = 1_000;

/** users.info answers for an id that is nobody here: never in this workspace, or not visible to it. */
const UNKNOWN_USER_ERRORS = new Set(['user_not_found', 'user_not_visible']);

/** "@name", or "That account" when Slack gave no name. Modal errors are plain text, so no <@U…> mention. */
function accountLabel(name: string | null): string {
  return name === null || name.trim() === '' ? 'That account' : `@${truncate(name.trim(), 60)}`;
}

/**
 * A host must be a person in this workspace: an id Slack does not know (user_not_found), a
 * deactivated account, a bot (Slackbot and Workflow Builder bots included) is refused inline on
 * the host field. Only a users.info that is slow or fails for reasons that are not about the
 * person (timeout, network, 5xx, rate limit, our own token or scopes) skips the check, so
 * Slack being unwell never blocks scheduling or costs the answer its 3 s.
 */
export async function checkHost(deps: AppDeps, teamId: string, hostId: string, startedAt: number): Promise<string | undefined> {
  const lookup = outcomeOf(deps.messenger.fetchAccountKind(teamId, hostId));
  const outcome = await withinAckBudget(lookup, startedAt, HOST_CHECK_BUDGET_MS);
  if (!outcome.settled) {
    deps.logger.warn({ teamId, hostId }, 'host check skipped: users.info too slow');
    return undefined;
  }
  if (!outcome.value.ok) {
    const error = outcome.value.error;
    if (error instanceof SlackCallError && UNKNOWN_USER_ERRORS.has(error.code)) return 'That account is not someone in this workspace. Pick a person to host.';
    deps.logger.warn({ err: error, teamId, hostId }, 'host check skipped: users.info failed');
    return undefined;
  }
  const kind = outcome.value.value;
  if (kind.deleted) return `${accountLabel(kind.name)} has been deactivated. Pick someone else to host.`;
  if (kind.isBot) return `${accountLabel(kind.name)} is a bot; pick a person to host.`;
  return undefined;
}

/**
 * Slack waits 3 s for a view_submission answer. The post normally takes a fraction of that and
 * decides the answer (close, or an error on the channel field); if it has not settled by this
 * budget, the modal is closed and the outcome handled after. Wall-clock network time, so
 * performance.now() rather than the product clock.
 */
export const ACK_BUDGET_MS = 2_500;

async function withinAckBudget<T>(work: Promise<T>, startedAt: number, budgetMs = ACK_BUDGET_MS): Promise<{ settled: true; value: T } | { settled: false }> {
  const wait = Math.max(0, Math.min(budgetMs, ACK_BUDGET_MS - (performance.now() - startedAt)));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ settled: false }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), wait);
  });
  try {
    return await Promise.race([work.then((value) => ({ settled: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One form submission on its way: who sent it, how to answer it, and when it arrived. A flow
 * refuses a submission either with `fail` (errors on their fields) or by throwing an AppError,
 * which the listener shows on the form the same way.
 */
export interface Submission {
  deps: AppDeps;
  actor: Actor;
  /** Closes the modal (a plain ack). */
  ack: () => Promise<void>;
  /** Keeps the modal open with these errors on their fields. */
  fail: (e: FieldErrors) => Promise<void>;
  /** performance.now() when it arrived: the ack budget counts from here. */
  startedAt: number;
  /** The channel the form was opened from, to answer there privately after the modal closed. */
  origin: string | undefined;
  /** Opened from a match intro: the group whose other people join once the session is announced. */
  matchGroup?: number | undefined;
}

/** Why a card was not taken, as the person reads it: the invite hint, or Slack's code and what it means for them. */
function announcementProblem(error: unknown, consequence: string): string {
  const code = error instanceof SlackCallError ? error.code : 'unknown';
  return NOT_IN_CHANNEL_ERRORS.has(code) ? inviteBotText(code) : `Slack did not take the announcement (${code})${consequence}`;
}

/** A promise that never rejects: its value, or the error it failed with. */
function outcomeOf<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Tells the person what became of a submission after its modal had closed. This answers their
 * own action, so it should reach them even if they opted out of DMs: first privately in the
 * channel they came from, else by DM.
 */
async function tellPrivately(deps: AppDeps, actor: Actor, origin: string | undefined, message: string): Promise<void> {
  const { text, blocks } = buildEphemeralText(message);
  const toldInChannel =
    origin !== undefined &&
    (await deps.messenger.postEphemeral(actor.teamId, { channel: origin, user: actor.userId, text, blocks }).then(
      () => true,
      () => false,
    ));
  if (!toldInChannel) await dmQuietly(deps, actor.teamId, actor.userId, { text, blocks });
}

/**
 * Schedules a valid form: the rows are written in one transaction and the first card is posted
 * BEFORE the ack: if Slack refuses the channel, the save is undone completely (undoSchedule: the
 * sessions, participants and their jobs deleted, not cancelled, and the numbers handed back) and
 * the modal stays open with the error on the channel field. Slack allows 3 s for the ack, so
 * every Slack call before it (the host check, the post) runs within ACK_BUDGET_MS; past it the
 * modal is closed and a late refusal is undone the same way and told privately. The later weeks
 * of a series are announced after.
 *
 * Why write first and undo, rather than post first: the card carries the session's number (its
 * title, and the Join button's value), which only the transaction can hand out safely, and a
 * card must never point at a row that is not there. Holding the transaction open across the post
 * is impossible (better-sqlite3 transactions are synchronous, and the one connection would make
 * every other request's writes part of it); a membership check first (conversations.info) would
 * cost a Slack call on every schedule out of the 3 s and still not cover an archived channel or
 * one that refuses posting, so the undo would be needed anyway. The cost of write-then-undo is a
 * fraction of a second in which the sessions exist; the only thing an undo cannot take back is a
 * number someone else in the workspace took in that fraction of a second (see undoSchedule).
 */
export async function submitScheduleForm({ deps, actor, ack, fail, startedAt, origin, matchGroup }: Submission, input: ScheduleInput): Promise<void> {
  const svc = serviceDeps(deps);
  const { sessions: created, receipt } = scheduleSessions(svc, { teamId: actor.teamId, creatorId: actor.userId, input, timeZone: actor.timeZone });
  const [first, ...rest] = created;
  const posting = outcomeOf(announceSession(deps, first!));
  const outcome = await withinAckBudget(posting, startedAt);
  const problem = (error: unknown) => announcementProblem(error, ', so nothing was scheduled. Please try again.');
  const rollBack = (error: unknown) => {
    const numbersHandedBack = undoSchedule(svc, receipt);
    deps.logger.warn({ err: error, teamId: actor.teamId, channel: input.channelId, numbers: receipt.numbers, numbersHandedBack }, 'announcement failed; schedule undone');
  };
  if (outcome.settled && !outcome.value.ok) {
    rollBack(outcome.value.error);
    await fail({ channel: problem(outcome.value.error) });
    return;
  }
  await ack();
  if (!outcome.settled) {
    // Slack was slow: the modal is closed already, so a late failure is undone and told privately.
    const late = await posting;
    if (!late.ok) {
      rollBack(late.error);
      await tellPrivately(deps, actor, origin, `Your session "${escapeTruncated(input.title, TITLE_MAX)}" was not scheduled: ${problem(late.error)}`);
      return;
    }
  }
  // The later weeks of a series are announced after the ack: the first post proved the channel
  // works. A card Slack does not take now is posted again by a job, so no week is left without one.
  for (const session of rest) {
    try {
      await announceSession(deps, session);
    } catch (error) {
      deps.logger.warn({ err: error, teamId: actor.teamId, sessionNumber: session.number }, 'series card not posted; a job will post it');
      planAnnouncementRetry(svc, actor.teamId, session.number);
    }
  }
  // A host someone else chose is told (once for a whole series), after the card is in: a
  // schedule undone because Slack refused its card tells nobody.
  if (input.hostId !== actor.userId) {
    planHostingNotice(svc, first!, input.hostId, actor.userId, rest.length);
    sendPlannedNotices(deps, actor.teamId);
  }
  // The first card was posted before its siblings had numbers on cards; show the series position now.
  if (rest.length > 0) await refreshSessionCard(deps, actor.teamId, first!.number);
  // From a match intro: the rest of the group joins, once the card proved the channel works.
  if (matchGroup !== undefined) await joinGroupToSessions(deps, actor, matchGroup, created);
  await queueHomeRefresh(deps, actor.teamId, actor.userId);
  if (input.hostId !== actor.userId) await queueHomeRefresh(deps, actor.teamId, input.hostId);
}

/**
 * Edit submission. A move to another channel posts the card there first (the channel must take
 * it before anything is saved), within the ack budget like a create: a refusal in time stays on
 * the form; when Slack is slower the modal closes, the edit is saved once the card is in, and a
 * late refusal is told privately with nothing changed.
 */
export async function submitEditForm({ deps, actor, ack, fail, startedAt, origin }: Submission, number: number, input: ScheduleInput): Promise<void> {
  const svc = serviceDeps(deps);
  // Checked before any Slack call so a refused edit posts nothing; editSession checks again in its transaction.
  const current = requireSession(svc, actor.teamId, number);
  assertMayManage(current, actor, 'edit');
  const postProblem = (error: unknown) => announcementProblem(error, '. Nothing was changed.');
  const notSaved = (reason: string) => tellPrivately(deps, actor, origin, `Your changes to session #${number} were not saved: ${reason}`);
  if (current.channelId === input.channelId) {
    const result = editSession(svc, actor.teamId, number, actor, input);
    await ack();
    await afterEdit(deps, actor, number, result, undefined);
    return;
  }
  // A new channel must accept the card before anything is saved.
  const preview: Session = { ...current, ...input, topic: input.topic, sequence: current.sequence + 1 };
  const card = renderSessionCard(deps, preview);
  const posting = outcomeOf(deps.messenger.postMessage(actor.teamId, { channel: input.channelId, text: card.text, blocks: card.blocks, unfurl_links: false, unfurl_media: false }));
  const outcome = await withinAckBudget(posting, startedAt);
  if (outcome.settled && !outcome.value.ok) {
    await fail({ channel: postProblem(outcome.value.error) });
    return;
  }
  if (!outcome.settled) await ack();
  const post = outcome.settled ? outcome.value : await posting;
  if (!post.ok) {
    // Only reached late (the modal is closed): nothing was saved, and the person hears why.
    deps.logger.warn({ err: post.error, teamId: actor.teamId, channel: input.channelId }, 'card for a moved session not posted in time; edit not saved');
    await notSaved(postProblem(post.error));
    return;
  }
  const movedTo = post.value;
  let result: ReturnType<typeof editSession>;
  try {
    result = editSession(svc, actor.teamId, number, actor, input);
  } catch (error) {
    // The edit was refused after the card reached the new channel (cancelled or finished in the
    // meantime): take that card down again, so no live Join button points at an unchanged session.
    await deps.messenger
      .deleteMessage(actor.teamId, movedTo.channel, movedTo.ts)
      .catch((deleteError: unknown) => deps.logger.warn({ err: deleteError, teamId: actor.teamId }, 'card posted for a refused move not deleted'));
    if (outcome.settled) throw error;
    if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'late edit failed');
    await notSaved(isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT);
    return;
  }
  if (outcome.settled) await ack();
  await afterEdit(deps, actor, number, result, movedTo);
}

/** What follows a saved edit: notices, the card (and the old one after a move), App Home. */
async function afterEdit(
  deps: AppDeps,
  actor: Actor,
  number: number,
  result: ReturnType<typeof editSession>,
  movedTo: { channel: string; ts: string } | undefined,
): Promise<void> {
  const svc = serviceDeps(deps);
  const { before, after } = result;
  // editSession planned any notices (changed, a seat, a new host) with the write; send them now.
  // A kick with nothing due costs one indexed claim, so it is not worth re-deriving whether any were.
  sendPlannedNotices(deps, actor.teamId);
  if (movedTo !== undefined) {
    setAnnouncement(svc, actor.teamId, number, movedTo.channel, movedTo.ts);
    if (before.announcementTs !== null) {
      await deps.messenger
        .updateMessage(actor.teamId, {
          channel: before.channelId,
          ts: before.announcementTs,
          text: `Session #${number} moved to <#${after.channelId}>.`,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Session #${number} moved to <#${after.channelId}>.` } }],
        })
        .catch((error: unknown) => deps.logger.warn({ err: error, teamId: actor.teamId }, 'old card not updated after a move'));
    }
  }
  await refreshSessionCard(deps, actor.teamId, number);
  await refreshPromoted(deps, after, result.promoted);
  for (const userId of new Set([actor.userId, before.hostId, after.hostId])) await queueHomeRefresh(deps, actor.teamId, userId);
}
