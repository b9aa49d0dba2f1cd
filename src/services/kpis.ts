import { AppError } from '../errors.js';
import { isValidTimeZone } from '../time-zones.js';
import { inTransaction, type ServiceDeps } from './context.js';
import {
  readCancelledCount,
  readCompetencies,
  readCompetencyDaysBefore,
  readHasAnySessions,
  readHeldLast30Days,
  readHeldSessions,
  readMatching,
  readNewParticipants,
  readOptedOut,
  readSessionHeads,
  readSkillGaps,
  readWeeklyCounts,
  type CompetencyRow,
  type HeldSessionRow,
  type KpiScope,
  type MatchingCounts,
} from './kpi-queries.js';
import { checkPeriod, checkYmd, checkZone, periodWeeks, periodWords, previousPeriodOf, weekBoundaries } from './kpi-periods.js';
import type { CompetencyKpi, Contributors, Kpi, KpiReport, MatchingKpi, ParticipationKpi, Period, RatedSession, SatisfactionKpi, SessionsKpi } from './kpi-report.js';
import { MIN_VOTES_FOR_AVERAGE } from './polls.js';
import { localDateYmd, startOfLocalDay } from './time.js';
import { getSettings, type WorkspaceSettings } from './workspace-settings.js';
import { getWorkspace } from './workspaces.js';

export { lastFullWeek, previousPeriodOf, weekPeriod } from './kpi-periods.js';

/**
 * The KPIs of PRODUCT.md ("KPIs") and issue 11, for one workspace and one period [from, to),
 * optionally narrowed to one channel. The SQL is in kpi-queries.ts; this file holds the formulas
 * and, here, how every case the definitions leave open is read:
 *
 * Held sessions. A session is held in the period when it is not cancelled, starts in [from, to)
 * and has started by computedAt (a session later in the current week is not held yet). Cancelled
 * sessions are counted in `sessions.cancelled` only, by the same window (starting in the period,
 * by computedAt). Narrowed to a channel, only that channel's sessions (sessions.channel_id) and
 * matching groups (match_groups.channel_id; `/peer match` groups have none) count; time to
 * competency, its teachers and skill gaps stay workspace-wide (skills belong to people).
 *
 * Participation. Invited = seated attendees of a held session (role 'attendee', not waitlisted)
 * who had not left before it started (left_at null or at/after starts_at). The host is not
 * counted: a host is there by definition. A session is "marked" when anyone invited is 'yes' or
 * 'no'. Rate = 'yes' / ('yes' + 'no') over marked sessions: a row still 'unknown' inside a marked
 * session (someone who joined after the checklist was shown, so had no box) is left out of both
 * sides rather than counted absent. Held sessions with invitees but never marked are
 * `unmarkedSessions`, outside the rate; sessions with nobody invited are outside everything.
 * `sample` = marked sessions; `attended`/`invited` = the rate's numerator/denominator.
 *
 * Sessions. perWeek = held / (period length in days, rounded, / 7), so a 167-hour DST week is
 * one week; no target (the target is monthly). per30Days = held in the 30 days ending at the
 * period's end, target sessionsPerMonthTarget, met when >= target. Both are counts: a week with
 * no session is a true 0, not "too little data". averageMinutes = mean stored duration_min of
 * held sessions (stored, so a session over a DST change counts its real length); null without
 * a held session.
 *
 * Satisfaction. Votes on the polls of held sessions; a vote counts only when its author is an
 * invited attendee of that session not marked absent (a vote from someone later marked 'no'
 * does not count, nor one from the host). attendees = who could answer: invited attendees of
 * polled sessions not marked absent and not gone (the poll refuses a vote from someone who left,
 * even during the session); responseRate = counted votes / attendees in percent (null when
 * nobody could answer). value = mean of the counted votes (1-5), no target. `distribution` is
 * always filled; renderers should hide it with the value.
 *
 * Time to competency. Learn rows with completed_at in the period (and by computedAt) that were
 * not removed before being learned (removed_at null or after completed_at); days =
 * (completed_at - started_at) / 24 h, never below 0; value = median. Baseline = the days an admin
 * entered (competencyBaselineDays, 'entered'), else the median of competencies learned before the
 * local date competencyBaselineBefore ('computed', needing the same minimum as the value), else
 * null. changePct = (value - baseline) / baseline x 100; target = baseline x (1 - pct/100) days;
 * met = changePct <= -competencyFasterTargetPct.
 *
 * Matching. Groups created in the period; answered = an outcome recorded; metShare = 'met' /
 * answered in percent, no target.
 *
 * Contributors. hosts = hosts of held sessions (count, most first); teachers = the peers named
 * as teacher (taught_by, confirmed or not) of competencies reached in the period, with the number
 * of distinct learners; newParticipants = people whose first counted participation ever (invited
 * as above and not marked absent, in a held session; of the channel, when narrowed) is in this
 * period. Hosting does not count as participation there. `optedOut` is members.opted_out (a
 * person never seen is not opted out); renderers do not @-mention them.
 *
 * Skill gaps: per skill, distinct people with a current learn row (not removed, not learned)
 * against distinct people with a current teach row; only where learners > teachers; biggest gap
 * first, then most learners, then by the skill's key (its folded name); at most SKILL_GAPS_MAX.
 *
 * Top sessions: held sessions with at least TOP_SESSION_MIN_VOTES counted votes, best average
 * first, then most votes; at most TOP_SESSIONS_MAX. The minimum is the poll card's own
 * (MIN_VOTES_FOR_AVERAGE, 3): from two votes each voter could read the other's answer.
 *
 * Too little data: below the minimums below a Kpi's value is null with an `insufficient`
 * sentence; `change` is only set when both value and previous are numbers. Rates are not rounded
 * here (renderers round); previous values come from the previous period (same number of local
 * days just before, kpi-periods.ts previousPeriodOf) or a stored snapshot
 * (applyPreviousFromSnapshot).
 */

