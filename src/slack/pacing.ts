import type { Clock } from '../clock.js';
import { WINDOW_MS, type BudgetAnswer, type SendBudget } from '../services/send-budget.js';

/**
 * Keeps Peerloop's scheduled sends under Slack's limits, per workspace:
 * - a workspace-wide cap of messages per minute (a setting), as a sliding 60-second window;
 * - a pause per (workspace, method) after Slack answered 429, until its Retry-After has passed.
 *   Slack rate-limits each method per workspace, so one workspace's 429 never slows another;
 * - about one message per second per shared channel (Slack's own guidance for chat.postMessage):
 *   two scheduled messages to one channel at once (two polls in one channel), the second waits
 *   for the next tick. A DM channel (id `D…`) is one person's, and what goes there together is a
 *   short burst Slack allows (a notice and its calendar file, two reminders), so it is not spaced:
 *   holding the second back would delay it by a whole tick.
 *
 * It never sleeps: `reserve` either takes a slot or says how long to wait, and the job goes back
 * to the table for that long. That keeps the scheduler's concurrency free for other workspaces
 * and makes the pacing follow the injected clock (tests move it instead of waiting).
 * The window and the 429 pauses live in a SendBudget. The app's is in the database
 * (services/send-budget.ts), so the cap and a 429 hold for every process on one file together;
 * without one (unit tests, a bare messenger) the pacer keeps them in this process.
 * The one-second channel gap stays per process: two processes rarely post to one channel in the
 * same second, and Slack allows short bursts there.
 */
export type CapFor = (teamId: string) => number | undefined;

export type Reservation = { ok: true } | { ok: false; waitMs: number; reason: 'rate_limited' | 'workspace_cap' | 'channel_busy' };

export { WINDOW_MS };
export const CHANNEL_GAP_MS = 1_000;

/** Shared channels get the one-per-second gap; DM channels (`D…`) do not (see above). */
function isSpaced(channel: string): boolean {
  return !channel.startsWith('D');
}

export interface Pacer {
  /** For a scheduled send: takes a slot in the workspace's window (and the channel), or says how long to wait. */
  reserve(teamId: string, method: string, channel?: string): Reservation;
  /**
   * For an interactive reply: counted in the window (so the cap covers it) but never refused. It
   * is written to the budget with this process's next reservation in the workspace, so a click
   * never waits for the database.
   */
  note(teamId: string, channel?: string): void;
  /** Slack said 429 for this method in this workspace. */
  pause(teamId: string, method: string, retryAfterMs: number): void;
}

/** The cap comes from workspace settings (a database read); a change applies within this long. */
export const CAP_CACHE_MS = 10_000;

/** Past this many unshared interactive sends per workspace, the oldest are forgotten (a cap is at most 600). */
const MAX_NOTED = 1_000;

