import { SessionActions, SessionViews } from '../src/slack/ids.js';
import { viewSubmissionBody } from '../test/support/payloads.js';
import { startServer, type ServerHandle } from './lib/children.js';
import { BENCH_USERS, slashCommand, type BenchContext } from './lib/compare.js';
import { createAgent, createTarget, percentile, replyTimes, runLoad, type RequestFactory } from './lib/load.js';
import { runOpenLoop } from './lib/open-loop.js';
import { flagValue } from './servers/protocol.js';
import { joinClick } from './sessions.js';

/**
 * Issue 13: what people wait for, under the load Slack sends. Each scenario runs open loop
 * (Poisson arrivals at a fixed rate, bench/lib/open-loop.ts) against Peerloop on the
 * 10,000-session seed, and the bare Bolt app acks `/peer help` at the same rate before and after
 * (its pooled ack p99 is the yardstick). For each request the benchmark times the ack and the
 * moment the reply the person sees reached the fake Slack (the ack itself when it carries the
 * reply, else the response_url post), and for a Join also the card's update.
 *
 * Bars: reply on screen p99 within 3x the bare app's ack p99 for the lists and Join, under 100 ms
 * for `/peer help`; peak RSS of every scenario within 1.5x the bare app's.
 *
 * `--rate <n>` / BENCH_RATE (default 50 requests/s), `--duration <s>` / BENCH_DURATION (default
 * 20 s per run) shorten or stretch it; `--step <s>` / BENCH_STEP (default 5 s) is the length of
 * each rate tried by the saturation search.
 */
const SEED = 'sessions-10k';

interface Settings {
  ratePerSec: number;
  durationMs: number;
  stepMs: number;
  scenarios: Scenario[];
}

function numberSetting(flag: string, env: string, fallback: number): number {
  const raw = flagValue(flag) ?? process.env[env];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} (or ${env}) must be a positive number, not "${raw}"`);
  return value;
}

export function openLoopSettings(): Settings {
  return {
    ratePerSec: numberSetting('--rate', 'BENCH_RATE', 50),
    durationMs: numberSetting('--duration', 'BENCH_DURATION', 20) * 1000,
    stepMs: numberSetting('--step', 'BENCH_STEP', 5) * 1000,
    scenarios: chosenScenarios(),
  };
}

/** A schedule form as a person fills it in (the test's VALID_FORM), hosting it themselves, 30 days ahead. */
const scheduleSubmission: RequestFactory = (i) => {
  const day = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  const minutes = (i % 40) * 15 + 8 * 60;
  const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const user = BENCH_USERS[i % BENCH_USERS.length]!;
  const text = (value: string) => ({ type: 'plain_text_input', value });
  const values = {
    format: { [SessionActions.formatSelect]: { type: 'static_select', selected_option: { value: 'micro-lesson', text: { type: 'plain_text', text: 'micro-lesson' } } } },
    title: { title: text(`Bench session ${i}`) },
    topic: { topic: text('SQL') },
    date: { date: { type: 'datepicker', selected_date: day } },
    time: { time: { type: 'timepicker', selected_time: time } },
    'duration.0': { duration: { type: 'number_input', value: '30' } },
    host: { host: { type: 'users_select', selected_user: user } },
    capacity: { capacity: { type: 'number_input', value: null } },
    channel: { channel: { type: 'conversations_select', selected_conversation: 'C0GENERAL' } },
    link: { link: { type: 'url_text_input', value: null } },
    'agenda.0': { agenda: text('1. Demo\n2. Questions') },
    repeat: { repeat: { type: 'number_input', value: '1' } },
  };
  return {
    body: viewSubmissionBody({ callback_id: SessionViews.schedule, private_metadata: JSON.stringify({ mode: 'create', rev: 0, origin: 'C0GENERAL' }), values }, { user }),
    contentType: 'application/x-www-form-urlencoded',
    // The modal closing is the answer; the card was posted before it.
    reply: 'ack',
  };
};

export interface Scenario {
  /** For `--only` (e.g. `--only join,list`). */
  key: string;
  name: string;
  requestsFor: RequestFactory;
  /** 'ratio': reply p99 within 3x the bare app's ack p99; 'absolute': under 100 ms; none: reported only. */
  bar?: 'ratio' | 'absolute';
}

export const SCENARIOS: Scenario[] = [
  { key: 'help', name: '/peer help', requestsFor: slashCommand('help'), bar: 'absolute' },
  { key: 'list', name: '/peer list', requestsFor: slashCommand('list'), bar: 'ratio' },
  { key: 'list-mine', name: '/peer list mine', requestsFor: slashCommand('list mine'), bar: 'ratio' },
  { key: 'join', name: 'Join click', requestsFor: joinClick, bar: 'ratio' },
  { key: 'schedule', name: 'schedule submit', requestsFor: scheduleSubmission },
];
/** `--only help,join` (or BENCH_ONLY) runs some scenarios; all by default. */
function chosenScenarios(): Scenario[] {
  const only = flagValue('--only') ?? process.env.BENCH_ONLY;
  if (only === undefined || only === '') return SCENARIOS;
  const keys = only.split(',').map((k) => k.trim());
  const unknown = keys.filter((k) => !SCENARIOS.some((s) => s.key === k));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.key).join(', ')}`);
  return SCENARIOS.filter((s) => keys.includes(s.key));
}

