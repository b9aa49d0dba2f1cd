import type { Db } from '../db/client.js';
import {
  matchChannels,
  matchGroupMembers,
  matchGroups,
  matchRoundPeople,
  matchRounds,
  memberSkills,
  members,
  participants,
  polls,
  pollVotes,
  profiles,
  sessions,
  skills,
  workspaces,
} from '../db/schema.js';
import { AppError } from '../errors.js';
import { getFormat, type FormatId } from '../services/formats.js';
import { localWeekStartYmd } from '../services/kpi-periods.js';
import { CHECKIN_DELAY_MS, type MatchReason } from '../services/match-rounds.js';
import { matchPeople, type MatchMode, type MatchPerson, type PastGroup } from '../services/matching.js';
import { POLL_OPEN_DELAY_MS, POLL_OPEN_FOR_MS } from '../services/polls.js';
import { normaliseSkillName } from '../services/skills.js';
import { addDaysYmd, firstExistingLocalTime, localDateYmd } from '../services/time.js';
import { DEFAULT_POLL_QUESTION, WorkspaceSettings } from '../services/workspace-settings.js';
import {
  CANCEL_REASONS,
  COACHING_TOPICS,
  DEMO_CHANNELS,
  DEMO_COMMENTS,
  DEMO_PEOPLE,
  DEMO_SKILLS,
  DEMO_TEAM_NAME,
  DEMO_TIME_ZONE,
  SHADOW_ACTIVITIES,
  type DemoSkill,
} from './demo-team.js';
import { createRandom, type Random } from './random.js';

/**
 * The demo data set: weeks of believable activity for one workspace, written into a real,
 * migrated database through the schema (one transaction), so it always matches the migrations
 * and every query reads it as it would read Slack-made rows. Deterministic: the same seed, size
 * and week give the same rows. Participation and ratings improve over the weeks (a pilot taking
 * hold), with the noise real teams have: an unmarked session, a cancellation, someone who left,
 * a waitlist, an opted-out member, a vote from someone later marked absent.
 */

export type DemoSize = 'full' | 'small';

export interface SeedDemoOptions {
  teamId: string;
  /**
   * The demo's present. The full weeks before the week holding it are history (Monday to
   * Sunday, in the workspace zone); a few sessions are booked in the six days after it.
   */
  now: number;
  seed: string;
  /** 'full': 40 people over 8 weeks (npm run demo); 'small': 12 people over 3 weeks (the tests). */
  size: DemoSize;
}

export interface SeedDemoSummary {
  teamId: string;
  teamName: string;
  timeZone: string;
  digestChannelId: string;
  /** Display names of every member and channel, for rendering mentions without Slack. */
  userNames: Record<string, string>;
  channelNames: Record<string, string>;
  weeks: number;
  /** Monday (YYYY-MM-DD, workspace zone) of the first and of the last full week of history. */
  firstWeekStart: string;
  lastWeekStart: string;
  people: number;
  sessionsHeld: number;
  sessionsCancelled: number;
  sessionsUpcoming: number;
  votes: number;
  competencies: number;
  matchGroups: number;
}

interface SizePlan {
  people: number;
  weeks: number;
  /** Sessions held each week, oldest first (the pod included; the cancelled one is extra). */
  perWeek: readonly number[];
  upcoming: number;
  /** The last this-many people join during the weeks (new participants). */
  joiners: number;
  /** Counts of DEMO_SKILLS are multiplied by this (teachers at least 1). */
  scale: number;
  /** Sessions whose attendance the host never marked, by week index from the end (0 = last week). */
  unmarkedWeeksAgo: readonly number[];
}

