import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { members, workspaces } from '../../src/db/schema.js';
import { useTestApp } from '../support/use-test-app.js';
import { slashCommandBody } from '../support/payloads.js';
import { signRequest } from '../support/sign.js';

const t = useTestApp({ users: [{ id: 'U0ALICE', name: 'alice', tz: 'Europe/Berlin' }], resetFake: true });

describe('/peer help over signed HTTP', () => {
  it('answers ephemerally in the ack with the list of subcommands', async () => {
    const res = await t.command('help');
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('/peer help');
    expect(res.json.blocks.length).toBeGreaterThan(0);
  });

  it('treats a bare /peer as help', async () => {
    const res = await t.command('   ');
    expect(res.json.text).toContain("Here's what you can do");
    expect(res.json.text).not.toContain("I don't know");
  });

  it('starts an unknown subcommand with what it did not understand, escaped', async () => {
    const res = await t.command('foo bar');
    expect(res.json.text.startsWith("I don't know `/peer foo`")).toBe(true);
    const ping = await t.command('<!channel>');
    expect(ping.json.text).toContain('&lt;!channel&gt;');
    expect(ping.json.text).not.toContain('<!channel>');
  });

  it('records the workspace and the member with their Slack time zone, calling users.info once', async () => {
    await t.command('help', { user: 'U0ALICE' });
    await t.command('help', { user: 'U0ALICE' });
    const member = t.database.db.select().from(members).where(eq(members.userId, 'U0ALICE')).get();
    expect(member).toMatchObject({ teamId: 'T0TEST', timeZone: 'Europe/Berlin', optedOut: false });
    const ws = t.database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0TEST')).get();
    expect(ws?.timeZone).toBe('UTC');
    // At most one users.info in this test: the profile is cached after the first interaction.
    expect(t.fake.callsTo('users.info').filter((c) => c.args.user === 'U0ALICE').length).toBeLessThanOrEqual(1);
  });

  it('still answers when users.info fails, records the person without a zone, and asks once more after the reply', async () => {
    t.fake.script('users.info', { error: 'user_not_found' }, { error: 'user_not_found' });
    const res = await t.command('help', { user: 'U0NEWBIE' });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    await t.fake.waitFor(() => t.fake.callsTo('users.info').filter((c) => c.args.user === 'U0NEWBIE').length === 2, 'the second users.info');
    const member = t.database.db.select().from(members).where(eq(members.userId, 'U0NEWBIE')).get();
    expect(member?.timeZone).toBeNull();
    expect(member?.profileFetchedAt).toBeNull();
  });
});

describe('request verification', () => {
  it('rejects a bad signature with 401 and runs nothing', async () => {
    const body = slashCommandBody('help', { user: 'U0MALLORY' });
    const res = await t.post(body, { sign: false, headers: signRequest(body, { secret: '0'.repeat(32) }) });
    expect(res.status).toBe(401);
    expect(t.fake.calls).toHaveLength(0);
    const member = t.database.db.select().from(members).where(eq(members.userId, 'U0MALLORY')).get();
    expect(member).toBeUndefined();
  });

  it('rejects an unsigned request', async () => {
    const res = await t.post(slashCommandBody('help'), { sign: false });
    expect(res.status).toBe(401);
  });

  it('rejects a timestamp older than five minutes, even when correctly signed', async () => {
    const body = slashCommandBody('help');
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await t.post(body, { sign: false, headers: signRequest(body, { timestamp: stale }) });
    expect(res.status).toBe(401);
    expect(t.fake.calls).toHaveLength(0);
  });

  it('answers ssl_check', async () => {
    const res = await t.post('ssl_check=1&token=abc');
    expect(res.status).toBe(200);
  });

  it('answers url_verification with the challenge', async () => {
    const res = await t.post(JSON.stringify({ token: 'x', challenge: 'c-3po', type: 'url_verification' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('c-3po');
  });

  it('gives 4xx for a malformed body and keeps serving', async () => {
    const res = await t.post('payload=%7Bnot-json', {});
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const brokenJson = await t.post('{"type": "event_callback", ', { contentType: 'application/json' });
    expect(brokenJson.status).toBeGreaterThanOrEqual(400);
    expect(brokenJson.status).toBeLessThan(500);
    expect((await t.command('help')).status).toBe(200);
  });

  it('refuses a 2 MB body with 413 and keeps serving', async () => {
    const huge = `text=${'a'.repeat(2 * 1024 * 1024)}`;
    const res = await t.post(huge);
    expect(res.status).toBe(413);
    expect((await t.command('help')).status).toBe(200);
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('answers 404 for unknown paths', async () => {
    const res = await t.get('/nope');
    expect(res.status).toBe(404);
  });
});

describe('/healthz', () => {
  it('is 200 {"ok":true} while the database answers', async () => {
    const res = await t.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
  });
});
