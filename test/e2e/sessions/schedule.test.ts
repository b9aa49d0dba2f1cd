import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobs, participants, sessions } from '../../../src/db/schema.js';
import { getFormat } from '../../../src/services/formats.js';
import { SCHEDULE_SHORTCUT, SessionActions, SessionViews } from '../../../src/slack/ids.js';
import { useTestApp } from '../../support/use-test-app.js';
import { assertBlockKitLimits } from '../../support/block-kit.js';
import { blockActionsBody, slashCommandBody } from '../../support/payloads.js';
import { listCommand, participantRows, scheduleOk, scheduleState, sessionRows, submitSchedule } from './helpers.js';

const t = useTestApp({
  users: [
    { id: 'U0ALICE', name: 'alice', tz: 'America/New_York' },
    { id: 'U0KOLKATA', name: 'priya', tz: 'Asia/Kolkata' },
    { id: 'U0BOTTY', name: 'botty', is_bot: true },
  ],
  // "Now" is before every session these tests schedule.
  now: '2026-10-30T12:00:00Z',
  resetFake: true,
});
beforeEach(() => {
  t.fake.channelsWithoutBot.clear();
  t.database.db.delete(participants).run();
  t.database.db.delete(sessions).run();
  t.database.db.delete(jobs).run();
});

function allRowCounts() {
  return { sessions: t.database.db.select().from(sessions).all().length, participants: t.database.db.select().from(participants).all().length };
}

describe('opening the schedule modal', () => {
  it('/peer schedule acks and opens the modal with the trigger id, host = the person, channel = where they typed', async () => {
    const res = await t.post(slashCommandBody('schedule', { triggerId: 'trig-123', channel: 'C0ROOM', responseUrl: t.fake.responseUrl() }));
    expect(res.status).toBe(200);
    const [open] = await t.fake.waitForCalls('views.open');
    expect(open!.args.trigger_id).toBe('trig-123');
    const view = open!.args.view;
    expect(view.callback_id).toBe(SessionViews.schedule);
    expect(JSON.parse(view.private_metadata)).toMatchObject({ mode: 'create', origin: 'C0ROOM' });
    const blocks = view.blocks as { block_id: string; element: Record<string, unknown>; label: { text: string }; dispatch_action?: boolean; hint?: { text: string } }[];
    const byId = (id: string) => blocks.find((b) => b.block_id === id)!;
    expect(byId('host').element.initial_user).toBe('U0ALICE');
    expect(byId('channel').element.initial_conversation).toBe('C0ROOM');
    expect(byId('format').dispatch_action).toBe(true);
    expect(byId('format').element.action_id).toBe(SessionActions.formatSelect);
    // The person's own zone is named where they type the time.
    expect(byId('date').label.text).toContain('America/New_York');
    expect(byId('time').hint!.text).toContain('America/New_York');
    expect(byId('repeat')).toBeDefined();
  });

  it('the global shortcut opens the same modal with its trigger id', async () => {
    const payload = {
      type: 'shortcut',
      callback_id: SCHEDULE_SHORTCUT,
      trigger_id: 'trig-shortcut',
      action_ts: '1700000000.1',
      team: { id: 'T0TEST', domain: 'peerloop-test' },
      user: { id: 'U0ALICE', username: 'alice', team_id: 'T0TEST' },
      token: 'x',
      is_enterprise_install: false,
    };
    const res = await t.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    expect(res.status).toBe(200);
    const [open] = await t.fake.waitForCalls('views.open');
    expect(open!.args.trigger_id).toBe('trig-shortcut');
    expect(open!.args.view.callback_id).toBe(SessionViews.schedule);
  });

  it('the Home "Schedule" button opens the modal', async () => {
    const body = blockActionsBody([{ action_id: SessionActions.openSchedule, value: 'open' }], { container: { type: 'view', view_id: 'VHOME' } });
    await t.post(body);
    const [open] = await t.fake.waitForCalls('views.open');
    expect(open!.args.view.callback_id).toBe(SessionViews.schedule);
  });

  it('choosing a format updates the modal with its length and agenda, keeping the typed title', async () => {
    const state = scheduleState({ title: 'My typed title', duration: '', agenda: '', format: 'problem-clinic' });
    const body = blockActionsBody(
      [{ action_id: SessionActions.formatSelect, block_id: 'format', type: 'static_select', selected_option: { value: 'problem-clinic', text: { type: 'plain_text', text: 'Problem clinic' } } }],
      { view: { id: 'V0SCHED', hash: 'h1', callback_id: SessionViews.schedule, private_metadata: JSON.stringify({ mode: 'create', rev: 0 }), state: { values: state } } },
    );
    const res = await t.post(body);
    expect(res.status).toBe(200);
    const [update] = await t.fake.waitForCalls('views.update');
    expect(update!.args.view_id).toBe('V0SCHED');
    expect(update!.args.hash).toBe('h1');
    const blocks = update!.args.view.blocks as { block_id: string; element: Record<string, unknown> }[];
    // New block ids for the defaulted fields, so Slack shows the new values.
    const duration = blocks.find((b) => b.block_id === 'duration.1')!;
    const agenda = blocks.find((b) => b.block_id === 'agenda.1')!;
    expect(duration.element.initial_value).toBe('45');
    expect(String(agenda.element.initial_value)).toContain('The problem');
    expect(blocks.find((b) => b.block_id === 'title')!.element.initial_value).toBe('My typed title');
    expect(JSON.parse(update!.args.view.private_metadata)).toMatchObject({ rev: 1 });
  });

  it("switching format keeps a length and agenda the person wrote, and replaces another format's defaults", async () => {
    const pick = async (fields: Parameters<typeof scheduleState>[0], formatId: string) => {
      t.fake.reset();
      const body = blockActionsBody(
        [{ action_id: SessionActions.formatSelect, block_id: 'format', type: 'static_select', selected_option: { value: formatId, text: { type: 'plain_text', text: formatId } } }],
        { view: { id: 'V0SCHED', hash: 'h1', callback_id: SessionViews.schedule, private_metadata: JSON.stringify({ mode: 'create', rev: 0 }), state: { values: scheduleState({ ...fields, format: formatId }) } } },
      );
      expect((await t.post(body)).status).toBe(200);
      const [update] = await t.fake.waitForCalls('views.update');
      const blocks = update!.args.view.blocks as { block_id: string; element: Record<string, unknown> }[];
      return { duration: blocks.find((b) => b.block_id === 'duration.1')!.element.initial_value, agenda: String(blocks.find((b) => b.block_id === 'agenda.1')!.element.initial_value) };
    };
    const own = await pick({ duration: '25', agenda: 'My own plan:\n1. Pair on the bug' }, 'problem-clinic');
    expect(own).toEqual({ duration: '25', agenda: 'My own plan:\n1. Pair on the bug' });
    // The micro-lesson's defaults (15 min, its template) were never touched: the clinic's replace them.
    const micro = getFormat('micro-lesson')!;
    const replaced = await pick({ duration: String(micro.defaultDurationMin), agenda: micro.agendaTemplate }, 'problem-clinic');
    expect(replaced.duration).toBe('45');
    expect(replaced.agenda).toContain('The problem');
  });
});

