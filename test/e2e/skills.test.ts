import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobs, memberSkills, profiles, skills } from '../../src/db/schema.js';
import { SkillsActions, SkillsInputs, SkillsViews } from '../../src/slack/ids.js';
import { dmChannel } from '../support/fake-slack.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { createMember } from '../support/factories.js';
import { useTestApp } from '../support/use-test-app.js';

const TEAM = 'T0TEST';
const OTHER = 'T0OTHER';
const ZONE = 'Europe/Berlin';
// Sunday 6 Dec 2026, 10:00 UTC (11:00 in Berlin).
const NOW = Date.parse('2026-12-06T10:00:00Z');
const DAY = 86_400_000;

const t = useTestApp({
  users: [
    { id: 'U0ALICE', tz: ZONE },
    { id: 'U0BOB', tz: 'America/New_York' },
    { id: 'U0CAROL', tz: ZONE },
    { id: 'U0BOT', tz: ZONE, is_bot: true },
  ],
  now: NOW,
  resetFake: true,
  clearData: true,
});

type Values = { teach?: string[]; learn?: string[]; role?: string | null; matching?: string | null; pause?: string | null };

function profileState(v: Values) {
  const options = (names: string[] | undefined) => (names ?? []).map((n) => ({ text: { type: 'plain_text', text: n }, value: n }));
  return {
    [SkillsViews.teachBlock]: { [SkillsInputs.teach]: { type: 'multi_external_select', selected_options: options(v.teach) } },
    [SkillsViews.learnBlock]: { [SkillsInputs.learn]: { type: 'multi_external_select', selected_options: options(v.learn) } },
    [SkillsViews.roleBlock]: { [SkillsInputs.role]: { type: 'external_select', selected_option: v.role === undefined || v.role === null ? null : { value: v.role } } },
    [SkillsViews.matchingBlock]: { [SkillsInputs.matching]: { type: 'radio_buttons', selected_option: v.matching === null ? null : { value: v.matching ?? 'in' } } },
    [SkillsViews.pauseBlock]: { [SkillsInputs.pause]: { type: 'datepicker', selected_date: v.pause ?? null } },
  };
}

function submitProfile(v: Values, who: { user?: string; team?: string } = {}) {
  return t.submitView({ callback_id: SkillsViews.profile, values: profileState(v) }, who);
}

function submitLearned(row: number, v: { teacher?: string | null; canTeach?: boolean }, who: { user?: string; team?: string } = {}) {
  return t.submitView(
    {
      callback_id: SkillsViews.learned,
      private_metadata: JSON.stringify({ row }),
      values: {
        [SkillsViews.taughtByBlock]: { [SkillsInputs.taughtBy]: { type: 'users_select', selected_user: v.teacher ?? null } },
        [SkillsViews.canTeachBlock]: { [SkillsInputs.canTeach]: { type: 'checkboxes', selected_options: v.canTeach === true ? [{ value: 'yes' }] : [] } },
      },
    },
    who,
  );
}

const rows = (teamId = TEAM) => t.database.db.select().from(memberSkills).where(eq(memberSkills.teamId, teamId)).orderBy(memberSkills.id).all();
const skillRowsOf = (userId: string) => rows().filter((r) => r.userId === userId);
const knownSkills = (teamId = TEAM) => t.database.db.select({ key: skills.key, name: skills.name }).from(skills).where(eq(skills.teamId, teamId)).all();
const snapshot = () => ({
  skills: t.database.db.select().from(skills).all(),
  memberSkills: t.database.db.select().from(memberSkills).all(),
  profiles: t.database.db.select().from(profiles).all(),
  jobs: t.database.db.select().from(jobs).all(),
});
const optionTexts = (res: { json: any }) => (res.json.options as { text: { text: string } }[]).map((o) => o.text.text);

async function publishedHome(user = 'U0ALICE', team = TEAM): Promise<string> {
  // Saves refresh Home after their answer: let those land first, so the one read here is the open's.
  await t.settled();
  t.fake.reset();
  await t.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' }, { team });
  const call = await t.fake.waitFor(() => t.fake.callsTo('views.publish').find((c) => c.args.user_id === user), `Home of ${user}`);
  assertBlockKitLimits('home', call!.args);
  return JSON.stringify(call!.args.view);
}

