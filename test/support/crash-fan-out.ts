import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { systemClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { syncSessionJobs } from '../../src/services/session-jobs.js';
import { launchApp, until, type AppProcess } from './app-process.js';
import { addParticipant, createSession, createWorkspace } from './factories.js';
import { dmChannel, startFakeSlack } from './fake-slack.js';

/**
 * Issue 12's crash drill, shared by test/e2e/crash-fan-out.test.ts and `npm run bench -- crash`:
 * built Peerloop processes (dist/main.js, as `npm start` runs it) on one database file send a
 * reminder to every attendee of a session while the fake Slack answers each post in about 50 ms;
 * one process is killed with SIGKILL at a chosen point of the fan-out (the sends it has in flight
 * still reach Slack, as they would), then it is started again (or another process carries on),
 * and every DM is counted: what Slack accepted, not what was asked of it.
 */

const TEAM = 'T0CRASH';

export interface CrashDrill {
  /** A folder for this run's database. */
  work: string;
  /** Attendees (each gets one reminder; the host gets one too). */
  attendees: number;
  /**
   * When to kill: `open` on the first conversations.open (claimed, nothing posted yet), or once
   * Slack has accepted this many posts (the rest of those in flight are still accepted).
   */
  killAt: 'open' | number;
  /** `restart`: one process, killed and started again. `survivor`: two processes, one killed; the other carries on. */
  mode: 'restart' | 'survivor';
  /** SCHEDULER_HEARTBEAT_SECONDS for the processes (default: the app's default). */
  heartbeatSeconds?: number;
  /** How long Slack takes to answer a post. */
  postDelayMs?: number;
}

export interface CrashOutcome {
  people: number;
  /** People who got no reminder. */
  losses: number;
  /** Reminders beyond the first, over everyone. */
  duplicates: number;
  /** Posts Slack accepted from the killed process: those before the kill and those it had in flight. */
  acceptedFromKilled: number;
  /** From the restart (or, with a survivor, the kill) to the last reminder accepted; 0 if none was left. */
  recoveryMs: number;
  /** From the kill to the last reminder accepted. */
  killToLastMs: number;
  /** The reminder jobs by status at the end (all done when nothing is lost). */
  jobs: Record<string, number>;
  /** Output of the processes, for a failure message. */
  output: string;
}

export async function runCrashDrill(drill: CrashDrill): Promise<CrashOutcome> {
  const fake = await startFakeSlack();
  fake.tsClock = () => Date.now();
  const dir = join(drill.work, `drill-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const databasePath = join(dir, 'peerloop.db');
  const people = [...Array.from({ length: drill.attendees }, (_, i) => `U0CR${String(i).padStart(5, '0')}`), 'U0CRHOST'];
  const procs: AppProcess[] = [];
  try {
    const seed = openDb(databasePath);
    createWorkspace(seed.db, TEAM);
    // A cap above the fan-out, so the drill measures the crash and not the pacing.
    seed.db.update(workspaces).set({ settings: JSON.stringify({ reminderLeadMinutes: [15], messagesPerMinute: 120 }) }).where(eq(workspaces.teamId, TEAM)).run();

    let victim: AppProcess | undefined;
    let killedAt = 0;
    let accepted = 0;
    const acceptedAt = new Map<string, number[]>();
    const kill = () => {
      if (victim === undefined || killedAt !== 0) return;
      killedAt = Date.now();
      victim.child.kill('SIGKILL');
    };
    fake.always('chat.postMessage', { delayMs: drill.postDelayMs ?? 50 });
    fake.intercept('chat.postMessage', (args, call, normal) => {
      const answer = normal(args, call);
      if (answer.ok === true) {
        accepted += 1;
        const channel = String(args.channel);
        acceptedAt.set(channel, [...(acceptedAt.get(channel) ?? []), Date.now()]);
        if (drill.killAt !== 'open' && accepted === drill.killAt) kill();
      }
      return answer;
    });
    fake.intercept('conversations.open', (args, call, normal) => {
      if (drill.killAt === 'open') kill();
      return normal(args, call);
    });

    // `survivor`: the second process never ticks on its own (its cron is once a year): it can only
    // get the jobs by taking them over when the first one's heartbeat stops.
    const env = (tick: string) => ({ SCHEDULER_TICK: tick, ...(drill.heartbeatSeconds === undefined ? {} : { SCHEDULER_HEARTBEAT_SECONDS: String(drill.heartbeatSeconds) }) });
    const first = launchApp(dir, fake, databasePath, env('* * * * * *'));
    procs.push(first);
    if (drill.mode === 'survivor') procs.push(launchApp(dir, fake, databasePath, env('0 0 1 1 *')));
    await Promise.all(procs.map((p) => until(p.started, 'a process to start', 30_000)));
    victim = first;

    // Now the fan-out falls due: reminders 15 minutes before a session 15 minutes and a moment away.
    const now = systemClock.now();
    const session = createSession(seed.db, { teamId: TEAM, startsAt: now + 15 * 60_000 + 1_500, hostId: 'U0CRHOST', title: 'Crash course' });
    for (const userId of people.slice(0, -1)) addParticipant(seed.db, { teamId: TEAM, sessionNumber: session.number, userId, joinedAt: now });
    syncSessionJobs({ db: seed.db, clock: systemClock, logger: createLogger('silent') }, TEAM, session.number);

    await until(() => killedAt !== 0, 'the kill point', 30_000);
    await first.exited;
    // Its requests still in Slack's hands (the 50 ms answer time) are accepted after its death.
    await new Promise((r) => setTimeout(r, (drill.postDelayMs ?? 50) + 150));
    const acceptedFromKilled = accepted;
    let recoveryFrom = killedAt;
    if (drill.mode === 'restart') {
      recoveryFrom = Date.now();
      procs.push(launchApp(dir, fake, databasePath, env('* * * * * *')));
    }
    const received = (userId: string) => acceptedAt.get(dmChannel(userId))?.length ?? 0;
    const reminderJobs = () =>
      Object.fromEntries(
        (seed.sqlite.prepare(`SELECT status, count(*) AS n FROM jobs WHERE team_id = ? AND kind = 'reminder' GROUP BY status`).all(TEAM) as { status: string; n: number }[]).map((r) => [r.status, r.n]),
      );
    await until(() => people.every((u) => received(u) >= 1), 'every reminder', 120_000);
    // Every reminder job settled: the dead process's last ones are taken over (and checked) too,
    // so a duplicate from the takeover would be counted.
    await until(() => { const j = reminderJobs(); return (j.running ?? 0) + (j.pending ?? 0) === 0; }, 'every reminder job to settle', 120_000);
    await new Promise((r) => setTimeout(r, 500));
    const last = Math.max(...[...acceptedAt.values()].flat());
    const jobs = reminderJobs();
    seed.close();
    return {
      people: people.length,
      losses: people.filter((u) => received(u) === 0).length,
      duplicates: people.reduce((sum, u) => sum + Math.max(0, received(u) - 1), 0),
      acceptedFromKilled,
      recoveryMs: Math.max(0, last - recoveryFrom),
      killToLastMs: Math.max(0, last - killedAt),
      jobs,
      output: procs.map((p, i) => `--- process ${i + 1}\n${p.output()}`).join('\n'),
    };
  } finally {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await p.exited;
    }
    await fake.stop();
  }
}
