import type { Agent } from 'node:http';
import { slashCommandBody } from '../../test/support/payloads.js';
import { startServer, type ServerHandle, type ServerKind } from './children.js';
import { createAgent, createTarget, percentile, replyTimes, runLoad, type RequestFactory, type RequestSample, type RequestTarget } from './load.js';

/** The servers of one `npm run bench`, started on first use and shared by every scenario. */
export interface BenchContext {
  /** `instance` names a server of its own (a scenario that wants its memory measured from a fresh start). */
  server(kind: ServerKind, seed?: string, instance?: string): Promise<ServerHandle>;
  stopAll(): Promise<void>;
}

export function createBenchContext(): BenchContext {
  const servers = new Map<string, Promise<ServerHandle>>();
  return {
    server(kind, seed, instance) {
      const key = `${kind}:${seed ?? ''}:${instance ?? ''}`;
      let handle = servers.get(key);
      if (handle === undefined) {
        handle = startServer(kind, seed === undefined ? {} : { seed });
        servers.set(key, handle);
      }
      return handle;
    },
    async stopAll() {
      const all = [...servers.values()];
      servers.clear();
      await Promise.allSettled(all.map(async (h) => (await h).stop()));
    },
  };
}

/** People the requests rotate through; the warm-up meets each one (users.info runs once per person). */
export const BENCH_USERS = Array.from({ length: 20 }, (_, i) => `U0BENCH${String(i).padStart(2, '0')}`);

/**
 * A unique response_url on the target's fake Slack (or a dead local one when it has none), and
 * the key its post arrives under in the reply log.
 */
export function responseUrlFor(target: RequestTarget, index: number): { url: string; key: string } {
  const id = `${target.tag}-${index}`;
  return { url: `${target.responseUrlBase ?? 'http://127.0.0.1:9'}/response/${id}`, key: `response:${id}` };
}

/** A signed-to-be `/peer <text>` from one of BENCH_USERS; its reply is in the ack or on its response_url. */
export function slashCommand(text: string): RequestFactory {
  return (i, target) => {
    const response = responseUrlFor(target, i);
    return {
      body: slashCommandBody(text, { user: BENCH_USERS[i % BENCH_USERS.length]!, responseUrl: response.url }),
      contentType: 'application/x-www-form-urlencoded',
      reply: response.key,
    };
  };
}

export interface Bar {
  /** What is compared, e.g. "p99" or "peak RSS". */
  metric: 'p99' | 'peak RSS';
  /** Peerloop may be at most this many times the bare app. */
  limit: number;
}

export interface ComparisonOptions {
  context: BenchContext;
  scenario: string;
  /** Peerloop's requests. */
  requestsFor: RequestFactory;
  /** The bare app's requests; by default the same as Peerloop's (it acks any `/peer`). */
  bareRequestsFor?: RequestFactory;
  /** Seed the Peerloop database with this bench/servers/seeds.ts entry (a separate Peerloop process). */
  seed?: string;
  /** A Peerloop server of this scenario's own (BenchContext.server), so its memory starts fresh. */
  instance?: string;
  bars: Bar[];
  rounds?: number;
  perRound?: number;
  concurrency?: number;
  warmup?: number;
  /**
   * response_url posts each Peerloop request leads to, after its ack (a list, a click's reply).
   * When set, every Peerloop round is followed by a wait until those replies have landed, outside
   * the timing, so the work deferred past the ack cannot spill into the bare app's round, and the
   * result says how much of it was done within the round.
   */
  repliesPerRequest?: number;
}

/** The work after the ack, when the scenario has replies to count (repliesPerRequest). */
export interface RepliesResult {
  expected: number;
  /** Replies that had landed by the end of each measured Peerloop round, summed. */
  withinRounds: number;
  /** Replies that had landed once the waits were over (should equal expected). */
  delivered: number;
  /** The longest wait after a round for its replies to land, in ms. */
  maxDrainMs: number;
}