const RATIO_BAR = 3;
const ABSOLUTE_BAR_MS = 100;
const RSS_BAR = 1.5;

// Request numbers handed out per scenario: every run asks for new ones (a Join is a new person
// on a session, not the same click again), clear of the closed-loop benchmarks' (below 10,000).
const nextIndex = new Map<string, number>();
function takeIndices(name: string, count: number): number {
  const first = nextIndex.get(name) ?? 10_000;
  nextIndex.set(name, first + count);
  return first;
}

export interface OpenRun {
  label: string;
  requests: number;
  errors: number;
  errorSamples: string[];
  ackP50Ms: number;
  ackP99Ms: number;
  replyP50Ms: number;
  replyP99Ms: number;
  cardP99Ms: number | undefined;
  missing: number;
  inAck: number;
  startRssMb: number;
  peakRssMb: number;
  /** The server's CPU time per request, from the first request to the end of the drain (replies and the Slack calls that follow), in ms. */
  cpuPerRequestMs: number;
  /** Wait after the run for its replies and the Slack calls that follow, in ms. */
  drainMs: number;
  maxLateMs: number;
}

/** Waits (untimed) until the server's Slack calls have stopped for 300 ms, at most 60 s. */
async function drain(server: ServerHandle): Promise<number> {
  const started = Date.now();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let calls = -1;
  while (calls !== server.slackCalls() && Date.now() - started < 60_000) {
    calls = server.slackCalls();
    await sleep(300);
  }
  return Date.now() - started;
}

/** One open-loop run of a scenario on a server, its replies waited for, and its own peak RSS. */
export async function openRun(server: ServerHandle, scenario: Scenario, ratePerSec: number, durationMs: number, label = scenario.name): Promise<OpenRun> {
  server.replyLog?.clear();
  server.resetPeakRss();
  const startRssKb = server.rssKb();
  const startCpuMs = server.cpuMs();
  const expected = Math.ceil(ratePerSec * (durationMs / 1000) * 1.5) + 100;
  const result = await runOpenLoop({
    port: server.port,
    ratePerSec,
    durationMs,
    requestFor: scenario.requestsFor,
    target: createTarget(server.fakeSlackUrl),
    firstIndex: takeIndices(`${server.label}:${scenario.name}`, expected),
  });
  const drainMs = await drain(server);
  const cpuMs = server.cpuMs() - startCpuMs;
  const times = replyTimes(result.samples, server.replyLog);
  const acks = result.samples.flatMap((s) => (s.ackUs === undefined ? [] : [(s.ackUs - s.sentUs) / 1000])).sort((a, b) => a - b);
  const replies = times.replyMs.sort((a, b) => a - b);
  const cards = times.cardMs.sort((a, b) => a - b);
  return {
    label,
    requests: result.samples.length,
    errors: result.errors,
    errorSamples: result.errorSamples,
    ackP50Ms: percentile(acks, 50),
    ackP99Ms: percentile(acks, 99),
    // A reply that never came counts as the slowest of all.
    replyP50Ms: percentile(replies, 50),
    replyP99Ms: times.missing > acks.length * 0.01 ? Infinity : percentile(replies, 99),
    cardP99Ms: cards.length > 0 ? percentile(cards, 99) : undefined,
    missing: times.missing,
    inAck: times.inAck,
    startRssMb: startRssKb / 1024,
    peakRssMb: server.peakRssKb() / 1024,
    cpuPerRequestMs: cpuMs / Math.max(1, result.samples.length),
    drainMs,
    maxLateMs: result.maxLateMs,
  };
}