describe('bad input: inline errors and nothing saved', () => {
  const cases: [string, Parameters<typeof submitSchedule>[1], string, RegExp][] = [
    ['empty title', { title: '' }, 'title', /title/i],
    ['200-character title', { title: 'x'.repeat(200) }, 'title', /150 characters/],
    ['start in the past', { date: '2026-10-29', time: '09:00' }, 'date', /past/],
    ['duration under 5', { duration: '4' }, 'duration.0', /at least 5/],
    ['duration over 240', { duration: '241' }, 'duration.0', /at most 240/],
    ['capacity 0', { capacity: '0' }, 'capacity', /at least 1/],
    ['capacity 501', { capacity: '501' }, 'capacity', /500/],
    ['ftp link', { link: 'ftp://example.com/file' }, 'link', /https:\/\//],
    ['javascript link', { link: 'javascript:alert(1)' }, 'link', /https:\/\//],
    ['not a link', { link: 'see wiki' }, 'link', /https:\/\//],
    ['repeat 0 weeks', { repeat: '0' }, 'repeat', /at least 1/],
    ['repeat 13 weeks', { repeat: '13' }, 'repeat', /12/],
    ['no channel', { channel: '' }, 'channel', /channel/i],
    ['a bot as host', { host: 'U0BOTTY' }, 'host', /bot/i],
    ['a time skipped by daylight saving', { date: '2027-03-14', time: '02:30' }, 'time', /does not exist/],
  ];
  it.each(cases)('%s', async (_name, fields, blockId, message) => {
    const res = await submitSchedule(t, fields);
    expect(res.status).toBe(200);
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors[blockId]).toMatch(message);
    expect(allRowCounts()).toEqual({ sessions: 0, participants: 0 });
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a forged private_metadata is refused without saving', async () => {
    const res = await submitSchedule(t, {}, {}, { mode: 'bogus' });
    expect(res.json.response_action).toBe('errors');
    expect(allRowCounts()).toEqual({ sessions: 0, participants: 0 });
  });
});

describe('a valid submission', () => {
  it('writes the session and the host row, posts the card and stores its ts', async () => {
    const res = await submitSchedule(t, { title: 'Hello <!channel> *bold* :tada: <@U0BOB>', capacity: '10', link: 'https://meet.example.com/abc' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const rows = sessionRows(t);
    expect(rows).toHaveLength(1);
    const s = rows[0]!;
    expect(s).toMatchObject({ title: 'Hello <!channel> *bold* :tada: <@U0BOB>', hostId: 'U0ALICE', creatorId: 'U0ALICE', capacity: 10, durationMin: 30, format: 'micro-lesson', status: 'scheduled' });
    expect(participantRows(t, s.number)).toMatchObject([{ userId: 'U0ALICE', role: 'host' }]);
    const [post] = t.fake.callsTo('chat.postMessage');
    expect(post!.args.channel).toBe('C0GENERAL');
    expect(s.announcementTs).toBeTruthy();
    const card = JSON.stringify(post!.args.blocks);
    // Stored as typed, shown escaped: the bot never pings.
    expect(card).not.toContain('<!channel>');
    expect(card).not.toContain('<@U0BOB>');
    expect(card).toContain('&lt;!channel&gt;');
    expect(card).toContain(`<!date^${Math.floor(s.startsAt / 1000)}^`);
    expect(card).toContain('10 of 10 seats left');
    expect(card).toContain(SessionActions.join);
    expect(String(post!.args.text)).not.toContain('<!channel>');
  });

  it('numbers sessions per workspace, consecutively', async () => {
    const a = await scheduleOk(t);
    const b = await scheduleOk(t);
    expect(b.number).toBe(a.number + 1);
  });

  it('weekly repeats create N sessions sharing a series id with consecutive numbers and a card each', async () => {
    await submitSchedule(t, { repeat: '4' });
    const rows = sessionRows(t).sort((x, y) => x.number - y.number);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.seriesId)).size).toBe(1);
    expect(rows[0]!.seriesId).not.toBeNull();
    for (let i = 1; i < rows.length; i += 1) {
      expect(rows[i]!.number).toBe(rows[0]!.number + i);
      expect(rows[i]!.startsAt - rows[i - 1]!.startsAt).toBe(7 * 24 * 3600 * 1000);
    }
    await t.fake.waitForCalls('chat.postMessage', 4);
    await t.fake.waitFor(() => sessionRows(t).every((r) => r.announcementTs !== null), 'every card stored');
  });

  it("a later week's card that Slack does not take is posted again by a job, once", async () => {
    // The first card goes through; the second week's post gets a 500.
    t.fake.script('chat.postMessage', {}, { status: 500 });
    const res = await submitSchedule(t, { repeat: '3', title: 'Series with a hiccup' });
    expect(res.status).toBe(200);
    const series = () => sessionRows(t).filter((r) => r.title === 'Series with a hiccup').sort((x, y) => x.number - y.number);
    await t.fake.waitFor(() => series().filter((r) => r.announcementTs !== null).length === 2, 'weeks 1 and 3 announced');
    const second = series()[1]!;
    expect(second.announcementTs).toBeNull();
    const key = `announce:${second.number}`;
    expect(t.database.db.select().from(jobs).where(eq(jobs.key, key)).get()).toMatchObject({ status: 'pending' });

    t.clock.advance(60_000);
    await t.tick();
    expect(series().every((r) => r.announcementTs !== null)).toBe(true);
    expect(t.database.db.select().from(jobs).where(eq(jobs.key, key)).get()).toMatchObject({ status: 'done' });
    const cardsForSecond = t.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes(`#${second.number} `));
    expect(cardsForSecond.filter((c) => c.args.channel === 'C0GENERAL')).toHaveLength(2); // the refused try, then the job's
    // Later ticks post nothing more.
    t.clock.advance(60_000);
    await t.tick();
    expect(t.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes(`#${second.number} `))).toHaveLength(2);
  });
});