export interface SideResult {
  label: string;
  requests: number;
  errors: number;
  errorSamples: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  reqPerSec: number;
  /** Resident memory when this scenario started (its peak is measured from there). */
  startRssMb: number;
  peakRssMb: number;
  /** Request to the reply on the person's screen (the ack when it carries the reply), in ms. */
  replyP50Ms: number;
  replyP99Ms: number;
  /** Acked requests whose reply never arrived. */
  repliesMissing: number;
  /** Requests answered in the ack body. */
  repliesInAck: number;
  /** Request to the card's update, when the requests name one. */
  cardP50Ms?: number;
  cardP99Ms?: number;
}

/** Acked requests whose reply goes after the ack (on their response_url). */
function later(samples: readonly RequestSample[]): number {
  return samples.filter((s) => s.ackUs !== undefined && !s.ackCarriesReply && s.reply !== undefined && s.reply !== 'ack').length;
}

export interface BarResult extends Bar {
  ratio: number;
  pass: boolean;
}

export interface ComparisonResult {
  scenario: string;
  rounds: number;
  perRound: number;
  concurrency: number;
  peerloop: SideResult;
  bare: SideResult;
  bars: BarResult[];
  /** Peerloop's p99 over the bare app's, round by round (each pair ran back to back). */
  roundP99Ratios: number[];
  replies?: RepliesResult;
  /** Every bar met and no request failed. */
  pass: boolean;
}

interface Side {
  server: ServerHandle;
  target: RequestTarget;
  agent: Agent;
  requestsFor: RequestFactory;
  latencies: number[];
  elapsedMs: number;
  errors: number;
  errorSamples: string[];
  sent: number;
  roundP99Ms: number[];
  samples: RequestSample[];
  startRssKb: number;
}

