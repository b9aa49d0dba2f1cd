import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { CAST, scheduleOk, SESSION_TESTS_NOW } from './sessions/helpers.js';

/**
 * The bot's DM channel with each person is kept on their member row (members.dm_channel_id):
 * after a restart, DMs and calendar files go out without asking Slack for the channel again
 * (conversations.open is rate-limited per workspace), and a remembered channel Slack no longer
 * knows is asked for again once, without posting anything twice.
 */

let apps: TestApp[] = [];
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const t of apps) await t.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
  apps = [];
  cleanups = [];
});

async function start(fake: FakeSlack, databasePath: string): Promise<TestApp> {
  const t = await startTestApp({ fake, databasePath, planners: [] });
  apps.push(t);
  for (const person of CAST) t.fake.setUser({ ...person });
  t.clock.set(SESSION_TESTS_NOW);
  return t;
}

async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'peerloop-dm-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const fake = await startFakeSlack();
  cleanups.push(() => fake.stop());
  return { fake, databasePath: join(dir, 'peerloop.db') };
}

const storedChannel = (t: TestApp, user: string, team = 'T0TEST') =>
  (t.database.sqlite.prepare('SELECT dm_channel_id AS channel FROM members WHERE team_id = ? AND user_id = ?').get(team, user) as { channel: string | null } | undefined)?.channel;
const opensFor = (fake: FakeSlack, user: string) => fake.callsTo('conversations.open').filter((c) => c.args.users === user).length;
const postsTo = (fake: FakeSlack, channel: string) => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

describe('DM channels are remembered on the member row', () => {
  it('a restart sends the next DM and file without conversations.open', async () => {
    const { fake, databasePath } = await setUp();
    const first = await start(fake, databasePath);
    const s = await scheduleOk(first, { capacity: '5' });
    await first.command(`join ${s.number}`, { user: 'U0BOB' });
    await fake.waitFor(() => fake.callsTo('files.completeUploadExternal').length === 1, "Bob's calendar file");
    expect(opensFor(fake, 'U0BOB')).toBe(1);
    expect(storedChannel(first, 'U0BOB')).toBe('D0BOB');
    await first.stop();
    apps = [];

    const second = await start(fake, databasePath);
    await second.command(`cancel ${s.number}`);
    await fake.waitFor(() => postsTo(fake, 'D0BOB').length === 1 && fake.callsTo('files.completeUploadExternal').length === 2, 'cancel DM and file');
    await second.scheduler.idle();
    expect(opensFor(fake, 'U0BOB')).toBe(1);
    expect(postsTo(fake, 'D0BOB')[0]!.args.text).toContain('was cancelled');
  });

  it('a remembered channel Slack no longer knows is opened again once; the DM and the file each arrive once', async () => {
    const { fake, databasePath } = await setUp();
    const t = await start(fake, databasePath);
    const s = await scheduleOk(t, { capacity: '5' });
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    await fake.waitFor(() => fake.callsTo('files.completeUploadExternal').length === 1, "Bob's calendar file");
    await t.stop();
    apps = [];
    // As if Slack had moved the conversation (an org migration): the stored id is stale, and
    // the DM job and the file job (claimed together, run side by side) both start from it.
    const restarted = await start(fake, databasePath);
    restarted.database.sqlite.prepare("UPDATE members SET dm_channel_id = 'D0STALE' WHERE user_id = 'U0BOB'").run();
    fake.reset();
    fake.goneChannels.add('D0STALE');

    await restarted.command(`cancel ${s.number}`);
    const filesTo = (channel: string) => fake.callsTo('files.completeUploadExternal').filter((c) => c.args.channel_id === channel);
    await fake.waitFor(() => postsTo(fake, 'D0BOB').length === 1 && filesTo('D0BOB').length === 1, 'cancel DM and file in the reopened channel');
    await restarted.scheduler.idle();
    expect(postsTo(fake, 'D0BOB')).toHaveLength(1);
    expect(filesTo('D0BOB')).toHaveLength(1);
    expect(storedChannel(restarted, 'U0BOB')).toBe('D0BOB');
    const jobs = restarted.database.sqlite.prepare("SELECT kind, status FROM jobs WHERE key LIKE 'notice:%:U0BOB:%' OR key LIKE 'invite:%:U0BOB:%' ORDER BY kind").all();
    expect(jobs).toEqual([
      { kind: 'session_invite', status: 'done' },
      { kind: 'session_notice', status: 'done' },
    ]);
  });

  it("a join's calendar file also recovers from a stale channel", async () => {
    const { fake, databasePath } = await setUp();
    const t = await start(fake, databasePath);
    const s = await scheduleOk(t, { capacity: '5' });
    await t.command('help', { user: 'U0BOB' });
    t.database.sqlite.prepare("UPDATE members SET dm_channel_id = 'D0STALE' WHERE user_id = 'U0BOB'").run();
    fake.goneChannels.add('D0STALE');
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    await fake.waitFor(() => fake.callsTo('files.completeUploadExternal').find((c) => c.args.channel_id === 'D0BOB'), 'the file in the reopened channel');
    expect(storedChannel(t, 'U0BOB')).toBe('D0BOB');
  });

  it('is kept per workspace: the same user id in another workspace asks Slack for its own channel', async () => {
    const { fake, databasePath } = await setUp();
    const t = await start(fake, databasePath);
    for (const team of ['T0TEST', 'T0OTHER']) {
      const s = await scheduleOk(t, { capacity: '5' }, { team });
      await t.command(`join ${s.number}`, { user: 'U0BOB', team });
    }
    await fake.waitFor(() => fake.callsTo('files.completeUploadExternal').length === 2, 'both files');
    expect(opensFor(fake, 'U0BOB')).toBe(2);
    expect(storedChannel(t, 'U0BOB', 'T0TEST')).toBe('D0BOB');
    expect(storedChannel(t, 'U0BOB', 'T0OTHER')).toBe('D0BOB');
  });
});
