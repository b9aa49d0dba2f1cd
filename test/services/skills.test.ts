import { and, eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { jobs, memberSkills, profiles, skills } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { checkSkillName, completeLearning, confirmTaught, getSkillsProfile, listKnownRoles, listKnownSkills, normaliseSkillName, saveSkillsProfile, setLearningStartDates, validateProfileForm, type ProfileForm, type ValidProfile } from '../../src/services/skills.js';
import { startOfLocalDay } from '../../src/services/time.js';
import { createWorkspace } from '../support/factories.js';

const handle = openDb(':memory:');
const clock = createSettableClock('2026-12-06T10:00:00Z');
const deps = { db: handle.db, clock, logger: createLogger('silent') };
afterAll(() => handle.close());

const TEAM = 'T0SVC';
const ZONE = 'Europe/Berlin';
const NOW = Date.parse('2026-12-06T10:00:00Z');

const form = (over: Partial<ProfileForm> = {}): ProfileForm => ({ teach: [], learn: [], role: null, matching: 'in', pauseUntil: null, ...over });

function valid(over: Partial<ProfileForm> = {}): ValidProfile {
  const checked = validateProfileForm(form(over), ZONE, clock.now());
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}

const rowsOf = (userId: string) =>
  handle.db.select().from(memberSkills).where(and(eq(memberSkills.teamId, TEAM), eq(memberSkills.userId, userId))).orderBy(memberSkills.id).all();

beforeEach(() => {
  clock.set(NOW);
  handle.sqlite.exec('DELETE FROM workspaces;');
  createWorkspace(handle.db, TEAM);
  createWorkspace(handle.db, 'T0OTHER');
});

describe('normaliseSkillName', () => {
  it('trims, collapses inner whitespace, and folds case and accents into the key only', () => {
    expect(normaliseSkillName('  Machine \t  Learning \n')).toEqual({ key: 'machine learning', display: 'Machine Learning' });
    for (const spelling of ['SQL', ' sql ', 'Sql', 'sQl']) expect(normaliseSkillName(spelling).key).toBe('sql');
    expect(normaliseSkillName('Séquel').key).toBe(normaliseSkillName('Sequel').key);
    expect(normaliseSkillName('Séquel').display).toBe('Séquel');
    // NFKC: full-width letters and ligatures are the plain ones.
    expect(normaliseSkillName('ＳＱＬ').key).toBe('sql');
    expect(normaliseSkillName('ﬁgma').key).toBe('figma');
    // Composed and decomposed accents are one key.
    expect(normaliseSkillName('Cafe\u0301').key).toBe(normaliseSkillName('Café').key);
  });

  it('folds case fully, letters without a decomposition, and drops invisible characters', () => {
    const same = (a: string, b: string) => expect(normaliseSkillName(a).key, `${a} / ${b}`).toBe(normaliseSkillName(b).key);
    same('Straße', 'STRASSE');
    same('STRAẞE', 'strasse');
    same('Łódź', 'Lodz');
    same('Ørsted', 'Orsted');
    same('Đorđe', 'Dorde');
    same('Þórr', 'Thorr');
    same('Æther', 'aether');
    same('Œuvre', 'oeuvre');
    same('Kıvanç', 'Kivanc');
    // A zero-width space, a soft hyphen, a BOM or a control character is not part of the name.
    for (const hidden of ['SQL\u200B', 'S\u00ADQL', '\uFEFFSQL', 'SQ\u0007L', 'S\u200DQL']) expect(normaliseSkillName(hidden)).toEqual({ key: 'sql', display: 'SQL' });
    expect(normaliseSkillName('Machine \u200B Learning').display).toBe('Machine Learning');
    expect(normaliseSkillName('Straße').display).toBe('Straße');
  });

  it('a row stored under an older key is still the same skill when the profile is saved again', () => {
    // Saved before ß was folded: key "straße". Saving the form unchanged removes and re-adds nothing.
    handle.db.insert(skills).values({ teamId: TEAM, key: 'straße', name: 'Straße', createdBy: 'U0A', createdAt: NOW }).run();
    handle.db.insert(memberSkills).values({ teamId: TEAM, userId: 'U0A', skillKey: 'straße', kind: 'learn', startedAt: NOW - 86_400_000 * 30, addedAt: NOW - 86_400_000 * 30 }).run();
    const before = rowsOf('U0A');
    const changes = saveSkillsProfile(deps, TEAM, 'U0A', valid({ learn: ['Straße'] }), ZONE);
    expect(changes).toEqual({ added: { teach: [], learn: [] }, removed: { teach: [], learn: [] } });
    expect(rowsOf('U0A')).toEqual(before);
  });

  it('checkSkillName refuses empty and over-long names with a specific message', () => {
    expect(checkSkillName('   ')).toEqual({ ok: false, message: expect.stringContaining('empty') });
    const long = checkSkillName('x'.repeat(300));
    expect(long.ok).toBe(false);
    expect(long.ok === false && long.message).toContain('300 characters; skill names can be up to 60');
    expect(checkSkillName('x'.repeat(60)).ok).toBe(true);
    // Characters, not UTF-16 units: 60 emoji fit.
    expect(checkSkillName('🎉'.repeat(60)).ok).toBe(true);
  });
});

describe('validateProfileForm', () => {
  it('refuses two spellings of one skill, naming both', () => {
    const checked = validateProfileForm(form({ teach: ['Sequel', 'Séquel'] }), ZONE, NOW);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors.teach).toBe('“Sequel” and “Séquel” are the same skill (case, spaces and accents don\'t count). Keep one.');
  });

  it('refuses more than 20 per list, a skill in both lists, a long role, a past pause and a pause without a date', () => {
    const many = validateProfileForm(form({ learn: Array.from({ length: 500 }, (_, i) => `skill ${i}`) }), ZONE, NOW);
    expect(!many.ok && many.errors.learn).toBe('You can list up to 20 skills you want to learn; this has 500. Remove 480.');
    const both = validateProfileForm(form({ teach: ['SQL'], learn: ['sql'] }), ZONE, NOW);
    expect(!both.ok && both.errors.learn).toContain('in both lists');
    const role = validateProfileForm(form({ role: 'r'.repeat(81) }), ZONE, NOW);
    expect(!role.ok && role.errors.role).toContain('up to 80 characters; this one has 81');
    const past = validateProfileForm(form({ matching: 'pause', pauseUntil: '2026-12-05' }), ZONE, NOW);
    expect(!past.ok && past.errors.pauseUntil).toContain('has passed');
    const none = validateProfileForm(form({ matching: 'pause', pauseUntil: null }), ZONE, NOW);
    expect(!none.ok && none.errors.pauseUntil).toBe('Pick the last day of your pause.');
    const far = validateProfileForm(form({ matching: 'pause', pauseUntil: '2028-01-01' }), ZONE, NOW);
    expect(!far.ok && far.errors.pauseUntil).toContain('up to a year');
  });

  it('a pause until today runs to the start of tomorrow in the person\'s zone', () => {
    const today = validateProfileForm(form({ matching: 'pause', pauseUntil: '2026-12-06' }), ZONE, NOW);
    expect(today.ok && today.value.pausedUntil).toBe(Date.parse('2026-12-06T23:00:00Z'));
  });
});

