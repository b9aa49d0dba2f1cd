import type { Kpi, KpiReport } from '../services/kpi-report.js';
import { localDateYmd } from '../services/time.js';

/**
 * A KPI report as plain text for a terminal (`npm run report`): the digest's numbers in a table
 * (value, target, met, previous, change, sample) with what each rests on, and the KPI's own
 * sentence where there is too little data. Pure: the same report gives the same text.
 */

export interface ReportTextOptions {
  teamName: string | null;
  /** Display names by user id; an id without one is shown as the id. */
  names: ReadonlyMap<string, string>;
  /** Set when the week is still running: the numbers will change. */
  inProgress?: boolean;
}

type Unit = 'pct' | 'count' | 'minutes' | 'rating' | 'days';

const NONE = '—';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** How many names a list shows before "and N more". */
const NAMES_SHOWN = 8;
const GAPS_SHOWN = 5;

export function formatReportText(report: KpiReport, options: ReportTextOptions): string {
  const name = (userId: string) => options.names.get(userId) ?? userId;
  const team = options.teamName === null || options.teamName === '' ? report.teamId : `${options.teamName} (${report.teamId})`;
  const lines: string[] = [];
  lines.push(`${team}: KPIs for ${describePeriod(report)}${report.channelId === null ? '' : `, sessions in channel ${report.channelId}`}`);
  if (options.inProgress === true) lines.push('This week is not over yet: the numbers are what happened so far.');
  lines.push('');
  if (!report.hasAnySessions) {
    lines.push('No sessions yet: nothing to measure. Schedule one with /peer schedule and the numbers start next week.');
    return `${lines.join('\n')}\n`;
  }

  const p = report.participation;
  const s = report.sessions;
  const sat = report.satisfaction;
  const c = report.competency;
  const m = report.matching;
  const rows: { label: string; kpi: Kpi; unit: Unit; sample: string }[] = [
    { label: 'Participation rate', kpi: p, unit: 'pct', sample: `${p.attended} of ${p.invited} invited came` },
    { label: 'Sessions per week', kpi: s.perWeek, unit: 'count', sample: plural(s.perWeek.sample, 'session') },
    { label: 'Sessions in 30 days', kpi: s.per30Days, unit: 'count', sample: plural(s.per30Days.sample, 'session') },
    { label: 'Average length', kpi: s.averageMinutes, unit: 'minutes', sample: plural(s.averageMinutes.sample, 'session') },
    { label: 'Satisfaction', kpi: sat, unit: 'rating', sample: plural(sat.votes, 'vote') },
    { label: 'Time to competency', kpi: c, unit: 'days', sample: `${plural(c.reached, 'skill')} learned` },
    { label: 'Matches that met', kpi: m.metShare, unit: 'pct', sample: `${m.met} of ${m.answered} answered` },
  ];
  const header = ['KPI', 'Value', 'Target', 'Met', 'Previous', 'Change', 'Sample'];
  const table = rows.map((r) =>
    r.kpi.value === null
      ? [r.label, r.kpi.insufficient ?? 'Not enough data yet.']
      : [
          r.label,
          formatValue(r.kpi.value, r.unit),
          r.kpi.target === null ? NONE : `${r.unit === 'days' ? '≤ ' : ''}${formatValue(r.kpi.target, r.unit)}`,
          r.kpi.met === null ? NONE : r.kpi.met ? 'yes' : 'no',
          r.kpi.previous === null ? NONE : formatValue(r.kpi.previous, r.unit),
          r.kpi.change === null ? NONE : formatChange(r.kpi.change, r.unit),
          r.sample,
        ],
  );
  lines.push(...alignColumns([header, ...table]));
  lines.push('');

  const sessionFacts = [`${plural(s.held, 'session')} held`];
  if (s.cancelled > 0) sessionFacts.push(`${s.cancelled} cancelled`);
  if (p.unmarkedSessions > 0) sessionFacts.push(`${plural(p.unmarkedSessions, 'session')} without attendance marked (left out of the participation rate)`);
  lines.push(`Sessions: ${sessionFacts.join(', ')}.`);
  if (sat.votes > 0 || sat.attendees > 0) {
    const rate = sat.responseRate === null ? '' : ` (${Math.round(sat.responseRate)}% answered)`;
    lines.push(`Satisfaction: ${plural(sat.votes, 'vote')} from the ${sat.attendees} who could answer${rate}; answers 1 to 5: ${sat.distribution.join(' · ')}.`);
  }
  if (c.baselineDays !== null) {
    const source = c.baselineSource === 'entered' ? 'entered by an admin' : 'from the competencies reached before the baseline date';
    const against = c.changePct === null ? '' : `; this period is ${Math.abs(Math.round(c.changePct))}% ${c.changePct <= 0 ? 'faster' : 'slower'}`;
    lines.push(`Time to competency: baseline ${formatValue(c.baselineDays, 'days')} (${source})${against}; the target is ${c.fasterTargetPct}% faster.`);
  } else {
    lines.push('Time to competency: no baseline yet (enter one in /peer settings, or pick a date to compute it from).');
  }
  lines.push(`Matching: ${plural(m.groups, 'group')} formed, ${m.answered} answered "Did you meet?", ${m.met} met.`);

  const contributors = report.contributors;
  const people = (list: readonly { userId: string; optedOut: boolean }[], detail: (i: number) => string) => {
    const shown = list.flatMap((x, i) => (x.optedOut ? [] : [`${name(x.userId)}${detail(i)}`]));
    const optedOut = list.length - shown.length;
    const more = shown.length > NAMES_SHOWN ? [`and ${shown.length - NAMES_SHOWN} more`] : [];
    const hidden = optedOut > 0 ? [`${optedOut} who opted out`] : [];
    return [...shown.slice(0, NAMES_SHOWN), ...more, ...hidden].join(', ') || NONE;
  };
  lines.push('');
  lines.push(`Hosted: ${people(contributors.hosts, (i) => ` (${contributors.hosts[i]!.sessions})`)}`);
  lines.push(`Taught a skill: ${people(contributors.teachers, (i) => ` (${plural(contributors.teachers[i]!.learners, 'learner')})`)}`);
  lines.push(`First session: ${people(contributors.newParticipants, () => '')}`);
  if (report.skillGaps.length > 0) {
    const gaps = report.skillGaps.slice(0, GAPS_SHOWN).map((g) => `${g.skill} (${g.learners} want to learn, ${g.teachers} can teach)`);
    const more = report.skillGaps.length > GAPS_SHOWN ? `, and ${report.skillGaps.length - GAPS_SHOWN} more` : '';
    lines.push(`Skill gaps: ${gaps.join(', ')}${more}`);
  }
  if (report.topSessions.length > 0) {
    lines.push('Best rated:');
    for (const t of report.topSessions) lines.push(`  #${t.number} ${t.title}, hosted by ${name(t.hostId)}: ${t.average.toFixed(1)} from ${plural(t.votes, 'vote')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** "Mon 30 Nov – Sun 6 Dec 2026 (Europe/Berlin)": the period's first and last local days. */
export function describePeriod(report: Pick<KpiReport, 'period' | 'timeZone'>): string {
  const first = localDateYmd(report.period.from, report.timeZone);
  const last = localDateYmd(report.period.to - 1, report.timeZone);
  const day = (ymd: string, withYear: boolean) => {
    const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
    const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
    return `${weekday} ${d} ${MONTHS[m - 1]}${withYear ? ` ${y}` : ''}`;
  };
  const sameYear = first.slice(0, 4) === last.slice(0, 4);
  return `${day(first, !sameYear)} – ${day(last, true)} (${report.timeZone})`;
}

function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'pct':
      return `${Math.round(value)}%`;
    case 'count':
      return oneDecimal(value);
    case 'minutes':
      return `${Math.round(value)} min`;
    case 'rating':
      return `${value.toFixed(1)} / 5`;
    case 'days':
      return `${oneDecimal(value)} days`;
  }
}

function formatChange(change: number, unit: Unit): string {
  const sign = change > 0 ? '+' : change < 0 ? '-' : '±';
  const size = Math.abs(change);
  switch (unit) {
    case 'pct':
      return `${sign}${Math.round(size)} pts`;
    case 'count':
      return `${sign}${oneDecimal(size)}`;
    case 'minutes':
      return `${sign}${Math.round(size)} min`;
    case 'rating':
      return `${sign}${size.toFixed(1)}`;
    case 'days':
      return `${sign}${oneDecimal(size)} days`;
  }
}

/** Whole numbers as they are, others to one decimal ("3", "2.5"). */
function oneDecimal(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Rows padded into columns; a short row (label and a sentence) runs its last cell on. */
function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    if (row.length < 3) continue;
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, Array.from(cell).length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - Array.from(cell).length))))
      .join('  ')
      .trimEnd(),
  );
}
