import { and, eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { jobs, matchChannels, matchRounds, members } from '../../src/db/schema.js';
import { MatchActions, MatchViews } from '../../src/slack/ids.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { groupDmChannel } from '../support/fake-slack.js';
import { useTestApp } from '../support/use-test-app.js';
import {
  CHANNEL,
  DAY,
  FIRST_ROUND,
  FIRST_ROUND_AT,
  groupRows,
  groupsAsSets,
  jobRow,
  MINUTE,
  optIn,
  optInTheFour,
  OTHER_TEAM,
  pastGroup,
  PEOPLE,
  profileOf,
  roundPeople,
  roundRows,
  SETUP_AT,
  submitSetup,
  TEAM,
} from '../support/matching.js';

const t = useTestApp({ users: PEOPLE, now: SETUP_AT, resetFake: true, clearData: true });

// Fay (opted in) is only in the channel where a test says so: with her, five people make a trio.
const CHANNEL_MEMBERS = ['U0ADMIN', 'UBOT0000', 'U0ANA', 'U0BEN', 'U0CAT', 'U0DAN', 'U0EVE', 'U0GUS', 'U0ROBO', 'U0GONE', 'U0GUEST'];

/** Everyone of the cast with a profile: the four who swap skills, and those a round must leave out. */
function castProfiles(): void {
  const db = t.database.db;
  optInTheFour(db);
  optIn(db, 'U0EVE', { teach: ['SQL'], learn: ['Excel'], pausedUntil: SETUP_AT + 30 * DAY, pauseReason: 'chosen' });
  optIn(db, 'U0FAY', { teach: ['Figma'], learn: ['Python'] });
  optIn(db, 'U0GUS', { teach: ['SQL'], learn: ['Figma'], optIn: false });
  for (const id of ['U0ROBO', 'U0GONE', 'U0GUEST']) optIn(db, id, { teach: ['Excel'], learn: ['SQL'] });
}

async function setUp(values: Parameters<typeof submitSetup>[1] = {}): Promise<void> {
  const res = await submitSetup(t, values);
  expect(res.status).toBe(200);
  expect(res.json?.response_action).toBe('update');
}

const memberZone = (userId: string) => t.database.db.select().from(members).where(and(eq(members.teamId, TEAM), eq(members.userId, userId))).get()?.timeZone;
const postsTo = (channel: string) => t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
const text = (call: { args: Record<string, any> }) => JSON.stringify(call.args.blocks ?? call.args.text);

/**
 * Runs due jobs at `at`, then again two seconds later: the messenger spaces posts to one channel
 * by a second of the (settable) clock, and every test reuses the same channels at the same instants.
 */
async function tickAt(at: number): Promise<void> {
  t.clock.set(at);
  await t.tick();
  t.clock.set(at + 2_000);
  await t.tick();
}

async function runFirstRound(): Promise<void> {
  t.fake.channelMembers.set(CHANNEL, CHANNEL_MEMBERS);
  await setUp();
  await tickAt(FIRST_ROUND_AT);
}

describe('/peer match setup', () => {
  it('refuses someone who is not an admin, before any form opens', async () => {
    const res = await t.command('match setup', { user: 'U0ANA', channel: CHANNEL });
    expect(res.status).toBe(200);
    expect(res.json.text).toMatch(/Only a Slack admin/);
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('asks to invite Peerloop first in a channel it is not in', async () => {
    t.fake.channelsWithoutBot.add('C0NOBOT');
    try {
      const res = await t.command('match setup', { user: 'U0ADMIN', channel: 'C0NOBOT' });
      expect(res.status).toBe(200);
      const [reply] = await t.fake.waitForResponse(1);
      expect(reply!.body.text).toContain('/invite @Peerloop');
      expect(t.fake.callsTo('views.open')).toHaveLength(0);
    } finally {
      t.fake.channelsWithoutBot.delete('C0NOBOT');
    }
  });

  it('in a DM, asks to run it in the channel; /peer help lists it', async () => {
    const res = await t.command('match setup', { user: 'U0ADMIN', channel: 'D0ADMIN' });
    expect(res.json.text).toContain('in the channel whose members should be matched');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
    const help = await t.command('help', { user: 'U0ANA' });
    expect(help.json.text).toContain('/peer match [setup|stop]');
  });

  it('opens the form for an admin in the channel, within Block Kit limits', async () => {
    const res = await t.command('match setup', { user: 'U0ADMIN', channel: CHANNEL });
    expect(res.status).toBe(200);
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    expect(open!.args.view.callback_id).toBe(MatchViews.setup);
    expect(JSON.parse(open!.args.view.private_metadata)).toEqual({ channelId: CHANNEL });
    // Pods ignore the repeat window: the form says so.
    expect(JSON.stringify(open!.args.view)).toContain('matched again (skill swap only)');
  });

  it('the saved form of a pods channel does not claim a repeat window', async () => {
    const pods = await submitSetup(t, { mode: 'pods' });
    expect(JSON.stringify(pods.json)).not.toContain('No repeat within');
    const swap = await submitSetup(t, { mode: 'skill-swap' });
    expect(JSON.stringify(swap.json)).toContain('No repeat within');
  });

  it('shows bad fields inline and saves nothing', async () => {
    const res = await submitSetup(t, { repeat: '0', mode: 'triads', hour: '' });
    expect(res.json).toEqual({
      response_action: 'errors',
      errors: {
        [MatchViews.modeBlock]: expect.stringContaining('skill swap or learning pods'),
        [MatchViews.hourBlock]: expect.stringContaining('hour'),
        [MatchViews.repeatBlock]: expect.stringContaining('1 to 52'),
      },
    });
    expect(t.database.db.select().from(matchChannels).all()).toEqual([]);
    expect(t.database.db.select().from(jobs).where(eq(jobs.kind, 'match_round')).all()).toEqual([]);
  });

  it('refuses a forged submission by a non-admin', async () => {
    const res = await submitSetup(t, {}, { user: 'U0ANA' });
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view)).toContain('Only a Slack admin or owner');
    expect(t.database.db.select().from(matchChannels).all()).toEqual([]);
  });

  it('saves the rounds and plans the first one at the next chosen weekday and hour', async () => {
    await setUp({ mode: 'skill-swap', cadence: '2', weekday: '2', hour: '10', repeat: '8' });
    const row = t.database.db.select().from(matchChannels).get();
    expect(row).toMatchObject({ teamId: TEAM, channelId: CHANNEL, mode: 'skill-swap', cadenceWeeks: 2, weekday: 2, hour: 10, repeatWeeks: 8, anchorDate: FIRST_ROUND, createdBy: 'U0ADMIN', active: true });
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'pending', runAt: FIRST_ROUND_AT });
  });

  it('setting up again changes the rounds: another day cancels the planned round, another hour moves it', async () => {
    await setUp({ weekday: '2', hour: '10' });
    await setUp({ weekday: '2', hour: '7' });
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 1, 7) });
    await setUp({ weekday: '4', hour: '7' });
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'cancelled' });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-03`)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 3, 7) });
    expect(t.database.db.select().from(matchChannels).all()).toHaveLength(1);
  });

  it('a payload from another workspace cannot read or change this channel setup', async () => {
    await setUp();
    const res = await submitSetup(t, { weekday: '5' }, { user: 'U0ADMIN', team: OTHER_TEAM });
    expect(res.json.response_action).toBe('update');
    // The other workspace's own row (its admin rights come from its own users.info), never ours.
    expect(t.database.db.select().from(matchChannels).where(eq(matchChannels.teamId, TEAM)).get()).toMatchObject({ weekday: 2 });
  });
});

describe('a matching round', () => {
  it('matches the opted-in people of the channel, opens one group DM per group with exactly them, and introduces them', async () => {
    castProfiles();
    await runFirstRound();

    // Members read page by page (the fake pages by 2).
    expect(t.fake.callsTo('conversations.members').length).toBe(Math.ceil(CHANNEL_MEMBERS.length / 2));
    expect(groupsAsSets(t)).toEqual([
      ['U0ANA', 'U0BEN'],
      ['U0CAT', 'U0DAN'],
    ]);
    const opened = t.fake
      .callsTo('conversations.open')
      .map((c) => String(c.args.users).split(',').sort())
      .sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(opened).toEqual([
      ['U0ANA', 'U0BEN'],
      ['U0CAT', 'U0DAN'],
    ]);

    const anaBen = postsTo(groupDmChannel(['U0ANA', 'U0BEN']));
    expect(anaBen).toHaveLength(1);
    assertBlockKitLimits('message', { text: anaBen[0]!.args.text, blocks: anaBen[0]!.args.blocks });
    const intro = text(anaBen[0]!);
    expect(intro).toContain('<@U0ANA> teaches *SQL* and wants to learn *Figma*');
    expect(intro).toContain('<@U0BEN> teaches *Figma* and wants to learn *SQL*');
    // Shared hours in each person's own zone (09:00-18:00 each: Berlin and New York share 14-17 UTC).
    expect(intro).toContain('<@U0ANA>: 15:00–18:00 CET');
    expect(intro).toContain('<@U0BEN>: 09:00–12:00 EST');
    expect(intro).toContain(MatchActions.scheduleSwap);

    // Stored with score and reason, and the intro recorded.
    const groups = groupRows(t);
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g).toMatchObject({ channelId: CHANNEL, roundDate: FIRST_ROUND });
      expect(g.score).toBeGreaterThan(0);
      expect(JSON.parse(g.reason).exchanges.length).toBeGreaterThan(0);
      expect(g.introTs).not.toBeNull();
      expect(g.conversationId).toMatch(/^G/);
    }
    expect(roundRows(t)).toEqual([expect.objectContaining({ channelId: CHANNEL, roundDate: FIRST_ROUND, status: 'done' })]);

    // Left out: Eve (paused), Gus (not opted in), the bot, the deactivated account and the guest; none of them asked Slack to DM.
    const everyone = t.fake.callsTo('conversations.open').flatMap((c) => String(c.args.users).split(','));
    for (const id of ['U0EVE', 'U0GUS', 'U0ROBO', 'U0GONE', 'U0GUEST', 'U0ADMIN']) expect(everyone).not.toContain(id);

    // The channel summary: counts, no wall of names.
    const summary = postsTo(CHANNEL);
    expect(summary).toHaveLength(1);
    expect(text(summary[0]!)).toContain('2 groups, 4 people');
    expect(text(summary[0]!)).not.toContain('<@');
  });

  it('a second run of the same round sends nothing twice', async () => {
    castProfiles();
    await runFirstRound();
    const calls = t.fake.calls.length;
    // The round's job is run again (a second process, a manual retry).
    t.database.sqlite.prepare(`UPDATE jobs SET status = 'pending', run_at = ? WHERE key = ?`).run(FIRST_ROUND_AT, `match_round:${CHANNEL}:${FIRST_ROUND}`);
    t.clock.set(FIRST_ROUND_AT + MINUTE);
    await t.tick();
    await t.tick();
    expect(t.fake.callsTo('conversations.open')).toHaveLength(2);
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(3);
    expect(groupRows(t)).toHaveLength(2);
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'skipped' });
    // Not even the channel was read again: the stored round answered.
    expect(t.fake.calls.length).toBe(calls);
  });

  it('leaves out who skips this round, and says so in the summary', async () => {
    castProfiles();
    t.fake.channelMembers.set(CHANNEL, [...CHANNEL_MEMBERS, 'U0FAY']);
    await setUp();
    // Fay skips from App Home (the button carries the round).
    const res = await t.action({ action_id: MatchActions.skip, value: `${CHANNEL}:${FIRST_ROUND}` }, { user: 'U0FAY', container: { type: 'view', view_id: 'V0HOME' } });
    expect(res.status).toBe(200);
    await t.settled();
    expect(roundPeople(t)).toEqual([expect.objectContaining({ userId: 'U0FAY', state: 'skipping', roundDate: FIRST_ROUND })]);
    await tickAt(FIRST_ROUND_AT);
    expect(groupsAsSets(t).flat()).not.toContain('U0FAY');
    expect(text(postsTo(CHANNEL)[0]!)).toContain('1 skipped this round');
  });

  it('a group DM Slack refuses fails that group only; the others get their intro and the admin is told which and why', async () => {
    castProfiles();
    t.fake.refuseGroupsWith.set('U0CAT', 'user_disabled');
    await runFirstRound();
    expect(postsTo(groupDmChannel(['U0ANA', 'U0BEN']))).toHaveLength(1);
    const catDan = groupRows(t).find((g) => g.conversationId === null)!;
    expect(catDan.introTs).toBeNull();
    expect(jobRow(t, `match_intro:${catDan.id}`)).toMatchObject({ status: 'failed', lastError: 'user_disabled' });
    // The round's one notice waits a few minutes, so every refusal of the round joins it.
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(0);
    await tickAt(FIRST_ROUND_AT + 6 * MINUTE);
    const toAdmin = t.fake.dmsTo('U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    expect(text(toAdmin[0]!)).toContain('user_disabled');
    expect(text(toAdmin[0]!)).toContain('<@U0CAT>');
    // Nothing is retried or sent twice later.
    t.clock.set(FIRST_ROUND_AT + DAY);
    await t.tick();
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(1);
    expect(postsTo(groupDmChannel(['U0ANA', 'U0BEN']))).toHaveLength(1);
  });

  it('an intro posted into an open group DM that Slack refuses for good reaches the admin in the round notice', async () => {
    castProfiles();
    t.fake.goneChannels.add(groupDmChannel(['U0CAT', 'U0DAN']));
    await runFirstRound();
    const catDan = groupRows(t).find((g) => g.conversationId === groupDmChannel(['U0CAT', 'U0DAN']))!;
    expect(catDan.introTs).toBeNull();
    expect(jobRow(t, `match_intro:${catDan.id}`)).toMatchObject({ status: 'failed', lastError: 'channel_not_found' });
    await tickAt(FIRST_ROUND_AT + 6 * MINUTE);
    const toAdmin = t.fake.dmsTo('U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    expect(text(toAdmin[0]!)).toContain('channel_not_found');
    expect(text(toAdmin[0]!)).toContain('<@U0DAN>');
  });

  it('an intro that fails every attempt reaches the admin once, after its last attempt', async () => {
    castProfiles();
    t.fake.channelMembers.set(CHANNEL, CHANNEL_MEMBERS);
    await setUp();
    t.fake.always('chat.postMessage', { status: 500 });
    await tickAt(FIRST_ROUND_AT);
    // Retried with growing waits (30 s, 2 min, 8 min, 30 min) until the last attempt fails.
    const failed = () => groupRows(t).filter((g) => jobRow(t, `match_intro:${g.id}`)?.status === 'failed');
    for (let at = FIRST_ROUND_AT + MINUTE; failed().length < 2 && at <= FIRST_ROUND_AT + 2 * 60 * MINUTE; at += MINUTE) {
      t.clock.set(at);
      await t.tick();
    }
    expect(failed()).toHaveLength(2);
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(0);
    t.fake.clearScripts();
    const notice = (c: { args: Record<string, unknown> }) => JSON.stringify(c.args).includes('no introduction');
    await tickAt(FIRST_ROUND_AT + 3 * 60 * MINUTE);
    const toAdmin = t.fake.dmsTo('U0ADMIN').filter(notice);
    expect(toAdmin).toHaveLength(1);
    expect(text(toAdmin[0]!)).toContain('<@U0ANA>');
    expect(text(toAdmin[0]!)).toContain('<@U0CAT>');
    await tickAt(FIRST_ROUND_AT + DAY);
    expect(t.fake.dmsTo('U0ADMIN').filter(notice)).toHaveLength(1);
  });

  it("a round that learns someone's new Slack zone moves their weekly DM too", async () => {
    castProfiles();
    t.fake.channelMembers.set(CHANNEL, CHANNEL_MEMBERS);
    // Two weeks later than the other tests: accounts looked up in the last hour are not asked again.
    const weeks = 14 * DAY;
    t.clock.set(SETUP_AT + weeks);
    await setUp();
    // Ben's next weekly DM, planned for Monday 09:00 in New York, his zone until now.
    const plannedAt = Date.UTC(2026, 11, 21, 14, 0);
    t.database.db.insert(jobs).values({ teamId: TEAM, kind: 'weekly', key: 'weekly:U0BEN:2026-W52', payload: JSON.stringify({ userId: 'U0BEN' }), runAt: plannedAt, status: 'pending', createdAt: SETUP_AT, updatedAt: SETUP_AT }).run();
    t.fake.setUser({ id: 'U0BEN', name: 'ben', tz: 'Asia/Tokyo' });
    onTestFinished(() => void t.fake.setUser({ ...PEOPLE.find((p) => p.id === 'U0BEN')! }));
    await tickAt(FIRST_ROUND_AT + weeks);
    expect(groupRows(t).length).toBeGreaterThan(0);
    expect(memberZone('U0BEN')).toBe('Asia/Tokyo');
    expect(jobRow(t, 'weekly:U0BEN:2026-W52')!.runAt).toBeLessThan(plannedAt);
  });

  it('a round Slack rate-limits halfway through its lookups writes nothing, then finishes without asking for the same people again', async () => {
    castProfiles();
    t.fake.channelMembers.set(CHANNEL, CHANNEL_MEMBERS);
    // A week later than the other tests: accounts looked up in the last hour are not asked again.
    const week = 7 * DAY;
    t.clock.set(SETUP_AT + week);
    await setUp();
    const before = t.fake.callsTo('users.info').length;
    t.fake.script('users.info', {}, {}, { status: 429, retryAfter: 5 });
    t.clock.set(FIRST_ROUND_AT + week);
    await t.tick();
    expect(roundRows(t)).toEqual([]);
    expect(groupRows(t)).toEqual([]);
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-08`)).toMatchObject({ status: 'pending', lastError: 'rate_limited' });
    await tickAt(FIRST_ROUND_AT + week + 10_000);
    expect(groupsAsSets(t)).toEqual([
      ['U0ANA', 'U0BEN'],
      ['U0CAT', 'U0DAN'],
    ]);
    // Seven people to look up (the four, the bot, the deactivated account, the guest), plus the one refused.
    expect(t.fake.callsTo('users.info').length - before).toBe(8);
  });

  it('a round in a channel Peerloop is not in tells the admin once, and stores no groups', async () => {
    castProfiles();
    await setUp();
    t.fake.channelsWithoutBot.add(CHANNEL);
    try {
      t.clock.set(FIRST_ROUND_AT);
      await t.tick();
      t.clock.set(FIRST_ROUND_AT + HOUR_MS);
      await t.tick();
    } finally {
      t.fake.channelsWithoutBot.delete(CHANNEL);
    }
    expect(roundRows(t)).toEqual([expect.objectContaining({ status: 'not_run', reason: 'not_in_channel' })]);
    expect(groupRows(t)).toEqual([]);
    const dms = t.fake.dmsTo('U0ADMIN');
    expect(dms).toHaveLength(1);
    expect(text(dms[0]!)).toContain('/invite @Peerloop');
    expect(t.fake.callsTo('conversations.open').filter((c) => String(c.args.users).includes(','))).toHaveLength(0);
  });

  it('a channel with one opted-in person: the round does not run and the admin hears why, once', async () => {
    optIn(t.database.db, 'U0ANA', { teach: ['SQL'], learn: ['Figma'] });
    t.fake.channelMembers.set(CHANNEL, ['U0ADMIN', 'U0ANA', 'U0GUS']);
    await setUp();
    t.clock.set(FIRST_ROUND_AT);
    await t.tick();
    await t.tick();
    expect(roundRows(t)).toEqual([expect.objectContaining({ status: 'not_run', reason: 'too_few_people' })]);
    expect(groupRows(t)).toEqual([]);
    const dms = t.fake.dmsTo('U0ADMIN');
    expect(dms).toHaveLength(1);
    expect(text(dms[0]!)).toContain('fewer than two people');
    expect(postsTo(CHANNEL)).toHaveLength(0);
  });
});

