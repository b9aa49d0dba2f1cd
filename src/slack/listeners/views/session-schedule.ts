import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import {
  canManageSession,
  discardSessions,
  editSession,
  getSession,
  requireSession,
  scheduleSessions,
  setAnnouncement,
  TITLE_MAX,
  validateScheduleInput,
  type ScheduleField,
  type ScheduleInput,
  type Session,
} from '../../../services/sessions.js';
import { planAnnouncementRetry } from '../../../services/session-announce.js';
import { planHostingNotice } from '../../../services/session-notices.js';
import { localDateYmd, localTimeHm, parseLocalDateTime } from '../../../services/time.js';
import { parseScheduleModalMetadata, readScheduleModalState, scheduleBlockId, type ScheduleModalMetadata, type ScheduleModalValues } from '../../blocks/schedule-modal.js';
import { buildEphemeralText } from '../../blocks/help.js';
import { escapeTruncated } from '../../blocks/text.js';
import { serviceDeps, type Actor, type AppDeps } from '../../deps.js';
import { ScheduleModalFields } from '../../ids.js';
import { requireActor } from '../../middleware/actor.js';
import { announceSession, dmQuietly, queueHomeRefresh, refreshPromoted, refreshSessionCard, renderSessionCard, sendPlannedNotices } from '../../session-flow.js';
import { NOT_IN_CHANNEL_ERRORS, SlackCallError } from '../../slack-errors.js';

type FieldKey = keyof typeof ScheduleModalFields;
type FieldErrors = Partial<Record<FieldKey, string>>;

/** Service field -> the modal block that shows its error. */
const FIELD_BLOCK: Record<ScheduleField, FieldKey> = {
  format: 'format',
  title: 'title',
  topic: 'topic',
  startsAt: 'date',
  durationMin: 'duration',
  hostId: 'host',
  capacity: 'capacity',
  channelId: 'channel',
  link: 'link',
  agenda: 'agenda',
  repeatWeeks: 'repeat',
};

const INTEGER = /^-?\d+$/;

/**
 * Modal text -> the service's input shape; a field that cannot even be read becomes an error.
 * `editing`: the session an edit form was filled from (sessionModalValues, in the same zone).
 */
function toRawInput(
  values: ScheduleModalValues,
  zone: string,
  mode: ScheduleModalMetadata['mode'],
  editing?: Pick<Session, 'startsAt'>,
): { raw: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const number = (text: string | undefined, field: FieldKey, optional: boolean): number | null | undefined => {
    const trimmed = text?.trim() ?? '';
    if (trimmed === '') return optional ? null : undefined;
    if (!INTEGER.test(trimmed)) {
      errors[field] = 'Enter a whole number.';
      return undefined;
    }
    return Number(trimmed);
  };
  let startsAt: number | undefined;
  if (values.date === undefined || values.date === '') errors.date = 'Pick a date.';
  if (values.time === undefined || values.time === '') errors.time = 'Pick a start time.';
  if (
    errors.date === undefined &&
    errors.time === undefined &&
    editing !== undefined &&
    values.date === localDateYmd(editing.startsAt, zone) &&
    values.time === localTimeHm(editing.startsAt, zone)
  ) {
    // Date and time as prefilled: the start was not touched, so it keeps its instant. Parsing the
    // text again would not: in the repeated hour of a fall-back night (01:30 happens twice in New
    // York) the text names two instants and reads back as the first, moving a session set at
    // the second one an hour earlier and telling everyone its time changed.
    startsAt = editing.startsAt;
  } else if (errors.date === undefined && errors.time === undefined) {
    try {
      startsAt = parseLocalDateTime(values.date!, values.time!, zone);
    } catch (error) {
      if (!isAppError(error)) throw error;
      errors.time = error.message;
    }
  }
  const link = values.link?.trim() ?? '';
  const repeat = mode === 'create' ? number(values.repeat, 'repeat', true) : 1;
  const raw: Record<string, unknown> = {
    format: values.format,
    title: values.title ?? '',
    topic: values.topic ?? '',
    startsAt,
    durationMin: number(values.duration, 'duration', false),
    hostId: values.hostId,
    capacity: number(values.capacity, 'capacity', true),
    channelId: values.channelId,
    link: link === '' ? null : link,
    agenda: values.agenda ?? '',
    repeatWeeks: repeat ?? 1,
  };
  if (repeat === undefined) delete raw.repeatWeeks;
  return { raw, errors };
}

function blockErrors(errors: FieldErrors, rev: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors) as [FieldKey, string][]) out[scheduleBlockId(field, rev)] = message;
  return out;
}

/** Modal errors are plain text, so the channel is not named with a <#C…> mention here. */
function inviteBotText(code: string): string {
  return code === 'is_archived'
    ? 'That channel is archived. Pick another channel.'
    : `Peerloop can't post in that channel yet. Type /invite @Peerloop there, then press Schedule again (or pick another channel).`;
}

/**
 * Schedule / edit submission. Everything is validated first (errors go inline and nothing is
 * written). Then the rows are written in one transaction and the card is posted BEFORE the
 * ack: if Slack refuses the channel, the rows are removed again and the modal stays open with
 * the error on the channel field. Slack allows 3 s for this ack, so every Slack call before it
 * (the host check, the post) runs within ACK_BUDGET_MS; past it the modal is closed and the
 * outcome told privately if it is not what a closed modal says (saved).
 */