/**
 * Hits Peerloop and the bare Bolt app with the same load, in alternating rounds (Peerloop first
 * on even rounds, bare first on odd ones) so a noisy neighbour on the machine lands on both
 * alike, then compares the pooled percentiles and the peak RSS against the bars.
 */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonResult> {
  const { context, scenario, requestsFor, bars } = options;
  const rounds = options.rounds ?? 10;
  const perRound = options.perRound ?? 250;
  const concurrency = options.concurrency ?? 10;
  const warmup = options.warmup ?? 500;

  const [peerloopServer, bareServer] = await Promise.all([context.server('peerloop', options.seed, options.instance), context.server('bare')]);
  // Each scenario's peak is its own, not the previous one's on the same server.
  for (const server of new Set([peerloopServer, bareServer])) server.resetPeakRss();
  const makeSide = (server: ServerHandle, factory: RequestFactory): Side => ({
    server,
    target: createTarget(server.fakeSlackUrl),
    samples: [],
    startRssKb: server.rssKb(),
    agent: createAgent(concurrency),
    requestsFor: factory,
    latencies: [],
    elapsedMs: 0,
    errors: 0,
    errorSamples: [],
    sent: 0,
    roundP99Ms: [],
  });
  const peerloop = makeSide(peerloopServer, requestsFor);
  const perRequest = options.repliesPerRequest;
  const replies: RepliesResult | undefined = perRequest === undefined ? undefined : { expected: 0, withinRounds: 0, delivered: 0, maxDrainMs: 0 };
  /**
   * Waits (untimed) until the Peerloop server's replies reach `target` and its other Slack calls
   * (cards, files, Home) have stopped for 300 ms, at most 60 s; returns the wait.
   */
  const drainTo = async (target: number): Promise<number> => {
    const started = Date.now();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    while (peerloopServer.replies() < target && Date.now() - started < 60_000) await sleep(20);
    let calls = -1;
    while (calls !== peerloopServer.slackCalls() && Date.now() - started < 60_000) {
      calls = peerloopServer.slackCalls();
      await sleep(300);
    }
    return Date.now() - started;
  };
  const repliesBase = peerloopServer.replies();
  const bare = makeSide(bareServer, options.bareRequestsFor ?? requestsFor);

  try {
    // Warm-up: JIT, connections, and Peerloop's first-contact work (workspace row, users.info).
    for (const side of [peerloop, bare]) {
      const result = await runLoad({ port: side.server.port, agent: side.agent, count: warmup, concurrency, requestFor: side.requestsFor, target: side.target });
      if (result.errors > 0) throw new Error(`${side.server.label} failed during warm-up: ${result.errorSamples.join('; ')}`);
      if (side === peerloop && perRequest !== undefined) await drainTo(repliesBase + later(result.samples) * perRequest);
    }
    const measuredBase = peerloopServer.replies();

    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [peerloop, bare] : [bare, peerloop];
      for (const side of order) {
        const offset = warmup + side.sent;
        const result = await runLoad({
          port: side.server.port,
          agent: side.agent,
          count: perRound,
          concurrency,
          requestFor: (i, target) => side.requestsFor(offset + i, target),
          target: side.target,
        });
        side.sent += perRound;
        if (side === peerloop && replies !== undefined && perRequest !== undefined) {
          // Only the replies that were not in the ack are waited for.
          const roundBase = measuredBase + replies.expected;
          replies.expected += later(result.samples) * perRequest;
          const target = measuredBase + replies.expected;
          replies.withinRounds += Math.max(0, peerloopServer.replies() - roundBase);
          replies.maxDrainMs = Math.max(replies.maxDrainMs, await drainTo(target));
          replies.delivered = peerloopServer.replies() - measuredBase;
        }
        side.latencies.push(...result.latenciesMs);
        side.samples.push(...result.samples);
        side.roundP99Ms.push(percentile([...result.latenciesMs].sort((a, b) => a - b), 99));
        side.elapsedMs += result.elapsedMs;
        side.errors += result.errors;
        for (const sample of result.errorSamples) if (side.errorSamples.length < 5) side.errorSamples.push(sample);
      }
    }
  } finally {
    peerloop.agent.destroy();
    bare.agent.destroy();
  }

  const summarize = (side: Side): SideResult => {
    const sorted = [...side.latencies].sort((a, b) => a - b);
    const times = replyTimes(side.samples, side.server.replyLog);
    const reply = times.replyMs.sort((a, b) => a - b);
    const card = times.cardMs.sort((a, b) => a - b);
    return {
      replyP50Ms: percentile(reply, 50),
      replyP99Ms: percentile(reply, 99),
      repliesMissing: times.missing,
      repliesInAck: times.inAck,
      ...(card.length > 0 ? { cardP50Ms: percentile(card, 50), cardP99Ms: percentile(card, 99) } : {}),
      label: side.server.label,
      requests: side.sent,
      errors: side.errors,
      errorSamples: side.errorSamples,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? Number.NaN,
      reqPerSec: (side.sent - side.errors) / (side.elapsedMs / 1000),
      startRssMb: side.startRssKb / 1024,
      peakRssMb: side.server.peakRssKb() / 1024,
    };
  };
  const p = summarize(peerloop);
  const b = summarize(bare);
  const barResults = bars.map((bar): BarResult => {
    const ratio = bar.metric === 'p99' ? p.p99Ms / b.p99Ms : p.peakRssMb / b.peakRssMb;
    return { ...bar, ratio, pass: ratio <= bar.limit };
  });
  return {
    scenario,
    rounds,
    perRound,
    concurrency,
    peerloop: p,
    bare: b,
    bars: barResults,
    roundP99Ratios: peerloop.roundP99Ms.map((ms, i) => ms / bare.roundP99Ms[i]!),
    ...(replies === undefined ? {} : { replies }),
    pass: barResults.every((r) => r.pass) && p.errors === 0 && b.errors === 0 && (replies === undefined || replies.delivered >= replies.expected),
  };
}

