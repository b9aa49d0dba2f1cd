import { and, eq, gte, isNull, lt, ne, sql } from 'drizzle-orm';
import { participants, polls, pollVotes, sessions } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { ServiceDeps } from './context.js';
import { z } from 'zod';
import { defineJobKind, getJob, rescheduleJob, scheduleJob, type ScheduleJobInput } from './jobs.js';
import { endingBetween, getSession } from './session-queries.js';
import { sessionEndsAt } from './session-model.js';
import { getSettings } from './workspace-settings.js';

/**
 * One-question feedback polls. A poll opens five minutes after a session ends, takes one
 * (changeable) vote per attendee, and closes 72 hours after it opened. The average is only
 * shown from MIN_VOTES_FOR_AVERAGE votes, so nobody's single answer can be read off it.
 */

export const POLL_OPEN_DELAY_MS = 5 * 60_000;
export const POLL_OPEN_FOR_MS = 72 * 60 * 60_000;
export const MIN_VOTES_FOR_AVERAGE = 3;
export const POLL_COMMENT_MAX = 2000;

export const POLL_OPEN_KIND = 'poll_open';
export const POLL_CLOSE_KIND = 'poll_close';

export type Poll = typeof polls.$inferSelect;
type Session = typeof sessions.$inferSelect;

export interface PollSummary {
  votes: number;
  /** Mean of the votes, one decimal; null below MIN_VOTES_FOR_AVERAGE votes. */
  average: number | null;
  comments: number;
}

export const pollOpenKey = (sessionNumber: number): string => `${POLL_OPEN_KIND}:${sessionNumber}`;
export const pollCloseKey = (sessionNumber: number): string => `${POLL_CLOSE_KIND}:${sessionNumber}`;

export const PollJobPayload = z.object({ sessionNumber: z.number().int().positive() });
export type PollJobPayload = z.infer<typeof PollJobPayload>;

/** poll_open:<session>: posts the poll under the card once the session has ended. */
export const PollOpenJob = defineJobKind({ kind: POLL_OPEN_KIND, payload: PollJobPayload, key: (p: PollJobPayload) => pollOpenKey(p.sessionNumber) });
/** poll_close:<session>: closes the poll and shows the final result. */
export const PollCloseJob = defineJobKind({ kind: POLL_CLOSE_KIND, payload: PollJobPayload, key: (p: PollJobPayload) => pollCloseKey(p.sessionNumber) });

/** Plans (or keeps) a posted poll's closing: scheduling the same key again is a no-op when it exists. */
export function planPollClose(deps: ServiceDeps, teamId: string, poll: Pick<Poll, 'sessionNumber' | 'closesAt'>): void {
  const payload: PollJobPayload = { sessionNumber: poll.sessionNumber };
  scheduleJob(deps, { teamId, kind: POLL_CLOSE_KIND, key: PollCloseJob.key(payload), runAt: poll.closesAt, payload });
}

export function pollOpensAt(session: Pick<Session, 'startsAt' | 'durationMin'>): number {
  return sessionEndsAt(session) + POLL_OPEN_DELAY_MS;
}

/** The poll jobs a session needs; the poll planner (syncPollJobs, every tick) schedules them. */
export function pollJobsFor(session: Pick<Session, 'teamId' | 'number' | 'startsAt' | 'durationMin' | 'status'>): ScheduleJobInput[] {
  if (session.status !== 'scheduled') return [];
  return [
    {
      teamId: session.teamId,
      kind: POLL_OPEN_KIND,
      key: pollOpenKey(session.number),
      runAt: pollOpensAt(session),
      payload: { sessionNumber: session.number },
      // A job that ran before the session ended (it was moved later after its poll was
      // planned) comes back with the new time instead of staying skipped for good.
      reviveSkipped: ['not_ended'],
    },
  ];
}

/**
 * Sessions whose poll should open between `fromMs` and `toMs` (the poll planner looks back far
 * enough to cover downtime and ahead a day, so a move is picked up before the job is due).
 */
export function listSessionsNeedingPolls(deps: ServiceDeps, teamId: string, fromMs: number, toMs: number): Session[] {
  return deps.db
    .select({ session: sessions })
    .from(sessions)
    .leftJoin(polls, and(eq(polls.teamId, sessions.teamId), eq(polls.sessionNumber, sessions.number)))
    .where(
      and(
        eq(sessions.teamId, teamId),
        eq(sessions.status, 'scheduled'),
        // The poll opens POLL_OPEN_DELAY_MS after the end: opening in [from, to) is ending that much earlier.
        endingBetween(fromMs - POLL_OPEN_DELAY_MS, toMs - POLL_OPEN_DELAY_MS),
        isNull(polls.sessionNumber),
      ),
    )
    .all()
    .map((r) => r.session);
}