/** Untimed: JIT, connections, and first contact with each person (users.info), before any open-loop run. */
export async function warmUp(server: ServerHandle, scenario: Scenario): Promise<void> {
  const count = 200;
  const first = takeIndices(`${server.label}:${scenario.name}`, count);
  const agent = createAgent(10);
  const result = await runLoad({ port: server.port, agent, count, concurrency: 10, requestFor: (i, t) => scenario.requestsFor(first + i, t), target: createTarget(server.fakeSlackUrl) });
  agent.destroy();
  if (result.errors > 0) throw new Error(`${server.label} failed warming up ${scenario.name}: ${result.errorSamples.join('; ')}`);
  await drain(server);
}

const fixed = (n: number | undefined, digits = 2) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : n === Infinity ? 'never' : 'n/a');

export async function runOpenLoopBench(context: BenchContext): Promise<{ pass: boolean }> {
  const { ratePerSec, durationMs, scenarios } = openLoopSettings();
  const help = SCENARIOS[0]!;
  // Every run on a server of its own, warmed up, so each peak RSS is that scenario's alone.
  const bare = await context.server('bare', undefined, 'open');
  await warmUp(bare, help);
  // The yardstick before and after Peerloop's runs, so a neighbour's burst lands on both.
  const bareBefore = await openRun(bare, help, ratePerSec, durationMs, 'bare Bolt, /peer help');
  const runs: OpenRun[] = [];
  for (const scenario of scenarios) {
    const peerloop = await startServer('peerloop', { seed: SEED });
    try {
      await warmUp(peerloop, scenario);
      runs.push(await openRun(peerloop, scenario, ratePerSec, durationMs));
    } finally {
      await peerloop.stop();
    }
  }
  const bareAfter = await openRun(bare, help, ratePerSec, durationMs, 'bare Bolt, /peer help');
  const bareAckP99 = Math.max(bareBefore.ackP99Ms, bareAfter.ackP99Ms);
  const bareAckP99Low = Math.min(bareBefore.ackP99Ms, bareAfter.ackP99Ms);
  const barePeak = Math.max(bareBefore.peakRssMb, bareAfter.peakRssMb);

  const lines = [
    `open loop: ${ratePerSec} requests/s for ${durationMs / 1000} s each, Poisson arrivals, Peerloop on 10,000 sessions and 100,000 participants; the bare Bolt app acks \`/peer help\` at the same rate before and after`,
    `  ("reply" is request to the reply on the person's screen: the ack when it carries it, else the response_url post; "card" a Join's card update)`,
    `  ${''.padEnd(24)}${'requests'.padStart(9)}${'ack p50'.padStart(9)}${'ack p99'.padStart(9)}${'reply p50'.padStart(11)}${'reply p99'.padStart(11)}${'card p99'.padStart(10)}${'in ack'.padStart(8)}${'start RSS'.padStart(11)}${'peak RSS'.padStart(10)}${'CPU/req'.padStart(9)}${'errors'.padStart(8)}`,
  ];
  for (const r of [bareBefore, ...runs, bareAfter]) {
    lines.push(
      `  ${r.label.padEnd(24)}${String(r.requests).padStart(9)}${fixed(r.ackP50Ms).padStart(9)}${fixed(r.ackP99Ms).padStart(9)}${fixed(r.replyP50Ms).padStart(11)}${fixed(r.replyP99Ms).padStart(11)}${fixed(r.cardP99Ms).padStart(10)}${`${Math.round((100 * r.inAck) / Math.max(1, r.requests - r.errors))}%`.padStart(8)}${fixed(r.startRssMb, 1).padStart(11)}${fixed(r.peakRssMb, 1).padStart(10)}${fixed(r.cpuPerRequestMs).padStart(9)}${String(r.errors).padStart(8)}`,
    );
  }
  lines.push(`  ms and MB; the yardstick: bare ack p99 ${fixed(bareAckP99)} ms (the larger of its two runs; the other ${fixed(bareAckP99Low)}), bare peak RSS ${fixed(barePeak, 1)} MB; CPU/req is the server's CPU time per request, follow-up work included`);
  const slowest = Math.max(...runs.map((r) => r.drainMs));
  lines.push(`  after each run, the Slack calls that follow (cards, calendar files, Home) settled within ${fixed(slowest / 1000, 1)} s; generator lateness at most ${fixed(Math.max(...runs.map((r) => r.maxLateMs)), 1)} ms`);
  let pass = true;
  const verdict = (ok: boolean, text: string) => {
    pass &&= ok;
    lines.push(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  };
  for (const [i, r] of runs.entries()) {
    const scenario = scenarios[i]!;
    if (scenario.bar === 'absolute') verdict(r.replyP99Ms < ABSOLUTE_BAR_MS, `${r.label}: reply p99 ${fixed(r.replyP99Ms)} ms (bar: under ${ABSOLUTE_BAR_MS} ms)`);
    if (scenario.bar === 'ratio') verdict(r.replyP99Ms <= RATIO_BAR * bareAckP99, `${r.label}: reply p99 ${fixed(r.replyP99Ms / bareAckP99)}x the bare app's ack p99 (bar: within ${RATIO_BAR}x)`);
  }
  for (const r of runs) verdict(r.peakRssMb <= RSS_BAR * barePeak, `${r.label}: peak RSS ${fixed(r.peakRssMb / barePeak)}x the bare app's (bar: within ${RSS_BAR}x)`);
  for (const r of [bareBefore, ...runs, bareAfter]) {
    if (r.errors > 0) verdict(false, `${r.label}: ${r.errors} requests failed (${r.errorSamples.join('; ')})`);
    if (r.missing > 0) verdict(false, `${r.label}: ${r.missing} replies never arrived`);
  }
  console.log(lines.join('\n'));
  return { pass };
}

/**
 * The saturation point of each scenario: the highest open-loop rate at which the reply p99 stays
 * under 1 s. Rates double from 50 until one misses, then the midpoint between the last that held
 * and the first that missed is tried once (a short search: it says where the knee is within a
 * factor of 1.5, not to the request).
 */
export async function runSaturation(context: BenchContext): Promise<void> {
  const { stepMs, scenarios } = openLoopSettings();
  const peerloop = await context.server('peerloop', SEED, 'saturation');
  const limitMs = 1000;
  console.log(`saturation: highest open-loop rate with reply p99 under ${limitMs / 1000} s, ${stepMs / 1000} s per rate tried, Peerloop on 10,000 sessions`);
  for (const scenario of scenarios.filter((s) => s.key !== 'list-mine')) {
    await warmUp(peerloop, scenario);
    const tried: string[] = [];
    const holds = async (rate: number) => {
      const run = await openRun(peerloop, scenario, rate, stepMs);
      const ok = run.replyP99Ms < limitMs && run.errors === 0;
      tried.push(`${rate}/s ${fixed(run.replyP99Ms, 0)} ms${ok ? '' : ' (missed)'}`);
      return ok;
    };
    let held = 0;
    let missed: number | undefined;
    for (let rate = 50; rate <= 3200; rate *= 2) {
      if (await holds(rate)) held = rate;
      else {
        missed = rate;
        break;
      }
    }
    if (missed !== undefined && held > 0) {
      const mid = Math.round((held + missed) / 2);
      if (await holds(mid)) held = mid;
    }
    const point = held === 0 ? 'below 50/s' : missed === undefined ? `at least ${held}/s` : `${held}/s`;
    console.log(`  ${scenario.name.padEnd(18)} ${point.padEnd(14)} (reply p99 at each rate: ${tried.join(', ')})`);
  }
}