describe('Did you meet?', () => {
  async function checkinPosted() {
    castProfiles();
    await runFirstRound();
    await tickAt(FIRST_ROUND_AT + 3 * DAY);
    const channel = groupDmChannel(['U0ANA', 'U0BEN']);
    const posts = postsTo(channel);
    expect(posts).toHaveLength(2);
    expect(text(posts[1]!)).toContain('Did you meet?');
    const group = groupRows(t).find((g) => g.conversationId === channel)!;
    return { channel, group };
  }

  it('three days after the intro asks the group; an answer from anyone in it is stored and shown', async () => {
    const { channel, group } = await checkinPosted();
    const before = t.fake.responses.length;
    await t.action({ action_id: `${MatchActions.checkinPrefix}met`, value: String(group.id) }, { user: 'U0BEN', channel });
    const responses = await t.fake.waitForResponse(before + 1);
    const reply = responses[responses.length - 1]!.body;
    expect(reply.replace_original).toBe(true);
    expect(JSON.stringify(reply.blocks)).toContain('<@U0BEN> answered *We met*');
    expect(groupRows(t).find((g) => g.id === group.id)).toMatchObject({ outcome: 'met', outcomeBy: 'U0BEN' });
    // Asked once only.
    t.clock.set(FIRST_ROUND_AT + 4 * DAY);
    await t.tick();
    expect(postsTo(channel)).toHaveLength(2);
  });

  it('someone outside the group, or another workspace, cannot answer for it', async () => {
    const { channel, group } = await checkinPosted();
    await t.action({ action_id: `${MatchActions.checkinPrefix}not_this_time`, value: String(group.id) }, { user: 'U0CAT', channel });
    await t.action({ action_id: `${MatchActions.checkinPrefix}met`, value: String(group.id) }, { user: 'U0ANA', team: OTHER_TEAM, channel });
    await t.action({ action_id: `${MatchActions.checkinPrefix}met`, value: 'x1' }, { user: 'U0ANA', channel });
    await t.fake.waitForResponse(3);
    await t.settled();
    const texts = t.fake.responses.map((r) => String(r.body.text));
    expect(texts.some((x) => x.includes('Only the people in this group'))).toBe(true);
    expect(texts.some((x) => x.includes("couldn't find that match"))).toBe(true);
    expect(texts.some((x) => x.includes("didn't come from a Peerloop message"))).toBe(true);
    expect(groupRows(t).find((g) => g.id === group.id)!.outcome).toBeNull();
  });

  it('three rounds in a row without an answer pauses a person, with a DM to resume; Resume brings them back', async () => {
    castProfiles();
    const db = t.database.db;
    // Ana's last three round groups got no answer; Ben answered one of his.
    pastGroup(db, ['U0ANA', 'U0CAT'], { at: SETUP_AT - 21 * DAY, roundDate: '2026-11-10' });
    pastGroup(db, ['U0ANA', 'U0DAN'], { at: SETUP_AT - 14 * DAY, roundDate: '2026-11-17' });
    pastGroup(db, ['U0ANA', 'U0FAY'], { at: SETUP_AT - 7 * DAY, roundDate: '2026-11-24' });
    pastGroup(db, ['U0BEN', 'U0EVE'], { at: SETUP_AT - 7 * DAY, roundDate: '2026-11-24', index: 1, outcome: 'met' });
    await runFirstRound();
    expect(groupsAsSets(t, FIRST_ROUND).flat()).not.toContain('U0ANA');
    expect(profileOf(t, 'U0ANA')).toMatchObject({ pauseReason: 'no_answers' });
    expect(profileOf(t, 'U0BEN')!.pausedUntil).toBeNull();
    const dms = t.fake.dmsTo('U0ANA');
    expect(dms).toHaveLength(1);
    expect(text(dms[0]!)).toContain(MatchActions.resume);
    // The channel is not told who (or how many) were paused: Ana's DM is hers.
    expect(text(postsTo(CHANNEL)[0]!)).not.toContain('paused');

    await t.action({ action_id: MatchActions.resume, value: 'resume' }, { user: 'U0ANA', channel: 'D0ANA' });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('Welcome back');
    expect(profileOf(t, 'U0ANA')).toMatchObject({ pausedUntil: null, pauseReason: null });
  });
});

