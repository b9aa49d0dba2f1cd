import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderKey } from '../../src/services/reminders.js';
import { SessionActions } from '../../src/slack/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createSession } from '../support/factories.js';
import { dmChannel, HOUR, jobByKey, MINUTE, recordDeliveries } from '../jobs/support.js';

/**
 * Reminders end to end over signed HTTP: a person joins with `/peer join`, the reminder DM
 * arrives at the right time with a Leave button, and clicking it cancels the rest.
 */
let t: TestApp;
const NOW = Date.UTC(2026, 10, 20, 9, 0);

beforeAll(async () => {
  t = await startTestApp({ planners: [] });
  t.clock.set(NOW);
  t.fake.setUser({ id: 'U0JOINER', name: 'joiner', tz: 'America/Los_Angeles' });
});
afterAll(async () => {
  await t.stop();
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
});
