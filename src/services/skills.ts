import { and, asc, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { memberSkills, profiles, skills } from '../db/schema.js';
import { AppError } from '../errors.js';
import { isRootDb, preparedPerDb } from '../db/prepared.js';
import { inTransaction, type ServiceDeps } from './context.js';
import { defineJobKind, scheduleJob } from './jobs.js';
import { addDaysYmd, localDateYmd, startOfLocalDay } from './time.js';

/**
 * Skills profiles and learning progress: what a person can teach and wants to learn (history
 * rows in member_skills, never rewritten), their role, whether they take part in matching, and
 * the "I learned it" step with its teacher's confirmation. Time-to-competency is computed from
 * these rows (completedAt - startedAt), so every change is a new fact, not an overwrite.
 */

/** Limits a person meets in the profile modal (README "Skills and matching" lists them). */
export const SKILL_NAME_MAX = 60;
export const SKILLS_PER_KIND_MAX = 20;
export const ROLE_MAX = 80;
/** A learning start date may go back this far (the KPI compares against a baseline, not ancient history). */
export const START_BACK_DAYS = 365;
/** A pause may run this far ahead; longer than that is "don't match me". */
export const PAUSE_AHEAD_DAYS = 365;

const DAY_MS = 86_400_000;

export type SkillKind = 'teach' | 'learn';

// ---------------------------------------------------------------------------------------------
// Normalisation

/**
 * Letters that are "the same letter" to a reader but have no Unicode decomposition, so stripping
 * accents after NFD leaves them: folded by hand after lower-casing (ß also covers ẞ and "SS").
 */
const FOLD: Record<string, string> = { ß: 'ss', ł: 'l', ø: 'o', đ: 'd', ð: 'd', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th' };

/**
 * One name, two forms: `display` is what the person typed, tidied (NFKC, invisible format and
 * control characters such as a zero-width space or a soft hyphen removed, trimmed, inner
 * whitespace collapsed to one space); `key` is what names are compared by (display, lower-cased,
 * stripped of accents, and ß ł ø đ æ œ ı þ folded), so "SQL", " sql ", "Sql" are one skill, and so
 * are "Séquel" and "Sequel", "Straße" and "STRASSE", "Łódź" and "Lodz". The workspace keeps the
 * first display spelling for each key.
 */
export function normaliseSkillName(raw: string): { key: string; display: string } {
  const display = raw
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .replace(/[\p{Cf}\p{Cc}]+/gu, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const key = display
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßłøđðæœıþ]/gu, (c) => FOLD[c] ?? c)
    .normalize('NFC');
  return { key, display };
}

/**
 * The key a stored row would get today. Keys are stored, and rows saved before a change to
 * normaliseSkillName keep their old key: comparing by this instead means re-saving an unchanged
 * profile is still no change (no removed-and-re-added row, no learning start date reset).
 */
const currentKey = (row: { name: string }) => normaliseSkillName(row.name).key;

const charCount = (text: string) => Array.from(text).length;

/** A short quote of what someone typed, for messages (never the whole 300 characters). */
function quote(text: string, max = 30): string {
  const chars = Array.from(text);
  return `“${chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text}”`;
}

export type NameCheck = { ok: true; key: string; display: string } | { ok: false; message: string };

/**
 * The value of the type-ahead option that explains a too-long name: `!too_long:<length>`. The
 * option cannot carry the name itself (values are cut at 150 characters), so saving it maps the
 * marker back to the very text the option showed.
 */
export const TOO_LONG_PREFIX = '!too_long:';
const TooLongValue = z.string().regex(/^!too_long:(\d{1,6})$/).transform((v) => Number(v.slice(TOO_LONG_PREFIX.length)));

/** What the type-ahead option says, and what saving that option answers. */
export function tooLongText(what: 'skill names' | 'roles', max: number, length: number): string {
  return `Too long: ${what} up to ${max} characters (this has ${length})`;
}

/** The "too long" option's text for a saved marker value, or undefined when it is not one. */
function tooLongMarker(raw: string, what: 'skill names' | 'roles', max: number): string | undefined {
  const length = TooLongValue.safeParse(raw);
  return length.success ? `${tooLongText(what, max, length.data)}. Type a shorter one.` : undefined;
}

/** A skill name as typed -> its normalised forms, or the specific reason it cannot be one. */
export function checkSkillName(raw: string): NameCheck {
  const marker = tooLongMarker(raw, 'skill names', SKILL_NAME_MAX);
  if (marker !== undefined) return { ok: false, message: marker };
  const { key, display } = normaliseSkillName(raw);
  if (key === '') return { ok: false, message: 'A skill needs a name: this one is empty.' };
  const length = charCount(display);
  if (length > SKILL_NAME_MAX) return { ok: false, message: `${quote(display)} is ${length} characters; skill names can be up to ${SKILL_NAME_MAX}.` };
  return { ok: true, key, display };
}

// ---------------------------------------------------------------------------------------------
// Known skills and roles (type-ahead)

export interface KnownSkill {
  key: string;
  name: string;
  /** People with it on an active teach or learn row: how the type-ahead ranks it. */
  people: number;
  /** Of those, how many teach it and how many are learning it (what the type-ahead shows). */
  teaching: number;
  learning: number;
}

/** `%` and `_` typed into a search are letters, not wildcards. */
function likeContains(key: string): string {
  return `%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The workspace's skills, for the type-ahead and for the matcher: names containing `query`
 * (compared as keys, so case and accents do not matter), names starting with it first, then the
 * most used. Without a query, the most used.
 */
export function listKnownSkills(deps: ServiceDeps, teamId: string, options: { query?: string; limit?: number } = {}): KnownSkill[] {
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const key = normaliseSkillName(options.query ?? '').key;
  const people = sql<number>`(select count(distinct ${memberSkills.userId}) from ${memberSkills}
    where ${memberSkills.teamId} = ${skills.teamId} and ${memberSkills.skillKey} = ${skills.key}
      and ${memberSkills.removedAt} is null and ${memberSkills.completedAt} is null)`;
  const ofKind = (kind: SkillKind) => sql<number>`(select count(distinct ${memberSkills.userId}) from ${memberSkills}
    where ${memberSkills.teamId} = ${skills.teamId} and ${memberSkills.skillKey} = ${skills.key} and ${memberSkills.kind} = ${kind}
      and ${memberSkills.removedAt} is null and ${memberSkills.completedAt} is null)`;
  const where = key === '' ? eq(skills.teamId, teamId) : and(eq(skills.teamId, teamId), sql`${skills.key} like ${likeContains(key)} escape '\\'`);
  // A bare number in ORDER BY means a column, so with no query the prefix rank is left out.
  const order = [desc(people), asc(skills.key)];
  // The exact skill first, so a long list of prefix matches never hides it (and "Add" for it).
  if (key !== '') order.unshift(sql`case when ${skills.key} = ${key} then 0 when substr(${skills.key}, 1, ${Array.from(key).length}) = ${key} then 1 else 2 end`);
  return deps.db
    .select({ key: skills.key, name: skills.name, people, teaching: ofKind('teach'), learning: ofKind('learn') })
    .from(skills)
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .all();
}

export interface KnownRole {
  key: string;
  name: string;
}

/** Roles or teams already used in the workspace, containing `query`, as first spelled. */
export function listKnownRoles(deps: ServiceDeps, teamId: string, options: { query?: string; limit?: number } = {}): KnownRole[] {
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const key = normaliseSkillName(options.query ?? '').key;
  const where = and(eq(profiles.teamId, teamId), isNotNull(profiles.roleKey), key === '' ? undefined : sql`${profiles.roleKey} like ${likeContains(key)} escape '\\'`);
  return deps.db
    .select({ key: sql<string>`${profiles.roleKey}`, name: sql<string>`min(${profiles.role})` })
    .from(profiles)
    .where(where)
    .groupBy(profiles.roleKey)
    .orderBy(desc(sql`count(*)`), asc(profiles.roleKey))
    .limit(limit)
    .all();
}

// ---------------------------------------------------------------------------------------------
// Reading a profile

export interface ActiveSkill {
  id: number;
  key: string;
  name: string;
  startedAt: number;
}

export interface LearnedSkill extends ActiveSkill {
  completedAt: number;
  taughtBy: string | null;
  taughtConfirmedAt: number | null;
}

export interface SkillsProfile {
  role: string | null;
  matchingOptIn: boolean;
  pausedUntil: number | null;
  pauseReason: 'chosen' | 'no_answers' | null;
  /** Whether a profile row exists (someone who never saved one sees an invitation instead). */
  saved: boolean;
  teach: ActiveSkill[];
  learn: ActiveSkill[];
  /** The most recently learned, newest first. */
  learned: LearnedSkill[];
}

export const LEARNED_SHOWN = 5;

const toActive = ({ id, key, name, startedAt }: ActiveSkill): ActiveSkill => ({ id, key, name, startedAt });

function skillRowsQuery(db: ServiceDeps['db'], teamId: unknown, userId: unknown, ...where: SQL[]) {
  return db
    .select({
      id: memberSkills.id,
      key: memberSkills.skillKey,
      name: skills.name,
      kind: memberSkills.kind,
      startedAt: memberSkills.startedAt,
      addedAt: memberSkills.addedAt,
      removedAt: memberSkills.removedAt,
      completedAt: memberSkills.completedAt,
      taughtBy: memberSkills.taughtBy,
      taughtConfirmedAt: memberSkills.taughtConfirmedAt,
    })
    .from(memberSkills)
    .innerJoin(skills, and(eq(skills.teamId, memberSkills.teamId), eq(skills.key, memberSkills.skillKey)))
    .where(and(eq(memberSkills.teamId, teamId as string), eq(memberSkills.userId, userId as string), ...where));
}

function skillRows(deps: ServiceDeps, teamId: string, userId: string, ...where: SQL[]) {
  return skillRowsQuery(deps.db, teamId, userId, ...where);
}

/** A person's skills of one kind still being taught or learned, oldest first (values or placeholders). */
function activeRowsQuery(db: ServiceDeps['db'], teamId: unknown, userId: unknown, kind: SkillKind) {
  return skillRowsQuery(db, teamId, userId, eq(memberSkills.kind, kind), isNull(memberSkills.removedAt), isNull(memberSkills.completedAt)).orderBy(
    asc(memberSkills.addedAt),
    asc(memberSkills.id),
  );
}

function activeRows(deps: ServiceDeps, teamId: string, userId: string, kind: SkillKind): ActiveSkill[] {
  return activeRowsQuery(deps.db, teamId, userId, kind).all().map(toActive);
}

/** The four reads of a profile, built for a team and person given as values or as placeholders. */
function profileQueries(db: ServiceDeps['db'], teamId: unknown, userId: unknown) {
  const active = (kind: SkillKind) => activeRowsQuery(db, teamId, userId, kind);
  return {
    profile: db
      .select()
      .from(profiles)
      .where(and(eq(profiles.teamId, teamId as string), eq(profiles.userId, userId as string))),
    learned: skillRowsQuery(db, teamId, userId, eq(memberSkills.kind, 'learn'), isNotNull(memberSkills.completedAt))
      .orderBy(desc(memberSkills.completedAt), desc(memberSkills.id))
      .limit(LEARNED_SHOWN),
    teach: active('teach'),
    learn: active('learn'),
  };
}

// App Home reads the profile after every Join, Leave and opt-out: prepared once per database.
const preparedProfileQueries = preparedPerDb((db) => {
  const q = profileQueries(db, sql.placeholder('teamId'), sql.placeholder('userId'));
  return { profile: q.profile.prepare(), learned: q.learned.prepare(), teach: q.teach.prepare(), learn: q.learn.prepare() };
});

function readProfileRows(deps: ServiceDeps, teamId: string, userId: string) {
  if (isRootDb(deps.db)) {
    const q = preparedProfileQueries(deps.db);
    const params = { teamId, userId };
    return { profile: q.profile.get(params), learned: q.learned.all(params), teach: q.teach.all(params), learn: q.learn.all(params) };
  }
  const q = profileQueries(deps.db, teamId, userId);
  return { profile: q.profile.get(), learned: q.learned.all(), teach: q.teach.all(), learn: q.learn.all() };
}

export function getSkillsProfile(deps: ServiceDeps, teamId: string, userId: string): SkillsProfile {
  const rows = readProfileRows(deps, teamId, userId);
  const profile = rows.profile;
  return {
    role: profile?.role ?? null,
    matchingOptIn: profile?.matchingOptIn ?? false,
    pausedUntil: profile?.pausedUntil ?? null,
    pauseReason: profile?.pauseReason ?? null,
    saved: profile !== undefined,
    teach: rows.teach.map(toActive),
    learn: rows.learn.map(toActive),
    learned: rows.learned.map((r) => ({ id: r.id, key: r.key, name: r.name, startedAt: r.startedAt, completedAt: r.completedAt!, taughtBy: r.taughtBy, taughtConfirmedAt: r.taughtConfirmedAt })),
  };
}

// ---------------------------------------------------------------------------------------------
// Dates in the person's zone

const Ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s));

/** "Tue 3 Nov 2026": a local date as people read it. */
export function formatYmd(ymd: string): string {
  const date = new Date(`${ymd}T00:00:00Z`);
  return date.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).replace(',', '');
}

/** Why a learning start date is refused, or undefined when it is fine. */
export function checkStartDate(ymd: string, zone: string, now: number): string | undefined {
  if (!Ymd.safeParse(ymd).success) return 'Pick a date.';
  const today = localDateYmd(now, zone);
  if (ymd > today) return `A start date can't be in the future (today is ${formatYmd(today)} in ${zone}).`;
  const earliest = addDaysYmd(today, -START_BACK_DAYS);
  if (ymd < earliest) return `A start date can go back up to a year, to ${formatYmd(earliest)}.`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Saving the profile

export type MatchingChoice = 'in' | 'pause' | 'out';

/** What the modal says, as plain data (the listener reads Slack's state into this). */
export interface ProfileForm {
  teach: string[];
  learn: string[];
  role: string | null;
  matching: MatchingChoice | null;
  pauseUntil: string | null;
}

export type ProfileField = 'teach' | 'learn' | 'role' | 'matching' | 'pauseUntil';

export interface ValidProfile {
  teach: { key: string; display: string }[];
  learn: { key: string; display: string }[];
  role: { key: string; display: string } | null;
  matchingOptIn: boolean;
  /** The day after the chosen date, at its start in the person's zone; null when not paused. */
  pausedUntil: number | null;
  /** Kept from the stored pause when the form left it as it was (a pause Peerloop set stays Peerloop's). */
  pauseReason: 'chosen' | 'no_answers' | null;
}

function checkSkillList(names: string[], kind: SkillKind): { ok: true; value: { key: string; display: string }[] } | { ok: false; message: string } {
  const what = kind === 'teach' ? 'skills you can teach' : 'skills you want to learn';
  if (names.length > SKILLS_PER_KIND_MAX) {
    return { ok: false, message: `You can list up to ${SKILLS_PER_KIND_MAX} ${what}; this has ${names.length}. Remove ${names.length - SKILLS_PER_KIND_MAX}.` };
  }
  const seen = new Map<string, string>();
  const value: { key: string; display: string }[] = [];
  for (const name of names) {
    const checked = checkSkillName(name);
    if (!checked.ok) return checked;
    const earlier = seen.get(checked.key);
    if (earlier !== undefined) {
      return {
        ok: false,
        message:
          earlier === checked.display
            ? `${quote(earlier)} is listed twice. Keep one.`
            : `${quote(earlier)} and ${quote(checked.display)} are the same skill (case, spaces and accents don't count). Keep one.`,
      };
    }
    seen.set(checked.key, checked.display);
    value.push({ key: checked.key, display: checked.display });
  }
  return { ok: true, value };
}

/** Every field checked; each problem is reported on its own field and nothing is saved. */
export function validateProfileForm(
  form: ProfileForm,
  zone: string,
  now: number,
  current: Pick<SkillsProfile, 'pausedUntil' | 'pauseReason'> = { pausedUntil: null, pauseReason: null },
): { ok: true; value: ValidProfile } | { ok: false; errors: Partial<Record<ProfileField, string>> } {
  const errors: Partial<Record<ProfileField, string>> = {};
  const teach = checkSkillList(form.teach, 'teach');
  if (!teach.ok) errors.teach = teach.message;
  const learn = checkSkillList(form.learn, 'learn');
  if (!learn.ok) errors.learn = learn.message;
  if (teach.ok && learn.ok) {
    const teachKeys = new Map(teach.value.map((s) => [s.key, s.display]));
    const both = learn.value.find((s) => teachKeys.has(s.key));
    if (both !== undefined) errors.learn = `${quote(both.display)} is in both lists. You can't teach and learn the same skill: keep it in one.`;
  }
  let role: ValidProfile['role'] = null;
  const roleMarker = form.role === null ? undefined : tooLongMarker(form.role, 'roles', ROLE_MAX);
  if (roleMarker !== undefined) errors.role = roleMarker;
  else if (form.role !== null) {
    const { key, display } = normaliseSkillName(form.role);
    const length = charCount(display);
    if (length > ROLE_MAX) errors.role = `A role or team can be up to ${ROLE_MAX} characters; this one has ${length}.`;
    else if (key !== '') role = { key, display };
  }
  if (form.matching === null) errors.matching = 'Choose whether to take part in matching.';
  let pausedUntil: number | null = null;
  let pauseReason: ValidProfile['pauseReason'] = null;
  const running = current.pausedUntil !== null && current.pausedUntil > now ? current.pausedUntil : null;
  // The pause as the form showed it (its last day, or no day for one that lasts until resumed) is
  // left exactly as stored: saving a new skill must not turn Peerloop's pause into a chosen one.
  const untouched = running !== null && (form.pauseUntil === null || form.pauseUntil === localDateYmd(running - DAY_MS / 2, zone));
  if (form.matching === 'pause' && untouched) {
    pausedUntil = running;
    pauseReason = current.pauseReason ?? 'chosen';
  } else if (form.matching === 'pause') {
    pauseReason = 'chosen';
    const today = localDateYmd(now, zone);
    if (form.pauseUntil === null || !Ymd.safeParse(form.pauseUntil).success) errors.pauseUntil = 'Pick the last day of your pause.';
    else if (form.pauseUntil < today) errors.pauseUntil = `${formatYmd(form.pauseUntil)} has passed. Pick today or a later day (today is ${formatYmd(today)} in ${zone}).`;
    else if (form.pauseUntil > addDaysYmd(today, PAUSE_AHEAD_DAYS)) errors.pauseUntil = `A pause can last up to a year. For longer, choose "Don't match me".`;
    else pausedUntil = startOfLocalDay(addDaysYmd(form.pauseUntil, 1), zone);
  }
  if (Object.keys(errors).length > 0 || !teach.ok || !learn.ok) return { ok: false, errors };
  return { ok: true, value: { teach: teach.value, learn: learn.value, role, matchingOptIn: form.matching !== 'out', pausedUntil, pauseReason: pausedUntil === null ? null : pauseReason } };
}

export interface ProfileChanges {
  added: { teach: string[]; learn: string[] };
  removed: { teach: string[]; learn: string[] };
}

/** The skills row for `key`, created with this spelling if the workspace has never seen it. */
function ensureSkill(deps: ServiceDeps, teamId: string, userId: string, skill: { key: string; display: string }, now: number): string {
  deps.db.insert(skills).values({ teamId, key: skill.key, name: skill.display, createdBy: userId, createdAt: now }).onConflictDoNothing().run();
  return deps.db.select({ name: skills.name }).from(skills).where(and(eq(skills.teamId, teamId), eq(skills.key, skill.key))).get()!.name;
}

/**
 * Saves a checked profile in one transaction: a skill no longer listed gets removedAt, a new
 * one a new row (a skill to learn starts today, at the start of the day in the person's zone),
 * an unchanged one is left alone. Saving the same form twice changes nothing the second time.
 */
export function saveSkillsProfile(deps: ServiceDeps, teamId: string, userId: string, profile: ValidProfile, zone: string): ProfileChanges {
  const now = deps.clock.now();
  const today = startOfLocalDay(localDateYmd(now, zone), zone);
  return deps.db.transaction(
    (tx) => {
      const t = inTransaction(deps, tx);
      const changes: ProfileChanges = { added: { teach: [], learn: [] }, removed: { teach: [], learn: [] } };
      for (const kind of ['teach', 'learn'] as const) {
        const wanted = profile[kind];
        const active = activeRows(t, teamId, userId, kind);
        const wantedKeys = new Set(wanted.map((s) => s.key));
        const activeKeys = new Set(active.map(currentKey));
        const gone = active.filter((s) => !wantedKeys.has(currentKey(s)));
        if (gone.length > 0) {
          t.db
            .update(memberSkills)
            .set({ removedAt: now })
            .where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.userId, userId), inArray(memberSkills.id, gone.map((s) => s.id))))
            .run();
          changes.removed[kind].push(...gone.map((s) => s.name));
        }
        for (const skill of wanted) {
          if (activeKeys.has(skill.key)) continue;
          const name = ensureSkill(t, teamId, userId, skill, now);
          t.db
            .insert(memberSkills)
            .values({ teamId, userId, skillKey: skill.key, kind, startedAt: kind === 'learn' ? today : now, addedAt: now })
            .run();
          changes.added[kind].push(name);
        }
      }
      // A role keeps the workspace's first spelling, as skills do, so pods group "Backend" and "backend" together.
      const role =
        profile.role === null
          ? null
          : (t.db
              .select({ role: profiles.role })
              .from(profiles)
              .where(and(eq(profiles.teamId, teamId), eq(profiles.roleKey, profile.role.key)))
              .orderBy(asc(profiles.createdAt))
              .limit(1)
              .get()?.role ?? profile.role.display);
      const fields = {
        role,
        roleKey: profile.role?.key ?? null,
        matchingOptIn: profile.matchingOptIn,
        pausedUntil: profile.pausedUntil,
        pauseReason: profile.pauseReason,
        updatedAt: now,
      };
      t.db
        .insert(profiles)
        .values({ teamId, userId, createdAt: now, ...fields })
        .onConflictDoUpdate({ target: [profiles.teamId, profiles.userId], set: fields })
        .run();
      return changes;
    },
    { behavior: 'immediate' },
  );
}

