import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members, workspaces } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const memberOf = (teamId: string, userId: string) =>
  t.database.db.select().from(members).where(and(eq(members.teamId, teamId), eq(members.userId, userId))).get();

describe('workspaces are kept apart', () => {
  it('records the same user id separately per workspace', async () => {
    t.fake.setUser({ id: 'U0SAME', tz: 'Asia/Kolkata' });
    await t.command('help', { team: 'T0ONE', user: 'U0SAME' });
    await t.command('help', { team: 'T0TWO', user: 'U0SAME' });
    expect(memberOf('T0ONE', 'U0SAME')?.timeZone).toBe('Asia/Kolkata');
    expect(memberOf('T0TWO', 'U0SAME')).toBeDefined();
  });

  it('deletes only that workspace when the app is uninstalled from it', async () => {
    await t.command('help', { team: 'T0ONE', user: 'U0KEEP' });
    await t.command('help', { team: 'T0TWO', user: 'U0GONE' });
    const res = await t.event({ type: 'app_uninstalled' }, { team: 'T0TWO' });
    expect(res.status).toBe(200);
    await t.fake.waitFor(() => memberOf('T0TWO', 'U0GONE') === undefined, 'workspace T0TWO deleted');
    expect(t.database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0TWO')).get()).toBeUndefined();
    expect(memberOf('T0ONE', 'U0KEEP')).toBeDefined();
    expect(t.database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0ONE')).get()).toBeDefined();
  });

  it('deletes the workspace when its bot token is revoked, but not for a user token', async () => {
    await t.command('help', { team: 'T0THREE', user: 'U0X' });
    await t.event({ type: 'tokens_revoked', tokens: { oauth: ['U0X'] } }, { team: 'T0THREE' });
    // Give the listener a moment to run; it must leave the workspace in place.
    await new Promise((r) => setTimeout(r, 50));
    expect(memberOf('T0THREE', 'U0X')).toBeDefined();
    await t.event({ type: 'tokens_revoked', tokens: { bot: ['UBOT0000'] } }, { team: 'T0THREE' });
    await t.fake.waitFor(() => memberOf('T0THREE', 'U0X') === undefined, 'workspace T0THREE deleted');
  });
});
