import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobs, members, workspaces } from '../../src/db/schema.js';
import { syncSessionJobs } from '../../src/services/session-jobs.js';
import { DEFAULT_SETTINGS, getSettings } from '../../src/services/workspace-settings.js';
import { getSettingsView } from '../../src/services/workspace-settings.js';
import { updateSettings } from '../../src/services/settings.js';
import { serviceDeps } from '../../src/deps.js';
import { OptOutActions, SettingsViews } from '../../src/slack/ids.js';
import { useTestApp } from '../support/use-test-app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { addParticipant, createMember, createSession, createWorkspace } from '../support/factories.js';
import { SETTINGS_FIELDS as FIELD, settingsState, type SettingsValues } from '../support/settings-form.js';

const TEAM = 'T0TEST';
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 9, 0);

const t = useTestApp({
  env: { PEERLOOP_ADMINS: 'U0LISTED' },
  users: [
    { id: 'U0ADMIN', tz: 'Europe/Berlin', is_admin: true },
    { id: 'U0MEMBER', tz: 'Europe/Berlin' },
  ],
  now: NOW,
  resetFake: true,
  clearData: true,
});

const storedSettings = () => t.database.db.select({ settings: workspaces.settings, timeZone: workspaces.timeZone }).from(workspaces).where(eq(workspaces.teamId, TEAM)).get();

function submitSettings(user: string, values: SettingsValues) {
  return t.submitView({ callback_id: SettingsViews.modal, values: settingsState(values) }, { user });
}