describe('user text full of characters that escaping grows', () => {
  it('is cut before it is escaped, so no entity is split, and the card still fits Block Kit', async () => {
    // 150 characters, as many as the form allows; each & becomes &amp; on the card.
    const title = 'R&D Q&A '.repeat(19).slice(0, 150);
    const agenda = '&<>'.repeat(1_000).slice(0, 2_900);
    const link = `https://meet.example.com/x?${'a=1&'.repeat(400)}`.slice(0, 1_900);
    const res = await submitSchedule(t, { title, agenda, link });
    expect(res.text).toBe('');
    const [post] = t.fake.callsTo('chat.postMessage');
    assertBlockKitLimits('message', post!.args);
    const texts = (post!.args.blocks as { text?: { text: string } }[]).flatMap((b) => (b.text === undefined ? [] : [b.text.text]));
    // The whole title, escaped (it used to stop at 140 characters).
    expect(texts[0]).toContain(title.replace(/&/g, '&amp;'));
    const agendaText = texts.find((x) => x.startsWith('*Agenda*'))!;
    const linkText = texts.find((x) => x.startsWith('*Link*'))!;
    for (const text of [agendaText, linkText]) {
      expect(text.endsWith('…')).toBe(true);
      // Every & that is left starts a whole entity.
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(Array.from(text).length).toBeLessThanOrEqual(3_000);
    }
  });
});

