/**
 * The cast and the catalogue of the demo workspace: a product team of 40 across four time zones,
 * the skills they teach and want to learn, and what they say in poll comments. Plain data; the
 * seeder (seed-demo.ts) decides who does what when.
 */

export const DEMO_TEAM_ID = 'T0DEMO';
export const DEMO_TEAM_NAME = 'Northwind Labs';
export const DEMO_TIME_ZONE = 'Europe/Berlin';

/** Channel ids and the names a reader would see (`#peer-learning`): no Slack to ask. */
export const DEMO_CHANNELS = {
  learning: { id: 'C0DEMOLEARN', name: 'peer-learning' },
  swaps: { id: 'C0DEMOSWAP', name: 'skill-swaps' },
  pods: { id: 'C0DEMOPODS', name: 'learning-pods' },
} as const;

export interface DemoPerson {
  name: string;
  timeZone: string;
  role: string;
}

const BER = 'Europe/Berlin';
const LON = 'Europe/London';
const NYC = 'America/New_York';
const BLR = 'Asia/Kolkata';

const BACKEND = 'Backend engineer';
const FRONTEND = 'Frontend engineer';
const DESIGN = 'Product designer';
const PM = 'Product manager';
const DATA = 'Data analyst';
const SRE = 'Site reliability engineer';

/** The first 12 are the small data set (the test suite): every zone and role is among them. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { name: 'Ana Souza', timeZone: BER, role: PM },
  { name: 'Ben Fischer', timeZone: BER, role: BACKEND },
  { name: 'Priya Natarajan', timeZone: BLR, role: DATA },
  { name: 'Marcus Johnson', timeZone: NYC, role: FRONTEND },
  { name: 'Chloé Martin', timeZone: LON, role: DESIGN },
  { name: 'Daniel Okafor', timeZone: LON, role: SRE },
  { name: 'Elif Yılmaz', timeZone: BER, role: BACKEND },
  { name: 'Kenji Watanabe', timeZone: BER, role: FRONTEND },
  { name: 'Julia Nowak', timeZone: BER, role: BACKEND },
  { name: 'Grace Kim', timeZone: NYC, role: DATA },
  { name: 'Felix Wagner', timeZone: BER, role: SRE },
  { name: 'Nadia Rahman', timeZone: LON, role: FRONTEND },
  { name: 'Hannah Schmidt', timeZone: BER, role: DESIGN },
  { name: 'Ibrahim Haddad', timeZone: BER, role: BACKEND },
  { name: 'Lena Hoffmann', timeZone: BER, role: PM },
  { name: 'Oliver Brown', timeZone: LON, role: BACKEND },
  { name: 'Aarav Mehta', timeZone: BLR, role: BACKEND },
  { name: 'Quentin Dubois', timeZone: BER, role: FRONTEND },
  { name: 'Rosa Jiménez', timeZone: NYC, role: DESIGN },
  { name: 'Samuel Mensah', timeZone: LON, role: SRE },
  { name: 'Tara O’Neill', timeZone: LON, role: PM },
  { name: 'Umar Siddiqui', timeZone: BLR, role: DATA },
  { name: 'Valentina Rossi', timeZone: BER, role: FRONTEND },
  { name: 'William Chen', timeZone: NYC, role: BACKEND },
  { name: 'Ximena Flores', timeZone: NYC, role: PM },
  { name: 'Yusuf Demir', timeZone: BER, role: BACKEND },
  { name: 'Zoe Papadopoulos', timeZone: BER, role: DATA },
  { name: 'Bianca Costa', timeZone: LON, role: FRONTEND },
  { name: 'Carlos Mendes', timeZone: BER, role: SRE },
  { name: 'Dana Levi', timeZone: BER, role: DESIGN },
  { name: 'Erik Lindqvist', timeZone: BER, role: BACKEND },
  { name: 'Fatima Zahra', timeZone: LON, role: DATA },
  { name: 'Georg Becker', timeZone: BER, role: SRE },
  { name: 'Hiro Tanaka', timeZone: NYC, role: FRONTEND },
  { name: 'Isla MacDonald', timeZone: LON, role: PM },
  { name: 'Jonas Weber', timeZone: BER, role: BACKEND },
  { name: 'Katarzyna Zielińska', timeZone: BER, role: FRONTEND },
  { name: 'Luca Romano', timeZone: BER, role: BACKEND },
  { name: 'Maya Patel', timeZone: BLR, role: DATA },
  { name: 'Noah Williams', timeZone: NYC, role: SRE },
];

/**
 * Skills, with how many people (in the full team of 40) teach each, want to learn it now,
 * learned it before the pilot (the computed baseline) and learn it during the eight weeks. The
 * first few are the gaps the digest nudges people to teach.
 */
export interface DemoSkill {
  name: string;
  teachers: number;
  learners: number;
  learnedBefore: number;
  learnedDuring: number;
  /** Session titles about it (micro-lessons, lunch-and-learns, problem clinics). */
  titles: readonly string[];
}

