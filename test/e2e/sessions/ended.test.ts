import { describe, expect, it } from 'vitest';
import { planSessionEndJobs } from '../../../src/jobs/session-end.js';
import { sessionEndKey } from '../../../src/services/session-end.js';
import { sessionEndsAt } from '../../../src/services/session-model.js';
import { syncSessionJobs } from '../../../src/services/session-jobs.js';
import { serviceDeps } from '../../../src/deps.js';
import { SessionActions } from '../../../src/slack/ids.js';
import { startTestApp } from '../../support/app.js';
import { assertBlockKitLimits } from '../../support/block-kit.js';
import { createSession } from '../../support/factories.js';
import { jobByKey, reasonOf } from '../../jobs/support.js';
import { cardUpdates, scheduleOk, SESSION_TESTS_NOW, submitSchedule, useSessionsTestApp } from './helpers.js';

/**
 * When a session ends its card is rewritten in place by a job (session_end:<session>:<end>):
 * it says it has ended and offers no Join or Leave. Moving the session moves the job; a
 * cancelled session's job is cancelled; a job that no longer fits is skipped with its reason.
 */
const MINUTE = 60_000;

// Only the jobs the sessions plan themselves: no polls or weekly DMs in the way.
const t = useSessionsTestApp({ planners: [] });

const actionIds = (blocks: unknown) =>
  (blocks as { type: string; elements?: { action_id: string }[] }[]).filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => e.action_id));
const endKey = (s: { number: number; startsAt: number; durationMin: number }) => sessionEndKey({ sessionNumber: s.number, endsAt: sessionEndsAt(s) });

describe('the card when a session ends', () => {
  it('is rewritten at the end to say so, without Join or Leave, once', async () => {
    const s = await scheduleOk(t, { capacity: '5' });
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    // The join's own card refresh and calendar file land first.
    await t.fake.waitForCalls('files.completeUploadExternal');
    await t.fake.waitFor(() => cardUpdates(t, s.announcementTs!).length > 0, 'the join card refresh');
    const endsAt = sessionEndsAt(s);
    expect(jobByKey(t, endKey(s), 'T0TEST')).toMatchObject({ status: 'pending', runAt: endsAt });

    t.clock.set(endsAt - MINUTE);
    await t.tick();
    expect(jobByKey(t, endKey(s), 'T0TEST')!.status).toBe('pending');
    t.fake.reset();

    t.clock.set(endsAt);
    await t.tick();
    const [update] = cardUpdates(t, s.announcementTs!);
    expect(update).toBeDefined();
    assertBlockKitLimits('message', update!.args);
    expect(JSON.stringify(update!.args.blocks)).toContain('This session has ended.');
    expect(JSON.stringify(update!.args.blocks)).toContain('1 joined');
    expect(actionIds(update!.args.blocks)).not.toContain(SessionActions.join);
    expect(actionIds(update!.args.blocks)).not.toContain(SessionActions.leave);
    expect(update!.args.text).toContain('Ended');
    expect(jobByKey(t, endKey(s), 'T0TEST')!.status).toBe('done');

    // Idempotent: a sync after the end (marking attendance does one) and later ticks do not run it again.
    syncSessionJobs(serviceDeps(t.deps), 'T0TEST', s.number);
    expect(jobByKey(t, endKey(s), 'T0TEST')!.status).toBe('done');
    t.clock.set(endsAt + 10 * MINUTE);
    await t.tick();
    expect(cardUpdates(t, s.announcementTs!).filter((c) => JSON.stringify(c.args.blocks).includes('has ended'))).toHaveLength(1);
  });

  it('follows a session that was moved: nothing at the old end, the ended card at the new one', async () => {
    const s = await scheduleOk(t);
    const oldKey = endKey(s);
    await submitSchedule(t, { time: '11:00' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    const moved = { ...s, startsAt: s.startsAt + 2 * 60 * MINUTE };
    expect(jobByKey(t, oldKey, 'T0TEST')).toMatchObject({ status: 'cancelled' });
    expect(reasonOf(jobByKey(t, oldKey, 'T0TEST'))).toBe('session_moved');
    expect(jobByKey(t, endKey(moved), 'T0TEST')).toMatchObject({ status: 'pending', runAt: sessionEndsAt(moved) });
    await t.fake.waitForCalls('chat.update');
    t.fake.reset();

    t.clock.set(sessionEndsAt(s));
    await t.tick();
    expect(cardUpdates(t, s.announcementTs!)).toHaveLength(0);
    t.clock.set(sessionEndsAt(moved));
    await t.tick();
    expect(JSON.stringify(cardUpdates(t, s.announcementTs!)[0]?.args.blocks)).toContain('This session has ended.');
  });

  it('does not run for a cancelled session', async () => {
    const s = await scheduleOk(t);
    expect((await t.command(`cancel ${s.number}`)).json.text).toContain('Cancelled');
    expect(jobByKey(t, endKey(s), 'T0TEST')!.status).toBe('cancelled');
    await t.fake.waitForCalls('chat.update');
    t.fake.reset();
    t.clock.set(sessionEndsAt(s));
    await t.tick();
    expect(cardUpdates(t, s.announcementTs!)).toHaveLength(0);
  });

  it('is skipped, with the reason, when it no longer applies at run time', async () => {
    const s = await scheduleOk(t);
    // A change that bypassed the sync (another process, a manual fix): the job is now stale.
    t.database.sqlite.prepare('UPDATE sessions SET duration_min = 60 WHERE team_id = ? AND number = ?').run('T0TEST', s.number);
    t.clock.set(sessionEndsAt(s));
    t.fake.reset();
    await t.tick();
    expect(jobByKey(t, endKey(s), 'T0TEST')!.status).toBe('skipped');
    expect(reasonOf(jobByKey(t, endKey(s), 'T0TEST'))).toBe('session_moved');
    expect(cardUpdates(t, s.announcementTs!)).toHaveLength(0);
  });

  it('is planned by the tick for an announced session that never got one (made before end jobs existed)', async () => {
    const app = await startTestApp({ planners: [planSessionEndJobs] });
    try {
      app.clock.set(SESSION_TESTS_NOW);
      const now = app.clock.now();
      const recent = createSession(app.database.db, { teamId: 'T0TEST', startsAt: now - 90 * MINUTE, durationMin: 30, announcementTs: '1700000000.000001' });
      const old = createSession(app.database.db, { teamId: 'T0TEST', startsAt: now - 4 * 24 * 60 * MINUTE, durationMin: 30, announcementTs: '1700000000.000002' });
      await app.tick();
      expect(jobByKey(app, endKey(recent), 'T0TEST')!.status).toBe('done');
      expect(JSON.stringify(cardUpdates(app, '1700000000.000001')[0]?.args.blocks)).toContain('This session has ended.');
      // Beyond the planner's two-day look-back: left as it is.
      expect(jobByKey(app, endKey(old), 'T0TEST')).toBeUndefined();
      expect(cardUpdates(app, '1700000000.000002')).toHaveLength(0);
    } finally {
      await app.stop();
    }
  });
});
