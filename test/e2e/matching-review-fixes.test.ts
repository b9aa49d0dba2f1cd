import { describe, expect, it } from 'vitest';
import { groupDmChannel } from '../support/fake-slack.js';
import { useTestApp } from '../support/use-test-app.js';
import { CHANNEL, DAY, optIn, FIRST_ROUND, FIRST_ROUND_AT, groupRows, groupsAsSets, jobRow, MINUTE, optInTheFour, pastGroup, PEOPLE, profileOf, roundPeople, roundRows, SETUP_AT, submitSetup } from '../support/matching.js';
import { MatchActions, SettingsViews } from '../../src/slack/ids.js';

/** The matching review's bugs, each driven over HTTP against the fake Slack. */

const t = useTestApp({ users: PEOPLE, now: SETUP_AT, resetFake: true, clearData: true });

const OTHER_CHANNEL = 'C0MATCH2';
const FOUR = ['U0ADMIN', 'U0ANA', 'U0BEN', 'U0CAT', 'U0DAN'];

async function setUp(values: Parameters<typeof submitSetup>[1] = {}, channelId = CHANNEL): Promise<Record<string, any>> {
  const res = await submitSetup(t, values, { user: 'U0ADMIN' }, channelId);
  expect(res.status).toBe(200);
  expect(res.json?.response_action).toBe('update');
  return res.json;
}

async function tickAt(at: number): Promise<void> {
  t.clock.set(at);
  await t.tick();
  t.clock.set(at + 2_000);
  await t.tick();
  t.clock.set(at + 4_000);
  await t.tick();
}

const opened = () => t.fake.callsTo('conversations.open').filter((c) => String(c.args.users).includes(',')).map((c) => String(c.args.users).split(',').sort().join(','));

describe('two channels whose rounds run at the same time', () => {
  it('never introduce the same pair twice', async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, FOUR);
    t.fake.channelMembers.set(OTHER_CHANNEL, FOUR);
    await setUp();
    await setUp({}, OTHER_CHANNEL);
    await tickAt(FIRST_ROUND_AT);
    const pairs = opened();
    expect(pairs.length).toBeGreaterThan(0);
    expect(new Set(pairs).size).toBe(pairs.length);
    const all = [...groupsAsSets(t).map((g) => g.join(','))];
    expect(new Set(all).size).toBe(all.length);
    expect(t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === groupDmChannel(['U0ANA', 'U0BEN']))).toHaveLength(1);
  });
});

