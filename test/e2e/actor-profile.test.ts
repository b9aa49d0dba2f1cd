import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { members } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The person behind a request is known before any listener runs, but looking them up must never
 * make the ack late: Slack shows an error for an ack after 3 s even when the command ran. A
 * slow users.info is scripted longer than the quick first-contact lookup allows; Bolt itself
 * would answer 404 at 3 s if the ack were held up.
 */

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const memberRow = (userId: string) => t!.database.db.select().from(members).where(and(eq(members.teamId, 'T0TEST'), eq(members.userId, userId))).get();
const DAY = 24 * 60 * 60 * 1000;

describe('users.info and the ack', () => {
  it('first contact: a users.info that does not answer quickly is given up, the reply still comes in the ack, and the profile arrives after', async () => {
    t = await startTestApp();
    t.fake.setUser({ id: 'U0SLOW', name: 'slow', tz: 'Asia/Kathmandu' });
    // The second answer is slow too (but in time for its own timeout), so the row is read before it lands.
    t.fake.script('users.info', { delayMs: 3_500 }, { delayMs: 500 });
    const res = await t.command('help', { user: 'U0SLOW' });
    expect(res.status).toBe(200);
    expect(res.json.text).toContain('/peer schedule');
    // Recorded at once, without a profile; asked again after the reply.
    expect(memberRow('U0SLOW')).toMatchObject({ timeZone: null });
    await t.fake.waitFor(() => memberRow('U0SLOW')?.timeZone === 'Asia/Kathmandu', 'the profile from the second users.info');
  });

  it("a known person's daily refresh runs after the reply, never before it", async () => {
    t = await startTestApp();
    t.fake.setUser({ id: 'U0KNOWN', name: 'known', tz: 'Europe/Berlin' });
    await t.command('help', { user: 'U0KNOWN' });
    expect(memberRow('U0KNOWN')).toMatchObject({ timeZone: 'Europe/Berlin' });
    t.clock.advance(2 * DAY);
    t.fake.setUser({ id: 'U0KNOWN', name: 'known', tz: 'America/Chicago' });
    t.fake.script('users.info', { delayMs: 3_500 });
    const calls = t.fake.callsTo('users.info').length;
    const res = await t.command('help', { user: 'U0KNOWN' });
    expect(res.status).toBe(200);
    expect(res.json.text).toContain('/peer schedule');
    // The reply did not wait for the refresh; the stored zone changes once it answers.
    expect(memberRow('U0KNOWN')?.timeZone).toBe('Europe/Berlin');
    await t.fake.waitFor(() => t!.fake.callsTo('users.info').length > calls, 'the refresh');
    await t.fake.waitFor(() => memberRow('U0KNOWN')?.timeZone === 'America/Chicago', 'the refreshed zone', 6_000);
  });

  it("an admin whose first users.info was too slow is asked to try again, not told they are not an admin", async () => {
    t = await startTestApp();
    t.fake.setUser({ id: 'U0BOSS', name: 'boss', tz: 'UTC', is_admin: true });
    t.fake.script('users.info', { delayMs: 3_500 }, { delayMs: 300 });
    const first = await t.command('settings', { user: 'U0BOSS' });
    expect(first.json.text).toContain("couldn't check your admin rights");
    expect(first.json.text).not.toContain('can only be changed by');
    await t.fake.waitFor(() => memberRow('U0BOSS')?.isSlackAdmin === true, 'the profile after the reply');
    const again = await t.command('settings', { user: 'U0BOSS' });
    expect(again.status).toBe(200);
    await t.fake.waitForCalls('views.open');
  });
});
