import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { renderDigestChart } from '../charts/digest-chart.js';
import { createSettableClock, type Clock } from '../clock.js';
import { openDb } from '../db/client.js';
import { DEMO_TEAM_ID, DEMO_TIME_ZONE } from '../demo/demo-team.js';
import { seedDemo, type SeedDemoSummary } from '../demo/seed-demo.js';
import type { Logger } from '../logger.js';
import { blocksToHtml } from '../render/block-kit-html.js';
import { blocksToText } from '../render/block-kit-text.js';
import type { ServiceDeps } from '../services/context.js';
import type { KpiReport } from '../services/kpi-report.js';
import { computeDigestReport, DIGEST_CHART_WEEKS, digestChartData, listDigestUpcoming } from '../services/digest.js';
import { formatInZone, isoWeekId, nextLocalOccurrence } from '../services/time.js';
import { DEFAULT_SETTINGS } from '../services/workspace-settings.js';
import { buildDigestMessage, digestChartTitle } from '../slack/blocks/digest.js';
import { parseFlags } from './args.js';

/**
 * `npm run demo`: what Peerloop gives a team, without Slack. Builds a demo database with weeks of
 * activity (demo/seed-demo.ts), computes last week's KPIs as the digest job would at its hour,
 * prints the digest as it reads in Slack, and writes its chart (PNG) and an HTML rendering of
 * the digest's Block Kit next to the database.
 */

export const DEMO_USAGE = `usage: npm run demo [-- --out <folder>] [--seed <text>] [--small]

  --out    where to write the database, the chart and the HTML (default: ./demo-output)
  --seed   another seed gives another (equally believable) team history (default: peerloop)
  --small  12 people over 3 weeks instead of 40 over 8 (what the tests use)
`;

export const DEMO_FILES = { database: 'peerloop-demo.db', chart: 'digest-chart.png', html: 'digest.html' } as const;

const DemoFlags = z.object({
  out: z.string().trim().min(1, '--out needs a folder, such as --out demo-output.').default('demo-output'),
  seed: z.string().trim().min(1, '--seed needs a value, such as --seed 42.').max(100, '--seed can be up to 100 characters.').default('peerloop'),
  small: z.boolean().default(false),
  help: z.boolean().default(false),
});
export type DemoFlags = z.infer<typeof DemoFlags>;

export interface DemoIo {
  stdout(text: string): void;
  stderr(text: string): void;
  clock: Clock;
  logger: Logger;
  /** Paths are printed relative to this folder (where the command was run). */
  cwd: string;
}

export interface DemoResult {
  summary: SeedDemoSummary;
  report: KpiReport;
  /** The digest as it reads in Slack. */
  text: string;
  /** When the demo's digest is posted: the last Monday 09:00 (workspace zone) up to now. */
  postedAt: number;
  files: { database: string; chart: string; html: string };
}

/** Runs the demo from command-line flags; returns the exit code. */
export async function runDemo(argv: readonly string[], io: DemoIo): Promise<number> {
  const parsed = parseFlags(argv, { out: { type: 'string' }, seed: { type: 'string' }, small: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, DemoFlags, '--out demo-output');
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  if (!parsed.ok) {
    io.stderr(`${parsed.message}\n${DEMO_USAGE}`);
    return 2;
  }
  const result = await buildDemo(parsed.flags, io);
  io.stdout(describeDemo(result, io.cwd));
  return 0;
}

/** Builds the database, the digest, its chart and its HTML; prints nothing. */
export async function buildDemo(flags: Pick<DemoFlags, 'out' | 'seed' | 'small'>, io: Pick<DemoIo, 'clock' | 'logger' | 'cwd'>): Promise<DemoResult> {
  const outDir = resolve(io.cwd, flags.out);
  mkdirSync(outDir, { recursive: true });
  const files = { database: join(outDir, DEMO_FILES.database), chart: join(outDir, DEMO_FILES.chart), html: join(outDir, DEMO_FILES.html) };
  // A fresh database each run: only the demo's own files are removed, never the folder.
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(files.database + suffix)) rmSync(files.database + suffix);

  const postedAt = lastDigestMoment(io.clock.now());
  const handle = openDb(files.database);
  try {
    const summary = seedDemo(handle.db, { teamId: DEMO_TEAM_ID, now: postedAt, seed: flags.seed, size: flags.small ? 'small' : 'full' });
    // Everything is computed as the digest job would, at the digest's hour, for the week before.
    const deps: ServiceDeps = { db: handle.db, clock: createSettableClock(postedAt), logger: io.logger };
    const report = computeDigestReport(deps, DEMO_TEAM_ID, isoWeekId(summary.lastWeekStart), summary.timeZone);
    const message = buildDigestMessage({ report, upcoming: listDigestUpcoming(deps, DEMO_TEAM_ID, postedAt), chartInThread: true });
    const png = await renderDigestChart({ ...digestChartData(deps, DEMO_TEAM_ID, report), title: digestChartTitle(report) });
    writeFileSync(files.chart, png);
    const names = { ...summary.userNames, ...summary.channelNames };
    const text = blocksToText(message.blocks, { names });
    const html = blocksToHtml(message.blocks, {
      title: `${summary.teamName}: the weekly peer-learning digest (Peerloop demo)`,
      imageSrc: DEMO_FILES.chart,
      imageAlt: `Participation rate and sessions per week over ${DIGEST_CHART_WEEKS} weeks, against their targets`,
      names,
    });
    writeFileSync(files.html, html);
    return { summary, report, text, postedAt, files };
  } finally {
    handle.close();
  }
}

/** What the command prints: the digest as it reads in Slack, and where everything is. */
export function describeDemo(result: DemoResult, cwd: string): string {
  const { summary } = result;
  const shown = (path: string) => relative(cwd, path) || path;
  const channel = summary.channelNames[summary.digestChannelId] ?? summary.digestChannelId;
  const rule = '─'.repeat(72);
  return [
    `Peerloop demo: ${summary.teamName}, ${summary.people} people over ${summary.weeks} weeks (from ${summary.firstWeekStart}): ${summary.sessionsHeld} sessions held, ${summary.votes} poll answers, ${summary.competencies} skills learned, ${summary.matchGroups} matches.`,
    '',
    `The weekly digest, as posted in #${channel} on ${formatInZone(result.postedAt, summary.timeZone)}:`,
    rule,
    result.text.trimEnd(),
    rule,
    '',
    'Written:',
    `  ${shown(result.files.chart)}  the chart posted in the digest's thread`,
    `  ${shown(result.files.html)}  the digest as Slack lays it out (open it in a browser)`,
    `  ${shown(result.files.database)}  the demo database; try: npm run report -- --db ${shown(result.files.database)} --team ${summary.teamId}`,
    '',
    'To run Peerloop in your own Slack workspace: README.md, "Set up" (the Socket Mode quick start needs no public URL).',
    '',
  ].join('\n');
}

/** The last digest hour (Monday 09:00 by default, in the demo workspace's zone) at or before `now`. */
export function lastDigestMoment(now: number): number {
  const { digestDay, digestHour } = DEFAULT_SETTINGS;
  const next = nextLocalOccurrence(digestDay, digestHour, DEMO_TIME_ZONE, now - 7 * 86_400_000 + 1);
  return next <= now ? next : nextLocalOccurrence(digestDay, digestHour, DEMO_TIME_ZONE, now - 8 * 86_400_000);
}