const HOUR_MS = 60 * MINUTE;

describe('the calendar of rounds', () => {
  it('plans the next round a cadence later once one has run, and runs a round missed while down (late) but skips one more than a day late', async () => {
    castProfiles();
    t.fake.channelMembers.set(CHANNEL, CHANNEL_MEMBERS);
    await setUp({ cadence: '2' });
    // Down over the first round's time: up again three hours later, the round still runs.
    await tickAt(FIRST_ROUND_AT + 3 * HOUR_MS);
    expect(roundRows(t)).toEqual([expect.objectContaining({ roundDate: FIRST_ROUND, status: 'done' })]);
    const next = `match_round:${CHANNEL}:2026-12-15`;
    expect(jobRow(t, next)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 15, 10) });
    // Down from before the second round until two days after it: skipped on purpose, the third is planned.
    await tickAt(Date.UTC(2026, 11, 17, 11));
    expect(jobRow(t, next)).toMatchObject({ status: 'skipped' });
    expect(JSON.parse(jobRow(t, next)!.result!)).toEqual({ reason: 'too_late' });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-29`)).toMatchObject({ status: 'pending' });
  });

  it('/peer match stop (admins) ends the rounds and cancels the planned one', async () => {
    await setUp();
    const refused = await t.command('match stop', { user: 'U0ANA', channel: CHANNEL });
    expect(refused.json.text).toContain('admin');
    const res = await t.command('match stop', { user: 'U0ADMIN', channel: CHANNEL });
    expect(res.json.text).toContain('stopped');
    expect(t.database.db.select().from(matchChannels).get()).toMatchObject({ active: false });
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'cancelled' });
    t.fake.channelMembers.set(CHANNEL, CHANNEL_MEMBERS);
    await tickAt(FIRST_ROUND_AT);
    expect(t.fake.callsTo('conversations.members')).toHaveLength(0);
  });

  it('an unknown /peer match word gets a short usage', async () => {
    const res = await t.command('match everyone', { user: 'U0ANA', channel: CHANNEL });
    expect(res.json.text).toContain('/peer match setup');
  });
});

describe('pods and pauses', () => {
  it('pods mode groups people of one role and says so in the intro', async () => {
    const db = t.database.db;
    for (const id of ['U0ANA', 'U0BEN', 'U0CAT']) optIn(db, id, { role: 'Data analyst', teach: ['SQL'] });
    for (const id of ['U0DAN', 'U0EVE', 'U0FAY']) optIn(db, id, { role: 'Designer', teach: ['Figma'] });
    t.fake.channelMembers.set(CHANNEL, ['U0ANA', 'U0BEN', 'U0CAT', 'U0DAN', 'U0EVE', 'U0FAY']);
    await setUp({ mode: 'pods' });
    await tickAt(FIRST_ROUND_AT);
    expect(groupsAsSets(t)).toEqual([
      ['U0ANA', 'U0BEN', 'U0CAT'],
      ['U0DAN', 'U0EVE', 'U0FAY'],
    ]);
    const intro = text(postsTo(groupDmChannel(['U0ANA', 'U0BEN', 'U0CAT']))[0]!);
    expect(intro).toContain('learning pod');
    expect(intro).toContain('*Data analyst*');
    expect(intro).toContain('Schedule a pod session');
  });

  it("a channel switched from skill swap to pods does not start its pods from last round's pairs", async () => {
    const db = t.database.db;
    const people = ['U0ANA', 'U0BEN', 'U0CAT', 'U0DAN', 'U0EVE', 'U0FAY', 'U0GUS'];
    for (const id of people) optIn(db, id, { role: 'Data analyst', teach: ['SQL'] });
    t.fake.channelMembers.set(CHANNEL, people);
    await setUp({ repeat: '1' });
    // Last week's skill-swap round paired them up.
    db.insert(matchRounds).values({ teamId: TEAM, channelId: CHANNEL, roundDate: '2026-11-24', status: 'done', startedAt: FIRST_ROUND_AT - 7 * DAY, finishedAt: FIRST_ROUND_AT - 7 * DAY }).run();
    const pairs = [['U0ANA', 'U0BEN'], ['U0CAT', 'U0DAN'], ['U0EVE', 'U0FAY']];
    pairs.forEach((pair, index) => pastGroup(db, pair, { at: FIRST_ROUND_AT - 7 * DAY, roundDate: '2026-11-24', index, outcome: 'met' }));
    await setUp({ mode: 'pods', repeat: '1' });
    await tickAt(FIRST_ROUND_AT);
    // The seeded fresh split of seven analysts; fed the pairs as pods, the round kept Cat and Dan as a "pod" and grew it instead.
    expect(groupsAsSets(t, FIRST_ROUND)).toEqual([
      ['U0ANA', 'U0CAT', 'U0DAN', 'U0EVE'],
      ['U0BEN', 'U0FAY', 'U0GUS'],
    ]);
  });

  it("a round that ran late does not stretch the repeat window: last week's pairs may meet again a week later", async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, ['U0ANA', 'U0BEN', 'U0CAT', 'U0DAN']);
    await setUp({ repeat: '1' });
    // Last Tuesday's round (10:00) ran 20 hours late: Peerloop was down.
    const late = FIRST_ROUND_AT - 7 * DAY + 20 * 60 * MINUTE;
    pastGroup(t.database.db, ['U0ANA', 'U0BEN'], { at: late, roundDate: '2026-11-24', index: 0, outcome: 'met' });
    pastGroup(t.database.db, ['U0CAT', 'U0DAN'], { at: late, roundDate: '2026-11-24', index: 1, outcome: 'met' });
    await tickAt(FIRST_ROUND_AT);
    expect(groupsAsSets(t, FIRST_ROUND)).toEqual([
      ['U0ANA', 'U0BEN'],
      ['U0CAT', 'U0DAN'],
    ]);
  });

  it('someone who resumed is not paused again for the unanswered rounds before', async () => {
    castProfiles();
    const db = t.database.db;
    for (const [i, date] of ['2026-11-10', '2026-11-17', '2026-11-24'].entries()) pastGroup(db, ['U0ANA', 'U0GUS'], { at: SETUP_AT - (3 - i) * 7 * DAY, roundDate: date });
    // She resumed yesterday (her profile changed after those rounds).
    t.database.sqlite.prepare('UPDATE profiles SET updated_at = ? WHERE user_id = ?').run(SETUP_AT - DAY, 'U0ANA');
    await runFirstRound();
    expect(groupsAsSets(t, FIRST_ROUND).flat()).toContain('U0ANA');
    expect(profileOf(t, 'U0ANA')!.pausedUntil).toBeNull();
  });
});