/** A participation rate needs at least this many marked sessions (each with someone invited). */
export const MIN_MARKED_SESSIONS = 1;
/** A satisfaction average needs at least this many counted votes. */
export const MIN_VOTES = 3;
/** A time-to-competency median (and a computed baseline) needs at least this many competencies. */
export const MIN_COMPETENCIES = 3;
/** A "met" share needs at least this many groups that answered. */
export const MIN_ANSWERED_GROUPS = 1;
export const TOP_SESSION_MIN_VOTES = MIN_VOTES_FOR_AVERAGE;
export const TOP_SESSIONS_MAX = 5;
export const SKILL_GAPS_MAX = 10;
export const SERIES_WEEKS_MAX = 104;

export interface AttendanceCounts {
  /** Held sessions with at least one invited attendee. */
  sessionsWithInvitees: number;
  /** Of those, sessions where someone invited was marked yes or no. */
  markedSessions: number;
  /** Over marked sessions: invited marked 'yes', and marked 'yes' or 'no'. */
  attended: number;
  decided: number;
}

export interface VoteCounts {
  /** Held sessions that have a poll. */
  polledSessions: number;
  /** Of those, polls still open (votes may still come in after the report). */
  openPolls: number;
  /** Invited attendees of those sessions not marked absent and still joined: who could answer. */
  attendees: number;
  /** Counted votes per value, index 0 = value 1. */
  distribution: [number, number, number, number, number];
}

/** What the formulas need for one period: plain counts read by kpi-queries.ts. */
export interface PeriodFacts {
  period: Period;
  held: number;
  /** Sum of duration_min of the held sessions. */
  heldMinutes: number;
  cancelled: number;
  heldLast30Days: number;
  attendance: AttendanceCounts;
  votes: VoteCounts;
  /** Days to competency of each skill learned in the period. */
  competencyDays: number[];
  matching: MatchingCounts;
}