function activeLearnRow(userId: string, key: string) {
  return skillRowsOf(userId).find((r) => r.kind === 'learn' && r.skillKey === key && r.removedAt === null && r.completedAt === null)!;
}

describe('the skills profile, end to end', () => {
  it('opens from /peer skills, loads type-ahead options, saves, and shows on App Home', async () => {
    const res = await t.command('skills');
    expect(res.status).toBe(200);
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    const view = open!.args.view as { callback_id: string; blocks: { block_id?: string; element?: Record<string, unknown> }[] };
    expect(view.callback_id).toBe(SkillsViews.profile);
    const teach = view.blocks.find((b) => b.block_id === SkillsViews.teachBlock)!.element!;
    expect(teach).toMatchObject({ type: 'multi_external_select', action_id: SkillsInputs.teach, max_selected_items: 20 });
    // Opt-in is off by default.
    expect(view.blocks.find((b) => b.block_id === SkillsViews.matchingBlock)!.element!.initial_option).toMatchObject({ value: 'out' });
    expect(JSON.stringify(view)).toContain(ZONE);

    // A new workspace knows no skills: typing offers to add what was typed.
    const typed = await t.suggest({ action_id: SkillsInputs.teach, value: '  postgre SQL ' });
    expect(typed.status).toBe(200);
    expect(typed.json.options).toEqual([{ text: { type: 'plain_text', text: 'Add “postgre SQL”', emoji: true }, value: 'postgre SQL', description: { type: 'plain_text', text: 'New skill', emoji: true } }]);

    const saved = await submitProfile({ teach: ['PostgreSQL'], learn: ['Rust', 'Figma'], role: 'r:Backend Engineer', matching: 'in' });
    expect(saved.json.response_action).toBe('update');
    assertBlockKitLimits('modal', saved.json.view);
    expect(JSON.stringify(saved.json.view)).toContain('Profile saved');
    expect(JSON.stringify(saved.json.view)).toContain('*PostgreSQL*');

    expect(skillRowsOf('U0ALICE').map((r) => [r.kind, r.skillKey, r.removedAt, r.completedAt])).toEqual([
      ['teach', 'postgresql', null, null],
      ['learn', 'rust', null, null],
      ['learn', 'figma', null, null],
    ]);
    // Learning starts today at 00:00 in Alice's zone.
    expect(activeLearnRow('U0ALICE', 'rust').startedAt).toBe(Date.parse('2026-12-05T23:00:00Z'));
    expect(t.database.db.select().from(profiles).where(eq(profiles.userId, 'U0ALICE')).get()).toMatchObject({ role: 'Backend Engineer', roleKey: 'backend engineer', matchingOptIn: true, pausedUntil: null });

    // Others now find them by any spelling, with how many people use them; the role too.
    const found = await t.suggest({ action_id: SkillsInputs.learn, value: 'POSTGRE' }, { user: 'U0BOB' });
    expect(found.json.options).toEqual([
      { text: { type: 'plain_text', text: 'Add “POSTGRE”', emoji: true }, value: 'POSTGRE', description: { type: 'plain_text', text: 'New skill', emoji: true } },
      { text: { type: 'plain_text', text: 'PostgreSQL', emoji: true }, value: 'PostgreSQL', description: { type: 'plain_text', text: '1 teaches', emoji: true } },
    ]);
    const exact = await t.suggest({ action_id: SkillsInputs.learn, value: 'postgresql' }, { user: 'U0BOB' });
    expect(optionTexts(exact)).toEqual(['PostgreSQL']);
    await submitProfile({ teach: ['PostgreSQL'], learn: ['Rust'] }, { user: 'U0CAROL' });
    await submitProfile({ learn: ['PostgreSQL'] }, { user: 'U0BOB' });
    const counts = await t.suggest({ action_id: SkillsInputs.learn, value: 'postgresql' }, { user: 'U0BOB' });
    expect(counts.json.options[0].description.text).toBe('2 teach · 1 learning');
    await submitProfile({}, { user: 'U0BOB' });
    await submitProfile({}, { user: 'U0CAROL' });
    const opened = await t.suggest({ action_id: SkillsInputs.teach, value: '' }, { user: 'U0BOB' });
    expect(optionTexts(opened).sort()).toEqual(['Figma', 'PostgreSQL', 'Rust']);
    const roles = await t.suggest({ action_id: SkillsInputs.role, value: '' }, { user: 'U0BOB' });
    expect(roles.json.options.map((o: { value: string }) => o.value)).toEqual(['r:Backend Engineer', 'none']);

    const home = await publishedHome();
    expect(home).toContain('Skills and matching');
    expect(home).toContain('*PostgreSQL*');
    expect(home).toContain('Backend Engineer');
    expect(home).toContain('*Rust* · since Sun 6 Dec 2026 (started today)');
    expect(home).toContain(SkillsActions.markLearned);
    expect(home).toContain(SkillsActions.openStartDates);

    // Opening it again shows what is saved.
    t.fake.reset();
    await t.command('skills');
    const [again] = await t.fake.waitForCalls('views.open');
    const blocks = (again!.args.view as { blocks: { block_id?: string; element?: Record<string, unknown> }[] }).blocks;
    expect(blocks.find((b) => b.block_id === SkillsViews.learnBlock)!.element!.initial_options).toEqual([
      expect.objectContaining({ value: 'Rust' }),
      expect.objectContaining({ value: 'Figma' }),
    ]);
    expect(blocks.find((b) => b.block_id === SkillsViews.roleBlock)!.element!.initial_option).toMatchObject({ value: 'r:Backend Engineer' });
  });

  it('a too-long typed name is explained in the options and refused on save', async () => {
    const res = await t.suggest({ action_id: SkillsInputs.teach, value: 'x'.repeat(300) });
    expect(optionTexts(res)).toEqual(['Too long: skill names up to 60 characters (this has 300)']);
    assertBlockKitLimits('modal', { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' }, accessory: { type: 'static_select', action_id: 'a', options: res.json.options } }] });
  });

  it('saving the too-long option answers with the very text the option showed (skills and roles)', async () => {
    const res = await t.suggest({ action_id: SkillsInputs.teach, value: 'x'.repeat(300) });
    const [offered] = res.json.options as { text: { text: string }; value: string }[];
    const skill = await submitProfile({ teach: [offered!.value] });
    expect(skill.json.errors[SkillsViews.teachBlock]).toBe(`${offered!.text.text}. Type a shorter one.`);
    const roles = await t.suggest({ action_id: SkillsInputs.role, value: 'r'.repeat(200) });
    const [role] = roles.json.options as { text: { text: string }; value: string }[];
    expect(role!.text.text).toBe('Too long: roles up to 80 characters (this has 200)');
    const saved = await submitProfile({ role: role!.value });
    expect(saved.json.errors[SkillsViews.roleBlock]).toBe(`${role!.text.text}. Type a shorter one.`);
    expect(knownSkills()).toEqual([]);
  });

  it("says the zone is the workspace's when Slack has not told us the person's", async () => {
    createMember(t.database.db, TEAM, 'U0DAVE', { profileFetchedAt: NOW, timeZone: null });
    await t.command('skills', { user: 'U0DAVE' });
    const [open] = await t.fake.waitForCalls('views.open');
    const text = JSON.stringify(open!.args.view);
    expect(text).toContain("(the workspace's zone: Slack has not told us yours yet)");
    expect(text).not.toContain('Your time zone comes from Slack');
    t.fake.reset();
    await t.command('skills');
    const [alice] = await t.fake.waitForCalls('views.open');
    expect(JSON.stringify(alice!.args.view)).toContain(`Your time zone comes from Slack: ${ZONE}.`);
  });

  it('an App Home button opens the same modal', async () => {
    await t.action({ action_id: SkillsActions.openProfile, value: 'home' }, { view: { id: 'V0HOME', type: 'home' } });
    const [open] = await t.fake.waitForCalls('views.open');
    expect((open!.args.view as { callback_id: string }).callback_id).toBe(SkillsViews.profile);
  });
});

describe('normalisation: one skill, first spelling kept', () => {
  it('"SQL", " sql " and "Sql" are one skill shown as first spelled; "Séquel" and "Sequel" too', async () => {
    await submitProfile({ teach: ['SQL', 'Séquel'] }, { user: 'U0ALICE' });
    const bob = await submitProfile({ learn: [' sql ', 'Sequel'] }, { user: 'U0BOB' });
    expect(bob.json).toMatchObject({ response_action: 'update' });
    await submitProfile({ learn: ['Sql'] }, { user: 'U0CAROL' });
    expect(knownSkills().sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'sequel', name: 'Séquel' },
      { key: 'sql', name: 'SQL' },
    ]);
    const home = await publishedHome('U0BOB');
    expect(home).toContain('*SQL* · since');
    expect(home).toContain('*Séquel* · since');
  });
});

