import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { syncSessionJobs } from '../../src/services/session-jobs.js';
import { launchApp, until } from '../support/app-process.js';
import { useBuiltApp } from '../support/built-app.js';
import { addParticipant, createSession, createWorkspace } from '../support/factories.js';
import { dmChannel } from '../support/fake-slack.js';

/**
 * Issue 12, item 3, with real processes: three built apps (dist/main.js, as `npm start` runs it)
 * on one database file, each with its own scheduler ticking every second, and 153 reminders
 * falling due within three seconds under a 60/min cap. Within the minute, exactly 60 go out between them.
 */

const used = useBuiltApp('shared-cap');
const TEAM = 'T0PROC';

describe('three Peerloop processes on one database file', () => {
  it('send 60 of 153 due reminders within the minute under a 60/min cap, each person once', async () => {
    const databasePath = join(used.work, 'shared', 'peerloop.db');
    const seed = openDb(databasePath);
    createWorkspace(seed.db, TEAM);
    seed.db.update(workspaces).set({ settings: JSON.stringify({ reminderLeadMinutes: [15], messagesPerMinute: 60 }) }).where(eq(workspaces.teamId, TEAM)).run();
    // Each ticks every third second, one after the other: the reminders below fall due in three
    // groups a second apart, so each group is claimed by a different process.
    const procs = [0, 1, 2].map((k) => launchApp(used.work, used.fake, databasePath, { SCHEDULER_TICK: `${k}-59/3 * * * * *` }, 90_000));
    try {
      await Promise.all(procs.map((p) => until(p.started, 'a process to start')));
      const delivered = () => used.fake.callsTo('chat.postMessage').length;
      // All three are up: now the reminders fall due, 50 (and a host) in each of three sessions.
      const attendees: string[] = [];
      const sdeps = { db: seed.db, clock: systemClock, logger: createLogger('silent') };
      const base = Math.ceil((Date.now() + 4_000) / 3_000) * 3_000;
      const seededAt = Date.now();
      for (let k = 0; k < 3; k += 1) {
        // Due half a second after a tick of one process, so the next process's tick claims them.
        const startsAt = base + k * 1_000 + 500 + 15 * 60_000;
        const session = createSession(seed.db, { teamId: TEAM, startsAt, hostId: `U0XHOST${k}`, title: `Shared cap ${k}`, agenda: '', link: null });
        attendees.push(`U0XHOST${k}`);
        for (let i = 0; i < 50; i += 1) {
          const userId = `U0P${k}${String(i).padStart(3, '0')}`;
          attendees.push(userId);
          addParticipant(seed.db, { teamId: TEAM, sessionNumber: session.number, userId, joinedAt: Date.now() });
        }
        syncSessionJobs(sdeps, TEAM, session.number);
      }
      await until(() => delivered() >= 60, '60 deliveries');
      // A few more ticks of every process: still 60, well inside the minute.
      await new Promise((r) => setTimeout(r, 4_000));
      expect(Date.now() - seededAt).toBeLessThan(55_000);
      expect(delivered()).toBe(60);
      const channels = used.fake.callsTo('chat.postMessage').map((c) => String(c.args.channel));
      expect(new Set(channels).size).toBe(60);
      expect(channels.every((c) => attendees.some((u) => dmChannel(u) === c))).toBe(true);
      // Each process claimed its group; the two that came later were held by the window the first filled.
      const held = procs.filter((p) => p.output().includes('"code":"workspace_cap"'));
      expect(held.length).toBeGreaterThanOrEqual(2);
      expect(procs.every((p) => p.output().includes('"msg":"job attempt"'))).toBe(true);
      // The others are waiting in the table, not failed.
      const statuses = seed.sqlite.prepare(`SELECT status, count(*) AS n FROM jobs WHERE team_id = ? AND kind = 'reminder' GROUP BY status ORDER BY status`).all(TEAM);
      expect(statuses).toEqual([
        { status: 'done', n: 60 },
        { status: 'pending', n: 93 }, // of 153: 150 attendees and 3 hosts
      ]);
    } finally {
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));
      seed.close();
    }
  }, 120_000);
});
