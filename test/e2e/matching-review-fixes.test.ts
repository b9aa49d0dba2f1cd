import { describe, expect, it } from 'vitest';
import { groupDmChannel } from '../support/fake-slack.js';
import { useTestApp } from '../support/use-test-app.js';
import { CHANNEL, FIRST_ROUND_AT, groupsAsSets, optInTheFour, PEOPLE, SETUP_AT, submitSetup } from '../support/matching.js';

/** The matching review's bugs, each driven over HTTP against the fake Slack. */

const t = useTestApp({ users: PEOPLE, now: SETUP_AT, resetFake: true, clearData: true });

const OTHER_CHANNEL = 'C0MATCH2';
const FOUR = ['U0ADMIN', 'U0ANA', 'U0BEN', 'U0CAT', 'U0DAN'];

async function setUp(values: Parameters<typeof submitSetup>[1] = {}, channelId = CHANNEL): Promise<Record<string, any>> {
  const res = await submitSetup(t, values, { user: 'U0ADMIN' }, channelId);
  expect(res.status).toBe(200);
  expect(res.json?.response_action).toBe('update');
  return res.json;
}

async function tickAt(at: number): Promise<void> {
  t.clock.set(at);
  await t.tick();
  t.clock.set(at + 2_000);
  await t.tick();
  t.clock.set(at + 4_000);
  await t.tick();
}

const opened = () => t.fake.callsTo('conversations.open').filter((c) => String(c.args.users).includes(',')).map((c) => String(c.args.users).split(',').sort().join(','));

describe('two channels whose rounds run at the same time', () => {
  it('never introduce the same pair twice', async () => {
    optInTheFour(t.database.db);
    t.fake.channelMembers.set(CHANNEL, FOUR);
    t.fake.channelMembers.set(OTHER_CHANNEL, FOUR);
    await setUp();
    await setUp({}, OTHER_CHANNEL);
    await tickAt(FIRST_ROUND_AT);
    const pairs = opened();
    expect(pairs.length).toBeGreaterThan(0);
    expect(new Set(pairs).size).toBe(pairs.length);
    const all = [...groupsAsSets(t).map((g) => g.join(','))];
    expect(new Set(all).size).toBe(all.length);
    expect(t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === groupDmChannel(['U0ANA', 'U0BEN']))).toHaveLength(1);
  });
});