describe('/peer settings', () => {
  it('is refused kindly for someone who is not an admin, and opens nothing', async () => {
    const res = await t.command('settings', { user: 'U0MEMBER' });
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('Slack admin');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('opens the modal for a Slack admin and for someone in PEERLOOP_ADMINS, pre-filled with the defaults', async () => {
    for (const user of ['U0ADMIN', 'U0LISTED']) {
      t.fake.reset();
      const res = await t.command('settings', { user });
      expect(res.status).toBe(200);
      const [open] = await t.fake.waitForCalls('views.open', 1);
      assertBlockKitLimits('modal', open!.args);
      const view = open!.args.view as { callback_id: string; blocks: { block_id?: string; element?: { initial_value?: string; initial_option?: { value: string } } }[] };
      expect(view.callback_id).toBe(SettingsViews.modal);
      const initial = (block: string) => view.blocks.find((b) => b.block_id === block)?.element;
      expect(initial(SettingsViews.leadTimesBlock)?.initial_value).toBe('24h, 15m');
      expect(initial(SettingsViews.weeklyDayBlock)?.initial_option?.value).toBe('1');
      expect(initial(SettingsViews.weeklyHourBlock)?.initial_option?.value).toBe('9');
      expect(initial(SettingsViews.pollQuestionBlock)?.initial_value).toBe('How useful was this session for your work?');
      expect(initial(SettingsViews.messagesPerMinuteBlock)?.initial_value).toBe('60');
      expect(initial(SettingsViews.timeZoneBlock)?.initial_value).toBe('UTC');
    }
  });

  it('shows every bad value inline on its field and saves nothing', async () => {
    await t.command('help', { user: 'U0ADMIN' });
    const before = storedSettings();
    const res = await submitSettings('U0ADMIN', {
      timeZone: 'Mars/Olympus_Mons',
      leadTimes: '24h, 3m',
      weeklyDay: '9',
      weeklyHour: '24',
      pollQuestion: 'x'.repeat(151),
      messagesPerMinute: '0',
      digestChannel: 'D0NOTACHANNEL',
      digestDay: '7',
      digestHour: '-1',
      participationTarget: '101',
      sessionsTarget: '0',
      competencyTarget: '100',
      baselineDays: '3651',
      baselineBefore: '2026-02-30',
    });
    expect(res.json.response_action).toBe('errors');
    expect(Object.keys(res.json.errors).sort()).toEqual(Object.values(FIELD).map((f) => f.block).sort());
    expect(res.json.errors[SettingsViews.timeZoneBlock]).toContain('time zone');
    expect(res.json.errors[SettingsViews.leadTimesBlock]).toContain('3m');
    expect(res.json.errors[SettingsViews.pollQuestionBlock]).toContain('150');
    expect(res.json.errors[SettingsViews.messagesPerMinuteBlock]).toContain('1 to 600');
    expect(storedSettings()).toEqual(before);
  });

  it.each([
    ['leadTimes', '', 'lead times'],
    ['leadTimes', '1h, 2h, 3h, 4h', '1 to 3'],
    ['leadTimes', '8d', 'out of range'],
    ['leadTimes', 'soon', 'not a lead time'],
    ['leadTimes', '24 h, 15 x', '"15 x" is not a lead time'],
    ['leadTimes', '1.5h', '"1.5h" is not a lead time'],
    ['leadTimes', '24 h, 15 m, 1 h, 5 m', '1 to 3'],
    ['messagesPerMinute', '601', '1 to 600'],
    ['messagesPerMinute', '2.5', '1 to 600'],
    ['pollQuestion', '   ', 'poll question'],
    ['weeklyDay', null, 'day of the week'],
  ] as const)('refuses %s = %j inline', async (field, value, message) => {
    await t.command('help', { user: 'U0ADMIN' });
    const before = storedSettings();
    const res = await submitSettings('U0ADMIN', { [field]: value });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors[FIELD[field].block]).toContain(message);
    expect(Object.keys(res.json.errors)).toHaveLength(1);
    expect(storedSettings()).toEqual(before);
  });

  it('saves good values, shows what is now in force, and reads them back', async () => {
    await t.command('help', { user: 'U0ADMIN' });
    const res = await submitSettings('U0ADMIN', {});
    expect(res.json.response_action).toBe('update');
    assertBlockKitLimits('modal', res.json.view);
    expect(JSON.stringify(res.json.view)).toContain('Settings saved');
    expect(JSON.stringify(res.json.view)).toContain('48h, 1h, 15m');
    const settings = getSettings(serviceDeps(t.deps), TEAM);
    expect(settings).toEqual({
      ...DEFAULT_SETTINGS,
      reminderLeadMinutes: [2880, 60, 15],
      weeklyDay: 3,
      weeklyHour: 7,
      pollQuestion: 'Would you recommend this session to a colleague?',
      messagesPerMinute: 120,
      savedBy: 'U0ADMIN',
    });
    expect(storedSettings()?.timeZone).toBe('Europe/Berlin');
  });

  it.each([
    ['24h, 15m', [1440, 15]],
    ['24 h, 15 m', [1440, 15]],
    ['1d 2h', [1440, 120]],
    ['90m', [90]],
    ['90', [90]],
    ['1 day, 15 min', [1440, 15]],
    ['2 days; 1 hour and 30 minutes', [2880, 60, 30]],
    ['24H 15M', [1440, 15]],
  ] as const)('reads the lead times %j the way a person means them', async (leadTimes, minutes) => {
    await t.command('help', { user: 'U0ADMIN' });
    const res = await submitSettings('U0ADMIN', { leadTimes });
    expect(res.json.response_action).toBe('update');
    expect(getSettings(serviceDeps(t.deps), TEAM).reminderLeadMinutes).toEqual(minutes);
  });

  it('re-plans the reminders of upcoming sessions and moves pending weekly DMs when those settings change', async () => {
    await t.command('help', { user: 'U0ADMIN' });
    const session = createSession(t.database.db, { teamId: TEAM, startsAt: NOW + 5 * 24 * HOUR, hostId: 'U0HOST' });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId: 'U0ANNA', joinedAt: NOW });
    syncSessionJobs(serviceDeps(t.deps), TEAM, session.number);
    await t.tick();
    const leadsOf = (status: string) =>
      t.database.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.teamId, TEAM), like(jobs.key, `reminder:${session.number}:U0ANNA:%`), eq(jobs.status, status as 'pending')))
        .all()
        .map((j) => (JSON.parse(j.payload) as { leadMinutes: number }).leadMinutes)
        .sort((a, b) => a - b);
    expect(leadsOf('pending')).toEqual([15, 1440]);
    const weekly = () => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, TEAM), like(jobs.key, 'weekly:U0ANNA:%'))).get();
    // Monday 23 Nov 09:00 in Anna's zone (UTC: no profile) before the change.
    expect(weekly()?.runAt).toBe(Date.UTC(2026, 10, 23, 9, 0));

    const res = await submitSettings('U0ADMIN', { timeZone: 'UTC' });
    expect(res.json.response_action).toBe('update');
    expect(leadsOf('pending')).toEqual([15, 60, 2880]);
    expect(leadsOf('cancelled')).toEqual([1440]);
    // Wednesday 25 Nov 07:00: same ISO week, so the same (moved) job.
    expect(weekly()).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 10, 25, 7, 0) });
  });

  it('refuses a settings submission forged by a non-admin and saves nothing', async () => {
    await t.command('help', { user: 'U0MEMBER' });
    const before = storedSettings();
    const res = await submitSettings('U0MEMBER', { messagesPerMinute: '600' });
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view)).toContain('Slack admin');
    expect(storedSettings()).toEqual(before);
  });

  it('falls back to the defaults (with a warning) when the stored JSON is broken or invalid', () => {
    createWorkspace(t.database.db, TEAM, { settings: '{not json' });
    const deps = serviceDeps(t.deps);
    expect(getSettings(deps, TEAM)).toEqual(DEFAULT_SETTINGS);
    t.database.sqlite.prepare('UPDATE workspaces SET settings = ? WHERE team_id = ?').run(JSON.stringify({ weeklyHour: 99 }), TEAM);
    expect(getSettings(deps, TEAM)).toEqual(DEFAULT_SETTINGS);
    t.database.sqlite.prepare('UPDATE workspaces SET settings = ?, time_zone = ? WHERE team_id = ?').run(JSON.stringify({ weeklyHour: 18 }), 'Nowhere/Land', TEAM);
    expect(getSettingsView(deps, TEAM, 'UTC')).toMatchObject({ weeklyHour: 18, weeklyDay: 1, timeZone: 'UTC' });
    expect(() => updateSettings(deps, TEAM, { settings: { ...DEFAULT_SETTINGS, messagesPerMinute: 0 }, timeZone: 'UTC' })).toThrow(/600|1/);
  });
});