// ---------------------------------------------------------------------------------------------
// Learning start dates

/**
 * Sets the start dates of some of a person's active skills to learn. Only a date that differs
 * from the one the form showed is checked and written (a skill learned for over a year keeps
 * its true start); every changed date is checked first (errors by row id, nothing saved if any
 * is wrong), and a row that is not theirs, not active or not a skill to learn is refused as a whole.
 */
export function setLearningStartDates(
  deps: ServiceDeps,
  teamId: string,
  userId: string,
  dates: ReadonlyMap<number, string>,
  zone: string,
): { ok: true; changed: number } | { ok: false; errors: Map<number, string> } {
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      const t = inTransaction(deps, tx);
      const active = new Map(activeRows(t, teamId, userId, 'learn').map((r) => [r.id, r]));
      for (const id of dates.keys()) {
        if (!active.has(id)) throw new AppError('conflict', 'One of these skills is no longer on your learning list (it was learned or removed). Nothing was changed; open the form again.');
      }
      const changed = [...dates].filter(([id, ymd]) => ymd !== localDateYmd(active.get(id)!.startedAt, zone));
      const errors = new Map<number, string>();
      for (const [id, ymd] of changed) {
        const problem = checkStartDate(ymd, zone, now);
        if (problem !== undefined) errors.set(id, problem);
      }
      if (errors.size > 0) return { ok: false as const, errors };
      for (const [id, ymd] of changed) {
        t.db.update(memberSkills).set({ startedAt: startOfLocalDay(ymd, zone) }).where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.userId, userId), eq(memberSkills.id, id))).run();
      }
      return { ok: true as const, changed: changed.length };
    },
    { behavior: 'immediate' },
  );
}