describe('bad input: a specific message on its field, nothing written', () => {
  it.each([
    ['an empty skill name', { teach: ['   '] }, SkillsViews.teachBlock, 'A skill needs a name'],
    ['500 skills in one list', { learn: Array.from({ length: 500 }, (_, i) => `Skill ${i}`) }, SkillsViews.learnBlock, 'up to 20 skills you want to learn; this has 500'],
    ['a 300-character skill', { teach: ['y'.repeat(300)] }, SkillsViews.teachBlock, 'is 300 characters; skill names can be up to 60'],
    ['two skills that differ only in case', { teach: ['SQL', 'sql'] }, SkillsViews.teachBlock, 'are the same skill'],
    ['two skills that differ only in spaces', { learn: ['Machine Learning', 'Machine  Learning '] }, SkillsViews.learnBlock, 'is listed twice'],
    ['two skills that differ only in accents', { learn: ['Séquel', 'Sequel'] }, SkillsViews.learnBlock, '“Séquel” and “Sequel” are the same skill'],
    ['the same skill to teach and to learn', { teach: ['Go'], learn: ['go'] }, SkillsViews.learnBlock, 'in both lists'],
    ['a pause date in the past', { matching: 'pause', pause: '2026-12-01' }, SkillsViews.pauseBlock, 'Tue 1 Dec 2026 has passed'],
    ['a pause without a date', { matching: 'pause', pause: null }, SkillsViews.pauseBlock, 'Pick the last day of your pause'],
    ['a role of 81 characters', { role: `r:${'r'.repeat(81)}` }, SkillsViews.roleBlock, 'up to 80 characters'],
    ['a forged role value', { role: 'Backend' }, SkillsViews.roleBlock, 'Pick a role from the list'],
    ['no matching choice', { matching: null }, SkillsViews.matchingBlock, 'Choose whether to take part'],
    ['a forged matching value', { matching: 'always' }, SkillsViews.matchingBlock, 'Choose one of the matching options'],
  ] as const)('%s', async (_what, values, block, message) => {
    await submitProfile({ teach: ['Kotlin'], learn: ['Swift'] });
    const before = snapshot();
    const res = await submitProfile({ teach: ['Kotlin'], learn: ['Swift', 'Rust'], ...values } as Values);
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors[block]).toContain(message);
    expect(snapshot()).toEqual(before);
  });

  it('a pause date today or later is saved, and Home says until when, in the reader\'s zone', async () => {
    const res = await submitProfile({ matching: 'pause', pause: '2026-12-20' });
    expect(res.json.response_action).toBe('update');
    expect(t.database.db.select().from(profiles).get()).toMatchObject({ matchingOptIn: true, pausedUntil: Date.parse('2026-12-20T23:00:00Z'), pauseReason: 'chosen' });
    expect(await publishedHome()).toContain('paused until Sun 20 Dec 2026 (last day, Europe/Berlin)');
  });
});