describe('opting out and in', () => {
  const optedOut = (user: string) => t.database.db.select({ v: members.optedOut }).from(members).where(and(eq(members.teamId, TEAM), eq(members.userId, user))).get()?.v;

  it('an opted-out person gets no reminder DM (skipped as opted_out); after opting in they do', async () => {
    t.fake.setUser({ id: 'U0ANNA', tz: 'Europe/Berlin' });
    const out = await t.command('optout', { user: 'U0ANNA' });
    expect(out.json.text).toContain('/peer optin');
    expect(optedOut('U0ANNA')).toBe(true);

    const start = NOW + 48 * HOUR;
    const session = createSession(t.database.db, { teamId: TEAM, startsAt: start, hostId: 'U0HOST' });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId: 'U0ANNA', joinedAt: NOW });
    syncSessionJobs(serviceDeps(t.deps), TEAM, session.number);
    t.clock.set(start - 24 * HOUR);
    await t.tick();
    const annaJobs = t.database.db.select().from(jobs).where(and(eq(jobs.teamId, TEAM), like(jobs.key, `reminder:${session.number}:U0ANNA:%`))).all();
    expect(annaJobs.length).toBeGreaterThan(0);
    const due = annaJobs.filter((j) => j.runAt <= start - 24 * HOUR);
    expect(due.length).toBeGreaterThan(0);
    for (const job of due) {
      expect(job.status).toBe('skipped');
      expect(JSON.parse(job.result ?? '{}').reason).toBe('opted_out');
    }
    expect(t.fake.dmsTo('U0ANNA')).toHaveLength(0);
    expect(t.fake.dmsTo('U0HOST').length).toBeGreaterThan(0);

    const back = await t.command('optin', { user: 'U0ANNA' });
    expect(back.json.text).toContain('/peer optout');
    expect(optedOut('U0ANNA')).toBe(false);
    t.clock.set(start - 15 * 60_000);
    await t.tick();
    expect(t.fake.dmsTo('U0ANNA')).toHaveLength(1);
  });

  it('App Home shows the state with a toggle that flips it', async () => {
    createMember(t.database.db, TEAM, 'U0ANNA', { timeZone: 'Europe/Berlin' });
    await t.event({ type: 'app_home_opened', user: 'U0ANNA', channel: 'D0HOME', tab: 'home' });
    const [first] = await t.fake.waitForCalls('views.publish', 1);
    const on = JSON.stringify(first!.args.view);
    expect(on).toContain('Direct messages: on.');
    expect(on).toContain(`"action_id":"${OptOutActions.toggle}"`);

    await t.action({ action_id: OptOutActions.toggle, block_id: 'home_optout', value: 'out' }, { user: 'U0ANNA', view: { type: 'home', id: 'VHOME' } });
    const calls = await t.fake.waitForCalls('views.publish', 2);
    expect(optedOut('U0ANNA')).toBe(true);
    const off = JSON.stringify(calls[1]!.args.view);
    expect(off).toContain('Direct messages: off.');
    expect(off).toContain('"value":"in"');

    // A forged toggle value changes nothing.
    await t.action({ action_id: OptOutActions.toggle, block_id: 'home_optout', value: 'maybe' }, { user: 'U0ANNA', view: { type: 'home', id: 'VHOME' } });
    await t.action({ action_id: OptOutActions.toggle, block_id: 'home_optout', value: 'in' }, { user: 'U0ANNA', view: { type: 'home', id: 'VHOME' } });
    await t.fake.waitForCalls('views.publish', 3);
    expect(optedOut('U0ANNA')).toBe(false);
    expect(t.fake.callsTo('views.publish')).toHaveLength(3);
  });
});
