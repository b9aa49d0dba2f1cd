import type { Clock } from '../clock.js';

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
 * The cap is per process; two processes on one database each keep to it.
 */
export type CapFor = (teamId: string) => number | undefined;

export type Reservation = { ok: true } | { ok: false; waitMs: number; reason: 'rate_limited' | 'workspace_cap' | 'channel_busy' };

export const WINDOW_MS = 60_000;
export const CHANNEL_GAP_MS = 1_000;

/** Shared channels get the one-per-second gap; DM channels (`D…`) do not (see above). */
function isSpaced(channel: string): boolean {
  return !channel.startsWith('D');
}

export interface Pacer {
  /** For a scheduled send: takes a slot in the workspace's window (and the channel), or says how long to wait. */
  reserve(teamId: string, method: string, channel?: string): Reservation;
  /** For an interactive reply: counted in the window (so the cap covers it) but never refused. */
  note(teamId: string, channel?: string): void;
  /** Slack said 429 for this method in this workspace. */
  pause(teamId: string, method: string, retryAfterMs: number): void;
}

/** The cap comes from workspace settings (a database read); a change applies within this long. */
export const CAP_CACHE_MS = 10_000;

export function createPacer(clock: Clock, capFor: CapFor): Pacer {
  const windows = new Map<string, number[]>();
  const caps = new Map<string, { cap: number | undefined; at: number }>();

  function capOf(teamId: string, now: number): number | undefined {
    const cached = caps.get(teamId);
    if (cached !== undefined && cached.at <= now && now - cached.at < CAP_CACHE_MS) return cached.cap;
    const cap = capFor(teamId);
    caps.set(teamId, { cap, at: now });
    return cap;
  }
  const pausedUntil = new Map<string, number>();
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

  return {
    reserve(teamId, method, channel) {
      const now = clock.now();
      const until = pausedUntil.get(`${teamId}:${method}`);
      if (until !== undefined) {
        if (now < until) return { ok: false, waitMs: until - now, reason: 'rate_limited' };
        pausedUntil.delete(`${teamId}:${method}`);
      }
      // Calls that post nothing (conversations.open before a DM) only wait out a 429.
      if (channel === undefined) return { ok: true };
      const last = isSpaced(channel) ? channelLast.get(`${teamId}:${channel}`) : undefined;
      if (last !== undefined && last <= now && now - last < CHANNEL_GAP_MS) return { ok: false, waitMs: last + CHANNEL_GAP_MS - now, reason: 'channel_busy' };
      const sent = windowOf(teamId, now);
      const cap = capOf(teamId, now);
      if (cap !== undefined && sent.length >= cap) {
        return { ok: false, waitMs: sent[sent.length - cap]! + WINDOW_MS - now, reason: 'workspace_cap' };
      }
      sent.push(now);
      noteChannel(teamId, channel, now);
      return { ok: true };
    },
    note(teamId, channel) {
      const now = clock.now();
      windowOf(teamId, now).push(now);
      noteChannel(teamId, channel, now);
    },
    pause(teamId, method, retryAfterMs) {
      const key = `${teamId}:${method}`;
      const until = clock.now() + retryAfterMs;
      pausedUntil.set(key, Math.max(until, pausedUntil.get(key) ?? 0));
    },
  };
}