// ---------------------------------------------------------------------------------------------
// "I learned it", and the teacher's confirmation

/** teach_confirm:<row>: the DM asking the named teacher to confirm, once per learned row. */
export const TeachConfirmPayload = z.object({
  rowId: z.number().int().positive(),
  learnerId: z.string().min(1),
  teacherId: z.string().min(1),
});
export type TeachConfirmPayload = z.infer<typeof TeachConfirmPayload>;
export const TEACH_CONFIRM_KIND = 'teach_confirm';
export const TeachConfirmJob = defineJobKind({ kind: TEACH_CONFIRM_KIND, payload: TeachConfirmPayload, key: (p: Pick<TeachConfirmPayload, 'rowId'>) => `teach_confirm:${p.rowId}` });

export type LearnLookup =
  | { status: 'active'; row: ActiveSkill }
  | { status: 'learned'; name: string; completedAt: number }
  /** On their "I can teach" list instead: nothing to learn. */
  | { status: 'teaching'; name: string }
  /** Was on the learning list and was taken off. */
  | { status: 'removed'; name: string; removedAt: number }
  | { status: 'not_listed'; display: string; learning: string[] };

/** `/peer learned <skill>`: which of the person's skills to learn the typed name means. */
export function findSkillToLearn(deps: ServiceDeps, teamId: string, userId: string, typed: string): LearnLookup {
  const { key, display } = normaliseSkillName(typed);
  const learning = activeRows(deps, teamId, userId, 'learn');
  const row = learning.find((r) => currentKey(r) === key);
  if (row !== undefined) return { status: 'active', row };
  const done = skillRows(deps, teamId, userId, eq(memberSkills.kind, 'learn'), eq(memberSkills.skillKey, key), isNotNull(memberSkills.completedAt))
    .orderBy(desc(memberSkills.completedAt))
    .limit(1)
    .get();
  if (done !== undefined) return { status: 'learned', name: done.name, completedAt: done.completedAt! };
  const teaching = activeRows(deps, teamId, userId, 'teach').find((r) => currentKey(r) === key);
  if (teaching !== undefined) return { status: 'teaching', name: teaching.name };
  const removed = skillRows(deps, teamId, userId, eq(memberSkills.kind, 'learn'), isNotNull(memberSkills.removedAt), isNull(memberSkills.completedAt))
    .orderBy(desc(memberSkills.removedAt), desc(memberSkills.id))
    .all()
    .find((r) => currentKey(r) === key);
  if (removed !== undefined) return { status: 'removed', name: removed.name, removedAt: removed.removedAt! };
  return { status: 'not_listed', display, learning: learning.map((r) => r.name) };
}