describe('weekly repeats across a daylight-saving change', () => {
  it('keep the wall-clock time in the scheduler\'s zone (09:00 New York stays 09:00 after the clocks go back)', async () => {
    // 2026-10-31 is EDT (UTC-4); from 2026-11-01 New York is EST (UTC-5).
    const res = await submitSchedule(t, { date: '2026-10-31', time: '09:00', repeat: '3' });
    expect(res.text).toBe('');
    const rows = sessionRows(t).sort((x, y) => x.number - y.number);
    expect(rows.map((r) => new Date(r.startsAt).toISOString())).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-07T14:00:00.000Z',
      '2026-11-14T14:00:00.000Z',
    ]);
    await t.fake.waitFor(() => sessionRows(t).every((r) => r.announcementTs !== null), 'every card stored');
  });
});

describe('a channel the bot cannot post in', () => {
  it.each(['not_in_channel', 'channel_not_found', 'is_archived'])('%s keeps the modal open with the error on the channel field and leaves no rows', async (error) => {
    t.fake.script('chat.postMessage', { error });
    const res = await submitSchedule(t, { repeat: '3' });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors.channel).toMatch(error === 'is_archived' ? /archived/ : /\/invite @Peerloop/);
    expect(allRowCounts()).toEqual({ sessions: 0, participants: 0 });
    // No pending reminder is left behind for the discarded sessions.
    expect(t.database.db.select().from(jobs).where(eq(jobs.status, 'pending')).all()).toHaveLength(0);
  });
});

describe('a slow Slack', () => {
  it('closes the modal within the 3 s budget; a late refusal is undone and told privately in the channel it came from', async () => {
    t.fake.script('chat.postMessage', { delayMs: 2_800, error: 'not_in_channel' });
    const res = await submitSchedule(t, { title: 'Slow one' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    // The ack came while the post was still pending: the rows are not yet undone.
    expect(allRowCounts().sessions).toBe(1);
    const told = await t.fake.waitFor(() => t.fake.callsTo('chat.postEphemeral').find((c) => c.args.channel === 'C0GENERAL'), 'ephemeral about the failure');
    expect(told.args).toMatchObject({ user: 'U0ALICE' });
    expect(told.args.text).toContain('was not scheduled');
    expect(told.args.text).toContain('/invite @Peerloop');
    expect(allRowCounts()).toEqual({ sessions: 0, participants: 0 });
  });

  it('falls back to a DM when the private note cannot be posted in that channel', async () => {
    t.fake.script('chat.postMessage', { delayMs: 2_800, error: 'not_in_channel' });
    t.fake.script('chat.postEphemeral', { error: 'channel_not_found' });
    await submitSchedule(t, { title: 'Slow two' });
    const dm = await t.fake.waitFor(() => t.fake.callsTo('chat.postMessage').find((c) => String(c.args.channel).startsWith('D')), 'DM about the failure');
    expect(dm.args.text).toContain('was not scheduled');
    expect(allRowCounts()).toEqual({ sessions: 0, participants: 0 });
  });
});

describe('time zones', () => {
  it('New York on the DST-change day (2026-11-01 09:00) is 14:00Z, shown in Kolkata as 19:30', async () => {
    const s = await scheduleOk(t, { date: '2026-11-01', time: '09:00' });
    expect(new Date(s.startsAt).toISOString()).toBe('2026-11-01T14:00:00.000Z');
    const res = await listCommand(t, 'list', { user: 'U0KOLKATA' });
    expect(res.response_type).toBe('ephemeral');
    expect(JSON.stringify(res.blocks)).toContain('Sun 1 Nov, 19:30 GMT+5:30');
  });

  it('New York on the spring-forward day (2027-03-14 09:00 EDT) is 13:00Z, 18:30 in Kolkata', async () => {
    t.clock.set('2027-03-10T12:00:00Z');
    const s = await scheduleOk(t, { date: '2027-03-14', time: '09:00' });
    expect(new Date(s.startsAt).toISOString()).toBe('2027-03-14T13:00:00.000Z');
    const res = await t.command(`join ${s.number}`, { user: 'U0KOLKATA' });
    expect(res.json.text).toContain('Sun 14 Mar, 18:30 GMT+5:30');
  });
});
