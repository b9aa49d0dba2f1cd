import { describe, expect, it } from 'vitest';
import { formatReportText } from '../../src/cli/report-text.js';
import { createKpiReport, kpi } from '../support/kpi-report.js';

/**
 * The report's text (npm run report): every KPI with value, target, met, previous, change and
 * sample, the KPI's own sentence when there is too little data (never a 0% or NaN), names not ids.
 */

const names = new Map([
  ['U0ANA', 'Ana Souza'],
  ['U0BEN', 'Ben Fischer'],
]);

describe('formatReportText', () => {
  it('lays the KPIs out in columns with units, targets, met, previous, change and sample', () => {
    const text = formatReportText(createKpiReport({ timeZone: 'UTC' }), { teamName: 'Acme', names });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Acme (T0TEST): KPIs for Mon 23 Nov – Sun 29 Nov 2026 (UTC)');
    const row = (label: string) => lines.find((l) => l.startsWith(label))!.split(/\s{2,}/);
    expect(row('KPI')).toEqual(['KPI', 'Value', 'Target', 'Met', 'Previous', 'Change', 'Sample']);
    expect(row('Participation rate')).toEqual(['Participation rate', '72%', '60%', 'yes', '64%', '+8 pts', '18 of 25 invited came']);
    expect(row('Sessions in 30 days')).toEqual(['Sessions in 30 days', '14', '4', 'yes', '12', '+2', '10 sessions']);
    expect(row('Average length')).toEqual(['Average length', '38 min', '—', '—', '41 min', '-3 min', '10 sessions']);
    expect(row('Satisfaction')[1]).toBe('4.3 / 5');
    expect(row('Satisfaction')[5]).toBe('+0.2');
  });

  it('shows a KPI without data as its own sentence, never as 0% or NaN', () => {
    const report = createKpiReport({
      participation: { ...kpi(null, 60, 64), insufficient: 'No session in the period had its attendance marked.', attended: 0, invited: 0, unmarkedSessions: 3 },
    });
    const text = formatReportText(report, { teamName: null, names });
    expect(text.split('\n').find((l) => l.startsWith('Participation rate'))).toMatch(/^Participation rate\s+No session in the period had its attendance marked\.$/);
    expect(text).toContain('3 sessions without attendance marked (left out of the participation rate)');
    expect(text).not.toMatch(/NaN|undefined|null/);
  });

  it('names people, leaves opted-out people unnamed but counted, and says when the week is not over', () => {
    const report = createKpiReport({
      contributors: {
        hosts: [
          { userId: 'U0ANA', sessions: 2, optedOut: false },
          { userId: 'U0OUT', sessions: 1, optedOut: true },
        ],
        teachers: [],
        newParticipants: [{ userId: 'U0BEN', optedOut: false }],
      },
    });
    const text = formatReportText(report, { teamName: 'Acme', names, inProgress: true });
    expect(text).toContain('Hosted: Ana Souza (2), 1 who opted out');
    expect(text).toContain('First session: Ben Fischer');
    expect(text).not.toContain('U0OUT');
    expect(text.split('\n')[1]).toBe('This week is not over yet: the numbers are what happened so far.');
  });

  it('a workspace without sessions gets one friendly line', () => {
    const text = formatReportText(createKpiReport({ hasAnySessions: false }), { teamName: 'Acme', names });
    expect(text).toContain('No sessions yet: nothing to measure.');
    expect(text).not.toContain('Participation rate');
  });
});
