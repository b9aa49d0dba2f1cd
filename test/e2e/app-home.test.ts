import { describe, expect, it } from 'vitest';
import { SessionActions } from '../../src/slack/ids.js';
import { refreshHome } from '../../src/slack/flows/home.js';
import { useTestApp } from '../support/use-test-app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { addParticipant, createMember, createSession, createWorkspace } from '../support/factories.js';

const NOW = Date.UTC(2026, 10, 24, 9, 0); // Tue 24 Nov 2026, 09:00 UTC
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const t = useTestApp({ now: NOW, users: [{ id: 'U0ALICE', name: 'alice', tz: 'Europe/Berlin' }], resetFake: true });

type Block = { type: string; block_id?: string; text?: { text: string }; accessory?: Record<string, any>; elements?: any[] };

async function openHome(user: string, team = 'T0TEST'): Promise<Block[]> {
  const res = await t.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' }, { team });
  expect(res.status).toBe(200);
  const [call] = await t.fake.waitForCalls('views.publish');
  expect(call!.args.user_id).toBe(user);
  assertBlockKitLimits('home', call!.args);
  expect(call!.args.view.type).toBe('home');
  return call!.args.view.blocks as Block[];
}

const allText = (blocks: Block[]) => JSON.stringify(blocks);
const sessionBlock = (blocks: Block[], n: number, list: 'upcoming' | 'recent' = 'upcoming') => blocks.find((b) => b.block_id === `home_${list}_${n}`);