/** Totals of the held sessions' rows (pure): count, minutes, attendance and votes. */
export function summarizeHeldSessions(rows: readonly HeldSessionRow[]): Pick<PeriodFacts, 'held' | 'heldMinutes' | 'attendance' | 'votes'> {
  const attendance: AttendanceCounts = { sessionsWithInvitees: 0, markedSessions: 0, attended: 0, decided: 0 };
  const votes: VoteCounts = { polledSessions: 0, openPolls: 0, attendees: 0, distribution: [0, 0, 0, 0, 0] };
  let heldMinutes = 0;
  for (const r of rows) {
    heldMinutes += r.durationMin;
    if (r.invited > 0) attendance.sessionsWithInvitees += 1;
    if (r.decided > 0) {
      attendance.markedSessions += 1;
      attendance.attended += r.yes;
      attendance.decided += r.decided;
    }
    if (r.polled) {
      votes.polledSessions += 1;
      if (r.pollOpen) votes.openPolls += 1;
      votes.attendees += r.present;
      const d = votes.distribution;
      votes.distribution = [d[0] + r.v1, d[1] + r.v2, d[2] + r.v3, d[3] + r.v4, d[4] + r.v5];
    }
  }
  return { held: rows.length, heldMinutes, attendance, votes };
}

export interface KpiTargets {
  participationTargetPct: number;
  sessionsPerMonthTarget: number;
  competencyFasterTargetPct: number;
}

export interface Baseline {
  days: number | null;
  source: 'entered' | 'computed' | null;
}

/** The headline KPIs of a period, previous values not yet set. */
export type PeriodKpis = Pick<KpiReport, 'participation' | 'sessions' | 'satisfaction' | 'competency' | 'matching'>;

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function kpi(value: number | null, sample: number, target: number | null, insufficient: string | null): Kpi {
  return { value, sample, target, met: atLeast(value, target), previous: null, change: null, insufficient: value === null ? insufficient : null };
}

function atLeast(value: number | null, target: number | null): boolean | null {
  return value === null || target === null ? null : value >= target;
}

export function participationKpi(facts: PeriodFacts, targetPct: number): ParticipationKpi {
  const words = periodWords(facts.period);
  const a = facts.attendance;
  const enough = a.markedSessions >= MIN_MARKED_SESSIONS && a.decided > 0;
  const why =
    facts.held === 0
      ? `No session was held ${words}.`
      : a.sessionsWithInvitees === 0
        ? `No session held ${words} had anyone signed up.`
        : `No session held ${words} had its attendance marked.`;
  return {
    ...kpi(enough ? (a.attended / a.decided) * 100 : null, a.markedSessions, targetPct, why),
    attended: a.attended,
    invited: a.decided,
    unmarkedSessions: a.sessionsWithInvitees - a.markedSessions,
  };
}

export function sessionsKpi(facts: PeriodFacts, perMonthTarget: number): SessionsKpi {
  const { held, cancelled, heldMinutes } = facts;
  return {
    held,
    cancelled,
    perWeek: kpi(held / periodWeeks(facts.period), held, null, null),
    per30Days: kpi(facts.heldLast30Days, facts.heldLast30Days, perMonthTarget, null),
    averageMinutes: kpi(held > 0 ? heldMinutes / held : null, held, null, `No session was held ${periodWords(facts.period)}.`),
  };
}

export function satisfactionKpi(facts: PeriodFacts): SatisfactionKpi {
  const words = periodWords(facts.period);
  const { distribution, attendees, polledSessions } = facts.votes;
  const votes = distribution.reduce((s, n) => s + n, 0);
  const total = distribution.reduce((s, n, i) => s + n * (i + 1), 0);
  const why =
    facts.held === 0
      ? `No session was held ${words}.`
      : polledSessions === 0
        ? `No session held ${words} has had its feedback poll yet.`
        : votes === 0
          ? `Nobody has answered the feedback polls ${words}.`
          : `Only ${plural(votes, 'vote', 'votes')} ${words}; an average needs at least ${MIN_VOTES}.`;
  return {
    ...kpi(votes >= MIN_VOTES ? total / votes : null, votes, null, why),
    votes,
    attendees,
    responseRate: attendees > 0 ? (votes / attendees) * 100 : null,
    openPolls: facts.votes.openPolls,
    distribution: [...distribution],
  };
}