export const DEMO_SKILLS: readonly DemoSkill[] = [
  { name: 'Terraform', teachers: 1, learners: 8, learnedBefore: 1, learnedDuring: 2, titles: ['Terraform modules without tears', 'Reading a Terraform plan'] },
  { name: 'Kubernetes', teachers: 2, learners: 6, learnedBefore: 2, learnedDuring: 2, titles: ['Debugging a CrashLoopBackOff', 'Kubernetes probes that tell the truth'] },
  { name: 'Accessibility', teachers: 1, learners: 5, learnedBefore: 1, learnedDuring: 1, titles: ['Screen reader basics for every PR', 'Accessible forms in 15 minutes'] },
  { name: 'Incident response', teachers: 2, learners: 4, learnedBefore: 1, learnedDuring: 1, titles: ['Running an incident call', 'Writing a blameless postmortem'] },
  { name: 'Public speaking', teachers: 2, learners: 4, learnedBefore: 1, learnedDuring: 1, titles: ['Demo day without the nerves', 'Five-minute talks that land'] },
  { name: 'TypeScript', teachers: 6, learners: 3, learnedBefore: 2, learnedDuring: 2, titles: ['TypeScript generics in practice', 'Narrowing unions like a pro'] },
  { name: 'SQL', teachers: 5, learners: 4, learnedBefore: 2, learnedDuring: 2, titles: ['Window functions, finally explained', 'Reading a query plan'] },
  { name: 'Python', teachers: 4, learners: 3, learnedBefore: 1, learnedDuring: 1, titles: ['pandas in 20 minutes', 'Testing Python with pytest fixtures'] },
  { name: 'React', teachers: 4, learners: 2, learnedBefore: 1, learnedDuring: 1, titles: ['React hooks pitfalls', 'Server components: what changes'] },
  { name: 'Figma', teachers: 3, learners: 3, learnedBefore: 1, learnedDuring: 1, titles: ['Auto layout for engineers', 'Figma components and variants'] },
  { name: 'Code review', teachers: 5, learners: 2, learnedBefore: 1, learnedDuring: 1, titles: ['Code review comments people act on', 'Reviewing a big PR in small steps'] },
  { name: 'Data visualisation', teachers: 2, learners: 3, learnedBefore: 1, learnedDuring: 1, titles: ['Charts that answer one question', 'Dashboards people actually read'] },
  { name: 'Observability', teachers: 2, learners: 3, learnedBefore: 0, learnedDuring: 1, titles: ['Traces, logs and metrics: which when', 'SLOs from scratch'] },
  { name: 'Technical writing', teachers: 3, learners: 2, learnedBefore: 1, learnedDuring: 0, titles: ['Design docs people finish reading', 'Writing a good README'] },
  { name: 'Giving feedback', teachers: 3, learners: 2, learnedBefore: 1, learnedDuring: 1, titles: ['Feedback in 1:1s', 'Saying the hard thing kindly'] },
  { name: 'Product discovery', teachers: 2, learners: 2, learnedBefore: 0, learnedDuring: 1, titles: ['Customer interviews that are not leading', 'Opportunity trees'] },
  { name: 'Go', teachers: 2, learners: 2, learnedBefore: 1, learnedDuring: 0, titles: ['Go concurrency patterns', 'Error handling in Go'] },
];

/** Soft skills a peer-coaching session practises. */
export const COACHING_TOPICS = ['Giving feedback', 'Public speaking', 'Code review', 'Technical writing'] as const;

/** What a shadow shift observes, by the host's role (host's choice of length). */
export const SHADOW_ACTIVITIES: Record<string, string> = {
  [SRE]: 'the on-call handover',
  [DATA]: 'the weekly metrics review',
  [PM]: 'a customer interview',
  [DESIGN]: 'a usability test',
  [BACKEND]: 'a production deploy',
  [FRONTEND]: 'a release QA pass',
};

/** Poll comments, by the answer they come with. */
export const DEMO_COMMENTS: Record<'good' | 'fine' | 'poor', readonly string[]> = {
  good: [
    'Exactly what I needed for this sprint.',
    'Great examples from our own codebase.',
    'Short and practical, more of these please!',
    'I used it the same afternoon.',
    'Loved the live demo.',
    'Finally understood it. Thank you!',
    'The cheat sheet at the end was gold.',
  ],
  fine: [
    'Good, but a bit rushed at the end.',
    'Useful; would like a follow-up with exercises.',
    'Nice intro, I already knew most of it.',
    'Could use a recording for people in other time zones.',
  ],
  poor: ['Too advanced for me, I got lost early.', 'Audio was hard to follow.', 'Felt more like a status meeting.'],
};

export const CANCEL_REASONS = ['Host is off sick; we will find a new date.', 'Clashes with the release freeze, moving it.'] as const;
