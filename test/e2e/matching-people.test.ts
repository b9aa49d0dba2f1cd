import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { matchRoundPeople, participants, sessions } from '../../src/db/schema.js';
import { MatchActions } from '../../src/slack/ids.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { groupDmChannel } from '../support/fake-slack.js';
import { useTestApp } from '../support/use-test-app.js';
import { scheduleState } from './sessions/helpers.js';
import { SessionViews } from '../../src/slack/ids.js';
import { CHANNEL, DAY, FIRST_ROUND, FIRST_ROUND_AT, groupRows, optIn, optInTheFour, OTHER_TEAM, pastGroup, PEOPLE, roundPeople, SETUP_AT, submitSetup, TEAM } from '../support/matching.js';

const t = useTestApp({ users: PEOPLE, now: SETUP_AT, resetFake: true, clearData: true });

type Block = { type: string; block_id?: string; text?: { text: string }; accessory?: Record<string, any>; elements?: any[] };

/** `/peer match` answers in the ack (a database read): the ephemeral message. */
async function suggestions(user: string, team = TEAM) {
  const res = await t.command('match', { user, team, channel: CHANNEL });
  expect(res.status).toBe(200);
  return res.json as { response_type: string; text: string; blocks: Block[] };
}

const suggested = (message: { blocks: Block[] }) => message.blocks.filter((b) => b.accessory?.action_id === MatchActions.openDm).map((b) => b.accessory!.value as string);

describe('/peer match', () => {
  it('suggests complementary partners with the reason and our shared hours; never someone opted out, paused or met recently', async () => {
    const db = t.database.db;
    optInTheFour(db);
    optIn(db, 'U0EVE', { teach: ['Figma'], learn: ['SQL'], pausedUntil: SETUP_AT + 10 * DAY, pauseReason: 'chosen' });
    optIn(db, 'U0GUS', { teach: ['Figma'], learn: ['SQL'], optIn: false });
    optIn(db, 'U0FAY', { teach: ['Figma'], learn: ['SQL'], optedOutOfDms: true });
    // Ana met Cat two weeks ago: within the default 12 weeks.
    pastGroup(db, ['U0ANA', 'U0CAT'], { at: SETUP_AT - 14 * DAY, channelId: null });

    const message = await suggestions('U0ANA');
    expect(message.response_type).toBe('ephemeral');
    assertBlockKitLimits('message', message);
    const ids = suggested(message);
    expect(ids[0]).toBe('U0BEN');
    expect(ids.length).toBeLessThanOrEqual(3);
    for (const excluded of ['U0EVE', 'U0GUS', 'U0FAY', 'U0CAT', 'U0ANA']) expect(ids).not.toContain(excluded);
    const ben = JSON.stringify(message.blocks.find((b) => b.block_id === 'match_suggestion_U0BEN'));
    expect(ben).toContain('You teach *SQL* and want to learn *Figma*');
    expect(ben).toContain('<@U0BEN> teaches *Figma* and wants to learn *SQL*');
    expect(ben).toMatch(/Shared hours: .* for you, .* for them/);
  });

  it('tells someone without matching on how to turn it on', async () => {
    const message = await suggestions('U0GUS');
    expect(message.text).toContain('/peer skills');
    expect(suggested(message)).toEqual([]);
  });

  it('"Introduce us" opens a group DM with the two of us and posts why; a second click does not introduce us again', async () => {
    optInTheFour(t.database.db);
    await t.action({ action_id: MatchActions.openDm, value: 'U0BEN' }, { user: 'U0ANA', channel: CHANNEL });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('introduced you');
    const opens = t.fake.callsTo('conversations.open');
    expect(opens.map((c) => String(c.args.users).split(',').sort())).toEqual([['U0ANA', 'U0BEN']]);
    const posts = t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === groupDmChannel(['U0ANA', 'U0BEN']));
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.args.blocks)).toContain('<@U0ANA> asked Peerloop to introduce you');
    expect(groupRows(t)).toEqual([expect.objectContaining({ channelId: null, roundDate: null, conversationId: groupDmChannel(['U0ANA', 'U0BEN']) })]);

    await t.action({ action_id: MatchActions.openDm, value: 'U0BEN' }, { user: 'U0ANA', channel: CHANNEL });
    const responses = await t.fake.waitForResponse(2);
    expect(responses[1]!.body.text).toContain('introduced recently');
    expect(t.fake.callsTo('conversations.open')).toHaveLength(1);
    expect(suggested(await suggestions('U0ANA'))).not.toContain('U0BEN');
  });

  it('two quick clicks on "Introduce us" introduce us once', async () => {
    optInTheFour(t.database.db);
    await Promise.all([
      t.action({ action_id: MatchActions.openDm, value: 'U0BEN' }, { user: 'U0ANA', channel: CHANNEL }),
      t.action({ action_id: MatchActions.openDm, value: 'U0BEN' }, { user: 'U0ANA', channel: CHANNEL }),
    ]);
    await t.fake.waitForResponse(2);
    await t.settled();
    expect(t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === groupDmChannel(['U0ANA', 'U0BEN']))).toHaveLength(1);
    expect(groupRows(t)).toHaveLength(1);
  });

  it('refuses a partner who paused, a forged value, and a person of another workspace', async () => {
    optInTheFour(t.database.db);
    optIn(t.database.db, 'U0EVE', { teach: ['Figma'], learn: ['SQL'], pausedUntil: SETUP_AT + DAY });
    await t.action({ action_id: MatchActions.openDm, value: 'U0EVE' }, { user: 'U0ANA', channel: CHANNEL });
    await t.action({ action_id: MatchActions.openDm, value: '<!channel>' }, { user: 'U0ANA', channel: CHANNEL });
    await t.action({ action_id: MatchActions.openDm, value: 'U0BEN' }, { user: 'U0ANA', team: OTHER_TEAM, channel: CHANNEL });
    const responses = await t.fake.waitForResponse(3);
    const texts = responses.map((r) => String(r.body.text));
    expect(texts.some((x) => x.includes("can't be matched right now"))).toBe(true);
    expect(texts.some((x) => x.includes("didn't come from a Peerloop message"))).toBe(true);
    expect(texts.some((x) => x.includes('Turn matching on'))).toBe(true);
    expect(t.fake.callsTo('conversations.open')).toHaveLength(0);
    expect(groupRows(t)).toEqual([]);
    expect(groupRows(t, OTHER_TEAM)).toEqual([]);
  });
});