export function competencyKpi(facts: PeriodFacts, baseline: Baseline, fasterTargetPct: number): CompetencyKpi {
  const words = periodWords(facts.period);
  const reached = facts.competencyDays.length;
  const value = reached >= MIN_COMPETENCIES ? median(facts.competencyDays) : null;
  const why =
    reached === 0
      ? `No skill was marked learned ${words}.`
      : `Only ${plural(reached, 'skill was', 'skills were')} marked learned ${words}; a median needs at least ${MIN_COMPETENCIES}.`;
  const target = baseline.days === null ? null : baseline.days * (1 - fasterTargetPct / 100);
  const changePct = value === null || baseline.days === null ? null : ((value - baseline.days) / baseline.days) * 100;
  return {
    ...kpi(value, reached, target, why),
    met: competencyMet(changePct, fasterTargetPct),
    reached,
    baselineDays: baseline.days,
    baselineSource: baseline.source,
    changePct,
    fasterTargetPct,
  };
}

const competencyMet = (changePct: number | null, fasterTargetPct: number): boolean | null => (changePct === null ? null : changePct <= -fasterTargetPct);

export function matchingKpi(facts: PeriodFacts): MatchingKpi {
  const { groups, answered, met } = facts.matching;
  const why = groups === 0 ? `No matching groups were formed ${periodWords(facts.period)}.` : 'No group has answered "Did you meet?" yet.';
  return { groups, answered, met, metShare: kpi(answered >= MIN_ANSWERED_GROUPS ? (met / answered) * 100 : null, answered, null, why) };
}

/** The headline KPIs of one period from its facts (previous values left null). */
export function periodKpis(facts: PeriodFacts, targets: KpiTargets, baseline: Baseline): PeriodKpis {
  return {
    participation: participationKpi(facts, targets.participationTargetPct),
    sessions: sessionsKpi(facts, targets.sessionsPerMonthTarget),
    satisfaction: satisfactionKpi(facts),
    competency: competencyKpi(facts, baseline, targets.competencyFasterTargetPct),
    matching: matchingKpi(facts),
  };
}

function linked<K extends Kpi>(current: K, previous: number | null, met: boolean | null = atLeast(current.value, current.target)): K {
  return { ...current, previous, met, change: current.value !== null && previous !== null ? current.value - previous : null };
}

/**
 * The report's KPIs with `previous`, `change` and `met` set against another report's values
 * (pure). Used with the previous period's KPIs, and by the digest with last week's stored
 * snapshot, so this week's trend compares with what last week's digest said.
 */
export function applyPreviousFromSnapshot(report: KpiReport, previous: KpiReport): KpiReport {
  return { ...report, ...linkPrevious(report, previous) };
}

