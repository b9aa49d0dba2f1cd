import { describe, expect, it } from 'vitest';
import { UNEXPECTED_ERROR_TEXT } from '../../../src/errors.js';
import { SessionActions } from '../../../src/slack/ids.js';
import { assertBlockKitLimits } from '../../support/block-kit.js';
import { click, listCommand, participantRows, scheduleOk, useSessionsTestApp } from './helpers.js';

/**
 * Where the answers to `/peer list`, `/peer join` and App Home clicks go: the list in the ack, an
 * answer after the ack (stats: response_url, else an ephemeral post), the join reply for someone
 * who opted out of DMs, and refusals on Home (which has no response_url) in a small modal.
 */

const t = useSessionsTestApp();

const HOME = { id: 'V0HOME', type: 'home' };

describe('/peer list in the ack', () => {
  it('answers with the list in the ack, built from the database at that moment, and nothing after', async () => {
    const s = await scheduleOk(t, { title: 'Listed at once' });
    t.fake.reset();
    const list = await listCommand(t, 'list', { user: 'U0BOB' });
    expect(list.response_type).toBe('ephemeral');
    expect(JSON.stringify(list.blocks)).toContain(`#${s.number} Listed at once`);
    assertBlockKitLimits('message', list);
    expect(t.fake.responses).toHaveLength(0);
    expect(t.fake.callsTo('chat.postEphemeral')).toHaveLength(0);
  });

  it('`list mine` goes the same way, and a bad argument is still answered in the ack', async () => {
    await scheduleOk(t, { title: 'Alice hosts' });
    const mine = await listCommand(t, 'list mine', { user: 'U0CAROL' });
    expect(mine.text).toContain('You have no sessions');
    const bad = await t.command('list everything');
    expect(bad.json.text).toContain('not `everything`');
  });
});

describe('answers after the ack (/peer stats)', () => {
  it('falls back to an ephemeral message in the channel when the response_url fails', async () => {
    await scheduleOk(t, { title: 'Counted' });
    t.fake.reset();
    // The fake answers 404 for anything outside /api, /response and /upload: an expired response_url.
    const broken = { user: 'U0BOB', channel: 'C0GENERAL', responseUrl: `${t.fake.url}/expired/r1` };
    const res = await t.command('stats', broken);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [posted] = await t.fake.waitForCalls('chat.postEphemeral');
    expect(posted!.args.user).toBe('U0BOB');
    expect(posted!.args.channel).toBe('C0GENERAL');
    // Bob's own numbers, not the text shown when something broke.
    expect(String(posted!.args.text)).not.toBe(UNEXPECTED_ERROR_TEXT);
    expect(JSON.stringify(posted!.args.blocks ?? posted!.args.text)).toMatch(/attended|hosted|session/i);
    expect(t.fake.responses).toHaveLength(0);
  });
});

describe('the join reply and DMs', () => {
  it('tells an opted-out person no calendar file is coming, and sends none; others hear it is on its way', async () => {
    const s = await scheduleOk(t);
    expect((await t.command('optout', { user: 'U0CAROL' })).json.text).toBeDefined();
    t.fake.reset();
    const carol = await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    expect(carol.json.text).toContain("You're in");
    expect(carol.json.text).not.toContain('on its way by DM');
    expect(carol.json.text).toContain('turned off Peerloop DMs');
    expect(carol.json.text).toContain('/peer calendar');
    await t.fake.waitFor(() => t.fake.callsTo('views.publish').find((c) => c.args.user_id === 'U0CAROL'), "Carol's Home refresh");
    expect(t.fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    expect(t.fake.callsTo('conversations.open')).toHaveLength(0);

    const bob = await t.command(`join ${s.number}`, { user: 'U0BOB' });
    expect(bob.json.text).toContain('Your calendar file is on its way by DM.');
    const [complete] = await t.fake.waitForCalls('files.completeUploadExternal');
    expect(complete!.args.channel_id).toBe('D0BOB');
  });
});

describe('refusals on App Home open a modal', () => {
  async function noticeModal() {
    const [opened] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', opened!.args.view);
    expect(opened!.args.trigger_id).toMatch(/^trigger-/);
    expect(opened!.args.view.type).toBe('modal');
    expect(opened!.args.view.title.text).toBe('Peerloop');
    return JSON.stringify(opened!.args.view.blocks);
  }

  it('joining a cancelled session from Home says why, in a modal, and nothing goes to a response_url', async () => {
    const s = await scheduleOk(t, { title: 'Called off' });
    await t.command(`cancel ${s.number}`, { user: 'U0ALICE' });
    t.fake.reset();
    await t.action(click(SessionActions.join, String(s.number)), { user: 'U0BOB', view: HOME });
    expect(await noticeModal()).toContain('cancelled');
    expect(t.fake.responses).toHaveLength(0);
    expect(participantRows(t, s.number).some((p) => p.userId === 'U0BOB')).toBe(false);
  });

  it('a non-host cancelling from Home is refused in a modal and the session stays', async () => {
    const s = await scheduleOk(t, { title: 'Not yours' });
    t.fake.reset();
    await t.action(click(SessionActions.cancel, String(s.number)), { user: 'U0BOB', view: HOME });
    expect(await noticeModal()).toContain('Only the host');
    expect(t.database.sqlite.prepare('select status from sessions where team_id = ? and number = ?').get('T0TEST', s.number)).toEqual({ status: 'scheduled' });
  });

  it('a Join on Home that works opens no modal (Home itself shows the seat); the same click on a card replies by response_url', async () => {
    const s = await scheduleOk(t, { title: 'Open seats' });
    t.fake.reset();
    await t.action(click(SessionActions.join, String(s.number)), { user: 'U0BOB', view: HOME });
    const published = await t.fake.waitFor(() => t.fake.callsTo('views.publish').find((c) => c.args.user_id === 'U0BOB'), "Bob's Home refresh");
    expect(JSON.stringify(published.args.view)).toContain('Open seats');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
    expect(t.fake.responses).toHaveLength(0);

    await t.action(click(SessionActions.join, String(s.number)), { user: 'U0CAROL' });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain("You're in");
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });
});