describe('saving the setup form again', () => {
  it('with the same day, hour and cadence keeps the calendar: the planned round stays', async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp({ cadence: '2' });
    await tickAt(FIRST_ROUND_AT);
    expect(roundRows(t)).toEqual([expect.objectContaining({ roundDate: FIRST_ROUND, status: 'done' })]);
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-15`)).toMatchObject({ status: 'pending' });
    // The next day only "no repeat within" changes.
    t.clock.set(FIRST_ROUND_AT + DAY);
    const saved = await setUp({ cadence: '2', repeat: '8' });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-15`)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 15, 10) });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-08`)).toBeUndefined();
    expect(JSON.stringify(saved.view)).toContain('Next round:* Tue 15 Dec, 10:00 UTC');
  });

  it('on the day a round already ran plans the next real round, a cadence later, and shows it', async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp();
    await tickAt(FIRST_ROUND_AT);
    // Half an hour after the round, the admin moves the rounds to 11:00: today's round already ran.
    t.clock.set(FIRST_ROUND_AT + 30 * MINUTE);
    const saved = await setUp({ hour: '11' });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-08`)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 8, 11) });
    expect(JSON.stringify(saved.view)).toContain('Next round:* Tue 8 Dec, 11:00 UTC');
    // Another day: a cadence after the last round, not tomorrow.
    const again = await setUp({ weekday: '3', hour: '11' });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-08`)).toMatchObject({ status: 'cancelled' });
    expect(jobRow(t, `match_round:${CHANNEL}:2026-12-09`)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 9, 11) });
    expect(JSON.stringify(again.view)).toContain('Next round:* Wed 9 Dec, 11:00 UTC');
    expect(roundRows(t)).toHaveLength(1);
  });

  it('shows the next round in the admin\u2019s own zone, with the zone', async () => {
    await setUp();
    t.database.sqlite.prepare('UPDATE members SET time_zone = ? WHERE user_id = ?').run('Asia/Tokyo', 'U0ADMIN');
    const saved = JSON.stringify((await setUp()).view);
    // 10:00 UTC on Tue 1 Dec is 19:00 in Tokyo.
    expect(saved).toMatch(/Next round:\* Tue 1 Dec, 19:00 [^ ]+ \(your time, Asia\/Tokyo\)/);
    expect(saved).toContain('Tuesday at 10:00 (UTC)');
  });
});

describe('people due for the "no answers" pause', () => {
  it('are paused (and told) even when the round does not run, and the admin hears how many', async () => {
    optInTheFour(t.database.db);
    const db = t.database.db;
    // Ana's and Ben's last three round groups got no answer; only Cat is left to match.
    for (const [i, date] of ['2026-11-10', '2026-11-17', '2026-11-24'].entries()) {
      pastGroup(db, ['U0ANA', 'U0FAY'], { at: SETUP_AT - (3 - i) * 7 * DAY, roundDate: date });
      pastGroup(db, ['U0BEN', 'U0GUS'], { at: SETUP_AT - (3 - i) * 7 * DAY, roundDate: date, index: 1 });
    }
    t.fake.channelMembers.set(CHANNEL, ['U0ADMIN', 'U0ANA', 'U0BEN', 'U0CAT']);
    await setUp();
    await tickAt(FIRST_ROUND_AT);
    expect(roundRows(t)).toEqual([expect.objectContaining({ status: 'not_run', reason: 'too_few_people' })]);
    for (const id of ['U0ANA', 'U0BEN']) {
      expect(profileOf(t, id)).toMatchObject({ pauseReason: 'no_answers' });
      expect(JSON.stringify(t.fake.dmsTo(id).map((c) => c.args.blocks))).toContain(MatchActions.resume);
    }
    expect(roundPeople(t).filter((r) => r.reason === 'paused_no_answers').map((r) => r.userId).sort()).toEqual(['U0ANA', 'U0BEN']);
    const toAdmin = t.fake.dmsTo('U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    expect(String(toAdmin[0]!.args.text)).toContain('2 people were paused this round');
  });
});

describe('the "no answers" pause', () => {
  it('counts only groups that were asked "Did you meet?"', async () => {
    optInTheFour(t.database.db);
    const db = t.database.db;
    // Ana's last three round groups were introduced, but "Did you meet?" never went out.
    for (const [i, date] of ['2026-11-10', '2026-11-17', '2026-11-24'].entries()) pastGroup(db, ['U0ANA', 'U0FAY'], { at: SETUP_AT - (3 - i) * 7 * DAY, roundDate: date, checkinTs: null });
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp();
    await tickAt(FIRST_ROUND_AT);
    expect(profileOf(t, 'U0ANA')!.pausedUntil).toBeNull();
    expect(groupsAsSets(t, FIRST_ROUND).flat()).toContain('U0ANA');
    // Three days later the check-in is posted and recorded on each group.
    await tickAt(FIRST_ROUND_AT + 3 * DAY);
    const asked = groupRows(t).filter((g) => g.roundDate === FIRST_ROUND);
    expect(asked.length).toBeGreaterThan(0);
    for (const g of asked) expect(g.checkinTs).not.toBeNull();
  });
});

describe('"Introduce us" with someone Slack will not DM', () => {
  it('says why in words (not the generic error) and stores nothing', async () => {
    optInTheFour(t.database.db);
    t.fake.refuseGroupsWith.set('U0BEN', 'user_disabled');
    await t.action({ action_id: MatchActions.openDm, value: 'U0BEN' }, { user: 'U0ANA', channel: CHANNEL });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain("I couldn't introduce you to <@U0BEN>: their Slack account is deactivated");
    expect(reply!.body.text).not.toContain('went wrong');
    expect(groupRows(t)).toEqual([]);
  });
});

describe('group DMs Slack refuses', () => {
  it('make one DM to the admin per round, listing every refused group with Slack\'s reason', async () => {
    optInTheFour(t.database.db);
    t.fake.refuseGroupsWith.set('U0ANA', 'missing_scope');
    t.fake.refuseGroupsWith.set('U0CAT', 'user_disabled');
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp();
    await tickAt(FIRST_ROUND_AT);
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(0);
    expect(jobRow(t, `match_notice:groups:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'pending', runAt: FIRST_ROUND_AT + 5 * MINUTE });
    await tickAt(FIRST_ROUND_AT + 5 * MINUTE);
    const toAdmin = t.fake.dmsTo('U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    const dm = JSON.stringify(toAdmin[0]!.args.blocks);
    expect(dm).toContain('2 groups');
    expect(dm).toContain('<@U0ANA>');
    expect(dm).toContain('<@U0CAT>');
    expect(dm).toContain('user_disabled');
    expect(dm).toContain('Peerloop needs the mpim:write permission: update the app from manifest.yml and reinstall it.');
    await tickAt(FIRST_ROUND_AT + DAY);
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(1);
  });

  it('the one DM waits for intros Slack rate-limited, so their refusals join it', async () => {
    optInTheFour(t.database.db);
    t.fake.refuseGroupsWith.set('U0ANA', 'user_disabled');
    t.fake.refuseGroupsWith.set('U0CAT', 'user_disabled');
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp();
    // The first group DM Slack is asked for answers 429 for ten minutes; the other is refused at once.
    t.fake.script('conversations.open', { status: 429, retryAfter: 600 });
    await tickAt(FIRST_ROUND_AT);
    await tickAt(FIRST_ROUND_AT + 5 * MINUTE);
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(0);
    expect(jobRow(t, `match_notice:groups:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'pending' });
    await tickAt(FIRST_ROUND_AT + 11 * MINUTE);
    await tickAt(FIRST_ROUND_AT + 16 * MINUTE);
    const toAdmin = t.fake.dmsTo('U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    const dm = JSON.stringify(toAdmin[0]!.args.blocks);
    expect(dm).toContain('2 groups');
  });

  it('a round Slack refuses to read for a missing permission is recorded with why, and the admin told once', async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp();
    t.fake.always('conversations.members', { body: { ok: false, error: 'missing_scope', needed: 'groups:read', provided: 'chat:write' } });
    await tickAt(FIRST_ROUND_AT);
    expect(roundRows(t)).toEqual([expect.objectContaining({ status: 'not_run', reason: 'missing_scope:groups:read' })]);
    const toAdmin = t.fake.dmsTo('U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    expect(String(toAdmin[0]!.args.text)).toContain('Peerloop needs the groups:read permission: update the app from manifest.yml and reinstall it.');
  });

  it('setup in a channel Slack will not describe for a missing permission says which permission', async () => {
    t.fake.always('conversations.info', { body: { ok: false, error: 'missing_scope', needed: 'channels:read', provided: 'chat:write' } });
    const res = await t.command('match setup', { user: 'U0ADMIN', channel: CHANNEL });
    expect(res.status).toBe(200);
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('Peerloop needs the channels:read permission: update the app from manifest.yml and reinstall it.');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });
});

describe('a standing problem', () => {
  it('DMs the admin when it starts, not every round, and again when the reason changes', async () => {
    optInTheFour(t.database.db);
    await setUp();
    t.fake.channelsWithoutBot.add(CHANNEL);
    try {
      await tickAt(FIRST_ROUND_AT);
      await tickAt(FIRST_ROUND_AT + 7 * DAY);
      expect(roundRows(t).map((r) => [r.roundDate, r.status, r.reason])).toEqual([
        [FIRST_ROUND, 'not_run', 'not_in_channel'],
        ['2026-12-08', 'not_run', 'not_in_channel'],
      ]);
      expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(1);
    } finally {
      t.fake.channelsWithoutBot.delete(CHANNEL);
    }
    // Peerloop is back, but only Ana is in the channel: another reason, another DM.
    t.fake.channelMembers.set(CHANNEL, ['U0ADMIN', 'U0ANA']);
    await tickAt(FIRST_ROUND_AT + 14 * DAY);
    expect(roundRows(t).at(-1)).toMatchObject({ status: 'not_run', reason: 'too_few_people' });
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(2);
  });
});

describe('changing the workspace zone', () => {
  it('moves the planned round to its weekday and hour in the new zone', async () => {
    await setUp();
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'pending', runAt: FIRST_ROUND_AT });
    const state = {
      [SettingsViews.timeZoneBlock]: { [SettingsViews.input]: { type: 'plain_text_input', value: 'Europe/Berlin' } },
      [SettingsViews.leadTimesBlock]: { [SettingsViews.input]: { type: 'plain_text_input', value: '1h' } },
      [SettingsViews.weeklyDayBlock]: { [SettingsViews.input]: { type: 'static_select', selected_option: { value: '1' } } },
      [SettingsViews.weeklyHourBlock]: { [SettingsViews.input]: { type: 'static_select', selected_option: { value: '9' } } },
      [SettingsViews.pollQuestionBlock]: { [SettingsViews.input]: { type: 'plain_text_input', value: 'Would you recommend this session?' } },
      [SettingsViews.messagesPerMinuteBlock]: { [SettingsViews.input]: { type: 'number_input', value: '60' } },
    };
    const res = await t.submitView({ callback_id: SettingsViews.modal, values: state }, { user: 'U0ADMIN' });
    expect(res.status).toBe(200);
    expect(res.json?.response_action).not.toBe('errors');
    // 10:00 in Berlin (CET) on Tue 1 Dec is 09:00 UTC.
    expect(jobRow(t, `match_round:${CHANNEL}:${FIRST_ROUND}`)).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 11, 1, 9) });
  });
});

describe('texts', () => {
  it('the non-admin refusal names no configuration, and set up and stop say the same', async () => {
    const setup = await t.command('match setup', { user: 'U0ANA', channel: CHANNEL });
    const stop = await t.command('match stop', { user: 'U0ANA', channel: CHANNEL });
    expect(setup.json.text).toContain('Only a Slack admin or owner');
    expect(setup.json.text).not.toContain('PEERLOOP_ADMINS');
    expect(stop.json.text).toBe(setup.json.text);
  });

  it('setup in a group DM is refused before any form opens', async () => {
    t.fake.mpims.add('G0GROUPDM');
    const res = await t.command('match setup', { user: 'U0ADMIN', channel: 'G0GROUPDM' });
    expect(res.status).toBe(200);
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('not in a DM or group DM');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('setup in a group DM Peerloop is not in is refused by its mpdm- name, not answered with "invite Peerloop"', async () => {
    t.fake.channelsWithoutBot.add('G0OTHERDM');
    try {
      const res = await t.command('match setup', { user: 'U0ADMIN', channel: 'G0OTHERDM', channelName: 'mpdm-admin--ana--ben-1' });
      expect(res.json.text).toContain('not in a DM or group DM');
      expect(t.fake.callsTo('conversations.info')).toHaveLength(0);
      expect(t.fake.callsTo('views.open')).toHaveLength(0);
    } finally {
      t.fake.channelsWithoutBot.delete('G0OTHERDM');
    }
  });

  it('the summary says intros are on their way', async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, FOUR);
    await setUp();
    await tickAt(FIRST_ROUND_AT);
    const summary = t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL);
    expect(JSON.stringify(summary[0]!.args.blocks)).toContain('Introductions are on their way to your group DMs.');
  });

  it('App Home shows no next round to someone who never turned matching on, or turned DMs off', async () => {
    optInTheFour(t.database.db);
    optIn(t.database.db, 'U0FAY', { teach: ['SQL'], optedOutOfDms: true });
    await setUp();
    for (const [user, shown] of [['U0ANA', true], ['U0GUS', false], ['U0FAY', false]] as const) {
      const before = t.fake.callsTo('views.publish').length;
      await t.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
      const calls = await t.fake.waitForCalls('views.publish', before + 1);
      const blocks = calls.at(-1)!.args.view.blocks as { block_id?: string }[];
      expect(blocks.some((b) => b.block_id === 'home_match_round'), user).toBe(shown);
    }
  });
});
