import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock, type SettableClock } from '../../src/clock.js';
import { openDb, type DbHandle } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createSendBudget, WINDOW_MS } from '../../src/services/send-budget.js';
import { createPacer, type Pacer } from '../../src/slack/pacing.js';

/**
 * The shared send budget on a real SQLite file opened twice: two connections are what two
 * processes on one file are (each has its own connection, its own pacer and its own caches).
 */

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let handles: DbHandle[];
let clock: SettableClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerloop-send-budget-'));
  handles = [];
  clock = createSettableClock(Date.UTC(2030, 0, 7, 10, 0));
});

afterEach(() => {
  for (const h of handles) h.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): DbHandle {
  const handle = openDb(join(dir, 'peerloop.db'));
  handles.push(handle);
  return handle;
}

/** A "process": its own connection and its own pacer over the shared budget. */
function processOnFile(cap: (team: string) => number | undefined): Pacer {
  const handle = open();
  return createPacer(clock, cap, createSendBudget({ db: handle.db, clock, logger: createLogger('silent') }));
}

function maxInAnyWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[i]! - sorted[j]! >= WINDOW_MS) j += 1;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** Two processes asking for a slot in turn, 3 or 97 ms apart, for about eight minutes of clock; returns the send times. */
function race(a: Pacer, b: Pacer, team = 'T1'): number[] {
  const sent: number[] = [];
  let channel = 0;
  for (let step = 0; step < 6_000; step += 1) {
    const pacer = step % 2 === 0 ? a : b;
    channel += 1;
    if (pacer.reserve(team, 'chat.postMessage', `D${channel}`).ok) sent.push(clock.now());
    clock.advance(step % 7 === 0 ? 3 : 97);
  }
  return sent;
}

