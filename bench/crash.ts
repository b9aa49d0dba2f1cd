import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../test/support/built-app.js';
import { runCrashDrill, type CrashDrill, type CrashOutcome } from '../test/support/crash-fan-out.js';
import { measureInProcessThroughput, THROUGHPUT_BAR_PER_SECOND } from './jobs-throughput.js';
import { prng } from './lib/prng.js';

/**
 * Issue 12's bars: `kill -9` in the middle of a 60-person reminder fan-out (Slack answering each
 * post in about 50 ms), ten times at random points, with the app's default heartbeat (5 s, so a
 * dead process's jobs are taken over 20 s after its last beat). Each run: one process killed and
 * started again; every third run, two processes on the file and the survivor carries on. Prints
 * losses, duplicates and the time from the restart (or the kill) to the last reminder. Then the
 * scheduler's throughput with Slack answering in-process, which the verification must not slow.
 */

const RUNS = 10;
const ATTENDEES = 59;
const RECOVERY_BAR_MS = 60_000;

export async function runCrash(): Promise<{ outcomes: CrashOutcome[]; perSecond: number; pass: boolean }> {
  console.log(`crash: SIGKILL mid fan-out of ${ATTENDEES + 1} reminders (Slack answers each post in ~50 ms), ${RUNS} runs at random points, default heartbeat`);
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'ignore' });
  const work = mkdtempSync(join(tmpdir(), 'peerloop-bench-crash-'));
  const random = prng(12);
  const outcomes: CrashOutcome[] = [];
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      const point = Math.floor(random() * (ATTENDEES + 2));
      const killAt: CrashDrill['killAt'] = point === 0 ? 'open' : point;
      const mode: CrashDrill['mode'] = run % 3 === 0 ? 'survivor' : 'restart';
      const outcome = await runCrashDrill({ work, attendees: ATTENDEES, killAt, mode });
      outcomes.push(outcome);
      const ok = outcome.losses === 0 && outcome.duplicates === 0 && outcome.recoveryMs < RECOVERY_BAR_MS;
      console.log(
        `  run ${String(run).padStart(2)}: ${mode === 'restart' ? 'killed, restarted' : 'killed, other process on'} at ${killAt === 'open' ? 'the first DM open (nothing posted)' : `post ${killAt}`}` +
          ` (${outcome.acceptedFromKilled} of its posts reached Slack): losses ${outcome.losses}, duplicates ${outcome.duplicates},` +
          ` ${mode === 'restart' ? 'restart' : 'kill'} to last reminder ${(outcome.recoveryMs / 1000).toFixed(1)} s ${ok ? 'PASS' : 'FAIL'}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const losses = outcomes.reduce((sum, o) => sum + o.losses, 0);
  const duplicates = outcomes.reduce((sum, o) => sum + o.duplicates, 0);
  const worst = Math.max(...outcomes.map((o) => o.recoveryMs));
  const crashOk = losses === 0 && duplicates === 0 && worst < RECOVERY_BAR_MS;
  console.log(`  all runs: losses ${losses} (bar 0), duplicates ${duplicates} (bar 0), slowest recovery ${(worst / 1000).toFixed(1)} s (bar < 60 s) ${crashOk ? 'PASS' : 'FAIL'}`);

  const throughput = await measureInProcessThroughput();
  const throughputOk = throughput.perSecond >= THROUGHPUT_BAR_PER_SECOND && throughput.duplicates === 0 && throughput.missing === 0;
  console.log(
    `  scheduler throughput, Slack in-process: ${Math.round(throughput.perSecond)} jobs/s (bar >= ${THROUGHPUT_BAR_PER_SECOND}), duplicates ${throughput.duplicates}, missing ${throughput.missing} ${throughputOk ? 'PASS' : 'FAIL'}`,
  );
  return { outcomes, perSecond: throughput.perSecond, pass: crashOk && throughputOk };
}

// `tsx bench/crash.ts` runs it on its own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCrash().catch((error: unknown) => {
    console.error('benchmark crashed:', error);
    process.exitCode = 1;
  });
}
