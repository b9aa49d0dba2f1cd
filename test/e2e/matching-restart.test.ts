import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { groupDmChannel, startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { CHANNEL, FIRST_ROUND, FIRST_ROUND_AT, groupRows, jobRow, MINUTE, optInTheFour, PEOPLE, roundRows, SETUP_AT, submitSetup } from '../support/matching.js';

/**
 * A restart in the middle of a round: the first process stores the round and its groups, but
 * Slack is down when it opens the group DMs. A new process on the same database file sends each
 * intro once, and never runs the round again.
 */

let fake: FakeSlack;
let dir: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  for (const user of PEOPLE) fake.setUser({ ...user });
  dir = mkdtempSync(join(tmpdir(), 'peerloop-match-restart-'));
});

afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a round across a restart', () => {
  it('stores the groups once; the next process sends each intro once and does not run the round again', async () => {
    const databasePath = join(dir, 'peerloop.db');
    const clock = createSettableClock(SETUP_AT);
    let first: TestApp | undefined = await startTestApp({ fake, databasePath, clock });
    try {
      optInTheFour(first.database.db);
      fake.channelMembers.set(CHANNEL, ['U0ADMIN', 'U0ANA', 'U0BEN', 'U0CAT', 'U0DAN']);
      expect((await submitSetup(first)).json.response_action).toBe('update');
      // Slack answers 500 to every conversations.open while the first process runs the round.
      fake.always('conversations.open', { status: 500 });
      clock.set(FIRST_ROUND_AT);
      await first.tick();
      expect(roundRows(first)).toEqual([expect.objectContaining({ roundDate: FIRST_ROUND, status: 'done' })]);
      expect(groupRows(first)).toHaveLength(2);
      expect(groupRows(first).every((g) => g.introTs === null)).toBe(true);
      for (const g of groupRows(first)) expect(jobRow(first, `match_intro:${g.id}`)).toMatchObject({ status: 'pending', lastError: 'http_500' });
      await first.stop();
      first = undefined;
    } finally {
      await first?.stop();
    }

    fake.clearScripts();
    const membersReads = fake.callsTo('conversations.members').length;
    const second = await startTestApp({ fake, databasePath, clock });
    try {
      clock.set(FIRST_ROUND_AT + 10 * MINUTE);
      await second.tick();
      await second.tick();
      expect(fake.callsTo('conversations.members')).toHaveLength(membersReads);
      for (const pair of [
        ['U0ANA', 'U0BEN'],
        ['U0CAT', 'U0DAN'],
      ]) {
        expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === groupDmChannel(pair))).toHaveLength(1);
      }
      expect(groupRows(second)).toHaveLength(2);
      expect(groupRows(second).every((g) => g.introTs !== null)).toBe(true);
      expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