describe('the shared send budget', () => {
  it('keeps two processes on one file together under the cap in every 60 s window', () => {
    const start = clock.now();
    const sent = race(processOnFile(() => 60), processOnFile(() => 60));
    expect(maxInAnyWindow(sent)).toBe(60);
    // The cap is used, not just respected: 60 in each of the race's minutes.
    const minutes = (clock.now() - start) / WINDOW_MS;
    expect(sent.length).toBeGreaterThanOrEqual(60 * Math.floor(minutes));
    expect(sent.length).toBeLessThanOrEqual(60 * Math.ceil(minutes));
  });

  it('(without it, each process kept its own window and together they sent twice the cap)', () => {
    const local = () => createPacer(clock, () => 60);
    expect(maxInAnyWindow(race(local(), local()))).toBe(120);
  });

  it('a 429 one process saw holds the other too, for that method and workspace only, until Retry-After', () => {
    const a = processOnFile(() => 60);
    const b = processOnFile(() => 60);
    expect(b.reserve('T1', 'chat.postMessage', 'D1').ok).toBe(true);
    a.pause('T1', 'chat.postMessage', 30_000);
    expect(b.reserve('T1', 'chat.postMessage', 'D2')).toEqual({ ok: false, waitMs: 30_000, reason: 'rate_limited' });
    // conversations.open before a DM posts nothing, but a 429 on it holds it too.
    b.pause('T1', 'conversations.open', 5_000);
    expect(a.reserve('T1', 'conversations.open')).toEqual({ ok: false, waitMs: 5_000, reason: 'rate_limited' });
    expect(b.reserve('T1', 'chat.update', 'D2').ok).toBe(true);
    expect(b.reserve('T2', 'chat.postMessage', 'D2').ok).toBe(true);
    clock.advance(29_999);
    expect(b.reserve('T1', 'chat.postMessage', 'D3')).toMatchObject({ ok: false, waitMs: 1 });
    clock.advance(1);
    expect(b.reserve('T1', 'chat.postMessage', 'D3').ok).toBe(true);
    expect(a.reserve('T1', 'conversations.open').ok).toBe(true);
  });

  it('a shorter 429 never shortens a longer one', () => {
    const a = processOnFile(() => 60);
    const b = processOnFile(() => 60);
    a.pause('T1', 'chat.postMessage', 30_000);
    b.pause('T1', 'chat.postMessage', 1_000);
    clock.advance(1_000);
    const fresh = processOnFile(() => 60);
    expect(fresh.reserve('T1', 'chat.postMessage', 'D1')).toEqual({ ok: false, waitMs: 29_000, reason: 'rate_limited' });
  });

  it('counts one process\'s interactive replies in the other\'s window (from its next reservation), never refusing them', () => {
    const a = processOnFile(() => 3);
    const b = processOnFile(() => 3);
    for (let i = 0; i < 5; i += 1) a.note('T1', `C${i}`);
    // Not yet shared: the clicks were not held up by a database write.
    expect(b.reserve('T1', 'chat.postMessage', 'D1').ok).toBe(true);
    // a's next scheduled send writes its clicks first: 1 + 5 is over the cap of 3.
    expect(a.reserve('T1', 'chat.postMessage', 'D2')).toMatchObject({ ok: false, reason: 'workspace_cap' });
    expect(b.reserve('T1', 'chat.postMessage', 'D3')).toMatchObject({ ok: false, reason: 'workspace_cap' });
  });

  it('keeps each workspace\'s window apart, and deletes sends older than the window', () => {
    const handle = open();
    const budget = createSendBudget({ db: handle.db, clock, logger: createLogger('silent') });
    const now = clock.now();
    for (let i = 0; i < 3; i += 1) expect(budget.reserve('T1', 'chat.postMessage', 3, now, []).ok).toBe(true);
    expect(budget.reserve('T1', 'chat.postMessage', 3, now, [])).toEqual({ ok: false, waitMs: WINDOW_MS, reason: 'workspace_cap' });
    expect(budget.reserve('T2', 'chat.postMessage', 3, now, []).ok).toBe(true);
    expect(budget.reserve('T1', 'chat.postMessage', 3, now + WINDOW_MS, []).ok).toBe(true);
    const rows = handle.sqlite.prepare(`SELECT team_id AS team, count(*) AS n FROM send_reservations GROUP BY team_id ORDER BY team_id`).all();
    expect(rows).toEqual([
      { team: 'T1', n: 1 },
      { team: 'T2', n: 1 },
    ]);
    // No cap: nothing is written.
    expect(budget.reserve('T3', 'chat.postMessage', undefined, now, []).ok).toBe(true);
    expect(handle.sqlite.prepare(`SELECT count(*) FROM send_reservations WHERE team_id = 'T3'`).pluck().get()).toBe(0);
  });
});

/** A real process racing for slots; resolves with how many it was given. */
function startRacer(path: string, cap: number, runMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/send-budget-racer.ts'), path, 'T0RACE', String(cap), String(runMs)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((res) => (markReady = res));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const result = new Promise<{ taken: number; asked: number }>((res, rej) =>
    child.on('close', () => {
      clearTimeout(guard);
      markReady();
      const match = /result (\{.*\})/.exec(output);
      if (match === null) rej(new Error(`racer failed: ${output}`));
      else res(JSON.parse(match[1]!) as { taken: number; asked: number });
    }),
  );
  return { child, ready, result };
}

describe('three real processes racing for the last slots', () => {
  it('are given exactly the cap between them, never one more', async () => {
    const path = join(dir, 'race.db');
    openDb(path).close();
    const racers = [0, 1, 2].map(() => startRacer(path, 500, 400));
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.end('go\n');
    const results = await Promise.all(racers.map((r) => r.result));
    // All three asked far more often than the cap, all at once, within one window.
    expect(results.every((r) => r.asked > 500)).toBe(true);
    expect(results.reduce((sum, r) => sum + r.taken, 0)).toBe(500);
  }, 60_000);
});
