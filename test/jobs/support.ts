import { and, eq } from 'drizzle-orm';
import { jobs } from '../../src/db/schema.js';
import type { Job } from '../../src/services/jobs.js';
import { syncSessionJobs } from '../../src/services/session-jobs.js';
import { serviceDeps } from '../../src/deps.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { SettableClock } from '../../src/clock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dmChannel, startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { createMember, createSession, addParticipant } from '../support/factories.js';

export const TEAM = 'T0TEST';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * Counts the chat.postMessage calls Slack accepted, per channel and in total. The fake records
 * every call, including the ones it answered with 429 or 500; this counts only the deliveries.
 */
export function recordDeliveries(fake: FakeSlack, clockNow?: () => number) {
  const perChannel = new Map<string, number>();
  const delivered: { channel: string; text: string; blocks: unknown; at: number }[] = [];
  fake.onMethod('chat.postMessage', (args) => {
    const channel = String(args.channel);
    perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
    delivered.push({ channel, text: String(args.text ?? ''), blocks: args.blocks, at: clockNow?.() ?? Date.now() });
    const ts = fake.nextTs();
    return { ok: true, channel, ts, message: { type: 'message', text: args.text, ts } };
  });
  return {
    perChannel,
    delivered,
    total: () => delivered.length,
    to: (userId: string) => delivered.filter((d) => d.channel === dmChannel(userId)),
  };
}

export interface SessionSetup {
  teamId?: string;
  number?: number;
  startsAt: number;
  hostId?: string;
  attendees?: string[];
  title?: string;
  agenda?: string;
  link?: string | null;
}

/** A session with host and attendees written straight to the database, then its jobs synced. */
export function setupSession(t: TestApp, setup: SessionSetup): number {
  const teamId = setup.teamId ?? TEAM;
  const session = createSession(t.database.db, {
    teamId,
    ...(setup.number === undefined ? {} : { number: setup.number }),
    startsAt: setup.startsAt,
    hostId: setup.hostId ?? 'U0HOST',
    title: setup.title ?? 'Intro to SQLite',
    agenda: setup.agenda ?? '',
    link: setup.link ?? null,
  });
  for (const userId of setup.attendees ?? []) addParticipant(t.database.db, { teamId, sessionNumber: session.number, userId, joinedAt: t.clock.now() });
  syncSessionJobs(serviceDeps(t.deps), teamId, session.number);
  return session.number;
}

export function memberIn(t: TestApp, userId: string, timeZone: string | null, teamId = TEAM): void {
  createMember(t.database.db, teamId, userId, { timeZone });
}

/** The workspace's job rows; `kind` narrows them (a session also plans its card's session_end job). */
export function jobRows(t: TestApp, teamId = TEAM, kind?: string): (typeof jobs.$inferSelect)[] {
  return t.database.db
    .select()
    .from(jobs)
    .where(kind === undefined ? eq(jobs.teamId, teamId) : and(eq(jobs.teamId, teamId), eq(jobs.kind, kind)))
    .all();
}

export function jobByKey(t: TestApp, key: string, teamId = TEAM): typeof jobs.$inferSelect | undefined {
  return t.database.db.select().from(jobs).where(and(eq(jobs.teamId, teamId), eq(jobs.key, key))).get();
}

export function reasonOf(row: { result: string | null } | undefined): string | undefined {
  return row?.result == null ? undefined : (JSON.parse(row.result) as { reason?: string }).reason;
}

export type { Job };

/**
 * Apps sharing one database file in a temp folder, the way two processes would: one fake Slack
 * for the describe block, a fresh file per test, and every app started with `start()` stopped
 * after it. Read `fake` and `databasePath` inside tests (they are set in the hooks).
 */
export function useAppsOnOneFile(clock: SettableClock, start: number, prefix: string) {
  const state = { fake: undefined as unknown as FakeSlack, databasePath: '' };
  let dir = '';
  const apps: TestApp[] = [];
  beforeAll(async () => {
    state.fake = await startFakeSlack();
  });
  afterAll(async () => {
    await state.fake.stop();
  });
  beforeEach(() => {
    state.fake.reset();
    clock.set(start);
    dir = mkdtempSync(join(tmpdir(), prefix));
    state.databasePath = join(dir, 'peerloop.db');
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return Object.assign(state, {
    async start(): Promise<TestApp> {
      const app = await startTestApp({ fake: state.fake, databasePath: state.databasePath, clock, planners: [] });
      apps.push(app);
      return app;
    },
  });
}
