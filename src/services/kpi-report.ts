/**
 * The shape of a KPI report: what services/kpis.ts computes for a workspace and a period, what
 * a digest snapshot stores (as JSON), and what the digest, `/peer digest`, `npm run report` and
 * `npm run demo` render. Plain data only, so a stored snapshot reads back as the same object.
 *
 * Definitions are PRODUCT.md's "KPIs" table; services/kpis.ts says how each edge case is read.
 */

/** A half-open range of instants [from, to), epoch ms. */
export interface Period {
  from: number;
  to: number;
}

/**
 * One headline number. `value` is null when there is too little data to say anything (then
 * `insufficient` says why, in words); it is never 0 standing in for "unknown". `previous` is the
 * same KPI over the previous period (or last week's snapshot), null when that had too little data;
 * `change` is only set when both are numbers.
 */
export interface Kpi {
  value: number | null;
  /** How many things the value is computed from (sessions, people, votes, competencies). */
  sample: number;
  /** The target, in the value's unit; null when the KPI has none. */
  target: number | null;
  /** Whether the value meets the target; null without a value or a target. */
  met: boolean | null;
  previous: number | null;
  /** value - previous, in the value's unit (percentage points for rates); null unless both exist. */
  change: number | null;
  /** Why there is no value ("No session in the period had its attendance marked"), else null. */
  insufficient: string | null;
}

export interface ParticipationKpi extends Kpi {
  /** Rate in percent (0-100): attended / invited over sessions whose attendance was marked. */
  attended: number;
  invited: number;
  /** Sessions held in the period with invitees whose attendance was never marked (left out of the rate). */
  unmarkedSessions: number;
}

export interface SessionsKpi {
  /** Sessions held (not cancelled, started) in the period. */
  held: number;
  cancelled: number;
  /** Sessions held per week over the period (held / weeks in the period). */
  perWeek: Kpi;
  /** Sessions held in the 30 days ending at the period's end; target sessionsPerMonthTarget. */
  per30Days: Kpi;
  /** Mean length in minutes of the sessions held in the period; target null. */
  averageMinutes: Kpi;
}

export interface SatisfactionKpi extends Kpi {
  /** Mean poll answer, 1-5 (in `value`); votes counted exclude people later marked absent. */
  votes: number;
  /** People who could answer: attendees of polled sessions not marked absent. */
  attendees: number;
  /** votes / attendees in percent, null when nobody could answer. */
  responseRate: number | null;
  /**
   * Polls of the period's sessions still open when the report was computed (a poll stays open
   * 72 h, so a Friday session's is open at Monday's digest): their votes are not all in yet. A
   * snapshot stored before this field existed reads back with 0 (services/digest.ts).
   */
  openPolls: number;
  /** Votes per answer: index 0 is the count of 1s ... index 4 the count of 5s. */
  distribution: [number, number, number, number, number];
}

export interface CompetencyKpi extends Kpi {
  /** Median days (in `value`) from starting to learn a skill to being competent, for competencies reached in the period. */
  reached: number;
  /** Baseline median days: entered by an admin, or computed from competencies reached before a date; null when neither. */
  baselineDays: number | null;
  baselineSource: 'entered' | 'computed' | null;
  /** (value - baseline) / baseline in percent: negative is faster. Null without both. */
  changePct: number | null;
  /** Target as "this many percent faster than baseline" (competencyFasterTargetPct). */
  fasterTargetPct: number;
}

export interface MatchingKpi {
  /** Groups formed in the period. */
  groups: number;
  /** Groups that answered "Did you meet?". */
  answered: number;
  met: number;
  /** met / answered in percent, with the same too-little-data rule as every Kpi. */
  metShare: Kpi;
}

export interface Contributors {
  /** People who hosted a session held in the period, most sessions first. */
  hosts: { userId: string; sessions: number; optedOut: boolean }[];
  /** People confirmed (or named) as having taught a competency reached in the period. */
  teachers: { userId: string; learners: number; optedOut: boolean }[];
  /** People whose first session ever (as an attendee who was not marked absent) was held in the period. */
  newParticipants: { userId: string; optedOut: boolean }[];
}

export interface SkillGap {
  skill: string;
  /** People who want to learn it (current, not yet learned). */
  learners: number;
  /** People who can teach it (current). */
  teachers: number;
}

export interface RatedSession {
  number: number;
  title: string;
  hostId: string;
  startsAt: number;
  average: number;
  votes: number;
}

export interface KpiReport {
  teamId: string;
  /** Set when the report is narrowed to one channel's sessions and matching rounds. */
  channelId: string | null;
  period: Period;
  /** The workspace zone the period's days are counted in. */
  timeZone: string;
  /** When the report was computed (epoch ms). */
  computedAt: number;
  /** False when the workspace has never had a session: the digest says one friendly line instead. */
  hasAnySessions: boolean;
  participation: ParticipationKpi;
  sessions: SessionsKpi;
  satisfaction: SatisfactionKpi;
  /** Workspace-wide even when narrowed to a channel (skills belong to people, not channels). */
  competency: CompetencyKpi;
  matching: MatchingKpi;
  contributors: Contributors;
  /** Biggest gaps first (learners - teachers, only where positive); workspace-wide. */
  skillGaps: SkillGap[];
  /**
   * How many skills have a gap in all (skillGaps holds the biggest few), for "and N more". A
   * snapshot stored before this field existed reads back with skillGaps.length (services/digest.ts).
   */
  skillGapsTotal: number;
  /** Best-rated sessions of the period (enough votes to say), best first. */
  topSessions: RatedSession[];
}