export function createPacer(clock: Clock, capFor: CapFor, budget: SendBudget = createLocalBudget()): Pacer {
  const caps = new Map<string, { cap: number | undefined; at: number }>();

  function capOf(teamId: string, now: number): number | undefined {
    const cached = caps.get(teamId);
    if (cached !== undefined && cached.at <= now && now - cached.at < CAP_CACHE_MS) return cached.cap;
    const cap = capFor(teamId);
    caps.set(teamId, { cap, at: now });
    return cap;
  }
  // What the budget answered, remembered so a burst of held jobs does not ask it once each.
  // Both are safe to reuse until they end: a pause only ever gets longer, and a full window only
  // fills more (sends are added, never taken back), so the budget would say no as well.
  const pausedUntil = new Map<string, number>();
  const fullUntil = new Map<string, number>();
  // Interactive sends not yet written to the budget: they go with this process's next
  // reservation for the workspace, so a click never waits for the database.
  const noted = new Map<string, number[]>();
  const channelLast = new Map<string, number>();
  let lastSweep = 0;

  function noteChannel(teamId: string, channel: string | undefined, now: number): void {
    if (channel === undefined || !isSpaced(channel)) return;
    channelLast.set(`${teamId}:${channel}`, now);
    // Forget channels idle for a while, so the map stays small in a long-running process
    // (swept at most once a second, so a burst to many channels stays linear).
    if (channelLast.size > 10_000 && now - lastSweep >= CHANNEL_GAP_MS) {
      lastSweep = now;
      for (const [k, at] of channelLast) if (now - at >= CHANNEL_GAP_MS) channelLast.delete(k);
    }
  }

  /** A remembered answer still running at `now`; `longest` drops one a clock moved back (tests reset theirs) left too far ahead. */
  function held(map: Map<string, number>, key: string, now: number, longest = Infinity): number | undefined {
    const until = map.get(key);
    if (until === undefined) return undefined;
    if (now < until && until - now <= longest) return until;
    map.delete(key);
    return undefined;
  }

  function ask(teamId: string, method: string, cap: number | undefined, now: number): BudgetAnswer {
    const pending = noted.get(teamId) ?? [];
    let answer: BudgetAnswer;
    try {
      answer = budget.reserve(teamId, method, cap, now, pending);
    } catch {
      // The database is busy past its timeout: hold the send briefly rather than risk the cap.
      return { ok: false, waitMs: CHANNEL_GAP_MS, reason: 'workspace_cap' };
    }
    noted.delete(teamId);
    if (!answer.ok && answer.reason === 'rate_limited') pausedUntil.set(`${teamId}:${method}`, now + answer.waitMs);
    if (!answer.ok && answer.reason === 'workspace_cap') fullUntil.set(teamId, now + answer.waitMs);
    return answer;
  }

  return {
    reserve(teamId, method, channel) {
      const now = clock.now();
      const until = held(pausedUntil, `${teamId}:${method}`, now);
      if (until !== undefined) return { ok: false, waitMs: until - now, reason: 'rate_limited' };
      // Calls that post nothing (conversations.open before a DM) only wait out a 429.
      if (channel === undefined) {
        const shared = budget.pausedUntil(teamId, method, now);
        if (shared === undefined) return { ok: true };
        pausedUntil.set(`${teamId}:${method}`, shared);
        return { ok: false, waitMs: shared - now, reason: 'rate_limited' };
      }
      const last = isSpaced(channel) ? channelLast.get(`${teamId}:${channel}`) : undefined;
      if (last !== undefined && last <= now && now - last < CHANNEL_GAP_MS) return { ok: false, waitMs: last + CHANNEL_GAP_MS - now, reason: 'channel_busy' };
      const full = held(fullUntil, teamId, now, WINDOW_MS);
      if (full !== undefined) return { ok: false, waitMs: full - now, reason: 'workspace_cap' };
      const answer = ask(teamId, method, capOf(teamId, now), now);
      if (answer.ok) noteChannel(teamId, channel, now);
      return answer;
    },
    note(teamId, channel) {
      const now = clock.now();
      let pending = noted.get(teamId);
      if (pending === undefined) {
        pending = [];
        noted.set(teamId, pending);
      }
      pending.push(now);
      // Only the last minute matters, and never more than MAX_NOTED of it.
      let stale = Math.max(0, pending.length - MAX_NOTED);
      while (stale < pending.length && now - pending[stale]! >= WINDOW_MS) stale += 1;
      if (stale > 0) pending.splice(0, stale);
      noteChannel(teamId, channel, now);
    },
    pause(teamId, method, retryAfterMs) {
      const key = `${teamId}:${method}`;
      const until = clock.now() + retryAfterMs;
      pausedUntil.set(key, Math.max(until, pausedUntil.get(key) ?? 0));
      try {
        budget.pause(teamId, method, until);
      } catch {
        // This process still holds; the others see Slack's 429 themselves.
      }
    },
  };
}

/**
 * The budget kept in this process only (a messenger built without a database). The app's
 * messenger uses the shared one in services/send-budget.ts.
 */
export function createLocalBudget(): SendBudget {
  const windows = new Map<string, number[]>();
  const pauses = new Map<string, number>();

  function windowOf(teamId: string, now: number): number[] {
    let sent = windows.get(teamId);
    if (sent === undefined) {
      sent = [];
      windows.set(teamId, sent);
    }
    // A clock that went backwards (tests reset theirs) makes the old entries meaningless.
    if (sent.length > 0 && sent[sent.length - 1]! > now) sent.length = 0;
    // Timestamps are appended in order, so the expired ones are at the front.
    let expired = 0;
    while (expired < sent.length && now - sent[expired]! >= WINDOW_MS) expired += 1;
    if (expired > 0) sent.splice(0, expired);
    return sent;
  }

  function pausedUntil(teamId: string, method: string, now: number): number | undefined {
    const until = pauses.get(`${teamId}:${method}`);
    return until !== undefined && until > now ? until : undefined;
  }

  return {
    reserve(teamId, method, cap, now, noted) {
      if (cap === undefined) {
        const until = pausedUntil(teamId, method, now);
        return until === undefined ? { ok: true } : { ok: false, waitMs: until - now, reason: 'rate_limited' };
      }
      const sent = windowOf(teamId, now);
      if (noted.length > 0) {
        for (const at of noted) if (now - at < WINDOW_MS && at <= now) sent.push(at);
        sent.sort((a, b) => a - b);
      }
      const until = pausedUntil(teamId, method, now);
      if (until !== undefined) return { ok: false, waitMs: until - now, reason: 'rate_limited' };
      if (sent.length >= cap) return { ok: false, waitMs: sent[sent.length - cap]! + WINDOW_MS - now, reason: 'workspace_cap' };
      sent.push(now);
      return { ok: true };
    },
    pausedUntil,
    pause(teamId, method, until) {
      const key = `${teamId}:${method}`;
      pauses.set(key, Math.max(until, pauses.get(key) ?? 0));
    },
  };
}