/** One active skill to learn of this person, by row id (from a Home button or a modal's metadata). */
export function getActiveLearnRow(deps: ServiceDeps, teamId: string, userId: string, rowId: number): ActiveSkill | undefined {
  return activeRows(deps, teamId, userId, 'learn').find((r) => r.id === rowId);
}

export interface CompleteInput {
  rowId: number;
  taughtBy: string | null;
  canTeachNow: boolean;
}

export type CompleteOutcome =
  | { status: 'completed'; name: string; teachAdded: boolean; confirmJob: boolean }
  | { status: 'already'; name: string; completedAt: number };

/**
 * Marks a skill learned: completedAt (and who taught it) on its learn row, a teach row when the
 * learner can teach it now, and the job that asks the teacher to confirm, all in one
 * transaction. The same submission twice is answered "already" and writes nothing.
 */
export function completeLearning(deps: ServiceDeps, teamId: string, userId: string, input: CompleteInput): CompleteOutcome {
  if (input.taughtBy === userId) throw new AppError('invalid_input', "Name the peer who taught you, not yourself (or leave it empty).", { field: 'taughtBy' });
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      const t = inTransaction(deps, tx);
      const row = skillRows(t, teamId, userId, eq(memberSkills.id, input.rowId), eq(memberSkills.kind, 'learn')).get();
      if (row === undefined) throw new AppError('not_found', "That skill isn't on your learning list. `/peer skills` shows your list.");
      if (row.completedAt !== null) return { status: 'already' as const, name: row.name, completedAt: row.completedAt };
      if (row.removedAt !== null) throw new AppError('conflict', `You removed ${quote(row.name)} from your learning list, so it can't be marked learned. Add it again with \`/peer skills\`.`);
      let teachAdded = false;
      if (input.canTeachNow) {
        const teaching = activeRows(t, teamId, userId, 'teach');
        if (!teaching.some((s) => s.key === row.key)) {
          if (teaching.length >= SKILLS_PER_KIND_MAX) {
            throw new AppError('invalid_input', `Your "I can teach" list is full (${SKILLS_PER_KIND_MAX}). Remove one with \`/peer skills\`, or untick this.`, { field: 'canTeachNow' });
          }
          t.db.insert(memberSkills).values({ teamId, userId, skillKey: row.key, kind: 'teach', startedAt: now, addedAt: now }).run();
          teachAdded = true;
        }
      }
      t.db
        .update(memberSkills)
        .set({ completedAt: now, taughtBy: input.taughtBy })
        .where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.id, row.id), isNull(memberSkills.completedAt)))
        .run();
      if (input.taughtBy !== null) {
        scheduleJob(t, { teamId, kind: TEACH_CONFIRM_KIND, key: TeachConfirmJob.key({ rowId: row.id }), runAt: now, payload: { rowId: row.id, learnerId: userId, teacherId: input.taughtBy } });
      }
      return { status: 'completed' as const, name: row.name, teachAdded, confirmJob: input.taughtBy !== null };
    },
    { behavior: 'immediate' },
  );
}