/**
 * Plans the poll_open job of every session whose poll opens in [fromMs, toMs). Idempotent: a
 * known key is a no-op, and a pending job follows a session that moved.
 */
export function syncPollJobs(deps: ServiceDeps, teamId: string, fromMs: number, toMs: number): void {
  const sessions = listSessionsNeedingPolls(deps, teamId, fromMs, toMs);
  if (sessions.length === 0) return;
  deps.db.transaction(() => {
    for (const session of sessions) {
      for (const job of pollJobsFor(session)) {
        if (scheduleJob(deps, job)) continue;
        // Follow a moved session, but only for a job never tried: a 429 retry's later run_at stays.
        const existing = getJob(deps, teamId, job.key);
        if (existing?.status === 'pending' && existing.lastError === null && existing.runAt !== job.runAt) rescheduleJob(deps, teamId, job.key, job.runAt);
      }
    }
  });
}

export function getPoll(deps: ServiceDeps, teamId: string, sessionNumber: number): Poll | undefined {
  return deps.db
    .select()
    .from(polls)
    .where(and(eq(polls.teamId, teamId), eq(polls.sessionNumber, sessionNumber)))
    .get();
}

/** People who may vote: attendees who joined and did not leave, were not waitlisted, and were not marked absent. */
function eligibleVoterCondition(teamId: string, sessionNumber: number) {
  return and(
    eq(participants.teamId, teamId),
    eq(participants.sessionNumber, sessionNumber),
    eq(participants.role, 'attendee'),
    isNull(participants.leftAt),
    eq(participants.waitlisted, false),
    ne(participants.attended, 'no'),
  );
}

export function countEligibleVoters(deps: ServiceDeps, teamId: string, sessionNumber: number): number {
  const row = deps.db
    .select({ n: sql<number>`count(*)` })
    .from(participants)
    .where(eligibleVoterCondition(teamId, sessionNumber))
    .get();
  return row?.n ?? 0;
}

export function getPollSummary(deps: ServiceDeps, teamId: string, sessionNumber: number): PollSummary {
  const row = deps.db
    .select({
      votes: sql<number>`count(*)`,
      total: sql<number>`coalesce(sum(${pollVotes.value}), 0)`,
      comments: sql<number>`count(${pollVotes.comment})`,
    })
    .from(pollVotes)
    .where(and(eq(pollVotes.teamId, teamId), eq(pollVotes.sessionNumber, sessionNumber)))
    .get();
  const votes = row?.votes ?? 0;
  const average = votes >= MIN_VOTES_FOR_AVERAGE ? Math.round((row!.total / votes) * 10) / 10 : null;
  return { votes, average, comments: row?.comments ?? 0 };
}

export type OpenPollPlan =
  | { action: 'skip'; reason: 'session_not_found' | 'cancelled' | 'not_ended' | 'no_attendees' | 'too_late' }
  /** The poll row exists and its message is already in the channel (a re-run after a crash). */
  | { action: 'already_posted'; poll: Poll }
  | { action: 'post'; poll: Poll; session: Session; summary: PollSummary };

/**
 * Decides whether a session's poll opens now and records it (status open, closing in 72 h)
 * before anything is posted, so a re-run finds it. Posting is the caller's job.
 */
