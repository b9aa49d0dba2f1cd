import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { workspaces } from '../../src/db/schema.js';
import { countJobs } from '../../src/services/jobs.js';
import { serviceDeps } from '../../src/deps.js';
import type { TestApp } from '../support/app.js';
import { dmChannel } from '../support/fake-slack.js';
import { createWorkspace } from '../support/factories.js';
import { MINUTE, HOUR, recordDeliveries, setupSession, TEAM, useAppsOnOneFile } from './support.js';

/**
 * Issue 12, item 3: two app processes on one database file (two composed apps, each with its own
 * connection, messenger and scheduler) share one messages-per-minute cap and one 429 pause.
 */

const NOW = Date.UTC(2026, 10, 20, 9, 0);
const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `U${prefix}${String(i).padStart(4, '0')}`);

function setCap(t: TestApp, messagesPerMinute: number): void {
  createWorkspace(t.database.db, TEAM);
  t.database.db.update(workspaces).set({ settings: JSON.stringify({ reminderLeadMinutes: [15], messagesPerMinute }) }).where(eq(workspaces.teamId, TEAM)).run();
}

function maxInAnyWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[i]! - sorted[j]! >= MINUTE) j += 1;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('two processes on one database file', () => {
  const clock = createSettableClock(NOW);
  const files = useAppsOnOneFile(clock, NOW, 'peerloop-shared-cap-');
  const start = files.start;

  it('under a 60/min cap, 150 due reminders go out at most 60 in any 60 s window between them, each once', async () => {
    const deliveries = recordDeliveries(files.fake, () => clock.now());
    const a = await start();
    const b = await start();
    setCap(a, 60);
    const attendees = people('0S', 149);
    const sessionStart = NOW + 2 * HOUR;
    setupSession(a, { startsAt: sessionStart, attendees });
    clock.set(sessionStart - 15 * MINUTE);
    const done = { a: 0, b: 0 };
    // Both tick together every 7 s of clock, so windows straddle ticks and both race for slots;
    // which one claims first alternates (the first to tick takes every due job).
    for (let i = 0; i < 60 && deliveries.total() < 150; i += 1) {
      const [ra, rb] = i % 2 === 0 ? await Promise.all([a.tick(), b.tick()]) : await Promise.all([b.tick(), a.tick()]).then(([y, x]) => [x, y] as const);
      done.a += ra.done;
      done.b += rb.done;
      clock.advance(7_000);
    }
    expect(deliveries.total()).toBe(150);
    expect(maxInAnyWindow(deliveries.delivered.map((d) => d.at))).toBe(60);
    // Both processes sent: the cap held between them, not because one did all the work.
    expect(done.a).toBeGreaterThan(0);
    expect(done.b).toBeGreaterThan(0);
    for (const user of [...attendees, 'U0HOST']) expect(deliveries.perChannel.get(dmChannel(user))).toBe(1);
  }, 60_000);

  it('a 429 one process got holds the other: it sends nothing until Retry-After has passed', async () => {
    const deliveries = recordDeliveries(files.fake, () => clock.now());
    const a = await start();
    const b = await start();
    setCap(a, 600);
    const sessionStart = NOW + 2 * HOUR;
    setupSession(a, { startsAt: sessionStart, hostId: 'U0HA', attendees: people('0A', 9) });
    // The second session's reminders fall due a second later, when only b ticks.
    setupSession(a, { startsAt: sessionStart + 1_000, hostId: 'U0HB', attendees: people('0B', 9) });
    clock.set(sessionStart - 15 * MINUTE);
    files.fake.always('chat.postMessage', { status: 429, retryAfter: 30 });
    await a.tick();
    files.fake.clearScripts();
    expect(deliveries.total()).toBe(0);
    const askedBefore = files.fake.callsTo('chat.postMessage').length;
    expect(askedBefore).toBeGreaterThan(0);

    clock.advance(1_000);
    const held = await b.tick();
    // b claimed the second session's reminders and held every one: Slack was not asked again.
    expect(held.done).toBe(0);
    expect(files.fake.callsTo('chat.postMessage').length).toBe(askedBefore);
    expect(countJobs(serviceDeps(b.deps), TEAM).pending).toBeGreaterThanOrEqual(20);

    clock.advance(29_000);
    await Promise.all([a.tick(), b.tick()]);
    expect(deliveries.total()).toBe(20);
    expect([...deliveries.perChannel.values()].every((count) => count === 1)).toBe(true);
  }, 30_000);
});
