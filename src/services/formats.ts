import { z } from 'zod';

/**
 * The seven session formats from PRODUCT.md. `defaultDurationMin` is what the schedule modal
 * fills in when the format is picked; `agendaTemplate` is the starting agenda people edit.
 */
export const FORMAT_IDS = [
  'skill-swap',
  'micro-lesson',
  'peer-coaching',
  'problem-clinic',
  'shadow-shift',
  'lunch-and-learn',
  'learning-pod',
] as const;

export const FormatId = z.enum(FORMAT_IDS);
export type FormatId = z.infer<typeof FormatId>;

export interface SessionFormat {
  id: FormatId;
  label: string;
  /** One line on the shape of the session, shown as the option description. */
  shape: string;
  defaultDurationMin: number;
  agendaTemplate: string;
}

export const SESSION_FORMATS: readonly SessionFormat[] = [
  {
    id: 'skill-swap',
    label: 'Skill swap',
    shape: 'Two people teach each other a tool or technique (60 min max)',
    defaultDurationMin: 60,
    agendaTemplate:
      '1. Goals: what each of us wants to learn (5 min)\n2. First person teaches (25 min)\n3. Second person teaches (25 min)\n4. Wrap-up: one thing each of us will try (5 min)',
  },
  {
    id: 'micro-lesson',
    label: 'Micro-lesson',
    shape: 'One person demos one thing (10-20 min)',
    defaultDurationMin: 15,
    agendaTemplate: '1. The problem this solves (2 min)\n2. Live demo (10 min)\n3. Questions (3 min)',
  },
  {
    id: 'peer-coaching',
    label: 'Peer coaching',
    shape: 'Practise a commitment, report back next time (30 min)',
    defaultDurationMin: 30,
    agendaTemplate:
      '1. Report back on last commitment (5 min)\n2. The situation to practise (5 min)\n3. Practice and feedback (15 min)\n4. Next commitment (5 min)',
  },
  {
    id: 'problem-clinic',
    label: 'Problem clinic',
    shape: 'Bring a live issue, the group troubleshoots (30-45 min)',
    defaultDurationMin: 45,
    agendaTemplate:
      '1. The problem, in the owner’s words (5 min)\n2. Clarifying questions (10 min)\n3. Ideas and troubleshooting (20 min)\n4. Next steps (5 min)',
  },
  {
    id: 'shadow-shift',
    label: 'Shadow shift',
    shape: 'Observe a peer doing the job for real (host’s choice of length)',
    defaultDurationMin: 60,
    agendaTemplate: '1. What to watch for (5 min)\n2. Shadowing the real work\n3. Debrief: what surprised you (10 min)',
  },
  {
    id: 'lunch-and-learn',
    label: 'Lunch-and-learn',
    shape: 'Informal demo, often recorded (45-60 min)',
    defaultDurationMin: 45,
    agendaTemplate: '1. Grab lunch and settle in (5 min)\n2. Demo (30 min)\n3. Q&A (10 min)\nRecording link goes in the session link.',
  },
  {
    id: 'learning-pod',
    label: 'Learning pod',
    shape: 'A small same-role cohort meeting on a cadence (30 min, recurring)',
    defaultDurationMin: 30,
    agendaTemplate:
      '1. Round: one win, one blocker each (10 min)\n2. Deep dive on one blocker (15 min)\n3. Commitments until next time (5 min)',
  },
];

export function getFormat(id: string): SessionFormat | undefined {
  return SESSION_FORMATS.find((f) => f.id === id);
}

/** The label for a stored format id; an unknown id (older data) is shown as stored. */
export function formatLabel(id: string): string {
  return getFormat(id)?.label ?? id;
}
