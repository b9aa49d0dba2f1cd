import { SessionActions } from '../src/slack/ids.js';
import { blockActionsBody } from '../test/support/payloads.js';
import { BENCH_USERS, formatComparison, responseUrlFor, runComparison, slashCommand, type BenchContext, type ComparisonResult } from './lib/compare.js';
import type { RequestFactory } from './lib/load.js';
import { FIRST_UPCOMING_SESSION, SEEDED_CHANNEL, SEEDED_SESSIONS, seededAnnouncementTs } from './servers/seeds.js';

/**
 * Issue 3, "Speed": with 10,000 sessions and 100,000 participant rows in the database,
 * `/peer list` and a Join click are acknowledged with p99 within 2x of the bare Bolt app's ack
 * of `/peer help` (the foundation benchmark's yardstick), measured in the same run.
 */
const SEED = 'sessions-10k';
const BAR = { metric: 'p99', limit: 2 } as const;
/** Issue 13: every scenario's peak RSS within 1.5x of the bare app's (each scenario on a Peerloop of its own). */
const RSS_BAR = { metric: 'peak RSS', limit: 1.5 } as const;
// The minimum (2,000 requests each) with a short warm-up, to keep `npm run bench` within minutes.
const LOAD = { rounds: 10, perRound: 200, warmup: 100 } as const;

/** A Join click on an upcoming, not cancelled session, spread over many sessions and people. */
const joinClick: RequestFactory = (i, target) => {
  const upcoming = SEEDED_SESSIONS - FIRST_UPCOMING_SESSION + 1;
  let session = FIRST_UPCOMING_SESSION + ((i * 37) % upcoming);
  if (session % 50 === 0) session += 1; // every 50th seeded session is cancelled
  const response = responseUrlFor(target, i);
  return {
    body: blockActionsBody([{ action_id: SessionActions.join, value: String(session) }], {
      // Shifted once per pass over the sessions, so no (session, person) repeats within 100,000 clicks.
      user: BENCH_USERS[(i + Math.floor(i / upcoming)) % BENCH_USERS.length]!,
      responseUrl: response.url,
    }),
    contentType: 'application/x-www-form-urlencoded',
    // What the person sees: the private "You're in" on the click's response_url, then the card's new count.
    reply: response.key,
    card: `update:${SEEDED_CHANNEL}:${seededAnnouncementTs(session)}`,
  };
};

/** One scenario against the seeded data, compared with the bare app acking `/peer help`. */
async function runSessionsScenario(context: BenchContext, instance: string, what: string, requestsFor: Parameters<typeof runComparison>[0]['requestsFor']): Promise<ComparisonResult> {
  const result = await runComparison({
    context,
    scenario: `${what} with 10,000 sessions and 100,000 participants vs the bare app acking \`/peer help\``,
    seed: SEED,
    instance,
    requestsFor,
    bareRequestsFor: slashCommand('help'),
    bars: [BAR, RSS_BAR],
    // Each request gets its answer on its response_url after the ack (the list; the click's reply).
    repliesPerRequest: 1,
    ...LOAD,
  });
  console.log(formatComparison(result));
  return result;
}

export function runSessionsList(context: BenchContext): Promise<ComparisonResult> {
  return runSessionsScenario(context, 'list', '/peer list', slashCommand('list'));
}

export { joinClick };

export function runSessionsJoin(context: BenchContext): Promise<ComparisonResult> {
  return runSessionsScenario(context, 'join', 'Join click', joinClick);
}