export function formatComparison(result: ComparisonResult): string {
  const { peerloop: p, bare: b } = result;
  const pad = (text: string, width: number) => text.padStart(width);
  const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const p99Ratio = p.p99Ms / b.p99Ms;
  const rssRatio = p.peakRssMb / b.peakRssMb;
  const width = Math.max(p.label.length, b.label.length, 'ratio'.length) + 2;
  const lines = [
    `${result.scenario}`,
    `  ${result.rounds} alternating rounds x ${result.perRound} requests per app (${p.requests} each), ${result.concurrency} concurrent, keep-alive, loopback`,
    `  ${''.padEnd(width)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('req/s', 9)}${pad('start RSS MB', 14)}${pad('peak RSS MB', 13)}${pad('errors', 8)}`,
  ];
  for (const s of [p, b]) {
    lines.push(`  ${s.label.padEnd(width)}${pad(fixed(s.p50Ms), 9)}${pad(fixed(s.p99Ms), 9)}${pad(fixed(s.maxMs), 9)}${pad(fixed(s.reqPerSec, 0), 9)}${pad(fixed(s.startRssMb, 1), 14)}${pad(fixed(s.peakRssMb, 1), 13)}${pad(String(s.errors), 8)}`);
  }
  lines.push(
    `  ${'ratio'.padEnd(width)}${pad(`${fixed(p.p50Ms / b.p50Ms)}x`, 9)}${pad(`${fixed(p99Ratio)}x`, 9)}${pad('', 9)}${pad(`${fixed(p.reqPerSec / b.reqPerSec)}x`, 9)}${pad(`${fixed(p.startRssMb / b.startRssMb)}x`, 14)}${pad(`${fixed(rssRatio)}x`, 13)}`,
  );
  lines.push(`  ${replyLine(p)}`);
  const rounds = [...result.roundP99Ratios].sort((a, b) => a - b);
  if (rounds.length > 0) {
    lines.push(`  per-round p99 ratio (for noise, not the bar): median ${fixed(percentile(rounds, 50))}x, range ${fixed(rounds[0]!)}x to ${fixed(rounds.at(-1)!)}x`);
  }
  const r = result.replies;
  if (r !== undefined && r.expected > 0) {
    const share = r.expected === 0 ? 0 : (100 * r.withinRounds) / r.expected;
    lines.push(
      `  replies via response_url: ${r.withinRounds} of ${r.expected} (${fixed(share, 0)}%) landed within the timed rounds; ` +
        `the rest after, in waits of at most ${fixed(r.maxDrainMs / 1000, 1)} s (untimed, with the Slack calls that follow, before the bare app's next round)`,
    );
    if (r.delivered < r.expected) lines.push(`  FAIL  only ${r.delivered} of ${r.expected} replies landed within 60 s of their round`);
  }
  for (const bar of result.bars) {
    lines.push(`  ${bar.pass ? 'PASS' : 'FAIL'}  ${bar.metric} ${fixed(bar.ratio)}x the bare app's (bar: within ${bar.limit}x)`);
  }
  for (const s of [p, b]) {
    if (s.errors > 0) lines.push(`  FAIL  ${s.label}: ${s.errors} requests failed (${s.errorSamples.join('; ')})`);
  }
  return lines.join('\n');
}

/** "reply on screen p50 / p99", where the replies went, and the card when there is one. */
export function replyLine(side: SideResult): string {
  const fixed = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const later = side.requests - side.errors - side.repliesInAck;
  const where = side.repliesInAck === side.requests - side.errors ? 'all in the ack' : side.repliesInAck === 0 ? 'all after the ack' : `${side.repliesInAck} in the ack, ${later} after`;
  const card = side.cardP99Ms === undefined ? '' : `; card updated p50 ${fixed(side.cardP50Ms)} / p99 ${fixed(side.cardP99Ms)} ms`;
  const missing = side.repliesMissing > 0 ? `; FAIL ${side.repliesMissing} replies never arrived` : '';
  return `${side.label} reply on screen p50 ${fixed(side.replyP50Ms)} / p99 ${fixed(side.replyP99Ms)} ms (${where})${card}${missing}`;
}