describe('saveSkillsProfile: a diff against the active rows, kept as history', () => {
  it('keeps the first spelling of a skill for the whole workspace', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['PostgreSQL'] }), ZONE);
    saveSkillsProfile(deps, TEAM, 'U0B', valid({ learn: ['  postgresql '] }), ZONE);
    expect(handle.db.select().from(skills).where(eq(skills.teamId, TEAM)).all()).toEqual([expect.objectContaining({ key: 'postgresql', name: 'PostgreSQL', createdBy: 'U0A' })]);
    expect(getSkillsProfile(deps, TEAM, 'U0B').learn.map((s) => s.name)).toEqual(['PostgreSQL']);
  });

  it('adds, leaves unchanged rows alone, stamps removals, and a re-add is a new row', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['Go'], learn: ['Rust', 'Figma'] }), ZONE);
    const first = rowsOf('U0A');
    expect(first).toHaveLength(3);
    // A learn row starts at the start of today in the person's zone (Berlin: 23:00 UTC the day before).
    expect(first.find((r) => r.skillKey === 'rust')!.startedAt).toBe(Date.parse('2026-12-05T23:00:00Z'));

    clock.set(NOW + 3_600_000);
    const changes = saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['Go'], learn: ['Figma'] }), ZONE);
    expect(changes).toEqual({ added: { teach: [], learn: [] }, removed: { teach: [], learn: ['Rust'] } });
    clock.set(NOW + 7_200_000);
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['Go'], learn: ['Figma', 'rust'] }), ZONE);

    const rows = rowsOf('U0A');
    expect(rows).toHaveLength(4);
    const rust = rows.filter((r) => r.skillKey === 'rust');
    expect(rust.map((r) => r.removedAt)).toEqual([NOW + 3_600_000, null]);
    // Unchanged rows were not rewritten.
    expect(rows.find((r) => r.skillKey === 'go')).toEqual(first.find((r) => r.skillKey === 'go'));
    expect(rows.find((r) => r.skillKey === 'figma')).toEqual(first.find((r) => r.skillKey === 'figma'));
  });

  it('saving the same form twice writes nothing the second time', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['Go'], learn: ['Rust'] }), ZONE);
    const before = rowsOf('U0A');
    const changes = saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['go'], learn: ['RUST'] }), ZONE);
    expect(changes).toEqual({ added: { teach: [], learn: [] }, removed: { teach: [], learn: [] } });
    expect(rowsOf('U0A')).toEqual(before);
  });

  it('a role keeps the first spelling of its key, and roles are listed for the type-ahead', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ role: 'Backend Engineer' }), ZONE);
    clock.set(NOW + 1000);
    saveSkillsProfile(deps, TEAM, 'U0B', valid({ role: 'backend  engineer' }), ZONE);
    const stored = handle.db.select({ role: profiles.role, key: profiles.roleKey }).from(profiles).where(eq(profiles.teamId, TEAM)).all();
    expect(stored).toEqual([
      { role: 'Backend Engineer', key: 'backend engineer' },
      { role: 'Backend Engineer', key: 'backend engineer' },
    ]);
    expect(listKnownRoles(deps, TEAM, { query: 'BACK' })).toEqual([{ key: 'backend engineer', name: 'Backend Engineer' }]);
    expect(listKnownRoles(deps, 'T0OTHER')).toEqual([]);
  });

  it('opt-in is off until chosen; a pause is stored as chosen', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ matching: 'out' }), ZONE);
    expect(getSkillsProfile(deps, TEAM, 'U0A')).toMatchObject({ matchingOptIn: false, pausedUntil: null, saved: true });
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ matching: 'pause', pauseUntil: '2026-12-20' }), ZONE);
    expect(getSkillsProfile(deps, TEAM, 'U0A')).toMatchObject({ matchingOptIn: true, pausedUntil: Date.parse('2026-12-20T23:00:00Z'), pauseReason: 'chosen' });
    expect(getSkillsProfile(deps, TEAM, 'U0NEW')).toMatchObject({ matchingOptIn: false, saved: false, teach: [], learn: [] });
  });
});