export function preparePollOpening(deps: ServiceDeps, teamId: string, sessionNumber: number): OpenPollPlan {
  const now = deps.clock.now();
  return deps.db.transaction(() => {
    const session = getSession(deps, teamId, sessionNumber);
    if (session === undefined) return { action: 'skip', reason: 'session_not_found' } as const;
    if (session.status === 'cancelled') return { action: 'skip', reason: 'cancelled' } as const;
    const existing = getPoll(deps, teamId, sessionNumber);
    if (existing?.messageTs != null) return { action: 'already_posted', poll: existing } as const;
    if (existing === undefined) {
      const opensAt = pollOpensAt(session);
      if (now < opensAt) return { action: 'skip', reason: 'not_ended' } as const;
      // After long downtime, a poll that would already have closed is not worth posting.
      if (now >= opensAt + POLL_OPEN_FOR_MS) return { action: 'skip', reason: 'too_late' } as const;
      if (countEligibleVoters(deps, teamId, sessionNumber) === 0) return { action: 'skip', reason: 'no_attendees' } as const;
      deps.db
        .insert(polls)
        .values({
          teamId,
          sessionNumber,
          question: getSettings(deps, teamId).pollQuestion,
          channelId: session.channelId,
          status: 'open',
          openedAt: now,
          closesAt: now + POLL_OPEN_FOR_MS,
        })
        .run();
    }
    const poll = getPoll(deps, teamId, sessionNumber)!;
    // A retry after long trouble (the row was written, the post kept failing) can come after the
    // poll would have closed: posting it then would only show dead buttons. It never reached
    // anyone, so it is not kept as a poll with no answers.
    if (now >= poll.closesAt) {
      discardUnpostedPoll(deps, teamId, sessionNumber);
      return { action: 'skip', reason: 'too_late' } as const;
    }
    return { action: 'post', poll, session, summary: getPollSummary(deps, teamId, sessionNumber) } as const;
  });
}

/**
 * Removes a poll whose message was never posted (Slack refused it for good, or it came too late):
 * nobody saw it, so it must not count as a poll nobody answered. A posted poll is never removed.
 */
export function discardUnpostedPoll(deps: ServiceDeps, teamId: string, sessionNumber: number): void {
  deps.db
    .delete(polls)
    .where(and(eq(polls.teamId, teamId), eq(polls.sessionNumber, sessionNumber), isNull(polls.messageTs)))
    .run();
}

export function recordPollMessage(deps: ServiceDeps, teamId: string, sessionNumber: number, channelId: string, messageTs: string): void {
  deps.db
    .update(polls)
    .set({ channelId, messageTs })
    .where(and(eq(polls.teamId, teamId), eq(polls.sessionNumber, sessionNumber)))
    .run();
}

export function isPollOpen(deps: ServiceDeps, poll: Poll): boolean {
  return poll.status === 'open' && deps.clock.now() < poll.closesAt;
}

/** Loads an open poll the person may answer, or throws the kind refusal they should see. */
function requireVotablePoll(deps: ServiceDeps, teamId: string, userId: string, sessionNumber: number): Poll {
  const poll = getPoll(deps, teamId, sessionNumber);
  // A button from another workspace names a session number that is not this workspace's poll.
  if (poll === undefined) throw new AppError('not_found', "I couldn't find that poll. It may have been removed.");
  if (!isPollOpen(deps, poll)) throw new AppError('conflict', 'This poll has closed, so votes and comments can no longer be added. Thanks anyway!');
  const row = deps.db
    .select({ role: participants.role })
    .from(participants)
    .where(and(eligibleVoterCondition(teamId, sessionNumber), eq(participants.userId, userId)))
    .get();
  if (row === undefined) {
    const host = getSession(deps, teamId, sessionNumber)?.hostId === userId;
    throw new AppError(
      'forbidden',
      host
        ? "Thanks for hosting! This poll is for the people who attended, so hosts don't vote on their own session."
        : "Thanks for the interest! This poll is only for people who joined the session, so your vote wasn't counted.",
    );
  }
  return poll;
}

export interface VoteResult {
  poll: Poll;
  summary: PollSummary;
  /** True when this replaced the person's earlier vote. */
  changed: boolean;
}

/** One vote per person per poll: a second vote replaces the first (the row's key is the person). */
export function castVote(deps: ServiceDeps, teamId: string, userId: string, sessionNumber: number, value: number): VoteResult {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw new AppError('invalid_input', 'Votes are a whole number from 1 to 5.');
  return deps.db.transaction(() => {
    const poll = requireVotablePoll(deps, teamId, userId, sessionNumber);
    const before = getVote(deps, teamId, sessionNumber, userId);
    deps.db
      .insert(pollVotes)
      .values({ teamId, sessionNumber, userId, value, votedAt: deps.clock.now() })
      .onConflictDoUpdate({ target: [pollVotes.teamId, pollVotes.sessionNumber, pollVotes.userId], set: { value, votedAt: deps.clock.now() } })
      .run();
    return { poll, summary: getPollSummary(deps, teamId, sessionNumber), changed: before !== undefined };
  });
}

/**
 * The rating plus an optional comment, from the "Add a comment" modal (empty comment clears it).
 * `shared`: the person allows this vote, with their name and comment, in admins' exports
 * (`/peer export`); saving unticked withdraws an earlier yes.
 */