function linkPrevious(current: PeriodKpis, previous: PeriodKpis | null): PeriodKpis {
  const p = previous;
  const c = current;
  return {
    participation: linked(c.participation, p?.participation.value ?? null),
    sessions: {
      ...c.sessions,
      perWeek: linked(c.sessions.perWeek, p?.sessions.perWeek.value ?? null),
      per30Days: linked(c.sessions.per30Days, p?.sessions.per30Days.value ?? null),
      averageMinutes: linked(c.sessions.averageMinutes, p?.sessions.averageMinutes.value ?? null),
    },
    satisfaction: linked(c.satisfaction, p?.satisfaction.value ?? null),
    competency: linked(c.competency, p?.competency.value ?? null, competencyMet(c.competency.changePct, c.competency.fasterTargetPct)),
    matching: { ...c.matching, metShare: linked(c.matching.metShare, p?.matching.metShare.value ?? null) },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the database

/** The workspace's zone (workspaces.time_zone), or UTC with a warning when it is not a zone. */
export function workspaceZone(deps: ServiceDeps, teamId: string): string {
  const workspace = getWorkspace(deps, teamId);
  if (workspace === undefined) throw new AppError('not_found', `There is no workspace ${teamId} in this database.`);
  if (isValidTimeZone(workspace.timeZone)) return workspace.timeZone;
  deps.logger.warn({ teamId, timeZone: workspace.timeZone }, 'workspace time zone is not a zone name; KPIs use UTC');
  return 'UTC';
}

interface ReadFacts extends PeriodFacts {
  sessions: HeldSessionRow[];
  competencies: CompetencyRow[];
}

function readFacts(deps: ServiceDeps, scope: KpiScope): ReadFacts {
  const sessions = readHeldSessions(deps, scope);
  const competencies = readCompetencies(deps, scope.teamId, scope.from, Math.min(scope.to, scope.asOf + 1));
  return {
    period: { from: scope.from, to: scope.to },
    ...summarizeHeldSessions(sessions),
    cancelled: readCancelledCount(deps, scope),
    heldLast30Days: readHeldLast30Days(deps, scope),
    competencyDays: competencies.map((c) => c.days),
    matching: readMatching(deps, scope),
    sessions,
    competencies,
  };
}

/** The baseline time to competency the settings ask for (entered days win over a computed one). */
export function readBaseline(deps: ServiceDeps, teamId: string, settings: WorkspaceSettings, zone: string): Baseline {
  if (settings.competencyBaselineDays !== null) return { days: settings.competencyBaselineDays, source: 'entered' };
  const before = settings.competencyBaselineBefore;
  if (before === null) return { days: null, source: null };
  try {
    checkYmd(before);
  } catch {
    deps.logger.warn({ teamId, competencyBaselineBefore: before }, 'competency baseline date is not a real date; no baseline');
    return { days: null, source: null };
  }
  const days = readCompetencyDaysBefore(deps, teamId, startOfLocalDay(before, zone));
  return days.length >= MIN_COMPETENCIES ? { days: median(days), source: 'computed' } : { days: null, source: null };
}

export interface KpiReportOptions {
  period: Period;
  /**
   * The zone the period's days are counted in. Default: the workspace's zone (UTC when it is not a
   * zone). The digest passes the zone it computed its period in (members.ts resolveWorkspaceZone,
   * which falls back to the configured default), so period, labels and chart use one zone.
   */
  zone?: string;
  channelId?: string | null;
  /** Default: the same number of local days just before `period`; null computes no previous values. */
  previousPeriod?: Period | null;
}

/**
 * The KPI report of a workspace for a period (see the top of this file for every definition).
 * Read in one transaction, so every number comes from the same state of the database even when
 * another process writes meanwhile.
 */
export function computeKpiReport(deps: ServiceDeps, teamId: string, options: KpiReportOptions): KpiReport {
  return deps.db.transaction((tx) => buildReport(inTransaction(deps, tx), teamId, options), { behavior: 'deferred' });
}

function buildReport(deps: ServiceDeps, teamId: string, options: KpiReportOptions): KpiReport {
  checkPeriod(options.period);
  if (options.zone !== undefined) checkZone(options.zone);
  const zone = options.zone ?? workspaceZone(deps, teamId);
  const settings = getSettings(deps, teamId);
  const computedAt = deps.clock.now();
  const channelId = options.channelId ?? null;
  const period = { from: options.period.from, to: options.period.to };
  const previousPeriod = options.previousPeriod === undefined ? previousPeriodOf(period, zone) : options.previousPeriod;
  if (previousPeriod !== null) checkPeriod(previousPeriod);

  const scope: KpiScope = { teamId, from: period.from, to: period.to, asOf: computedAt, channelId };
  const baseline = readBaseline(deps, teamId, settings, zone);
  const facts = readFacts(deps, scope);
  const current = periodKpis(facts, settings, baseline);
  const previous = previousPeriod === null ? null : periodKpis(readFacts(deps, { ...scope, ...previousPeriod }), settings, baseline);

  return {
    teamId,
    channelId,
    period,
    timeZone: zone,
    computedAt,
    hasAnySessions: readHasAnySessions(deps, teamId, channelId),
    ...linkPrevious(current, previous),
    contributors: readContributors(deps, scope, facts),
    ...skillGaps(deps, teamId),
    topSessions: topSessions(deps, teamId, facts.sessions),
  };
}

function skillGaps(deps: ServiceDeps, teamId: string): Pick<KpiReport, 'skillGaps' | 'skillGapsTotal'> {
  const { gaps, total } = readSkillGaps(deps, teamId, SKILL_GAPS_MAX);
  return { skillGaps: gaps, skillGapsTotal: total };
}

/** Hosts of the held sessions, the peers named as teachers, and first-time participants. */
function readContributors(deps: ServiceDeps, scope: KpiScope, facts: ReadFacts): Contributors {
  const hosted = new Map<string, number>();
  for (const s of facts.sessions) hosted.set(s.hostId, (hosted.get(s.hostId) ?? 0) + 1);
  const learnersOf = new Map<string, Set<string>>();
  for (const c of facts.competencies) {
    if (c.taughtBy === null) continue;
    const learners = learnersOf.get(c.taughtBy) ?? new Set<string>();
    learners.add(c.userId);
    learnersOf.set(c.taughtBy, learners);
  }
  const newcomers = readNewParticipants(deps, scope);
  const out = readOptedOut(deps, scope.teamId, [...new Set([...hosted.keys(), ...learnersOf.keys(), ...newcomers])]);
  const byCount = (a: { userId: string; n: number }, b: { userId: string; n: number }) => b.n - a.n || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);
  return {
    hosts: [...hosted.entries()]
      .map(([userId, n]) => ({ userId, n }))
      .sort(byCount)
      .map(({ userId, n }) => ({ userId, sessions: n, optedOut: out.has(userId) })),
    teachers: [...learnersOf.entries()]
      .map(([userId, learners]) => ({ userId, n: learners.size }))
      .sort(byCount)
      .map(({ userId, n }) => ({ userId, learners: n, optedOut: out.has(userId) })),
    newParticipants: newcomers.map((userId) => ({ userId, optedOut: out.has(userId) })),
  };
}

/** The best-rated held sessions: enough counted votes, best average, then most votes, then earliest. */
function topSessions(deps: ServiceDeps, teamId: string, sessions: readonly HeldSessionRow[]): RatedSession[] {
  const rated = sessions
    .map((s) => {
      const votes = s.v1 + s.v2 + s.v3 + s.v4 + s.v5;
      return { number: s.number, startsAt: s.startsAt, votes, average: votes === 0 ? 0 : (s.v1 + 2 * s.v2 + 3 * s.v3 + 4 * s.v4 + 5 * s.v5) / votes };
    })
    .filter((s) => s.votes >= TOP_SESSION_MIN_VOTES)
    .sort((a, b) => b.average - a.average || b.votes - a.votes || a.startsAt - b.startsAt || a.number - b.number)
    .slice(0, TOP_SESSIONS_MAX);
  const heads = readSessionHeads(deps, teamId, rated.map((s) => s.number));
  return rated.map((s) => {
    const head = heads.get(s.number)!;
    return { number: s.number, title: head.title, hostId: head.hostId, startsAt: head.startsAt, average: s.average, votes: s.votes };
  });
}

export interface WeeklyPoint {
  /** The local date (YYYY-MM-DD) the week starts on. */
  weekStart: string;
  from: number;
  to: number;
  /** Participation in percent, null when no session of the week had its attendance marked. */
  participationPct: number | null;
  sessionsHeld: number;
}

/**
 * Participation and sessions held per local week, for the digest's chart: the `weeks` weeks
 * ending at `endingBefore` (a local week boundary, such as a report's period.to), oldest first.
 * Same definitions as the report; one grouped query per measure.
 */
export function computeWeeklySeries(deps: ServiceDeps, teamId: string, options: { endingBefore: number; weeks: number; channelId?: string | null; zone?: string }): WeeklyPoint[] {
  const { endingBefore, weeks } = options;
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > SERIES_WEEKS_MAX) throw new AppError('invalid_input', `A chart covers 1 to ${SERIES_WEEKS_MAX} weeks, not ${weeks}.`);
  if (!Number.isFinite(endingBefore)) throw new AppError('invalid_input', 'A chart needs the instant its last week ends.');
  if (options.zone !== undefined) checkZone(options.zone);
  const zone = options.zone ?? workspaceZone(deps, teamId);
  const bounds = weekBoundaries(endingBefore, weeks, zone);
  const counts = readWeeklyCounts(deps, teamId, bounds, deps.clock.now(), options.channelId ?? null);
  return counts.map((c) => ({
    weekStart: localDateYmd(bounds[c.week]!, zone),
    from: bounds[c.week]!,
    to: bounds[c.week + 1]!,
    participationPct: c.markedSessions >= MIN_MARKED_SESSIONS && c.decided > 0 ? (c.attended / c.decided) * 100 : null,
    sessionsHeld: c.held,
  }));
}