const PLANS: Record<DemoSize, SizePlan> = {
  full: { people: 40, weeks: 8, perWeek: [3, 4, 4, 5, 5, 6, 6, 7], upcoming: 4, joiners: 10, scale: 1, unmarkedWeeksAgo: [0, 5] },
  small: { people: 12, weeks: 3, perWeek: [3, 4, 5], upcoming: 2, joiners: 2, scale: 0.3, unmarkedWeeksAgo: [0] },
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REPEAT_WEEKS = 12;

type MemberSkillRow = typeof memberSkills.$inferInsert;
type SessionRow = typeof sessions.$inferInsert;
type ParticipantRow = typeof participants.$inferInsert;
type VoteRow = typeof pollVotes.$inferInsert;

interface Person {
  userId: string;
  name: string;
  timeZone: string;
  role: string;
  roleKey: string;
  firstSeenAt: number;
  /** Leans towards coming (+) or not (-): people differ. */
  propensity: number;
  optedOut: boolean;
  /** Opted out at this instant: nothing of theirs after it. */
  leftProgrammeAt: number | null;
  matchingOptIn: boolean;
  pausedUntil: number | null;
  pausedSince: number | null;
}

interface DraftSession {
  row: Omit<SessionRow, 'number'>;
  hostId: string;
  people: Omit<ParticipantRow, 'sessionNumber' | 'teamId'>[];
  weekIndex: number;
  /** 0..1 over the weeks: how far the pilot has come. */
  progress: number;
}

/**
 * Writes the demo workspace `teamId` into `db` (migrated, as openDb leaves it). The workspace
 * must not exist yet: the demo never mixes with real data.
 */
export function seedDemo(db: Db, options: SeedDemoOptions): SeedDemoSummary {
  const { teamId, now, size } = options;
  const plan = PLANS[size];
  const rnd = createRandom(`${options.seed}:${size}`);
  const zone = DEMO_TIME_ZONE;
  if (db.select({ teamId: workspaces.teamId }).from(workspaces).all().some((w) => w.teamId === teamId)) {
    throw new AppError('conflict', `Workspace ${teamId} already exists in this database; the demo writes only into a new one.`);
  }

  // --- Calendar: weeks are Monday to Sunday in the workspace zone.
  const today = localDateYmd(now, zone);
  const currentMonday = localWeekStartYmd(now, zone);
  const weekMonday = (w: number) => addDaysYmd(currentMonday, -7 * (plan.weeks - w));
  const at = (ymd: string, hour: number, minute = 0) => firstExistingLocalTime(ymd, hour, zone) + minute * MINUTE;
  const windowStart = at(weekMonday(0), 0);
  const progressOf = (w: number) => (plan.weeks === 1 ? 1 : w / (plan.weeks - 1));

  // --- People.
  const cast = DEMO_PEOPLE.slice(0, plan.people);
  const optedOutIndex = 5;
  const pausedIndex = 9;
  const people: Person[] = cast.map((p, i) => {
    const joinerRank = i - (cast.length - plan.joiners);
    const firstSeenAt =
      joinerRank >= 0
        ? at(addDaysYmd(weekMonday(1 + Math.floor((joinerRank * (plan.weeks - 1)) / plan.joiners)), rnd.int(0, 2)), rnd.int(9, 16))
        : windowStart - rnd.int(20, 200) * DAY - rnd.int(0, 8) * HOUR;
    const optedOut = i === optedOutIndex;
    return {
      userId: `U0DEMO${String(i + 1).padStart(2, '0')}`,
      name: p.name,
      timeZone: p.timeZone,
      role: p.role,
      roleKey: normaliseSkillName(p.role).key,
      firstSeenAt,
      propensity: rnd.next() * 0.3 - 0.15,
      optedOut,
      // Took part in the first weeks, then opted out: their rows stay, nothing new after.
      leftProgrammeAt: optedOut ? at(weekMonday(Math.floor(plan.weeks / 2)), 11) : null,
      matchingOptIn: !optedOut && (i === 0 || rnd.chance(0.75)),
      pausedUntil: i === pausedIndex ? now + 10 * DAY : null,
      pausedSince: i === pausedIndex ? now - 10 * DAY : null,
    };
  });
  const byId = new Map(people.map((p) => [p.userId, p]));
  const activeAt = (p: Person, t: number) => p.firstSeenAt <= t - DAY && (p.leftProgrammeAt === null || t < p.leftProgrammeAt);
  const core = people.slice(0, people.length - plan.joiners);

  // --- Skills: who teaches, who learns, who learned (before the pilot: the baseline; during it).
  const skillRows: MemberSkillRow[] = [];
  const teaches = new Map<string, Set<string>>(); // userId -> skill names
  const learns = new Map<string, Set<string>>();
  const teachersOf = new Map<string, Person[]>();
  const scaled = (n: number, min = 0) => Math.max(min, Math.round(n * plan.scale));
  const keys = new Map<string, string>();
  const keyOf = (name: string) => {
    let key = keys.get(name);
    if (key === undefined) keys.set(name, (key = normaliseSkillName(name).key));
    return key;
  };
  const add = (map: Map<string, Set<string>>, userId: string, skill: string) => {
    const set = map.get(userId) ?? new Set<string>();
    set.add(skill);
    map.set(userId, set);
  };
  const has = (map: Map<string, Set<string>>, userId: string, skill: string) => map.get(userId)?.has(skill) === true;
  const capped = (t: number) => Math.min(t, now - HOUR);

  for (const skill of DEMO_SKILLS) {
    const teachers = rnd
      .shuffle(people)
      .filter((p) => (teaches.get(p.userId)?.size ?? 0) < 3)
      .slice(0, scaled(skill.teachers, 1));
    for (const p of teachers) {
      add(teaches, p.userId, skill.name);
      teachersOf.set(skill.name, [...(teachersOf.get(skill.name) ?? []), p]);
      const added = capped(p.firstSeenAt + rnd.int(0, core.includes(p) ? 14 : 2) * DAY + rnd.int(0, 8) * HOUR);
      skillRows.push({ teamId, userId: p.userId, skillKey: keyOf(skill.name), kind: 'teach', startedAt: added, addedAt: added });
    }
  }
  const canLearn = (p: Person, skill: string) => !has(teaches, p.userId, skill) && !has(learns, p.userId, skill) && (learns.get(p.userId)?.size ?? 0) < 4;
  const teacherFor = (skill: string, learner: Person, t: number) => rnd.shuffle((teachersOf.get(skill) ?? []).filter((p) => p !== learner && p.firstSeenAt < t));

  // Learned during the pilot: spread over the weeks, the later weeks a little busier.
  const during: { skill: DemoSkill; person: Person }[] = [];
  for (const skill of DEMO_SKILLS) {
    for (const p of rnd.shuffle(core).filter((c) => canLearn(c, skill.name) && !c.optedOut).slice(0, scaled(skill.learnedDuring))) {
      add(learns, p.userId, skill.name);
      during.push({ skill, person: p });
    }
  }
  rnd.shuffle(during).forEach(({ skill, person }, i) => {
    const w = plan.weeks - 1 - (i % plan.weeks);
    const progress = progressOf(w);
    const completedAt = at(addDaysYmd(weekMonday(w), rnd.int(0, 4)), rnd.int(9, 17), rnd.pick([0, 15, 30, 45]));
    // Faster as the pilot goes on: about 44 days at the start, 36 by the end (baseline about 50).
    const days = Math.round(clamp(rnd.normal(44 - 8 * progress, 7), 14, 75));
    const startedAt = at(addDaysYmd(localDateYmd(completedAt, zone), -days), 0);
    const teacher = rnd.chance(0.85) ? teacherFor(skill.name, person, completedAt)[0] : undefined;
    const confirmedAt = teacher !== undefined && rnd.chance(0.8) ? completedAt + rnd.int(1, 40) * HOUR : null;
    skillRows.push({
      teamId,
      userId: person.userId,
      skillKey: keyOf(skill.name),
      kind: 'learn',
      startedAt,
      addedAt: Math.max(startedAt, person.firstSeenAt),
      completedAt,
      taughtBy: teacher?.userId ?? null,
      taughtConfirmedAt: confirmedAt !== null && confirmedAt < now ? confirmedAt : null,
    });
  });
  // Learned before the pilot: the computed baseline (competencyBaselineBefore = the first week).
  for (const skill of DEMO_SKILLS) {
    for (const p of rnd.shuffle(core).filter((c) => canLearn(c, skill.name)).slice(0, scaled(skill.learnedBefore))) {
      add(learns, p.userId, skill.name);
      const completedAt = windowStart - rnd.int(3, 150) * DAY - rnd.int(1, 8) * HOUR;
      const days = Math.round(clamp(rnd.normal(50, 14), 25, 95));
      const startedAt = completedAt - days * DAY;
      const teacher = rnd.chance(0.6) ? teacherFor(skill.name, p, completedAt)[0] : undefined;
      skillRows.push({
        teamId,
        userId: p.userId,
        skillKey: keyOf(skill.name),
        kind: 'learn',
        startedAt,
        addedAt: startedAt,
        completedAt,
        taughtBy: teacher?.userId ?? null,
        taughtConfirmedAt: teacher !== undefined ? completedAt + rnd.int(2, 30) * HOUR : null,
      });
    }
  }
  // Still learning: the demand side of the skill gaps.
  for (const skill of DEMO_SKILLS) {
    for (const p of rnd.shuffle(people).filter((c) => canLearn(c, skill.name)).slice(0, scaled(skill.learners))) {
      add(learns, p.userId, skill.name);
      const startedAt = capped(Math.max(p.firstSeenAt + rnd.int(0, 3) * DAY, now - rnd.int(10, 120) * DAY));
      skillRows.push({ teamId, userId: p.userId, skillKey: keyOf(skill.name), kind: 'learn', startedAt, addedAt: startedAt });
    }
  }
  // One change of mind: a skill put on the learning list and taken off again.
  const changer = rnd.pick(core);
  const dropped = DEMO_SKILLS.find((s) => canLearn(changer, s.name));
  if (dropped !== undefined) {
    const startedAt = windowStart - rnd.int(5, 20) * DAY;
    skillRows.push({ teamId, userId: changer.userId, skillKey: keyOf(dropped.name), kind: 'learn', startedAt, addedAt: startedAt, removedAt: startedAt + rnd.int(10, 25) * DAY });
  }

  // The catalogue: each skill as its first adder spelled it.
  const skillCatalogue = new Map<string, typeof skills.$inferInsert>();
  for (const row of [...skillRows].sort((a, b) => a.addedAt - b.addedAt)) {
    if (skillCatalogue.has(row.skillKey)) continue;
    const name = DEMO_SKILLS.find((s) => keyOf(s.name) === row.skillKey)?.name ?? row.skillKey;
    skillCatalogue.set(row.skillKey, { teamId, key: row.skillKey, name, createdBy: row.userId, createdAt: row.addedAt });
  }
  /** Open learners of a skill at `t` (started, not completed, not removed). */
  const learnRowsBySkill = new Map<string, MemberSkillRow[]>();
  for (const r of skillRows) if (r.kind === 'learn') learnRowsBySkill.set(r.skillKey, [...(learnRowsBySkill.get(r.skillKey) ?? []), r]);
  const learnersAt = (skill: string, t: number) => {
    return (learnRowsBySkill.get(keyOf(skill)) ?? []).filter((r) => r.startedAt <= t && (r.completedAt == null || r.completedAt > t) && (r.removedAt == null || r.removedAt > t)).map((r) => byId.get(r.userId)!);
  };

  // --- Sessions.
  const drafts: DraftSession[] = [];
  const hostCounts = new Map<string, number>();
  const leastHosted = (candidates: readonly Person[]): Person | undefined =>
    rnd
      .shuffle(candidates)
      .sort((a, b) => (hostCounts.get(a.userId) ?? 0) - (hostCounts.get(b.userId) ?? 0))[0];
  const roleCounts = new Map<string, number>();
  for (const p of people) roleCounts.set(p.role, (roleCounts.get(p.role) ?? 0) + 1);
  const podRole = [...roleCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  // A pod is a small stable cohort: the first six people of the biggest role.
  const podCohort = people.filter((p) => p.role === podRole).slice(0, 6);
  const deck: FormatId[] = [];
  const nextFormat = (): FormatId => {
    if (deck.length === 0) deck.push(...rnd.shuffle<FormatId>(['micro-lesson', 'lunch-and-learn', 'problem-clinic', 'peer-coaching', 'shadow-shift', 'skill-swap']));
    return deck.shift()!;
  };
  let waitlistShown = false;
  const usedTitles = new Set<string>();
  const freshTitles = (s: DemoSkill) => s.titles.filter((t) => !usedTitles.has(t));

  const build = (format: FormatId, startsAt: number, weekIndex: number, progress: number, status: 'held' | 'cancelled' | 'upcoming'): DraftSession | undefined => {
    const active = people.filter((p) => activeAt(p, startsAt));
    const withTeachers = DEMO_SKILLS.filter((s) => (teachersOf.get(s.name) ?? []).some((t) => activeAt(t, startsAt)));
    // Demand draws sessions; a skill whose titles were all given already rarely comes round again.
    const pickSkill = (from: readonly DemoSkill[]) => weightedPick(rnd, from, (s) => (1 + learnersAt(s.name, startsAt).length) * (freshTitles(s).length > 0 ? 1 : 0.1));
    const titleFor = (s: DemoSkill) => {
      const title = rnd.pick(freshTitles(s).length > 0 ? freshTitles(s) : s.titles);
      usedTitles.add(title);
      return title;
    };
    let title: string;
    let topic: string;
    let host: Person | undefined;
    let wanted: Person[] = [];
    let seats: number;
    let capacity: number | null = null;
    let durationMin = getFormat(format)!.defaultDurationMin;
    let link: string | null = `https://meet.example.com/${rnd.int(100, 999)}-${rnd.int(1000, 9999)}`;
    let seriesId: string | null = null;
    let popular = false;
    switch (format) {
      case 'micro-lesson':
      case 'lunch-and-learn':
      case 'problem-clinic': {
        const technical = format === 'problem-clinic' ? withTeachers.filter((s) => !COACHING_TOPICS.some((c) => c === s.name)) : withTeachers;
        const skill = pickSkill(technical.length > 0 ? technical : withTeachers);
        if (skill === undefined) return undefined;
        host = leastHosted((teachersOf.get(skill.name) ?? []).filter((t) => activeAt(t, startsAt)));
        topic = skill.name;
        wanted = learnersAt(skill.name, startsAt);
        if (format === 'micro-lesson') {
          title = titleFor(skill);
          durationMin = rnd.pick([10, 15, 15, 20]);
          seats = rnd.int(4, 8);
        } else if (format === 'lunch-and-learn') {
          title = `Lunch & learn: ${titleFor(skill)}`;
          durationMin = rnd.pick([45, 60]);
          seats = rnd.int(8, 11);
          link = `https://video.example.com/recordings/${keyOf(skill.name).replace(/\W+/g, '-')}-${rnd.int(10, 99)}`;
          if (!waitlistShown && status === 'held') {
            // The popular one: full, with a waitlist (and a seat that frees up).
            seats = 13;
            popular = true;
            waitlistShown = true;
          }
        } else {
          title = `${skill.name} problem clinic`;
          durationMin = rnd.pick([30, 45]);
          seats = rnd.int(3, 6);
        }
        break;
      }
      case 'peer-coaching': {
        const topics = withTeachers.filter((s) => COACHING_TOPICS.some((c) => c === s.name));
        const skill = pickSkill(topics.length > 0 ? topics : withTeachers);
        if (skill === undefined) return undefined;
        host = leastHosted((teachersOf.get(skill.name) ?? []).filter((t) => activeAt(t, startsAt)));
        topic = skill.name;
        title = `Peer coaching: ${skill.name.toLowerCase()}`;
        wanted = learnersAt(skill.name, startsAt);
        seats = rnd.int(2, 3);
        capacity = 4;
        break;
      }
      case 'shadow-shift': {
        host = leastHosted(active.filter((p) => SHADOW_ACTIVITIES[p.role] !== undefined));
        if (host === undefined) return undefined;
        const activity = SHADOW_ACTIVITIES[host.role]!;
        title = `Shadow ${host.name.split(' ')[0]} on ${activity}`;
        topic = host.role;
        wanted = active.filter((p) => p.role !== host!.role);
        durationMin = rnd.pick([60, 90, 120]);
        seats = rnd.int(1, 2);
        capacity = 2;
        link = null;
        break;
      }
      case 'skill-swap': {
        // Two people who each teach what the other wants to learn (or at least one way).
        const pairs: { a: Person; b: Person; give: string; take: string | undefined }[] = [];
        for (const a of active) {
          for (const give of teaches.get(a.userId) ?? []) {
            for (const b of learnersAt(give, startsAt)) {
              if (b === a || !activeAt(b, startsAt)) continue;
              const take = [...(teaches.get(b.userId) ?? [])].find((s) => learnersAt(s, startsAt).includes(a));
              pairs.push({ a, b, give, take });
            }
          }
        }
        const mutual = pairs.filter((p) => p.take !== undefined);
        const fewest = (list: typeof pairs) => {
          const min = Math.min(...list.map((p) => hostCounts.get(p.a.userId) ?? 0));
          return rnd.pick(list.filter((p) => (hostCounts.get(p.a.userId) ?? 0) === min));
        };
        if (pairs.length === 0) return undefined;
        const pair = fewest(mutual.length > 0 ? mutual : pairs);
        host = pair.a;
        wanted = [pair.b];
        title = pair.take === undefined ? `Skill swap: ${pair.give} with ${pair.b.name.split(' ')[0]}` : `Skill swap: ${pair.give} ↔ ${pair.take}`;
        topic = pair.take === undefined ? pair.give : `${pair.give}, ${pair.take}`;
        seats = 1;
        capacity = 1;
        break;
      }
      case 'learning-pod': {
        const pod = podCohort.filter((p) => activeAt(p, startsAt));
        host = leastHosted(pod);
        title = `${podRole}s’ learning pod`;
        topic = `${podRole} pod`;
        wanted = pod;
        seats = pod.length - 1;
        seriesId = `demo-pod-${keyOf(podRole).replace(/\W+/g, '-')}`;
        break;
      }
    }
    if (host === undefined) return undefined;
    const chosenHost = host;
    hostCounts.set(chosenHost.userId, (hostCounts.get(chosenHost.userId) ?? 0) + 1);
    const createdAt = startsAt - rnd.int(3, 10) * DAY - rnd.int(0, 8) * HOUR;
    const others = rnd.shuffle(active.filter((p) => p !== chosenHost));
    const interested = rnd.shuffle(wanted.filter((p) => p !== chosenHost && activeAt(p, startsAt)));
    const invitees = [...new Set([...interested, ...(format === 'skill-swap' ? [] : others)])].slice(0, seats);
    if (popular) capacity = Math.min(10, invitees.length - 2);
    const joinedUntil = status === 'upcoming' ? Math.min(now, startsAt) : startsAt;
    const joinTimes = invitees.map(() => createdAt + Math.floor(rnd.next() * (joinedUntil - createdAt - HOUR))).sort((a, b) => a - b);
    const rows: DraftSession['people'] = [{ userId: chosenHost.userId, role: 'host', joinedAt: createdAt, attended: 'unknown', waitlisted: false }];
    invitees.forEach((p, i) => {
      rows.push({ userId: p.userId, role: 'attendee', joinedAt: joinTimes[i]!, attended: 'unknown', waitlisted: capacity !== null && i >= capacity });
    });
    // Someone drops out before the start; with a waitlist, the first waiting takes the seat.
    const seated = rows.filter((r) => r.role === 'attendee' && !r.waitlisted);
    for (const r of seated) {
      const leaves = status !== 'upcoming' && seated.length > 1 && ((popular && r === seated[0]) || rnd.chance(0.05));
      if (!leaves) continue;
      r.leftAt = Math.max(r.joinedAt + HOUR, startsAt - rnd.int(2, 30) * HOUR);
      const promoted = rows.find((x) => x.waitlisted);
      if (promoted !== undefined) promoted.waitlisted = false;
    }
    const row: DraftSession['row'] = {
      teamId,
      title,
      format,
      topic,
      hostId: chosenHost.userId,
      creatorId: rnd.chance(0.9) ? chosenHost.userId : people[0]!.userId,
      startsAt,
      durationMin,
      capacity,
      channelId: DEMO_CHANNELS.learning.id,
      announcementTs: slackTs(createdAt + 2_000, drafts.length),
      agenda: getFormat(format)!.agendaTemplate,
      link,
      status: status === 'cancelled' ? 'cancelled' : 'scheduled',
      cancelReason: status === 'cancelled' ? rnd.pick(CANCEL_REASONS) : null,
      seriesId,
      sequence: 0,
      createdAt,
      updatedAt: status === 'cancelled' ? startsAt - rnd.int(20, 40) * HOUR : createdAt,
    };
    return { row, hostId: chosenHost.userId, people: rows, weekIndex, progress };
  };

  /** Weekday slots: Tuesday to Thursday mostly, working hours in Berlin (mornings in New York for the afternoon ones). */
  const slot = (ymdMonday: string, format: FormatId, used: Set<string>): number => {
    for (;;) {
      const day = rnd.pick([0, 1, 1, 2, 2, 2, 3, 3, 4]);
      const hour = format === 'lunch-and-learn' ? 12 : format === 'learning-pod' ? 13 : rnd.pick([10, 11, 14, 15, 16]);
      const key = `${day}:${hour}`;
      if (used.has(key)) continue;
      used.add(key);
      return at(addDaysYmd(ymdMonday, day), hour, format === 'learning-pod' ? 30 : rnd.pick([0, 0, 30]));
    }
  };

  for (let w = 0; w < plan.weeks; w += 1) {
    const used = new Set<string>();
    const progress = progressOf(w);
    const isPodWeek = (plan.weeks - 1 - w) % 2 === 0;
    const formats: FormatId[] = isPodWeek ? ['learning-pod'] : [];
    while (formats.length < plan.perWeek[w]!) formats.push(nextFormat());
    for (const format of formats) {
      const draft = build(format, slot(weekMonday(w), format, used), w, progress, 'held');
      if (draft !== undefined) drafts.push(draft);
    }
  }
  // The last full week also had a session that was called off.
  const cancelled = build(rnd.pick<FormatId>(['micro-lesson', 'problem-clinic']), slot(weekMonday(plan.weeks - 1), 'micro-lesson', new Set(['4:10', '4:11', '4:14', '4:15', '4:16'])), plan.weeks - 1, 1, 'cancelled');
  if (cancelled !== undefined) drafts.push(cancelled);
  // Next week's sessions, booked already.
  const days = rnd.shuffle([1, 2, 3, 4]).slice(0, plan.upcoming).sort();
  const upcomingFormats: FormatId[] = ['lunch-and-learn', ...rnd.shuffle<FormatId>(['micro-lesson', 'problem-clinic', 'skill-swap', 'peer-coaching'])];
  days.forEach((d, i) => {
    const format = upcomingFormats[i % upcomingFormats.length]!;
    const startsAt = at(addDaysYmd(today, d), format === 'lunch-and-learn' ? 12 : rnd.pick([10, 11, 14, 15]));
    const draft = build(format, startsAt, plan.weeks, 1, 'upcoming');
    if (draft !== undefined) drafts.push(draft);
  });

  // Attendance: marked by the host after the session, except the few nobody marked.
  const unmarked = new Set<DraftSession>();
  for (const weeksAgo of plan.unmarkedWeeksAgo) {
    const candidates = drafts.filter((d) => d.weekIndex === plan.weeks - 1 - weeksAgo && d.row.status === 'scheduled' && d.row.format !== 'learning-pod' && d.row.format !== 'lunch-and-learn');
    if (candidates.length > 0) unmarked.add(rnd.pick(candidates));
  }
  // Each week's rate is set first (about 40% in the first week, 76% in the last, a little noise),
  // so the chart tells the pilot's story; who comes within the week leans on each person's habits
  // and the format (a skill swap or a shadow shift is rarely skipped, a lunch talk more often).
  const formatLean: Partial<Record<FormatId, number>> = { 'lunch-and-learn': -0.15, 'skill-swap': 0.3, 'peer-coaching': 0.15, 'shadow-shift': 0.3, 'learning-pod': 0.1 };
  for (let w = 0; w < plan.weeks; w += 1) {
    const marked = drafts.filter((d) => d.weekIndex === w && d.row.status === 'scheduled' && d.row.startsAt < now && !unmarked.has(d));
    const seated = marked.flatMap((d) =>
      d.people.filter((p) => p.role === 'attendee' && p.leftAt == null && !p.waitlisted).map((p) => ({ p, lean: byId.get(p.userId)!.propensity + (formatLean[d.row.format as FormatId] ?? 0) + rnd.normal(0, 0.2) })),
    );
    const rate = clamp(0.4 + 0.36 * progressOf(w) + rnd.normal(0, 0.02), 0.2, 0.9);
    const coming = new Set(
      [...seated]
        .sort((a, b) => b.lean - a.lean)
        .slice(0, Math.round(rate * seated.length))
        .map((x) => x.p),
    );
    for (const d of marked) {
      for (const p of d.people) {
        if (p.role === 'host') p.attended = 'yes';
        else if (p.leftAt == null && !p.waitlisted) p.attended = coming.has(p) ? 'yes' : 'no';
      }
    }
  }

  // Numbers in the order sessions were scheduled, as the app hands them out.
  drafts.sort((a, b) => a.row.createdAt - b.row.createdAt || a.row.startsAt - b.row.startsAt);
  const sessionRows: SessionRow[] = drafts.map((d, i) => ({ ...d.row, number: i + 1 }));
  const participantRows: ParticipantRow[] = drafts.flatMap((d, i) => d.people.map((p) => ({ ...p, teamId, sessionNumber: i + 1 })));

  // --- Polls and votes: after every session held, to the people who came (or were not marked absent).
  const pollRows: (typeof polls.$inferInsert)[] = [];
  const voteRows: VoteRow[] = [];
  let absentVoteShown = false;
  let comments = 0;
  drafts.forEach((d, i) => {
    const number = i + 1;
    const openedAt = d.row.startsAt + d.row.durationMin * MINUTE + POLL_OPEN_DELAY_MS;
    if (d.row.status === 'cancelled' || openedAt > now) return;
    const eligible = d.people.filter((p) => p.role === 'attendee' && p.leftAt == null && !p.waitlisted && p.attended !== 'no');
    if (eligible.length === 0) return;
    const closesAt = openedAt + POLL_OPEN_FOR_MS;
    pollRows.push({
      teamId,
      sessionNumber: number,
      question: DEFAULT_POLL_QUESTION,
      channelId: d.row.channelId,
      messageTs: slackTs(openedAt + 1_000, number),
      status: closesAt <= now ? 'closed' : 'open',
      openedAt,
      closesAt,
    });
    const quality = rnd.normal(0, 0.2);
    const lastVoteAt = Math.min(closesAt, now) - MINUTE;
    const vote = (userId: string) => {
      const value = Math.round(clamp(rnd.normal(3.7 + 0.5 * d.progress + quality, 0.85), 1, 5));
      const commented = rnd.chance(0.3);
      if (commented) comments += 1;
      const bank = value >= 4 ? DEMO_COMMENTS.good : value === 3 ? DEMO_COMMENTS.fine : DEMO_COMMENTS.poor;
      voteRows.push({
        teamId,
        sessionNumber: number,
        userId,
        value,
        comment: commented ? rnd.pick(bank) : null,
        // About half the comments may go into exports; the first two show one of each.
        commentShared: commented && (comments === 1 ? true : comments === 2 ? false : rnd.chance(0.5)),
        votedAt: Math.min(lastVoteAt, openedAt + rnd.int(5, 48 * 60) * MINUTE),
      });
    };
    for (const p of eligible) {
      if (rnd.chance(clamp(0.55 + 0.2 * d.progress + byId.get(p.userId)!.propensity / 2, 0.2, 0.95))) vote(p.userId);
    }
    // Voted from the channel, then the host marked them absent: the KPIs must not count it.
    const absent = d.people.find((p) => p.attended === 'no');
    if (!absentVoteShown && absent !== undefined && d.weekIndex === plan.weeks - 2) {
      vote(absent.userId);
      absentVoteShown = true;
    }
  });

  // --- Matching: skill swaps every other week, pods every fourth, with "Did you meet?" answers.
  const matchChannelRows: (typeof matchChannels.$inferInsert)[] = [];
  const roundRows: (typeof matchRounds.$inferInsert)[] = [];
  const roundPeopleRows: (typeof matchRoundPeople.$inferInsert)[] = [];
  const groupDrafts: { row: Omit<typeof matchGroups.$inferInsert, 'id'>; userIds: string[] }[] = [];
  const history: PastGroup[] = [];
  const channelsPlan: { id: string; mode: MatchMode; cadence: number; roles: readonly string[] | null }[] = [
    { id: DEMO_CHANNELS.swaps.id, mode: 'skill-swap', cadence: 2, roles: null },
    { id: DEMO_CHANNELS.pods.id, mode: 'pods', cadence: 4, roles: ['Backend engineer', 'Frontend engineer', 'Site reliability engineer'] },
  ];
  const roundWeeks = (cadence: number) => Array.from({ length: plan.weeks }, (_, w) => w).filter((w) => (plan.weeks - 1 - w) % cadence === 0);
  const skillNames = Object.fromEntries([...skillCatalogue.values()].map((s) => [s.key, s.name]));
  for (const channel of channelsPlan) {
    const weeks = roundWeeks(channel.cadence);
    const anchorDate = weekMonday(weeks[0]!);
    const setupAt = at(anchorDate, 9) - rnd.int(2, 5) * DAY;
    matchChannelRows.push({
      teamId,
      channelId: channel.id,
      mode: channel.mode,
      cadenceWeeks: channel.cadence,
      weekday: 1,
      hour: 10,
      repeatWeeks: REPEAT_WEEKS,
      anchorDate,
      active: true,
      createdBy: people[0]!.userId,
      createdAt: setupAt,
      updatedAt: setupAt,
    });
    for (const w of weeks) {
      const roundDate = weekMonday(w);
      const roundAt = at(roundDate, 10);
      const inChannel = people.filter(
        (p) => p.matchingOptIn && activeAt(p, roundAt) && (channel.roles === null || channel.roles.includes(p.role)) && !(p.pausedSince !== null && p.pausedSince <= roundAt),
      );
      const skipper = channel.mode === 'skill-swap' && inChannel.length > 4 && rnd.chance(0.7) ? rnd.pick(inChannel) : undefined;
      if (skipper !== undefined) {
        roundPeopleRows.push({ teamId, channelId: channel.id, roundDate, userId: skipper.userId, state: 'skipping', reason: 'chosen', at: roundAt - rnd.int(2, 30) * HOUR });
      }
      const matchable: MatchPerson[] = inChannel
        .filter((p) => p !== skipper)
        .map((p) => ({
          userId: p.userId,
          teach: skillRows.filter((r) => r.userId === p.userId && r.kind === 'teach' && r.addedAt <= roundAt && r.removedAt == null).map((r) => r.skillKey),
          learn: skillRows
            .filter((r) => r.userId === p.userId && r.kind === 'learn' && r.startedAt <= roundAt && (r.completedAt == null || r.completedAt > roundAt) && (r.removedAt == null || r.removedAt > roundAt))
            .map((r) => r.skillKey),
          roleKey: p.roleKey,
          timeZone: p.timeZone,
        }));
      const result = matchPeople({ mode: channel.mode, people: matchable, history, repeatWindowMs: REPEAT_WEEKS * 7 * DAY, at: roundAt, seed: `${teamId}:${channel.id}:${roundDate}` });
      const progress = progressOf(w);
      const checkinAt = roundAt + CHECKIN_DELAY_MS;
      result.groups.forEach((group, index) => {
        history.push({ userIds: group.userIds, at: roundAt });
        const reason: MatchReason = {
          mode: channel.mode,
          exchanges: group.exchanges.map((e) => ({ teacher: e.teacher, learner: e.learner, skillKey: e.skillKey })),
          skills: Object.fromEntries(group.exchanges.map((e) => [e.skillKey, skillNames[e.skillKey] ?? e.skillKey])),
          roleKey: group.roleKey,
          role: group.roleKey === null ? null : (people.find((p) => p.roleKey === group.roleKey)?.role ?? null),
          sharedMinutes: group.sharedMinutes,
        };
        const asked = checkinAt < now;
        const r = rnd.next();
        const metChance = 0.4 + 0.25 * progress;
        const outcome = !asked ? null : r < metChance ? 'met' : r < metChance + 0.12 ? 'scheduled' : r < metChance + 0.25 ? 'not_this_time' : null;
        const outcomeAt = outcome === null ? null : Math.min(now - MINUTE, checkinAt + rnd.int(1, 48) * HOUR);
        groupDrafts.push({
          userIds: group.userIds,
          row: {
            teamId,
            channelId: channel.id,
            roundDate,
            groupIndex: index,
            score: group.score,
            reason: JSON.stringify(reason),
            conversationId: `G0DEMO${channel.mode === 'pods' ? 'P' : 'S'}${roundDate.replaceAll('-', '')}${String(index).padStart(2, '0')}`,
            introTs: slackTs(roundAt + 5_000, index),
            checkinTs: asked ? slackTs(checkinAt, index) : null,
            createdAt: roundAt,
            outcome,
            outcomeBy: outcome === null ? null : rnd.pick(group.userIds),
            outcomeAt,
          },
        });
      });
      for (const u of result.unmatched) roundPeopleRows.push({ teamId, channelId: channel.id, roundDate, userId: u.userId, state: 'sat_out', reason: u.reason, at: roundAt });
      roundRows.push({ teamId, channelId: channel.id, roundDate, status: 'done', startedAt: roundAt, finishedAt: roundAt + 2_000, summaryTs: slackTs(roundAt + 60_000, 0) });
    }
  }

  // --- Write it all, in one transaction.
  // A team of 40 aims higher than the default 4 sessions a month: 20 (about 5 a week), which the
  // first weeks miss and the later ones meet, so the sessions chart has a target worth the line.
  const settings = WorkspaceSettings.parse({ digestChannelId: DEMO_CHANNELS.learning.id, competencyBaselineBefore: weekMonday(0), sessionsPerMonthTarget: 20 });
  const createdAt = Math.min(...people.map((p) => p.firstSeenAt)) - DAY;
  db.transaction((tx) => {
    tx.insert(workspaces)
      .values({
        teamId,
        name: DEMO_TEAM_NAME,
        timeZone: zone,
        settings: JSON.stringify({ digestChannelId: settings.digestChannelId, competencyBaselineBefore: settings.competencyBaselineBefore, sessionsPerMonthTarget: settings.sessionsPerMonthTarget }),
        nextSessionNumber: sessionRows.length + 1,
        createdAt,
        updatedAt: createdAt,
      })
      .run();
    insertAll(tx, members, people.map((p, i) => ({
      teamId,
      userId: p.userId,
      name: p.name,
      timeZone: p.timeZone,
      isSlackAdmin: i === 0,
      optedOut: p.optedOut,
      firstSeenAt: p.firstSeenAt,
      profileFetchedAt: now - (i + 1) * HOUR,
    })));
    insertAll(tx, profiles, people.map((p) => ({
      teamId,
      userId: p.userId,
      role: p.role,
      roleKey: p.roleKey,
      matchingOptIn: p.matchingOptIn,
      pausedUntil: p.pausedUntil,
      pauseReason: p.pausedUntil === null ? null : 'chosen',
      createdAt: p.firstSeenAt + HOUR,
      updatedAt: p.pausedSince ?? p.firstSeenAt + HOUR,
    })));
    insertAll(tx, skills, [...skillCatalogue.values()]);
    insertAll(tx, memberSkills, [...skillRows].sort((a, b) => a.addedAt - b.addedAt));
    insertAll(tx, sessions, sessionRows);
    insertAll(tx, participants, participantRows);
    insertAll(tx, polls, pollRows);
    insertAll(tx, pollVotes, voteRows);
    insertAll(tx, matchChannels, matchChannelRows);
    insertAll(tx, matchRounds, roundRows);
    insertAll(tx, matchRoundPeople, roundPeopleRows);
    for (const g of groupDrafts) {
      const { id } = tx.insert(matchGroups).values(g.row).returning({ id: matchGroups.id }).get();
      insertAll(tx, matchGroupMembers, g.userIds.map((userId) => ({ teamId, groupId: id, userId })));
    }
  });

  return {
    teamId,
    teamName: DEMO_TEAM_NAME,
    timeZone: zone,
    digestChannelId: DEMO_CHANNELS.learning.id,
    userNames: Object.fromEntries(people.map((p) => [p.userId, p.name])),
    channelNames: Object.fromEntries(Object.values(DEMO_CHANNELS).map((c) => [c.id, c.name])),
    weeks: plan.weeks,
    firstWeekStart: weekMonday(0),
    lastWeekStart: weekMonday(plan.weeks - 1),
    people: people.length,
    sessionsHeld: sessionRows.filter((s) => s.status === 'scheduled' && s.startsAt < now).length,
    sessionsCancelled: sessionRows.filter((s) => s.status === 'cancelled').length,
    sessionsUpcoming: sessionRows.filter((s) => s.status === 'scheduled' && s.startsAt >= now).length,
    votes: voteRows.length,
    competencies: skillRows.filter((r) => r.completedAt != null).length,
    matchGroups: groupDrafts.length,
  };
}

// SQLite caps the bound parameters of one statement; rows go in slices well under it.
const ROWS_PER_INSERT = 200;

/** Inserts rows in slices; a no-op for none. */
function insertAll<T extends Parameters<Db['insert']>[0]>(tx: Pick<Db, 'insert'>, table: T, rows: T['$inferInsert'][]): void {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) tx.insert(table).values(rows.slice(i, i + ROWS_PER_INSERT)).run();
}

function weightedPick<T>(rnd: Random, items: readonly T[], weight: (item: T) => number): T | undefined {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = rnd.next() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items.at(-1);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A message timestamp the way Slack writes one ("1700000000.000100"), unique enough within the demo. */
function slackTs(ms: number, n: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + (n % 1000)).padStart(6, '0')}`;
}
