import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { serviceDeps } from '../../src/deps.js';
import { getSettings } from '../../src/services/workspace-settings.js';
import { SettingsViews } from '../../src/slack/ids.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { settingsState, type SettingsValues } from '../support/settings-form.js';
import { useTestApp } from '../support/use-test-app.js';

/** `/peer settings`: the digest's channel, day and hour, the KPI targets and the baseline. */

const TEAM = 'T0TEST';
const NOW = Date.UTC(2026, 10, 20, 9, 0); // Friday 20 Nov 2026
const NY = 'America/New_York';

const t = useTestApp({ users: [{ id: 'U0ADMIN', tz: NY, is_admin: true }], now: NOW, resetFake: true, clearData: true });

const submit = (values: SettingsValues, user = 'U0ADMIN') => t.submitView({ callback_id: SettingsViews.modal, values: settingsState({ timeZone: NY, ...values }), id: 'VSETTINGS' }, { user });
const digestJobs = () =>
  t.database.db
    .select({ key: jobs.key, status: jobs.status, runAt: jobs.runAt })
    .from(jobs)
    .where(and(eq(jobs.teamId, TEAM), like(jobs.key, 'digest:%')))
    .all();

describe('digest settings', () => {
  it('the modal offers the digest channel (public and private channels, no bots), day, hour, targets and baseline, within Block Kit limits', async () => {
    await t.command('settings', { user: 'U0ADMIN' });
    const [open] = await t.fake.waitForCalls('views.open');
    assertBlockKitLimits('modal', open!.args);
    const blocks = open!.args.view.blocks as { block_id?: string; optional?: boolean; element?: Record<string, unknown> }[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    const channel = blocks.find((b) => b.block_id === SettingsViews.digestChannelBlock)!;
    expect(channel.optional).toBe(true);
    expect(channel.element).toMatchObject({ type: 'conversations_select', filter: { include: ['public', 'private'], exclude_bot_users: true } });
    expect(channel.element).not.toHaveProperty('initial_conversation');
    expect(blocks.find((b) => b.block_id === SettingsViews.digestDayBlock)?.element).toMatchObject({ initial_option: { value: '1' } });
    expect(blocks.find((b) => b.block_id === SettingsViews.digestHourBlock)?.element).toMatchObject({ initial_option: { value: '9' } });
    expect(blocks.find((b) => b.block_id === SettingsViews.participationTargetBlock)?.element).toMatchObject({ type: 'number_input', initial_value: '60' });
    expect(blocks.find((b) => b.block_id === SettingsViews.sessionsTargetBlock)?.element).toMatchObject({ initial_value: '4' });
    expect(blocks.find((b) => b.block_id === SettingsViews.competencyTargetBlock)?.element).toMatchObject({ initial_value: '20' });
    expect(blocks.find((b) => b.block_id === SettingsViews.baselineDaysBlock)).toMatchObject({ optional: true });
    expect(blocks.find((b) => b.block_id === SettingsViews.baselineBeforeBlock)).toMatchObject({ optional: true, element: { type: 'datepicker' } });
  });

  it.each([
    [{ digestChannel: 'D0DIRECT' }, SettingsViews.digestChannelBlock, 'Pick a channel'],
    [{ digestDay: '8' }, SettingsViews.digestDayBlock, 'day of the week'],
    [{ digestHour: '24' }, SettingsViews.digestHourBlock, '00:00 to 23:00'],
    [{ participationTarget: '0' }, SettingsViews.participationTargetBlock, '1 to 100'],
    [{ participationTarget: '60.5' }, SettingsViews.participationTargetBlock, '1 to 100'],
    [{ sessionsTarget: '1001' }, SettingsViews.sessionsTargetBlock, '1 to 1000'],
    [{ competencyTarget: '100' }, SettingsViews.competencyTargetBlock, '1 to 99'],
    [{ baselineDays: '0' }, SettingsViews.baselineDaysBlock, '1 to 3650'],
    [{ baselineDays: 'ten' }, SettingsViews.baselineDaysBlock, '1 to 3650'],
    [{ baselineBefore: '2026-02-30' }, SettingsViews.baselineBeforeBlock, 'Pick a date'],
    [{ baselineBefore: '2026-11-21' }, SettingsViews.baselineBeforeBlock, 'today or an earlier date'],
    [{ baselineDays: '30', baselineBefore: '2026-03-01' }, SettingsViews.baselineBeforeBlock, 'not both'],
  ] as const)('refuses %j inline on its field and saves nothing', async (values, block, message) => {
    await t.command('help', { user: 'U0ADMIN' });
    const res = await submit(values);
    expect(res.json.response_action).toBe('errors');
    expect(Object.keys(res.json.errors)).toEqual([block]);
    expect(res.json.errors[block]).toContain(message);
    expect(getSettings(serviceDeps(t.deps), TEAM).digestChannelId).toBeNull();
    expect(digestJobs()).toEqual([]);
  });

  it('saves the digest settings, plans the digest in the workspace zone, and says what is in force', async () => {
    await t.command('help', { user: 'U0ADMIN' });
    const res = await submit({ digestChannel: 'C0DIGEST', digestDay: '3', digestHour: '7', participationTarget: '70', sessionsTarget: '8', competencyTarget: '25', baselineBefore: '2026-03-01' });
    expect(res.json.response_action).toBe('update');
    assertBlockKitLimits('modal', res.json.view);
    const summary = JSON.stringify(res.json.view);
    expect(summary).toContain('*Digest:* <#C0DIGEST> every Wednesday at 07:00 (America/New_York)');
    expect(summary).toContain('participation 70%, 8 sessions a month, time to competency 25% faster');
    expect(summary).toContain('skills learned before 2026-03-01');
    expect(getSettings(serviceDeps(t.deps), TEAM)).toMatchObject({
      digestChannelId: 'C0DIGEST',
      digestDay: 3,
      digestHour: 7,
      participationTargetPct: 70,
      sessionsPerMonthTarget: 8,
      competencyFasterTargetPct: 25,
      competencyBaselineDays: null,
      competencyBaselineBefore: '2026-03-01',
      savedBy: 'U0ADMIN',
    });
    // Wednesday 25 Nov 07:00 EST (12:00 UTC) covers 16-22 Nov, 2026-W47: planned in the save itself.
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'pending', runAt: Date.UTC(2026, 10, 25, 12, 0) }]);
    // Peerloop is in the channel: the summary is not touched again.
    await t.settled();
    expect(t.fake.callsTo('conversations.info')).toHaveLength(1);
    expect(t.fake.callsTo('views.update')).toHaveLength(0);

    // A new hour moves the pending digest; a new day too (same week covered: one job).
    await submit({ digestChannel: 'C0DIGEST', digestDay: '3', digestHour: '8' });
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'pending', runAt: Date.UTC(2026, 10, 25, 13, 0) }]);
    await submit({ digestChannel: 'C0DIGEST', digestDay: '1', digestHour: '8' });
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'pending', runAt: Date.UTC(2026, 10, 23, 13, 0) }]);
    // A new workspace zone moves it too.
    await submit({ timeZone: 'Europe/Berlin', digestChannel: 'C0DIGEST', digestDay: '1', digestHour: '8' });
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'pending', runAt: Date.UTC(2026, 10, 23, 7, 0) }]);

    // No channel: the pending digest is cancelled and nothing is planned again.
    const cleared = await submit({ digestChannel: null });
    expect(JSON.stringify(cleared.json.view)).toContain('*Digest:* off (no channel chosen)');
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'cancelled', runAt: Date.UTC(2026, 10, 23, 7, 0) }]);
    await t.tick();
    t.clock.set(Date.UTC(2026, 10, 23, 14, 0));
    await t.tick();
    expect(digestJobs().map((j) => j.status)).toEqual(['cancelled']);
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);

    // Chosen again after W47's due time: the next digest (30 Nov, W48) is planned; W47's stays
    // cancelled (an admin can still post it with /peer digest → Post now).
    await submit({ timeZone: 'Europe/Berlin', digestChannel: 'C0DIGEST', digestDay: '1', digestHour: '8' });
    expect(digestJobs().sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: `digest:${TEAM}:2026-W47`, status: 'cancelled', runAt: Date.UTC(2026, 10, 23, 7, 0) },
      { key: `digest:${TEAM}:2026-W48`, status: 'pending', runAt: Date.UTC(2026, 10, 30, 7, 0) },
    ]);
  });

  it('a channel cleared and chosen again before the digest is due: that week still gets its digest', async () => {
    await t.command('help', { user: 'U0ADMIN' });
    await submit({ digestChannel: 'C0DIGESTA' });
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'pending', runAt: Date.UTC(2026, 10, 23, 14, 0) }]);
    await submit({ digestChannel: null });
    expect(digestJobs().map((j) => j.status)).toEqual(['cancelled']);
    t.clock.set(Date.UTC(2026, 10, 21, 9, 0));
    await submit({ digestChannel: 'C0DIGESTB' });
    expect(digestJobs()).toEqual([{ key: `digest:${TEAM}:2026-W47`, status: 'pending', runAt: Date.UTC(2026, 10, 23, 14, 0) }]);
    t.clock.set(Date.UTC(2026, 10, 23, 14, 0));
    await t.tick();
    await t.settled();
    const posts = t.fake.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.channel).toBe('C0DIGESTB');
    expect(digestJobs().map((j) => j.status)).toEqual(['done']);
  });

  it('a settings modal opened before the digest fields existed still saves, and keeps the digest settings', async () => {
    await t.command('help', { user: 'U0ADMIN' });
    await submit({ digestChannel: 'C0DIGEST', digestDay: '3', participationTarget: '75', baselineDays: '40' });
    const digestBlocks = [
      SettingsViews.digestChannelBlock,
      SettingsViews.digestDayBlock,
      SettingsViews.digestHourBlock,
      SettingsViews.participationTargetBlock,
      SettingsViews.sessionsTargetBlock,
      SettingsViews.competencyTargetBlock,
      SettingsViews.baselineDaysBlock,
      SettingsViews.baselineBeforeBlock,
    ];
    const old = Object.fromEntries(Object.entries(settingsState({ timeZone: NY, messagesPerMinute: '30' })).filter(([block]) => !(digestBlocks as string[]).includes(block)));
    const res = await t.submitView({ callback_id: SettingsViews.modal, values: old }, { user: 'U0ADMIN' });
    expect(res.json.response_action).toBe('update');
    expect(getSettings(serviceDeps(t.deps), TEAM)).toMatchObject({ messagesPerMinute: 30, digestChannelId: 'C0DIGEST', digestDay: 3, participationTargetPct: 75, competencyBaselineDays: 40 });
    // One digest field present is a new modal: the others are required again.
    const partial = await t.submitView({ callback_id: SettingsViews.modal, values: { ...old, [SettingsViews.digestChannelBlock]: settingsState({})[SettingsViews.digestChannelBlock]! } }, { user: 'U0ADMIN' });
    expect(partial.json.response_action).toBe('errors');
    expect(Object.keys(partial.json.errors).sort()).toEqual([SettingsViews.competencyTargetBlock, SettingsViews.digestDayBlock, SettingsViews.digestHourBlock, SettingsViews.participationTargetBlock, SettingsViews.sessionsTargetBlock].sort());
  });

  it('says on the saved summary when Peerloop is not in the chosen channel', async () => {
    t.fake.channelsWithoutBot.add('C0CLOSED');
    try {
      await t.command('help', { user: 'U0ADMIN' });
      const res = await submit({ digestChannel: 'C0CLOSED' });
      expect(res.json.response_action).toBe('update');
      expect(JSON.stringify(res.json.view)).not.toContain('Invite @Peerloop');
      const [update] = await t.fake.waitForCalls('views.update');
      expect(update!.args.view_id).toBe('VSETTINGS');
      assertBlockKitLimits('modal', update!.args);
      expect(JSON.stringify(update!.args.view)).toContain('Invite @Peerloop to <#C0CLOSED>, or the digest cannot be posted');
      // Saved all the same: the admin may invite Peerloop afterwards.
      expect(getSettings(serviceDeps(t.deps), TEAM).digestChannelId).toBe('C0CLOSED');
    } finally {
      t.fake.channelsWithoutBot.delete('C0CLOSED');
    }
    // A private channel Peerloop is not in: Slack says channel_not_found; the same warning.
    t.fake.reset();
    t.fake.script('conversations.info', { error: 'channel_not_found' });
    await submit({ digestChannel: 'G0PRIVATE' });
    const [update] = await t.fake.waitForCalls('views.update');
    expect(JSON.stringify(update!.args.view)).toContain('Invite @Peerloop to <#G0PRIVATE>');
  });
});