export interface TaughtRow {
  rowId: number;
  learnerId: string;
  teacherId: string | null;
  name: string;
  completedAt: number | null;
  taughtConfirmedAt: number | null;
}

/** A learned row by id, in this workspace only (what the confirm DM and its button are about). */
export function getTaughtRow(deps: ServiceDeps, teamId: string, rowId: number): TaughtRow | undefined {
  const row = deps.db
    .select({
      rowId: memberSkills.id,
      learnerId: memberSkills.userId,
      teacherId: memberSkills.taughtBy,
      name: skills.name,
      completedAt: memberSkills.completedAt,
      taughtConfirmedAt: memberSkills.taughtConfirmedAt,
      kind: memberSkills.kind,
    })
    .from(memberSkills)
    .innerJoin(skills, and(eq(skills.teamId, memberSkills.teamId), eq(skills.key, memberSkills.skillKey)))
    .where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.id, rowId)))
    .get();
  if (row === undefined || row.kind !== 'learn') return undefined;
  const { kind: _kind, ...rest } = row;
  return rest;
}

/** Just before the confirm DM goes out: is it still wanted? */
export function checkTeachConfirm(deps: ServiceDeps, teamId: string, payload: TeachConfirmPayload): { send: true; row: TaughtRow } | { send: false; reason: string } {
  const row = getTaughtRow(deps, teamId, payload.rowId);
  if (row === undefined) return { send: false, reason: 'row_deleted' };
  if (row.teacherId !== payload.teacherId || row.learnerId !== payload.learnerId) return { send: false, reason: 'superseded' };
  if (row.taughtConfirmedAt !== null) return { send: false, reason: 'already_confirmed' };
  return { send: true, row };
}