describe('Schedule a skill-swap', () => {
  it('opens the schedule form prefilled for the group; once saved, the others are attendees', async () => {
    optInTheFour(t.database.db);
    const groupId = pastGroup(t.database.db, ['U0ANA', 'U0BEN'], { at: SETUP_AT, roundDate: FIRST_ROUND });
    t.database.sqlite
      .prepare('UPDATE match_groups SET reason = ? WHERE id = ?')
      .run(JSON.stringify({ mode: 'skill-swap', exchanges: [{ teacher: 'U0ANA', learner: 'U0BEN', skillKey: 'sql' }, { teacher: 'U0BEN', learner: 'U0ANA', skillKey: 'figma' }], skills: { sql: 'SQL', figma: 'Figma' }, roleKey: null, role: null, sharedMinutes: 180 }), groupId);

    // Someone outside the group cannot use its button.
    await t.action({ action_id: MatchActions.scheduleSwap, value: String(groupId) }, { user: 'U0CAT', channel: 'G0PAST' });
    const [refusal] = await t.fake.waitForResponse(1);
    expect(refusal!.body.text).toContain('for the people in this group');

    await t.action({ action_id: MatchActions.scheduleSwap, value: String(groupId) }, { user: 'U0ANA', channel: 'G0PAST' });
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    const view = open!.args.view;
    expect(view.callback_id).toBe(SessionViews.schedule);
    const metadata = JSON.parse(view.private_metadata);
    expect(metadata).toMatchObject({ mode: 'create', matchGroup: groupId });
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('"initial_option":{"value":"skill-swap"');
    expect(json).toContain('Skill swap: SQL ↔ Figma');
    expect(json).toContain('"initial_user":"U0ANA"');
    expect(json).toContain(`"initial_conversation":"${CHANNEL}"`);

    const res = await t.submitView(
      { callback_id: SessionViews.schedule, private_metadata: view.private_metadata, values: scheduleState({ format: 'skill-swap', title: 'Skill swap: SQL ↔ Figma', host: 'U0ANA', channel: CHANNEL, date: '2026-12-03', time: '15:00', duration: '60' }) },
      { user: 'U0ANA' },
    );
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBeUndefined();
    await t.settled();
    const session = t.database.db.select().from(sessions).where(eq(sessions.teamId, TEAM)).get()!;
    expect(session).toMatchObject({ format: 'skill-swap', hostId: 'U0ANA' });
    const people = t.database.db
      .select()
      .from(participants)
      .where(and(eq(participants.teamId, TEAM), eq(participants.sessionNumber, session.number)))
      .all();
    expect(people.map((p) => [p.userId, p.role]).sort()).toEqual([
      ['U0ANA', 'host'],
      ['U0BEN', 'attendee'],
    ]);
  });

  it('a forged group in the form adds nobody it does not belong to', async () => {
    optInTheFour(t.database.db);
    const groupId = pastGroup(t.database.db, ['U0BEN', 'U0CAT'], { at: SETUP_AT, roundDate: FIRST_ROUND });
    const res = await t.submitView(
      { callback_id: SessionViews.schedule, private_metadata: JSON.stringify({ mode: 'create', rev: 0, matchGroup: groupId }), values: scheduleState({ host: 'U0ANA', channel: CHANNEL, date: '2026-12-03' }) },
      { user: 'U0ANA' },
    );
    expect(res.status).toBe(200);
    await t.settled();
    const session = t.database.db.select().from(sessions).where(eq(sessions.teamId, TEAM)).get()!;
    const people = t.database.db.select().from(participants).where(and(eq(participants.teamId, TEAM), eq(participants.sessionNumber, session.number))).all();
    expect(people.map((p) => p.userId)).toEqual(['U0ANA']);
  });
});