export function createScheduleSubmissionListener(deps: AppDeps) {
  const svc = serviceDeps(deps);
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const startedAt = performance.now();
    const actor = requireActor(context);
    const metadata = parseScheduleModalMetadata(view.private_metadata);
    if (metadata === undefined || (metadata.mode === 'edit' && metadata.number === undefined)) {
      await ack({ response_action: 'errors', errors: { [ScheduleModalFields.title]: 'This form could not be read. Close it and run /peer schedule again.' } });
      return;
    }
    const rev = metadata.rev;
    const fail = (errors: FieldErrors) => ack({ response_action: 'errors', errors: blockErrors(errors, rev) });

    try {
      const editing = metadata.mode === 'edit' ? getSession(svc, actor.teamId, metadata.number!) : undefined;
      const { raw, errors } = toRawInput(readScheduleModalState(view.state.values), actor.timeZone, metadata.mode, editing);
      const checked = validateScheduleInput(svc, raw, editing === undefined ? {} : { unchangedStart: editing.startsAt });
      const all: FieldErrors = { ...errors };
      if (!checked.ok) {
        for (const [field, message] of Object.entries(checked.errors) as [ScheduleField, string][]) {
          const block = FIELD_BLOCK[field];
          if (all[block] === undefined) all[block] = message;
        }
      }
      const hostId = typeof raw.hostId === 'string' ? raw.hostId : undefined;
      if (all.host === undefined && hostId !== undefined && hostId !== actor.userId) {
        const hostProblem = await checkHost(deps, actor.teamId, hostId, startedAt);
        if (hostProblem !== undefined) all.host = hostProblem;
      }
      if (Object.keys(all).length > 0 || !checked.ok) {
        await fail(all);
        return;
      }
      const submission: Submission = { deps, actor, ack: () => ack(), fail, startedAt, origin: metadata.origin };
      if (metadata.mode === 'create') await submitCreate(submission, checked.input);
      else await submitEdit(submission, metadata.number!, checked.input);
    } catch (error) {
      // Whatever went wrong, the person sees it on the form rather than a silently closed modal.
      const message = isAppError(error) ? error.message : UNEXPECTED_ERROR_TEXT;
      if (!isAppError(error)) deps.logger.error({ err: error, teamId: actor.teamId }, 'schedule submission failed');
      await fail({ title: message }).catch(() => undefined);
    }
  };
}

/** What the host check may spend of the ack budget, so the post after it still has time. */
export const HOST_CHECK_BUDGET_MS = 1_000;

/** A host must be a person: a bot, Slackbot or deactivated account is refused inline. */
async function checkHost(deps: AppDeps, teamId: string, hostId: string, startedAt: number): Promise<string | undefined> {
  const lookup = outcomeOf(deps.messenger.fetchAccountKind(teamId, hostId));
  const outcome = await withinAckBudget(lookup, startedAt, HOST_CHECK_BUDGET_MS);
  // users.info failing or slow should not block scheduling (or cost the answer its 3 s); the
  // select only offers real accounts anyway.
  if (!outcome.settled) {
    deps.logger.warn({ teamId, hostId }, 'host check skipped: users.info too slow');
    return undefined;
  }
  if (!outcome.value.ok) {
    deps.logger.warn({ err: outcome.value.error, teamId, hostId }, 'host check skipped: users.info failed');
    return undefined;
  }
  const kind = outcome.value.value;
  if (kind.isBot) return 'A bot cannot host a session. Pick a person.';
  if (kind.deleted) return 'That account is deactivated. Pick someone else to host.';
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

/** Closes the modal (a plain ack). */
type Ack = () => Promise<void>;

/** One form submission on its way: who sent it, how to answer it, and when it arrived. */
interface Submission {
  deps: AppDeps;
  actor: Actor;
  ack: Ack;
  /** Keeps the modal open with these errors on their fields. */
  fail: (e: FieldErrors) => Promise<void>;
  /** performance.now() when it arrived: the ack budget counts from here. */
  startedAt: number;
  /** The channel the form was opened from, to answer there privately after the modal closed. */
  origin: string | undefined;
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

async function submitCreate({ deps, actor, ack, fail, startedAt, origin }: Submission, input: ScheduleInput): Promise<void> {
  const svc = serviceDeps(deps);
  const created = scheduleSessions(svc, { teamId: actor.teamId, creatorId: actor.userId, input, timeZone: actor.timeZone });
  const [first, ...rest] = created;
  const posting = outcomeOf(announceSession(deps, first!));
  const outcome = await withinAckBudget(posting, startedAt);
  const problem = (error: unknown) => announcementProblem(error, ', so nothing was scheduled. Please try again.');
  const rollBack = (error: unknown) => {
    discardSessions(svc, actor.teamId, created.map((s) => s.number));
    deps.logger.warn({ err: error, teamId: actor.teamId, channel: input.channelId }, 'announcement failed; schedule rolled back');
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
  await queueHomeRefresh(deps, actor.teamId, actor.userId);
  if (input.hostId !== actor.userId) await queueHomeRefresh(deps, actor.teamId, input.hostId);
}

/**
 * Edit submission. A move to another channel posts the card there first (the channel must take
 * it before anything is saved), within the ack budget like a create: a refusal in time stays on
 * the form; when Slack is slower the modal closes, the edit is saved once the card is in, and a
 * late refusal is told privately with nothing changed.
 */
async function submitEdit({ deps, actor, ack, fail, startedAt, origin }: Submission, number: number, input: ScheduleInput): Promise<void> {
  const svc = serviceDeps(deps);
  // Checked before any Slack call so a refused edit posts nothing; editSession checks again in its transaction.
  const current = requireSession(svc, actor.teamId, number);
  if (!canManageSession(current, actor)) {
    await fail({ title: `Only the host, the person who scheduled it, or a workspace admin can edit session #${number}.` });
    return;
  }
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