export function saveComment(deps: ServiceDeps, teamId: string, userId: string, sessionNumber: number, value: number, comment: string, shared: boolean): VoteResult {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw new AppError('invalid_input', 'Pick a rating from 1 to 5.', { field: 'rating' });
  const text = comment.trim();
  if (Array.from(text).length > POLL_COMMENT_MAX) {
    throw new AppError('invalid_input', `Comments can be up to ${POLL_COMMENT_MAX} characters; this one has ${Array.from(text).length}.`, { field: 'comment' });
  }
  const stored = text === '' ? null : text;
  return deps.db.transaction(() => {
    const poll = requireVotablePoll(deps, teamId, userId, sessionNumber);
    const before = getVote(deps, teamId, sessionNumber, userId);
    const now = deps.clock.now();
    deps.db
      .insert(pollVotes)
      .values({ teamId, sessionNumber, userId, value, comment: stored, commentShared: shared, votedAt: now })
      .onConflictDoUpdate({ target: [pollVotes.teamId, pollVotes.sessionNumber, pollVotes.userId], set: { value, comment: stored, commentShared: shared, votedAt: now } })
      .run();
    return { poll, summary: getPollSummary(deps, teamId, sessionNumber), changed: before !== undefined };
  });
}

export function getVote(deps: ServiceDeps, teamId: string, sessionNumber: number, userId: string): typeof pollVotes.$inferSelect | undefined {
  return deps.db
    .select()
    .from(pollVotes)
    .where(and(eq(pollVotes.teamId, teamId), eq(pollVotes.sessionNumber, sessionNumber), eq(pollVotes.userId, userId)))
    .get();
}

/** Checks, before the comment modal opens, that the person could save one (same refusals as a vote). */
export function checkCanAnswer(deps: ServiceDeps, teamId: string, userId: string, sessionNumber: number): { poll: Poll; current: number | undefined; comment: string | null; shared: boolean } {
  const poll = requireVotablePoll(deps, teamId, userId, sessionNumber);
  const vote = getVote(deps, teamId, sessionNumber, userId);
  return { poll, current: vote?.value, comment: vote?.comment ?? null, shared: vote?.commentShared ?? false };
}

/** Closes the poll; returns it with its final summary, or undefined when there is no poll to close. */
export function closePoll(deps: ServiceDeps, teamId: string, sessionNumber: number): { poll: Poll; summary: PollSummary; alreadyClosed: boolean } | undefined {
  return deps.db.transaction(() => {
    const poll = getPoll(deps, teamId, sessionNumber);
    if (poll === undefined) return undefined;
    const alreadyClosed = poll.status === 'closed';
    if (!alreadyClosed) {
      deps.db
        .update(polls)
        .set({ status: 'closed' })
        .where(and(eq(polls.teamId, teamId), eq(polls.sessionNumber, sessionNumber)))
        .run();
    }
    return { poll: { ...poll, status: 'closed' as const }, summary: getPollSummary(deps, teamId, sessionNumber), alreadyClosed };
  });
}

export interface PollResult {
  sessionNumber: number;
  title: string;
  openedAt: number;
  status: 'open' | 'closed';
  votes: number;
  /** Sum of the values, so a digest can average across polls without the per-poll threshold. */
  total: number;
  eligible: number;
  comments: string[];
}

/** Votes and comments of the polls opened in [fromMs, toMs), for the digest. */
export function listPollResults(deps: ServiceDeps, teamId: string, fromMs: number, toMs: number): PollResult[] {
  const rows = deps.db
    .select({ poll: polls, title: sessions.title })
    .from(polls)
    .innerJoin(sessions, and(eq(sessions.teamId, polls.teamId), eq(sessions.number, polls.sessionNumber)))
    .where(and(eq(polls.teamId, teamId), gte(polls.openedAt, fromMs), lt(polls.openedAt, toMs)))
    .all();
  return rows.map(({ poll, title }) => {
    const votes = deps.db
      .select({ value: pollVotes.value, comment: pollVotes.comment })
      .from(pollVotes)
      .where(and(eq(pollVotes.teamId, teamId), eq(pollVotes.sessionNumber, poll.sessionNumber)))
      .all();
    return {
      sessionNumber: poll.sessionNumber,
      title,
      openedAt: poll.openedAt,
      status: poll.status,
      votes: votes.length,
      total: votes.reduce((sum, v) => sum + v.value, 0),
      eligible: countEligibleVoters(deps, teamId, poll.sessionNumber),
      comments: votes.flatMap((v) => (v.comment === null ? [] : [v.comment])),
    };
  });
}
