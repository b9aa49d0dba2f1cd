import { describe, it, type ExpectStatic } from 'vitest';
import { runCrashDrill, type CrashDrill } from '../support/crash-fan-out.js';
import { useBuiltApp } from '../support/built-app.js';

/**
 * Issue 12 with real processes: `kill -9` in the middle of a 60-person reminder fan-out (Slack
 * answering each post in about 50 ms, 32 posts in flight), at several points, then a restart (or
 * the other process on the file carries on). Every person gets exactly one reminder, and the rest
 * go out within 60 s. The heartbeat is 1 s here (taken for dead after 14 s) so the file runs in
 * about a minute; `npm run bench -- crash` runs the drill with the default 5 s, ten times at random points.
 */

const used = useBuiltApp('crash');
const drill = (killAt: CrashDrill['killAt'], mode: CrashDrill['mode']): CrashDrill => ({ work: used.work, attendees: 59, killAt, mode, heartbeatSeconds: 1 });

function expectExactlyOnce(expect: ExpectStatic, outcome: Awaited<ReturnType<typeof runCrashDrill>>): void {
  const summary = { losses: outcome.losses, duplicates: outcome.duplicates, acceptedFromKilled: outcome.acceptedFromKilled, jobs: outcome.jobs };
  expect(summary, outcome.output.slice(-4_000)).toMatchObject({ losses: 0, duplicates: 0 });
  expect(outcome.people).toBe(60);
  expect(outcome.recoveryMs).toBeLessThan(60_000);
  // Every reminder job is recorded as done: the found posts too, with their ts.
  expect(outcome.jobs).toEqual({ done: 60 });
}

// The drills run side by side (each its own fake Slack, database file and processes): they mostly wait for leases to run out.
describe.concurrent('killed with SIGKILL mid fan-out, then started again', () => {
  it.for([
    ['after claiming, before any post', 'open'],
    ['after the first post', 1],
    ['half way, with a full batch in flight', 30],
    ['as Slack accepts the last post', 60],
  ] as [string, CrashDrill['killAt']][])('%s: every person gets exactly one reminder', { timeout: 90_000 }, async ([, killAt], { expect }) => {
    const outcome = await runCrashDrill(drill(killAt, 'restart'));
    expectExactlyOnce(expect, outcome);
    // Killed before any post: the restart sent every one of them.
    if (killAt === 'open') expect(outcome.acceptedFromKilled).toBe(0);
  });

  it('two processes on one file, one killed mid fan-out: the other takes its jobs over once its heartbeat stops, exactly one reminder each, within 60 s', async ({ expect }) => {
    const outcome = await runCrashDrill(drill(20, 'survivor'));
    expectExactlyOnce(expect, outcome);
    expect(outcome.output).toContain('taking them over');
  }, 90_000);
});