describe('App Home', () => {
  it('shows my upcoming sessions with the right buttons, my history, and nothing of other people or workspaces', async () => {
    const db = t.database.db;
    createWorkspace(db, 'T0TEST');
    createMember(db, 'T0TEST', 'U0ALICE', { name: 'alice', timeZone: 'Europe/Berlin' });
    const hosting = createSession(db, { teamId: 'T0TEST', hostId: 'U0ALICE', title: 'Alice teaches <!channel>', startsAt: NOW + DAY + 5 * HOUR });
    const attending = createSession(db, { teamId: 'T0TEST', hostId: 'U0BOB', title: 'Bob on SQL', startsAt: NOW + 2 * DAY });
    addParticipant(db, { teamId: 'T0TEST', sessionNumber: attending.number, userId: 'U0ALICE' });
    const waiting = createSession(db, { teamId: 'T0TEST', hostId: 'U0BOB', title: 'Full one', capacity: 1, startsAt: NOW + 3 * DAY });
    addParticipant(db, { teamId: 'T0TEST', sessionNumber: waiting.number, userId: 'U0ALICE', waitlisted: true });
    const created = createSession(db, { teamId: 'T0TEST', hostId: 'U0CAROL', creatorId: 'U0ALICE', title: 'Carol, scheduled by Alice', startsAt: NOW + 4 * DAY });
    const left = createSession(db, { teamId: 'T0TEST', hostId: 'U0BOB', title: 'Left this one', startsAt: NOW + DAY });
    addParticipant(db, { teamId: 'T0TEST', sessionNumber: left.number, userId: 'U0ALICE', leftAt: NOW - HOUR });
    const cancelled = createSession(db, { teamId: 'T0TEST', hostId: 'U0ALICE', title: 'Cancelled one', status: 'cancelled', startsAt: NOW + DAY });
    createSession(db, { teamId: 'T0TEST', hostId: 'U0BOB', title: 'Not mine', startsAt: NOW + DAY });
    const attended = createSession(db, { teamId: 'T0TEST', hostId: 'U0BOB', title: 'Went to this', startsAt: NOW - 2 * DAY });
    addParticipant(db, { teamId: 'T0TEST', sessionNumber: attended.number, userId: 'U0ALICE', attended: 'yes' });
    const hosted = createSession(db, { teamId: 'T0TEST', hostId: 'U0ALICE', title: 'I hosted this', startsAt: NOW - 3 * DAY });
    // Another workspace, same person id, same numbers: never shown.
    createWorkspace(db, 'T0OTHER');
    const foreign = createSession(db, { teamId: 'T0OTHER', number: attending.number, hostId: 'U0BOB', title: 'Other workspace session', startsAt: NOW + DAY });
    addParticipant(db, { teamId: 'T0OTHER', sessionNumber: foreign.number, userId: 'U0ALICE' });
    createSession(db, { teamId: 'T0OTHER', hostId: 'U0ALICE', title: 'Other workspace hosted', startsAt: NOW + DAY });

    const blocks = await openHome('U0ALICE');
    const text = allText(blocks);

    const host = sessionBlock(blocks, hosting.number)!;
    // 09:00 UTC + 1 day + 5 h = Wed 25 Nov 14:00 UTC = 15:00 in Berlin.
    expect(host.text!.text).toContain('Wed 25 Nov, 15:00 CET');
    expect(host.text!.text).toContain('Alice teaches &lt;!channel&gt;');
    expect(host.accessory).toMatchObject({ action_id: SessionActions.cancel, value: String(hosting.number), style: 'danger' });
    expect(host.accessory!.confirm).toMatchObject({ confirm: { text: 'Cancel session' }, deny: { text: 'Keep it' } });

    expect(sessionBlock(blocks, attending.number)!.accessory).toMatchObject({ action_id: SessionActions.leave, value: String(attending.number) });
    expect(sessionBlock(blocks, waiting.number)!.accessory).toMatchObject({ action_id: SessionActions.leave, text: { text: 'Leave waitlist' } });
    expect(sessionBlock(blocks, created.number)!.accessory).toMatchObject({ action_id: SessionActions.cancel });

    // Soonest first.
    const order = blocks.filter((b) => b.block_id?.startsWith('home_upcoming_')).map((b) => Number(b.block_id!.split('_')[2]));
    expect(order).toEqual([hosting.number, attending.number, waiting.number, created.number]);

    expect(sessionBlock(blocks, left.number)).toBeUndefined();
    expect(sessionBlock(blocks, cancelled.number)).toBeUndefined();
    expect(text).not.toContain('Not mine');
    expect(text).not.toContain('Other workspace');

    expect(sessionBlock(blocks, attended.number, 'recent')!.text!.text).toContain('You attended');
    expect(sessionBlock(blocks, hosted.number, 'recent')!.text!.text).toContain('You hosted');

    const schedule = blocks.find((b) => b.block_id === 'home_actions')!.elements![0];
    expect(schedule).toMatchObject({ action_id: SessionActions.openSchedule, type: 'button' });
    expect(text).toContain('/peer list');
  });

  it('a Leave click on Home takes the session off my Home; a Cancel click sends attendees a cancellation .ics', async () => {
    const db = t.database.db;
    createWorkspace(db, 'T0CLICK');
    t.fake.setUser({ id: 'U0HOSTC', name: 'hostc', tz: 'UTC' });
    t.fake.setUser({ id: 'U0GUEST', name: 'guest', tz: 'UTC' });
    const leaving = createSession(db, { teamId: 'T0CLICK', hostId: 'U0HOSTC', title: 'To leave', startsAt: NOW + DAY });
    addParticipant(db, { teamId: 'T0CLICK', sessionNumber: leaving.number, userId: 'U0GUEST' });
    const toCancel = createSession(db, { teamId: 'T0CLICK', hostId: 'U0HOSTC', title: 'To cancel', startsAt: NOW + 2 * DAY });
    addParticipant(db, { teamId: 'T0CLICK', sessionNumber: toCancel.number, userId: 'U0GUEST' });

    const home = { id: 'V0HOME', type: 'home' };
    await t.action({ action_id: SessionActions.leave, value: String(leaving.number) }, { team: 'T0CLICK', user: 'U0GUEST', view: home });
    const [published] = await t.fake.waitForCalls('views.publish');
    expect(published!.args.user_id).toBe('U0GUEST');
    expect(JSON.stringify(published!.args.view)).not.toContain('To leave');
    expect(JSON.stringify(published!.args.view)).toContain('To cancel');

    t.fake.reset();
    await t.action({ action_id: SessionActions.cancel, value: String(toCancel.number) }, { team: 'T0CLICK', user: 'U0HOSTC', view: home });
    const [complete] = await t.fake.waitForCalls('files.completeUploadExternal');
    expect(complete!.args.channel_id).toBe('D0GUEST');
    expect(t.fake.uploads[0]!.bytes.toString('utf8')).toContain('METHOD:CANCEL');
    const hostHome = await t.fake.waitFor(() => t.fake.callsTo('views.publish').find((c) => c.args.user_id === 'U0HOSTC'), 'host Home refresh');
    expect(JSON.stringify(hostHome.args.view)).not.toContain('To cancel');
  });

  it('caps a long list inside the 100-block limit and points to /peer list mine', async () => {
    const db = t.database.db;
    createWorkspace(db, 'T0BUSY');
    for (let i = 0; i < 150; i += 1) createSession(db, { teamId: 'T0BUSY', hostId: 'U0BUSY', startsAt: NOW + (i + 1) * HOUR });
    for (let i = 0; i < 10; i += 1) createSession(db, { teamId: 'T0BUSY', hostId: 'U0BUSY', startsAt: NOW - (i + 1) * DAY });

    const blocks = await openHome('U0BUSY', 'T0BUSY');
    expect(blocks.length).toBeLessThanOrEqual(100);
    const upcoming = blocks.filter((b) => b.block_id?.startsWith('home_upcoming_'));
    const recent = blocks.filter((b) => b.block_id?.startsWith('home_recent_'));
    expect(recent).toHaveLength(5);
    expect(allText(blocks)).toContain(`and ${150 - upcoming.length} more. \`/peer list mine\``);
  });

  it('says what to do when there is nothing yet', async () => {
    const blocks = await openHome('U0NEWCOMER');
    expect(allText(blocks)).toContain('Nothing coming up');
    expect(blocks.some((b) => b.block_id?.startsWith('home_upcoming_'))).toBe(false);
  });

  it('publishes nothing for the Messages tab', async () => {
    const res = await t.event({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0HOME', tab: 'messages' });
    expect(res.status).toBe(200);
    // A later Home open by someone else is published; by then Alice's Messages event was handled.
    await openHome('U0ZED');
    expect(t.fake.callsTo('views.publish').map((c) => c.args.user_id)).toEqual(['U0ZED']);
  });

  it('refreshHome publishes for a person and never throws when Slack fails', async () => {
    t.fake.script('views.publish', { error: 'not_enabled' });
    await expect(refreshHome(t.deps, 'T0TEST', 'U0ALICE')).resolves.toBeUndefined();
    expect(t.fake.callsTo('views.publish')).toHaveLength(1);
    await refreshHome(t.deps, 'T0TEST', 'U0ALICE');
    expect(t.fake.callsTo('views.publish')[1]!.args.user_id).toBe('U0ALICE');
  });
});