describe('App Home: the next round, Skip this round, Resume', () => {
  async function openHome(user: string, team = TEAM): Promise<Block[]> {
    const before = t.fake.callsTo('views.publish').length;
    await t.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' }, { team });
    const calls = await t.fake.waitForCalls('views.publish', before + 1);
    const call = calls[calls.length - 1]!;
    assertBlockKitLimits('home', call.args);
    return call.args.view.blocks as Block[];
  }
  const roundBlock = (blocks: Block[]) => blocks.find((b) => b.block_id === 'home_match_round');

  it('shows the next round with Skip; skipping turns it into Join this round; the round leaves me out', async () => {
    optInTheFour(t.database.db);
    expect((await submitSetup(t)).json.response_action).toBe('update');
    let block = roundBlock(await openHome('U0ANA'));
    expect(block?.text?.text).toContain(`<#${CHANNEL}>`);
    expect(block?.accessory).toMatchObject({ action_id: MatchActions.skip, value: `${CHANNEL}:${FIRST_ROUND}` });

    await t.action({ action_id: MatchActions.skip, value: `${CHANNEL}:${FIRST_ROUND}` }, { user: 'U0ANA', container: { type: 'view', view_id: 'V0HOME' } });
    await t.settled();
    await t.fake.waitFor(() => t.fake.callsTo('views.publish').length >= 2, 'home refresh');
    block = roundBlock(t.fake.callsTo('views.publish').at(-1)!.args.view.blocks as Block[]);
    expect(block?.text?.text).toContain("You're skipping this one");
    expect(block?.accessory).toMatchObject({ action_id: MatchActions.unskip });

    // Another workspace's payload cannot skip for this channel (it has no such round).
    await t.action({ action_id: MatchActions.skip, value: `${CHANNEL}:${FIRST_ROUND}` }, { user: 'U0BEN', team: OTHER_TEAM, container: { type: 'view', view_id: 'V0HOME' } });
    await t.settled();
    expect(roundPeople(t, OTHER_TEAM)).toEqual([]);
    expect(
      t.database.db.select().from(matchRoundPeople).where(and(eq(matchRoundPeople.teamId, TEAM), eq(matchRoundPeople.userId, 'U0BEN'))).all(),
    ).toEqual([]);

    // Changed my mind, then skipped again: one row, skipping.
    await t.action({ action_id: MatchActions.unskip, value: `${CHANNEL}:${FIRST_ROUND}` }, { user: 'U0ANA', container: { type: 'view', view_id: 'V0HOME' } });
    await t.settled();
    expect(roundPeople(t)).toEqual([]);
    await t.action({ action_id: MatchActions.skip, value: `${CHANNEL}:${FIRST_ROUND}` }, { user: 'U0ANA', container: { type: 'view', view_id: 'V0HOME' } });
    await t.settled();
    expect(roundPeople(t)).toEqual([expect.objectContaining({ userId: 'U0ANA', state: 'skipping' })]);

    // A round that already ran can no longer be skipped.
    t.fake.channelMembers.set(CHANNEL, ['U0ANA', 'U0BEN', 'U0CAT', 'U0DAN']);
    t.clock.set(FIRST_ROUND_AT);
    await t.tick();
    expect(groupRows(t).length).toBeGreaterThan(0);
    await t.action({ action_id: MatchActions.unskip, value: `${CHANNEL}:${FIRST_ROUND}` }, { user: 'U0ANA', container: { type: 'view', view_id: 'V0HOME' } });
    await t.settled();
    expect(roundPeople(t).find((p) => p.userId === 'U0ANA')).toMatchObject({ state: 'skipping' });
  });

  it('shows a pause with Resume instead', async () => {
    optIn(t.database.db, 'U0ANA', { teach: ['SQL'], pausedUntil: Date.UTC(9999, 11, 31), pauseReason: 'no_answers' });
    expect((await submitSetup(t)).json.response_action).toBe('update');
    const block = roundBlock(await openHome('U0ANA'));
    expect(block?.text?.text).toContain('paused');
    expect(block?.text?.text).toContain('until you resume');
    expect(block?.accessory).toMatchObject({ action_id: MatchActions.resume });
  });
});