describe('listKnownSkills', () => {
  it('matches case- and accent-insensitively, prefix first, then the most used, and never another workspace', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: ['Séquel', 'NoSQL'] }), ZONE);
    saveSkillsProfile(deps, TEAM, 'U0B', valid({ learn: ['NoSQL', 'SQL'] }), ZONE);
    saveSkillsProfile(deps, 'T0OTHER', 'U0X', valid({ teach: ['SQL Server'] }), ZONE);
    expect(listKnownSkills(deps, TEAM, { query: 'sql' }).map((s) => s.name)).toEqual(['SQL', 'NoSQL']);
    expect(listKnownSkills(deps, TEAM, { query: 'SEQ' }).map((s) => s.name)).toEqual(['Séquel']);
    expect(listKnownSkills(deps, TEAM).map((s) => [s.name, s.people])).toEqual([
      ['NoSQL', 2],
      ['Séquel', 1],
      ['SQL', 1],
    ]);
    // The exact skill comes first even when other names start with it and are used more.
    saveSkillsProfile(deps, TEAM, 'U0C', valid({ teach: ['Go'], learn: ['Golang', 'Good docs'] }), ZONE);
    saveSkillsProfile(deps, TEAM, 'U0D', valid({ learn: ['Golang', 'Good docs'] }), ZONE);
    expect(listKnownSkills(deps, TEAM, { query: 'GO' }).map((s) => s.name)).toEqual(['Go', 'Golang', 'Good docs']);
    // Wildcards typed are letters.
    expect(listKnownSkills(deps, TEAM, { query: '%' })).toEqual([]);
  });
});

