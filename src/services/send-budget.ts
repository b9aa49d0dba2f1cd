import type Database from 'better-sqlite3';
import type { ServiceDeps } from './context.js';
import { sqliteOf } from './jobs.js';

/**
 * The workspace's send budget: the messages-per-minute cap as a sliding 60-second window, and the
 * pause per (workspace, method) after Slack answered 429. The messenger's pacer (slack/pacing.ts)
 * asks it before every scheduled send.
 *
 * `createSendBudget` keeps both in the database, so every process on one SQLite file counts the
 * same sends and holds on the same 429: two or three processes together never exceed the cap.
 * (slack/pacing.ts also has a per-process budget, for a messenger built without a database.)
 */

export const WINDOW_MS = 60_000;

export type BudgetAnswer = { ok: true } | { ok: false; waitMs: number; reason: 'rate_limited' | 'workspace_cap' };

export interface SendBudget {
  /**
   * First records `noted` (times of interactive sends this process made since it last asked:
   * counted, never refused); then, unless `method` is paused or the window already holds `cap`
   * sends, takes a slot at `now`. With no cap it only checks the pause and records nothing.
   */
  reserve(teamId: string, method: string, cap: number | undefined, now: number, noted: readonly number[]): BudgetAnswer;
  /** When the 429 pause on this method ends, if one is running at `now`. */
  pausedUntil(teamId: string, method: string, now: number): number | undefined;
  /** Slack said 429: hold this method in this workspace until `until` (a later pause wins). */
  pause(teamId: string, method: string, until: number): void;
}

/** Expired rows of a workspace are deleted at most this often per process, inside a reservation. */
const PRUNE_EVERY_MS = 1_000;

interface Statements {
  pausedUntil: Database.Statement<[string, string], { until: number }>;
  /** The cap-th newest send of the workspace: while it is inside the window, the window is full. */
  nthNewest: Database.Statement<[string, number], { at: number }>;
  insert: Database.Statement<[string, number]>;
  prune: Database.Statement<[string, number, number]>;
  prunePauses: Database.Statement<[string, number]>;
  setPause: Database.Statement<[string, string, number]>;
}

export function createSendBudget(deps: ServiceDeps): SendBudget {
  const sqlite = sqliteOf(deps);
  const s: Statements = {
    pausedUntil: sqlite.prepare(`SELECT until FROM send_pauses WHERE team_id = ? AND method = ?`),
    nthNewest: sqlite.prepare(`SELECT at FROM send_reservations WHERE team_id = ? ORDER BY at DESC LIMIT 1 OFFSET ?`),
    insert: sqlite.prepare(`INSERT INTO send_reservations (team_id, at) VALUES (?, ?)`),
    // Also rows far in the future: a clock moved back (tests, a corrected host clock) must not
    // leave a window that never empties.
    prune: sqlite.prepare(`DELETE FROM send_reservations WHERE team_id = ? AND (at <= ? OR at > ?)`),
    prunePauses: sqlite.prepare(`DELETE FROM send_pauses WHERE team_id = ? AND until <= ?`),
    setPause: sqlite.prepare(
      `INSERT INTO send_pauses (team_id, method, until) VALUES (?, ?, ?)
       ON CONFLICT (team_id, method) DO UPDATE SET until = max(until, excluded.until)`,
    ),
  };
  const lastPrune = new Map<string, number>();

  function pausedUntil(teamId: string, method: string, now: number): number | undefined {
    const row = s.pausedUntil.get(teamId, method);
    return row !== undefined && row.until > now ? row.until : undefined;
  }

  // IMMEDIATE: the write lock is taken before the window is counted, so two processes can never
  // both see one free slot and both take it (a deferred transaction would read, then race to write).
  const take = sqlite.transaction((teamId: string, method: string, cap: number, now: number, noted: readonly number[]): BudgetAnswer => {
    const last = lastPrune.get(teamId);
    if (last === undefined || now - last >= PRUNE_EVERY_MS || now < last) {
      lastPrune.set(teamId, now);
      s.prune.run(teamId, now - WINDOW_MS, now + WINDOW_MS);
      s.prunePauses.run(teamId, now);
    }
    for (const at of noted) if (now - at < WINDOW_MS) s.insert.run(teamId, at);
    const until = pausedUntil(teamId, method, now);
    if (until !== undefined) return { ok: false, waitMs: until - now, reason: 'rate_limited' };
    const nth = s.nthNewest.get(teamId, cap - 1);
    if (nth !== undefined && now - nth.at < WINDOW_MS) return { ok: false, waitMs: nth.at + WINDOW_MS - now, reason: 'workspace_cap' };
    s.insert.run(teamId, now);
    return { ok: true };
  });

  return {
    reserve(teamId, method, cap, now, noted) {
      if (cap === undefined) {
        const until = pausedUntil(teamId, method, now);
        return until === undefined ? { ok: true } : { ok: false, waitMs: until - now, reason: 'rate_limited' };
      }
      return take.immediate(teamId, method, cap, now, noted);
    },
    pausedUntil,
    pause(teamId, method, until) {
      s.setPause.run(teamId, method, until);
    },
  };
}
