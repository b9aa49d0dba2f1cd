import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { renderDigestChart } from '../charts/digest-chart.js';
import type { Clock } from '../clock.js';
import type { DatabaseConfigResult } from '../config.js';
import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services/context.js';
import { computeDigestReport, DIGEST_CHART_WEEKS, digestChartData } from '../services/digest.js';
import { lastFullWeek, weekPeriod } from '../services/kpis.js';
import { listMemberNames } from '../services/members.js';
import { isoWeekId, localDateYmd } from '../services/time.js';
import { isValidTimeZone } from '../time-zones.js';
import { parseFlags, WeekStartFlag } from './args.js';
import { findWorkspace, openReportDatabase } from './report-database.js';
import { formatReportText } from './report-text.js';
import { digestChartTitle, lastDayLabel } from '../slack/blocks/digest.js';

/**
 * `npm run report -- --team T123 [--week 2026-11-16] [--json] [--chart out.png] [--db path]`:
 * the digest's KPIs for one workspace and week, from the database alone (no Slack, no token),
 * as text or as the KpiReport JSON, and the digest's 8-week chart ending with that week.
 * Exit codes: 0 done, 1 the database or the team is not there, 2 the command line is wrong.
 */

export const REPORT_USAGE = `usage: npm run report -- --team <team id> [--week YYYY-MM-DD] [--json] [--chart <file.png>] [--db <file>]

  --team   the Slack workspace (team) id, such as T0123ABCD
  --week   the Monday of the week to report (default: the last full week, in the workspace's zone)
  --json   print the KPI report as JSON instead of text
  --chart  also write the digest's chart (8 weeks ending with that week) as a PNG
  --db     the database file (default: DATABASE_PATH from the environment or .env, else ./data/peerloop.db)
`;

const ReportFlags = z.object({
  team: z.string({ error: '--team is required: the Slack team id of the workspace, such as T0123ABCD.' }).trim().min(1, '--team needs a team id, such as T0123ABCD.'),
  week: WeekStartFlag.optional(),
  json: z.boolean().default(false),
  chart: z
    .string()
    .trim()
    .regex(/\.png$/i, '--chart must name a .png file, such as --chart digest.png.')
    .optional(),
  db: z.string().trim().min(1, '--db needs a file path.').optional(),
  help: z.boolean().default(false),
});

export interface ReportIo {
  stdout(text: string): void;
  stderr(text: string): void;
  clock: Clock;
  logger: Logger;
  /** Where DATABASE_PATH points (config.ts loadDatabaseConfig), read only when --db is not given. */
  databaseConfig(): DatabaseConfigResult;
}

/** Runs the report; returns the exit code. */
export async function runReport(argv: readonly string[], io: ReportIo): Promise<number> {
  const parsed = parseFlags(
    argv,
    { team: { type: 'string' }, week: { type: 'string' }, json: { type: 'boolean' }, chart: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    ReportFlags,
    '--team T0123ABCD',
  );
  // Help wins over everything else on the line (a missing --team included).
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  if (!parsed.ok) {
    io.stderr(`${parsed.message}\n${REPORT_USAGE}`);
    return 2;
  }
  const flags = parsed.flags;
  const opened = openReportDatabase(flags.db, io.databaseConfig);
  if (!opened.ok) {
    io.stderr(`${opened.message}\n`);
    return 1;
  }
  const { handle } = opened;
  try {
    const deps: ServiceDeps = { db: handle.db, clock: io.clock, logger: io.logger };
    const found = findWorkspace(deps, flags.team, handle.path);
    if (!found.ok) {
      io.stderr(`${found.message}\n`);
      return 1;
    }
    const zone = isValidTimeZone(found.workspace.timeZone) ? found.workspace.timeZone : 'UTC';
    const now = io.clock.now();
    const period = flags.week === undefined ? lastFullWeek(now, zone) : weekPeriod(flags.week, zone);
    if (period.from > now) {
      io.stderr(`--week ${flags.week} has not started yet (today is ${localDateYmd(now, zone)} in ${zone}): pick a week up to this one.\n`);
      return 2;
    }
    // The digest's own computation: the same numbers, and the trend against what last week's
    // digest said when it was posted (its snapshot), else against last week computed now.
    const report = computeDigestReport(deps, flags.team, isoWeekId(localDateYmd(period.from, zone)), zone);
    // With --json, stdout is the JSON alone; what else is said goes to stderr.
    const say = flags.json ? io.stderr : io.stdout;
    if (flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout(formatReportText(report, { teamName: found.workspace.name, names: listMemberNames(deps, flags.team), inProgress: period.to > now }));
    if (flags.chart !== undefined) {
      const label = lastDayLabel(report.period, zone);
      const png = await renderDigestChart({ ...digestChartData(deps, flags.team, report), title: digestChartTitle(report) });
      const path = resolve(flags.chart);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, png);
      say(`Chart written to ${path}: the ${DIGEST_CHART_WEEKS} weeks to ${label}.\n`);
    }
    return 0;
  } finally {
    handle.close();
  }
}
