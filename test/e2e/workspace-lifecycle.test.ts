import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { members, workspaces } from '../../src/db/schema.js';
import { HOUR, setupSession } from '../jobs/support.js';
import { captureLogs } from '../support/logs.js';
import { nonEmpty, workspaceRows } from '../support/rows.js';
import { useTestApp } from '../support/use-test-app.js';

const NOW = Date.UTC(2026, 10, 20, 9, 0);
const logs = captureLogs('info');
const t = useTestApp({ startAt: NOW, logger: logs.logger });

const memberOf = (teamId: string, userId: string) =>
  t.database.db.select().from(members).where(and(eq(members.teamId, teamId), eq(members.userId, userId))).get();
const rowsOf = (teamId: string) => workspaceRows(t.database, teamId);

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
    await t.command('help', { team: 'T0FOUR', user: 'U0Y' });
    // A session with a host, an attendee and their pending reminders.
    setupSession(t, { teamId: 'T0THREE', startsAt: NOW + 48 * HOUR, attendees: ['U0X'] });
    await t.settled();
    const three = rowsOf('T0THREE');
    const four = rowsOf('T0FOUR');
    expect(nonEmpty(three)).toEqual({ workspaces: 1, members: 1, sessions: 1, participants: 2, jobs: expect.any(Number) });
    const callsBefore = t.fake.calls.length;
    const deletedLines = () => logs.matching('workspace data deleted').filter((line) => line.teamId === 'T0THREE');
    // Later than every row's timestamps: a write of any kind would show in the rows.
    t.clock.advance(HOUR);

    const userRevoked = await t.event({ type: 'tokens_revoked', tokens: { oauth: ['U0X'] } }, { team: 'T0THREE' });
    expect(userRevoked.status).toBe(200);
    await t.settled();
    expect(rowsOf('T0THREE')).toEqual(three);
    expect(memberOf('T0THREE', 'U0X')).toBeDefined();
    expect(deletedLines()).toHaveLength(0);

    const botRevoked = await t.event({ type: 'tokens_revoked', tokens: { bot: ['UBOT0000'] } }, { team: 'T0THREE' });
    expect(botRevoked.status).toBe(200);
    await t.settled();
    expect(memberOf('T0THREE', 'U0X')).toBeUndefined();
    expect(nonEmpty(rowsOf('T0THREE'))).toEqual({});
    expect(rowsOf('T0FOUR')).toEqual(four);
    expect(deletedLines()).toEqual([expect.objectContaining({ level: 'info', teamId: 'T0THREE', event: 'tokens_revoked' })]);
    // Neither revocation makes the app call Slack (with a revoked token nothing would work anyway).
    expect(t.fake.calls.slice(callsBefore).map((c) => c.method)).toEqual([]);
  });
});