export type ConfirmOutcome = { status: 'confirmed' | 'already'; row: TaughtRow; confirmedAt: number };

/**
 * The named teacher confirms they taught the learner: taughtConfirmedAt is stamped once (a
 * conditional UPDATE, so two clicks at the same moment still stamp it once). Only the named
 * teacher may confirm, and only in the row's own workspace.
 */
export function confirmTaught(deps: ServiceDeps, teamId: string, actorId: string, rowId: number): ConfirmOutcome {
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      const t = inTransaction(deps, tx);
      const row = getTaughtRow(t, teamId, rowId);
      if (row === undefined || row.completedAt === null || row.teacherId === null) throw new AppError('not_found', "I can't find this learned skill any more, so there is nothing to confirm.");
      if (row.teacherId !== actorId) throw new AppError('forbidden', `Only <@${row.teacherId}>, who was named as the teacher, can confirm this.`);
      if (row.taughtConfirmedAt !== null) return { status: 'already' as const, row, confirmedAt: row.taughtConfirmedAt };
      t.db
        .update(memberSkills)
        .set({ taughtConfirmedAt: now })
        .where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.id, rowId), isNull(memberSkills.taughtConfirmedAt)))
        .run();
      return { status: 'confirmed' as const, row: { ...row, taughtConfirmedAt: now }, confirmedAt: now };
    },
    { behavior: 'immediate' },
  );
}