describe('a pause Peerloop set', () => {
  it("stays Peerloop's (until resumed) when the profile is saved with the pause left as shown", async () => {
    await submitProfile({ learn: ['Rust'] });
    const forever = Date.UTC(9999, 11, 31);
    t.database.db.update(profiles).set({ pausedUntil: forever, pauseReason: 'no_answers' }).where(and(eq(profiles.teamId, TEAM), eq(profiles.userId, 'U0ALICE'))).run();
    await t.command('skills');
    const [open] = await t.fake.waitForCalls('views.open');
    expect(JSON.stringify(open!.args.view)).not.toContain('9999');
    const res = await submitProfile({ learn: ['Rust', 'Figma'], matching: 'pause', pause: null });
    expect(res.json?.response_action).toBe('update');
    const row = t.database.db.select().from(profiles).where(and(eq(profiles.teamId, TEAM), eq(profiles.userId, 'U0ALICE'))).get()!;
    expect(row).toMatchObject({ pausedUntil: forever, pauseReason: 'no_answers' });
    expect(await publishedHome()).toContain('paused after rounds without an answer');
  });
});

describe('history: removing, re-adding and completing are kept as rows', () => {
  it('remove, re-add, complete', async () => {
    await submitProfile({ learn: ['Rust'] });
    t.clock.set(NOW + DAY);
    await submitProfile({ learn: [] });
    t.clock.set(NOW + 2 * DAY);
    await submitProfile({ learn: ['rust'] });
    const row = activeLearnRow('U0ALICE', 'rust');
    t.clock.set(NOW + 9 * DAY);
    const done = await submitLearned(row.id, {});
    expect(done.json.response_action).toBe('update');
    expect(skillRowsOf('U0ALICE').map((r) => ({ kind: r.kind, removedAt: r.removedAt, completedAt: r.completedAt }))).toEqual([
      { kind: 'learn', removedAt: NOW + DAY, completedAt: null },
      { kind: 'learn', removedAt: null, completedAt: NOW + 9 * DAY },
    ]);
    const home = await publishedHome();
    expect(home).toContain('*Rust* · learned Tue 15 Dec 2026, in 7 days');
  });
});

