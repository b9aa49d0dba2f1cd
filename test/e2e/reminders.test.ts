import { describe, expect, it } from 'vitest';
import { reminderKey } from '../../src/services/reminders.js';
import { formatInZone } from '../../src/services/time.js';
import { SessionActions } from '../../src/slack/ids.js';
import { useTestApp } from '../support/use-test-app.js';
import { createSession } from '../support/factories.js';
import { HOUR, jobByKey, jobRows, MINUTE, recordDeliveries } from '../jobs/support.js';
import { dmChannel } from '../support/fake-slack.js';
import { scheduleOk, submitSchedule } from './sessions/helpers.js';

/**
 * Reminders end to end over signed HTTP: a person joins with `/peer join`, the reminder DM
 * arrives at the right time with a Leave button, and clicking it cancels the rest.
 */
const NOW = Date.UTC(2026, 10, 20, 9, 0);
const t = useTestApp({
  planners: [],
  startAt: NOW,
  users: [
    { id: 'U0JOINER', name: 'joiner', tz: 'America/Los_Angeles' },
    { id: 'U0ALICE', name: 'alice', tz: 'America/New_York' },
    { id: 'U0CAROL', name: 'carol', tz: 'Europe/Berlin' },
  ],
});

describe('reminders over the real app', () => {
  it('joining plans reminders; the 24h DM has a Leave button that cancels the 15m one', async () => {
    const deliveries = recordDeliveries(t.fake);
    const start = NOW + 3 * 24 * HOUR;
    const session = createSession(t.database.db, { teamId: 'T0TEST', startsAt: start, hostId: 'U0HOSTX', title: 'Pairing on tests' });
    const joined = await t.command(`join ${session.number}`, { user: 'U0JOINER' });
    expect(joined.status).toBe(200);
    const key24 = reminderKey({ sessionNumber: session.number, userId: 'U0JOINER', leadMinutes: 1440, startsAt: start });
    const key15 = reminderKey({ sessionNumber: session.number, userId: 'U0JOINER', leadMinutes: 15, startsAt: start });
    await t.fake.waitFor(() => jobByKey(t, key24), 'the reminder job');
    // The join's own DM (with the calendar file) goes out after the ack; let it land before moving the clock.
    await t.fake.waitFor(() => t.fake.calls.some((c) => c.method === 'files.completeUploadExternal' || c.args.channel === dmChannel('U0JOINER')), 'the join DM');

    t.clock.set(start - 24 * HOUR);
    await t.tick();
    const dm = deliveries.to('U0JOINER').find((d) => d.text.startsWith('Reminder:'));
    expect(dm?.text).toContain('PST');
    const button = (dm!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === SessionActions.leave);
    expect(button?.value).toBe(String(session.number));

    await t.action({ action_id: SessionActions.leave, value: button!.value }, { user: 'U0JOINER', channel: dmChannel('U0JOINER') });
    await t.fake.waitFor(() => jobByKey(t, key15)?.status === 'cancelled', 'the 15-minute reminder to be cancelled');
    t.clock.set(start - 15 * MINUTE);
    await t.tick();
    expect(deliveries.to('U0JOINER').filter((d) => d.text.startsWith('Reminder:'))).toHaveLength(1);
  });

  const remindersTo = (deliveries: ReturnType<typeof recordDeliveries>, userId: string) => deliveries.to(userId).filter((d) => d.text.startsWith('Reminder:'));

  it('join, leave and join again: the reminders are pending again and each is sent once', async () => {
    t.clock.set('2026-10-30T12:00:00Z');
    const deliveries = recordDeliveries(t.fake);
    // 2026-11-01 09:00 in the host's New York zone.
    const s = await scheduleOk(t, { title: 'Rejoin me' });
    const start = s.startsAt;
    const k24 = reminderKey({ sessionNumber: s.number, userId: 'U0CAROL', leadMinutes: 1440, startsAt: start });
    const k15 = reminderKey({ sessionNumber: s.number, userId: 'U0CAROL', leadMinutes: 15, startsAt: start });

    expect((await t.command(`join ${s.number}`, { user: 'U0CAROL' })).status).toBe(200);
    await t.fake.waitFor(() => jobByKey(t, k24)?.status === 'pending', 'reminders planned on join');
    expect((await t.command(`leave ${s.number}`, { user: 'U0CAROL' })).status).toBe(200);
    await t.fake.waitFor(() => jobByKey(t, k24)?.status === 'cancelled' && jobByKey(t, k15)?.status === 'cancelled', 'reminders cancelled on leave');
    expect((await t.command(`join ${s.number}`, { user: 'U0CAROL' })).status).toBe(200);
    await t.fake.waitFor(() => jobByKey(t, k24)?.status === 'pending' && jobByKey(t, k15)?.status === 'pending', 'reminders pending again on re-join');
    expect(jobRows(t).filter((j) => j.key === k24 || j.key === k15)).toHaveLength(2);
    expect(jobByKey(t, k24)!.runAt).toBe(start - 24 * HOUR);

    t.clock.set(start - 24 * HOUR);
    await t.tick();
    t.clock.set(start - 15 * MINUTE);
    await t.tick();
    t.clock.set(start - 5 * MINUTE);
    await t.tick();
    const sent = remindersTo(deliveries, 'U0CAROL');
    expect(sent.map((d) => (d.text.includes('24 hours') ? '24h' : d.text.includes('15 minutes') ? '15m' : d.text))).toEqual(['24h', '15m']);
    expect(jobByKey(t, k24)!.status).toBe('done');
    expect(jobByKey(t, k15)!.status).toBe('done');
  });

  it('a session moved to another time and back gets the reminders for its time, each sent once', async () => {
    t.clock.set('2026-10-30T12:00:00Z');
    const deliveries = recordDeliveries(t.fake);
    const s = await scheduleOk(t, { title: 'Move me' });
    const t1 = s.startsAt;
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    const key = (lead: number, startsAt: number) => reminderKey({ sessionNumber: s.number, userId: 'U0CAROL', leadMinutes: lead, startsAt });
    await t.fake.waitFor(() => jobByKey(t, key(1440, t1))?.status === 'pending', 'reminders for T1');

    const moved = await submitSchedule(t, { time: '11:00', title: 'Move me' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(moved.status).toBe(200);
    const t2 = t1 + 2 * HOUR;
    await t.fake.waitFor(() => jobByKey(t, key(1440, t2))?.status === 'pending', 'reminders for T2');
    expect(jobByKey(t, key(1440, t1))!.status).toBe('cancelled');

    const back = await submitSchedule(t, { time: '09:00', title: 'Move me' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(back.status).toBe(200);
    await t.fake.waitFor(() => jobByKey(t, key(1440, t1))?.status === 'pending' && jobByKey(t, key(15, t1))?.status === 'pending', 'reminders for T1 again');
    expect(jobByKey(t, key(1440, t2))!.status).toBe('cancelled');
    expect(jobByKey(t, key(15, t2))!.status).toBe('cancelled');

    for (const at of [t1 - 24 * HOUR, t2 - 24 * HOUR, t1 - 15 * MINUTE, t2 - 15 * MINUTE, t2 + MINUTE]) {
      t.clock.set(at);
      await t.tick();
    }
    // The host's reminders follow the same keys; count both people.
    for (const [userId, zone] of [['U0CAROL', 'Europe/Berlin'], ['U0ALICE', 'America/New_York']] as const) {
      const sent = remindersTo(deliveries, userId);
      expect(sent, userId).toHaveLength(2);
      for (const d of sent) expect(d.text).toContain(formatInZone(t1, zone));
    }
  });
});
