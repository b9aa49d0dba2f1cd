import type { CompetencyKpi, Kpi, KpiReport, MatchingKpi, ParticipationKpi, SatisfactionKpi, SessionsKpi } from '../../src/services/kpi-report.js';

/**
 * A full KpiReport for tests of whatever renders one (the digest, `/peer digest`, the report
 * command): plausible numbers for a week, every KPI with a value, target and previous value.
 * Pass only what the test is about; nested objects are merged one level deep, so
 * `createKpiReport({ participation: { value: null, insufficient: '…' } })` keeps the rest.
 */

/** The week the default report covers: Monday 23 Nov 2026 00:00 to Monday 30 Nov 00:00, UTC. */
export const REPORT_PERIOD = { from: Date.UTC(2026, 10, 23), to: Date.UTC(2026, 10, 30) } as const;

/** A Kpi with met and change worked out from value, target and previous (higher is better). */
export function kpi(value: number | null, target: number | null, previous: number | null = null, fields: Partial<Kpi> = {}): Kpi {
  return {
    value,
    sample: value === null ? 0 : 10,
    target,
    met: value === null || target === null ? null : value >= target,
    previous,
    change: value === null || previous === null ? null : value - previous,
    insufficient: value === null ? 'Too little data this week.' : null,
    ...fields,
  };
}

export interface KpiReportOverrides {
  teamId?: string;
  channelId?: string | null;
  period?: KpiReport['period'];
  timeZone?: string;
  computedAt?: number;
  hasAnySessions?: boolean;
  participation?: Partial<ParticipationKpi>;
  sessions?: Partial<Omit<SessionsKpi, 'perWeek' | 'per30Days' | 'averageMinutes'>> & { perWeek?: Partial<Kpi>; per30Days?: Partial<Kpi>; averageMinutes?: Partial<Kpi> };
  satisfaction?: Partial<SatisfactionKpi>;
  competency?: Partial<CompetencyKpi>;
  matching?: Partial<Omit<MatchingKpi, 'metShare'>> & { metShare?: Partial<Kpi> };
  contributors?: Partial<KpiReport['contributors']>;
  skillGaps?: KpiReport['skillGaps'];
  skillGapsTotal?: number;
  topSessions?: KpiReport['topSessions'];
}

export function createKpiReport(over: KpiReportOverrides = {}): KpiReport {
  const skillGaps: KpiReport['skillGaps'] = over.skillGaps ?? [
    { skill: 'Terraform', learners: 8, teachers: 1 },
    { skill: 'Rust', learners: 5, teachers: 0 },
  ];
  const period = over.period ?? { ...REPORT_PERIOD };
  const participation: ParticipationKpi = { ...kpi(72, 60, 64), attended: 18, invited: 25, unmarkedSessions: 0, sample: 25, ...over.participation };
  const sessionsOver = over.sessions ?? {};
  const sessions: SessionsKpi = {
    held: 5,
    cancelled: 1,
    ...sessionsOver,
    perWeek: { ...kpi(5, null, 3), ...sessionsOver.perWeek },
    per30Days: { ...kpi(14, 4, 12), ...sessionsOver.per30Days },
    averageMinutes: { ...kpi(38, null, 41), ...sessionsOver.averageMinutes },
  };
  const satisfaction: SatisfactionKpi = {
    ...kpi(4.3, null, 4.1),
    votes: 12,
    attendees: 18,
    responseRate: 66.7,
    distribution: [0, 1, 1, 4, 6],
    sample: 12,
    openPolls: 0,
    ...over.satisfaction,
  };
  const competency: CompetencyKpi = {
    ...kpi(18, null, 21),
    reached: 4,
    baselineDays: 24,
    baselineSource: 'entered',
    changePct: -25,
    fasterTargetPct: 20,
    met: true,
    sample: 4,
    ...over.competency,
  };
  const matchingOver = over.matching ?? {};
  const matching: MatchingKpi = { groups: 6, answered: 5, met: 4, ...matchingOver, metShare: { ...kpi(80, null, 75), sample: 5, ...matchingOver.metShare } };
  return {
    teamId: over.teamId ?? 'T0TEST',
    channelId: over.channelId ?? null,
    period,
    timeZone: over.timeZone ?? 'UTC',
    computedAt: over.computedAt ?? period.to + 9 * 3_600_000,
    hasAnySessions: over.hasAnySessions ?? true,
    participation,
    sessions,
    satisfaction,
    competency,
    matching,
    contributors: {
      hosts: [
        { userId: 'U0HOST1', sessions: 2, optedOut: false },
        { userId: 'U0HOST2', sessions: 1, optedOut: false },
      ],
      teachers: [{ userId: 'U0TEACH', learners: 2, optedOut: false }],
      newParticipants: [{ userId: 'U0NEW', optedOut: false }],
      ...over.contributors,
    },
    skillGaps,
    skillGapsTotal: over.skillGapsTotal ?? skillGaps.length,
    topSessions: over.topSessions ?? [
      { number: 12, title: 'Terraform basics', hostId: 'U0HOST1', startsAt: period.from + 2 * 86_400_000 + 10 * 3_600_000, average: 4.8, votes: 6 },
      { number: 14, title: 'Reading query plans', hostId: 'U0HOST2', startsAt: period.from + 3 * 86_400_000 + 14 * 3_600_000, average: 4.5, votes: 4 },
    ],
  };
}