describe('day counts on Home', () => {
  it('count calendar days in the reader\'s zone: learned the day it started is "the same day", never "in 1 day" or "in 0 days"', async () => {
    await submitProfile({ learn: ['Rust', 'Go'] });
    // 13:00 in Berlin, the day Rust was added (its start is 00:00): 13 hours, not a day.
    t.clock.set(NOW + 2 * 3_600_000);
    await submitLearned(activeLearnRow('U0ALICE', 'rust').id, {});
    const home = await publishedHome();
    expect(home).toContain('*Rust* · learned Sun 6 Dec 2026, the same day it started');
    expect(home).toContain('*Go* · since Sun 6 Dec 2026 (started today)');
    // 00:30 the next day in Berlin: a calendar day on, though under 24 hours since the start.
    t.clock.set(Date.parse('2026-12-06T23:30:00Z'));
    expect(await publishedHome()).toContain('*Go* · since Sun 6 Dec 2026 (1 day)');
  });
});

describe('/peer learned', () => {
  it('with no skill, or one never on the list, says so and lists what is', async () => {
    const empty = await t.command('learned');
    expect(empty.json.text).toContain('Your learning list is empty');
    await submitProfile({ learn: ['Rust', 'Figma'] });
    const none = await t.command('learned');
    expect(none.json.text).toContain("You're learning: `Rust`, `Figma`");
    const never = await t.command('learned Haskell');
    expect(never.json.text).toContain("`Haskell` isn't on your learning list");
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('a skill on the teach list, or taken off the learning list, says which', async () => {
    await submitProfile({ teach: ['Go'], learn: ['Rust'] });
    t.clock.set(NOW + 2 * DAY);
    await submitProfile({ teach: ['Go'], learn: [] });
    const teaching = await t.command('learned GO');
    expect(teaching.json.text).toBe('`Go` is on your "I can teach" list, not your learning list, so there is nothing to mark learned.');
    const removed = await t.command('learned rust');
    expect(removed.json.text).toBe("You removed `Rust` from your learning list on Tue 8 Dec 2026, so it can't be marked learned. Add it again with `/peer skills`.");
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('finds a skill named with & or < > (Slack sends them escaped) and one typed in quotes', async () => {
    await submitProfile({ learn: ['R&D', '<canvas>'] });
    await t.command('learned R&amp;D');
    await t.command('learned \u201c&lt;canvas&gt;\u201d');
    const opened = await t.fake.waitForCalls('views.open', 2);
    expect(opened.map((c) => JSON.stringify(c.args.view))).toEqual([expect.stringContaining('R&amp;D'), expect.stringContaining('&lt;canvas&gt;')]);
  });

  it('opens the modal, marks it learned, moves it to "can teach", DMs the teacher once, who confirms once', async () => {
    await submitProfile({ learn: ['Rust'] });
    const row = activeLearnRow('U0ALICE', 'rust');
    const res = await t.command('learned  RUST ');
    expect(res.status).toBe(200);
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    expect(open!.args.view).toMatchObject({ callback_id: SkillsViews.learned, private_metadata: JSON.stringify({ row: row.id }) });

    t.clock.set(NOW + 14 * DAY);
    const saved = await submitLearned(row.id, { teacher: 'U0BOB', canTeach: true });
    expect(saved.json.response_action).toBe('update');
    assertBlockKitLimits('modal', saved.json.view);
    expect(JSON.stringify(saved.json.view)).toContain('<@U0BOB> gets a DM to confirm');
    expect(skillRowsOf('U0ALICE').map((r) => [r.kind, r.skillKey, r.completedAt, r.taughtBy])).toEqual([
      ['learn', 'rust', NOW + 14 * DAY, 'U0BOB'],
      ['teach', 'rust', null, null],
    ]);

    // The DM goes out at once (the write kicks the scheduler), to Bob.
    const [dm] = await t.fake.waitFor(() => (t.fake.dmsTo('U0BOB').length > 0 ? t.fake.dmsTo('U0BOB') : undefined), 'the teacher DM');
    assertBlockKitLimits('message', dm!.args);
    expect(dm!.args.text).toBe('<@U0ALICE> says you taught them Rust. Confirm?');
    expect(JSON.stringify(dm!.args.blocks)).toContain(SkillsActions.confirmTaught);

    // A second submit and more ticks send nothing again.
    const twice = await submitLearned(row.id, { teacher: 'U0CAROL', canTeach: true });
    expect(JSON.stringify(twice.json.view)).toContain('already marked');
    await t.tick();
    await t.tick();
    expect(t.fake.dmsTo('U0BOB')).toHaveLength(1);
    expect(t.fake.dmsTo('U0CAROL')).toHaveLength(0);
    expect(skillRowsOf('U0ALICE')).toHaveLength(2);
    expect(t.database.db.select({ status: jobs.status }).from(jobs).where(eq(jobs.kind, 'teach_confirm')).all()).toEqual([{ status: 'done' }]);

    // Only Bob may confirm; another workspace's payload finds nothing.
    const dmMessage = { channel: dmChannel('U0BOB') };
    await t.action({ action_id: SkillsActions.confirmTaught, value: String(row.id) }, { user: 'U0CAROL', ...dmMessage });
    const [refusal] = await t.fake.waitForResponse(1);
    expect(refusal!.body.text).toContain('Only <@U0BOB>');
    await t.action({ action_id: SkillsActions.confirmTaught, value: String(row.id) }, { user: 'U0BOB', team: OTHER, ...dmMessage });
    const [, foreign] = await t.fake.waitForResponse(2);
    expect(foreign!.body.text).toContain("can't find");
    expect(rows()[0]!.taughtConfirmedAt).toBeNull();

    t.clock.set(NOW + 15 * DAY);
    await t.action({ action_id: SkillsActions.confirmTaught, value: String(row.id) }, { user: 'U0BOB', ...dmMessage });
    const [, , confirmed] = await t.fake.waitForResponse(3);
    expect(confirmed!.body).toMatchObject({ replace_original: true });
    expect(confirmed!.body.text).toContain('Confirmed: you taught <@U0ALICE> *Rust*');
    expect(rows()[0]!.taughtConfirmedAt).toBe(NOW + 15 * DAY);

    t.clock.set(NOW + 16 * DAY);
    await t.action({ action_id: SkillsActions.confirmTaught, value: String(row.id) }, { user: 'U0BOB', ...dmMessage });
    const [, , , already] = await t.fake.waitForResponse(4);
    // Bob reads it in his own zone (New York).
    expect(already!.body.text).toContain('Already confirmed on Mon 21 Dec 2026');
    expect(rows()[0]!.taughtConfirmedAt).toBe(NOW + 15 * DAY);

    // Learned already: the command says when.
    const done = await t.command('learned rust');
    expect(done.json.text).toContain('You already marked `Rust` as learned on Sun 20 Dec 2026');
    expect(await publishedHome()).toContain('taught by <@U0BOB> :white_check_mark:');
  });

  it('a long skill name is cut in the "I can teach … now" box, not the sentence', async () => {
    const name = `Distributed ${'s'.repeat(48)}`;
    await submitProfile({ learn: [name] });
    await t.command(`learned ${name}`);
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    const box = (open!.args.view as { blocks: { block_id?: string; element?: { options?: { text: { text: string } }[] } }[] }).blocks.find((b) => b.block_id === SkillsViews.canTeachBlock)!;
    const text = box.element!.options![0]!.text.text;
    expect(text).toMatch(/^I can teach Distributed s+… now$/);
    expect(Array.from(text).length).toBeLessThanOrEqual(75);
  });

  it('refuses yourself or a bot as the teacher inline, writing nothing', async () => {
    await submitProfile({ learn: ['Rust'] });
    const row = activeLearnRow('U0ALICE', 'rust');
    const before = snapshot();
    const self = await submitLearned(row.id, { teacher: 'U0ALICE' });
    expect(self.json.errors[SkillsViews.taughtByBlock]).toContain('not yourself');
    const bot = await submitLearned(row.id, { teacher: 'U0BOT' });
    expect(bot.json.errors[SkillsViews.taughtByBlock]).toContain('A bot');
    expect(snapshot()).toEqual(before);
  });

  it('a teacher who opted out of DMs gets none; the job records why', async () => {
    createMember(t.database.db, TEAM, 'U0BOB', { optedOut: true, profileFetchedAt: NOW, timeZone: 'America/New_York' });
    await submitProfile({ learn: ['Rust'] });
    const saved = await submitLearned(activeLearnRow('U0ALICE', 'rust').id, { teacher: 'U0BOB' });
    expect(JSON.stringify(saved.json.view)).toContain("turned Peerloop's DMs off, so they won't be asked to confirm");
    await t.tick();
    expect(t.fake.dmsTo('U0BOB')).toHaveLength(0);
    expect(t.database.db.select({ status: jobs.status, result: jobs.result }).from(jobs).where(eq(jobs.kind, 'teach_confirm')).get()).toMatchObject({ status: 'skipped' });
  });

  it('App Home "Mark learned" opens the modal; a forged or foreign row is refused', async () => {
    await submitProfile({ learn: ['Rust'] });
    const row = activeLearnRow('U0ALICE', 'rust');
    const home = { view: { id: 'V0HOME', type: 'home' } };
    await t.action({ action_id: SkillsActions.markLearned, value: String(row.id) }, home);
    const [open] = await t.fake.waitForCalls('views.open');
    expect(open!.args.view).toMatchObject({ callback_id: SkillsViews.learned });

    t.fake.reset();
    await t.action({ action_id: SkillsActions.markLearned, value: String(row.id) }, { user: 'U0CAROL', ...home });
    const [refused] = await t.fake.waitForCalls('views.open');
    expect(JSON.stringify(refused!.args.view)).toContain("isn't on your learning list");
    t.fake.reset();
    await t.action({ action_id: SkillsActions.markLearned, value: 'DROP TABLE' }, home);
    const [forged] = await t.fake.waitForCalls('views.open');
    expect(JSON.stringify(forged!.args.view)).toContain("didn't come from Peerloop");
  });
});

describe('learning start dates', () => {
  it('edits a start date back up to a year, refusing the future inline', async () => {
    await submitProfile({ learn: ['Rust'] });
    const row = activeLearnRow('U0ALICE', 'rust');
    await t.action({ action_id: SkillsActions.openStartDates, value: 'home' }, { view: { id: 'V0HOME', type: 'home' } });
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    const block = `${SkillsViews.startBlockPrefix}${row.id}`;
    expect(JSON.stringify(open!.args.view)).toContain(`"initial_date":"2026-12-06"`);
    const submit = (date: string) =>
      t.submitView({ callback_id: SkillsViews.startDates, values: { [block]: { [SkillsInputs.startDate]: { type: 'datepicker', selected_date: date } } } });
    const future = await submit('2026-12-07');
    expect(future.json.errors[block]).toContain("can't be in the future");
    const old = await submit('2025-12-01');
    expect(old.json.errors[block]).toContain('up to a year');
    expect(activeLearnRow('U0ALICE', 'rust').startedAt).toBe(row.startedAt);
    const ok = await submit('2026-11-02');
    expect(ok.status).toBe(200);
    expect(ok.json.response_action).toBe('update');
    assertBlockKitLimits('modal', ok.json.view);
    expect(JSON.stringify(ok.json.view)).toContain('Saved: 1 start date changed.');
    const same = await submit('2026-11-02');
    expect(JSON.stringify(same.json.view)).toContain('Nothing changed');
    expect(activeLearnRow('U0ALICE', 'rust').startedAt).toBe(Date.parse('2026-11-01T23:00:00Z'));
    expect(await publishedHome()).toContain('since Mon 2 Nov 2026 (34 days)');
  });

  it('a skill learned for over a year keeps its true start when another date is changed', async () => {
    await submitProfile({ learn: ['Rust', 'Figma'] });
    const rust = activeLearnRow('U0ALICE', 'rust');
    const figma = activeLearnRow('U0ALICE', 'figma');
    const longAgo = Date.parse('2025-06-30T22:00:00Z'); // 1 Jul 2025 in Berlin: over a year back
    t.database.db.update(memberSkills).set({ startedAt: longAgo }).where(eq(memberSkills.id, rust.id)).run();
    const res = await t.submitView({
      callback_id: SkillsViews.startDates,
      values: {
        [`${SkillsViews.startBlockPrefix}${rust.id}`]: { [SkillsInputs.startDate]: { type: 'datepicker', selected_date: '2025-07-01' } },
        [`${SkillsViews.startBlockPrefix}${figma.id}`]: { [SkillsInputs.startDate]: { type: 'datepicker', selected_date: '2026-11-02' } },
      },
    });
    expect(res.json?.errors).toBeUndefined();
    expect(activeLearnRow('U0ALICE', 'rust').startedAt).toBe(longAgo);
    expect(activeLearnRow('U0ALICE', 'figma').startedAt).toBe(Date.parse('2026-11-01T23:00:00Z'));
  });
});

describe('workspace isolation', () => {
  it("another workspace's payloads cannot read or change this profile", async () => {
    await submitProfile({ teach: ['Secret Sauce'], learn: ['Rust'] });
    const row = activeLearnRow('U0ALICE', 'rust');
    const before = snapshot();

    const options = await t.suggest({ action_id: SkillsInputs.teach, value: 'secret' }, { team: OTHER });
    expect(optionTexts(options)).toEqual(['Add “secret”']);
    const roles = await t.suggest({ action_id: SkillsInputs.role, value: '' }, { team: OTHER });
    expect(roles.json.options.map((o: { value: string }) => o.value)).toEqual(['none']);

    const learned = await submitLearned(row.id, { teacher: 'U0BOB' }, { team: OTHER });
    expect(JSON.stringify(learned.json.view)).toContain("isn't on your learning list");
    const dates = await t.submitView(
      { callback_id: SkillsViews.startDates, values: { [`${SkillsViews.startBlockPrefix}${row.id}`]: { [SkillsInputs.startDate]: { type: 'datepicker', selected_date: '2026-11-01' } } } },
      { team: OTHER },
    );
    expect(JSON.stringify(dates.json.view)).toContain('no longer on your learning list');
    const rowsAfter = snapshot();
    // The other workspace got its own workspace row and nothing else; this workspace's rows are untouched.
    expect(rowsAfter.memberSkills).toEqual(before.memberSkills);
    expect(rowsAfter.skills).toEqual(before.skills);
    expect(rowsAfter.jobs).toEqual(before.jobs);
    expect(t.database.db.select().from(memberSkills).where(and(eq(memberSkills.teamId, OTHER))).all()).toEqual([]);

    // The same user id in the other workspace sees none of it, on Home or in the form.
    expect(await publishedHome('U0ALICE', OTHER)).not.toContain('Secret Sauce');
    t.fake.reset();
    await t.command('skills', { team: OTHER });
    const [open] = await t.fake.waitForCalls('views.open');
    expect(JSON.stringify(open!.args.view)).not.toContain('Secret Sauce');
    expect(JSON.stringify(open!.args.view)).not.toContain('Rust');

    // The other workspace's own profile with the same user id is separate.
    await submitProfile({ teach: ['secret sauce'] }, { team: OTHER });
    expect(knownSkills(OTHER)).toEqual([{ key: 'secret sauce', name: 'secret sauce' }]);
    expect(knownSkills(TEAM).sort((a, b) => a.key.localeCompare(b.key))).toEqual([{ key: 'rust', name: 'Rust' }, { key: 'secret sauce', name: 'Secret Sauce' }]);
  });
});

describe('/peer help', () => {
  it('lists /peer skills and /peer learned <skill>', async () => {
    const res = await t.command('help');
    expect(res.json.text).toContain('/peer skills');
    expect(res.json.text).toContain('/peer learned &lt;skill&gt;');
  });
});