describe('learning progress', () => {
  function learnRow(userId: string, name: string) {
    return getSkillsProfile(deps, TEAM, userId).learn.find((s) => s.name === name)!;
  }

  it('completing stamps the row, adds a teach row when asked, plans one confirm job; a second submit is "already"', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ learn: ['Rust'] }), ZONE);
    const row = learnRow('U0A', 'Rust');
    clock.set(NOW + 86_400_000 * 12);
    const done = completeLearning(deps, TEAM, 'U0A', { rowId: row.id, taughtBy: 'U0B', canTeachNow: true });
    expect(done).toEqual({ status: 'completed', name: 'Rust', teachAdded: true, confirmJob: true });
    const again = completeLearning(deps, TEAM, 'U0A', { rowId: row.id, taughtBy: 'U0C', canTeachNow: true });
    expect(again).toEqual({ status: 'already', name: 'Rust', completedAt: NOW + 86_400_000 * 12 });
    const rows = rowsOf('U0A');
    expect(rows.map((r) => [r.kind, r.completedAt !== null, r.taughtBy])).toEqual([
      ['learn', true, 'U0B'],
      ['teach', false, null],
    ]);
    expect(handle.db.select({ key: jobs.key }).from(jobs).where(eq(jobs.teamId, TEAM)).all()).toEqual([{ key: `teach_confirm:${row.id}` }]);
  });

  it('refuses naming yourself, someone else\'s row and another workspace\'s row, writing nothing', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ learn: ['Rust'] }), ZONE);
    const row = learnRow('U0A', 'Rust');
    expect(() => completeLearning(deps, TEAM, 'U0A', { rowId: row.id, taughtBy: 'U0A', canTeachNow: false })).toThrow('not yourself');
    expect(() => completeLearning(deps, TEAM, 'U0B', { rowId: row.id, taughtBy: null, canTeachNow: false })).toThrow("isn't on your learning list");
    expect(() => completeLearning(deps, 'T0OTHER', 'U0A', { rowId: row.id, taughtBy: null, canTeachNow: false })).toThrow("isn't on your learning list");
    expect(rowsOf('U0A').every((r) => r.completedAt === null)).toBe(true);
  });

  it('a full teach list refuses "I can teach it now" and leaves the row unlearned', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ teach: Array.from({ length: 20 }, (_, i) => `t${i}`), learn: ['Rust'] }), ZONE);
    const row = learnRow('U0A', 'Rust');
    expect(() => completeLearning(deps, TEAM, 'U0A', { rowId: row.id, taughtBy: 'U0B', canTeachNow: true })).toThrow('full');
    expect(learnRow('U0A', 'Rust')).toBeDefined();
    expect(handle.db.select().from(jobs).all()).toEqual([]);
  });

  it('only the named teacher confirms, once; another workspace cannot', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ learn: ['Rust'] }), ZONE);
    const row = learnRow('U0A', 'Rust');
    completeLearning(deps, TEAM, 'U0A', { rowId: row.id, taughtBy: 'U0B', canTeachNow: false });
    expect(() => confirmTaught(deps, TEAM, 'U0C', row.id)).toThrow('Only <@U0B>');
    expect(() => confirmTaught(deps, 'T0OTHER', 'U0B', row.id)).toThrow("can't find");
    clock.set(NOW + 5000);
    expect(confirmTaught(deps, TEAM, 'U0B', row.id)).toMatchObject({ status: 'confirmed', confirmedAt: NOW + 5000 });
    clock.set(NOW + 9000);
    expect(confirmTaught(deps, TEAM, 'U0B', row.id)).toMatchObject({ status: 'already', confirmedAt: NOW + 5000 });
    expect(rowsOf('U0A')[0]!.taughtConfirmedAt).toBe(NOW + 5000);
  });

  it('start dates: up to a year back, never in the future, all or nothing', () => {
    saveSkillsProfile(deps, TEAM, 'U0A', valid({ learn: ['Rust', 'Go'] }), ZONE);
    const rust = learnRow('U0A', 'Rust');
    const go = learnRow('U0A', 'Go');
    const bad = setLearningStartDates(deps, TEAM, 'U0A', new Map([[rust.id, '2026-11-01'], [go.id, '2026-12-07']]), ZONE);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.get(go.id)).toContain("can't be in the future");
    expect(learnRow('U0A', 'Rust').startedAt).toBe(rust.startedAt);
    const old = setLearningStartDates(deps, TEAM, 'U0A', new Map([[rust.id, '2025-12-05']]), ZONE);
    expect(!old.ok && old.errors.get(rust.id)).toContain('up to a year');
    expect(setLearningStartDates(deps, TEAM, 'U0A', new Map([[rust.id, '2025-12-06']]), ZONE)).toEqual({ ok: true, changed: 1 });
    expect(learnRow('U0A', 'Rust').startedAt).toBe(startOfLocalDay('2025-12-06', ZONE));
    // Someone else's row is refused as a whole.
    expect(() => setLearningStartDates(deps, TEAM, 'U0B', new Map([[rust.id, '2026-11-01']]), ZONE)).toThrow('no longer on your learning list');
  });
});
