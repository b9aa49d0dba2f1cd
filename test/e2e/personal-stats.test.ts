import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { memberSkills, polls, pollVotes, skills } from '../../src/db/schema.js';
import { getPersonalStats, STATS_LIST_MAX } from '../../src/services/personal-stats.js';
import { serviceDeps } from '../../src/deps.js';
import { STATS_EMPTY_TEXT } from '../../src/slack/blocks/personal-stats.js';
import { useTestApp } from '../support/use-test-app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { addParticipant, createSession, createWorkspace, type CreateSessionInput } from '../support/factories.js';

/**
 * `/peer stats`: one person's numbers on a seeded database, each worked out by hand below, read
 * only from their own workspace; the empty case; extra words refused; long lists that end in
 * "and N more" within Block Kit's limits.
 */
const TEAM = 'T0TEST';
const OTHER = 'T0OTHER';
const ME = 'U0ME';
const NOW = Date.UTC(2026, 10, 20, 9, 0);
const DAY = 86_400_000;
const HOUR = 3_600_000;

const t = useTestApp({
  planners: [],
  users: [
    { id: ME, tz: 'Europe/Berlin' },
    { id: 'U0NEW', tz: 'Asia/Kolkata' },
    { id: 'U0FUT', tz: 'UTC' },
  ],
  now: NOW,
  resetFake: true,
  clearData: true,
});

function addPollVotes(db: Db, teamId: string, sessionNumber: number, votes: Record<string, number>): void {
  db.insert(polls).values({ teamId, sessionNumber, question: 'How useful?', channelId: 'C0GENERAL', status: 'closed', openedAt: 0, closesAt: 1 }).run();
  for (const [userId, value] of Object.entries(votes)) db.insert(pollVotes).values({ teamId, sessionNumber, userId, value, votedAt: 0 }).run();
}

let skillCount = 0;
function addSkillRow(db: Db, teamId: string, row: { userId: string; name: string; kind?: 'teach' | 'learn'; startedAt?: number; completedAt?: number | null; removedAt?: number | null; taughtBy?: string | null; confirmedAt?: number | null }): void {
  const key = row.name.toLowerCase();
  createWorkspace(db, teamId);
  db.insert(skills).values({ teamId, key, name: row.name, createdBy: row.userId, createdAt: 0 }).onConflictDoNothing().run();
  skillCount += 1;
  db.insert(memberSkills)
    .values({
      teamId,
      userId: row.userId,
      skillKey: key,
      kind: row.kind ?? 'learn',
      startedAt: row.startedAt ?? 0,
      addedAt: skillCount,
      removedAt: row.removedAt ?? null,
      completedAt: row.completedAt ?? null,
      taughtBy: row.taughtBy ?? null,
      taughtConfirmedAt: row.confirmedAt ?? null,
    })
    .run();
}

/**
 * The seed for ME in T0TEST, and what each row should count for:
 * attended: S1 (yes), S2 (unmarked), S6 (left after the start, unmarked) = 3, 2 unmarked; not S3
 * (marked absent), S4 (waitlisted), S5 (left before the start), S7 (cancelled), S8 (not yet).
 * hosted: H1, H2 = 2 (H3 cancelled, H4 ahead). Votes: H1 5, 4 (U0C's 2 dropped: marked absent),
 * H2 3, 3; H3's vote is on a cancelled session = 4 votes, mean 15 / 4 = 3.75, shown 3.8.
 * learned: SQL 11 Oct -> 23 Oct = 12 days, Terraform the same day = 2 (Go still learning, Rust
 * removed, Kotlin a teach row). taught: U0A SQL (confirmed), U0A Docker, U0B SQL = 2 people, 3
 * skills, 1 confirmed (U0C's Kotlin was taught by someone else). next: H4 tomorrow, hosted.
 */
function seed(db: Db, teamId = TEAM) {
  const held = (daysAgo: number, fields: Partial<CreateSessionInput> = {}) =>
    createSession(db, { teamId, hostId: 'U0HOST', startsAt: NOW - daysAgo * DAY, ...fields });
  const s1 = held(10);
  addParticipant(db, { teamId, sessionNumber: s1.number, userId: ME, attended: 'yes' });
  const s2 = held(9);
  addParticipant(db, { teamId, sessionNumber: s2.number, userId: ME });
  const s3 = held(8);
  addParticipant(db, { teamId, sessionNumber: s3.number, userId: ME, attended: 'no' });
  const s4 = held(7);
  addParticipant(db, { teamId, sessionNumber: s4.number, userId: ME, waitlisted: true });
  const s5 = held(6);
  addParticipant(db, { teamId, sessionNumber: s5.number, userId: ME, leftAt: s5.startsAt - HOUR });
  const s6 = held(5.5);
  addParticipant(db, { teamId, sessionNumber: s6.number, userId: ME, leftAt: s6.startsAt + 10 * 60_000 });
  const s7 = held(5, { status: 'cancelled' });
  addParticipant(db, { teamId, sessionNumber: s7.number, userId: ME, attended: 'yes' });
  const s8 = createSession(db, { teamId, hostId: 'U0HOST', startsAt: NOW + 2 * DAY });
  addParticipant(db, { teamId, sessionNumber: s8.number, userId: ME });

  const h1 = held(4, { hostId: ME, title: 'Hosted one' });
  addParticipant(db, { teamId, sessionNumber: h1.number, userId: 'U0A', attended: 'yes' });
  addParticipant(db, { teamId, sessionNumber: h1.number, userId: 'U0B' });
  addParticipant(db, { teamId, sessionNumber: h1.number, userId: 'U0C', attended: 'no' });
  addPollVotes(db, teamId, h1.number, { U0A: 5, U0B: 4, U0C: 2 });
  const h2 = held(3, { hostId: ME, title: 'Hosted two' });
  addParticipant(db, { teamId, sessionNumber: h2.number, userId: 'U0D' });
  addPollVotes(db, teamId, h2.number, { U0D: 3, U0E: 3 });
  const h3 = held(2, { hostId: ME, status: 'cancelled' });
  addPollVotes(db, teamId, h3.number, { U0F: 1 });
  const h4 = createSession(db, { teamId, hostId: ME, title: 'Tomorrow <b>&</b>', startsAt: NOW + DAY });

  addSkillRow(db, teamId, { userId: ME, name: 'SQL', startedAt: Date.UTC(2026, 9, 11, 12), completedAt: Date.UTC(2026, 9, 23, 12) });
  addSkillRow(db, teamId, { userId: ME, name: 'Terraform', startedAt: Date.UTC(2026, 10, 1, 8), completedAt: Date.UTC(2026, 10, 1, 20) });
  addSkillRow(db, teamId, { userId: ME, name: 'Go', startedAt: Date.UTC(2026, 10, 1) });
  addSkillRow(db, teamId, { userId: ME, name: 'Rust', startedAt: Date.UTC(2026, 9, 1), removedAt: Date.UTC(2026, 9, 2) });
  addSkillRow(db, teamId, { userId: ME, name: 'Kotlin', kind: 'teach', startedAt: Date.UTC(2026, 9, 1) });
  addSkillRow(db, teamId, { userId: 'U0A', name: 'SQL', startedAt: Date.UTC(2026, 9, 1), completedAt: Date.UTC(2026, 10, 2), taughtBy: ME, confirmedAt: Date.UTC(2026, 10, 3) });
  addSkillRow(db, teamId, { userId: 'U0A', name: 'Docker', startedAt: Date.UTC(2026, 9, 1), completedAt: Date.UTC(2026, 10, 4), taughtBy: ME });
  addSkillRow(db, teamId, { userId: 'U0B', name: 'SQL', startedAt: Date.UTC(2026, 9, 1), completedAt: Date.UTC(2026, 10, 5), taughtBy: ME });
  addSkillRow(db, teamId, { userId: 'U0C', name: 'Kotlin', startedAt: Date.UTC(2026, 9, 1), completedAt: Date.UTC(2026, 10, 6), taughtBy: 'U0OTHER' });
  return { h4 };
}

type StatsReply = { response_type: string; text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };

/** `/peer stats`: an empty ack, then the answer on the command's response_url. A refusal (extra words) comes in the ack itself. */
async function stats(user = ME, text = 'stats', team = TEAM): Promise<StatsReply> {
  const id = `stats-${Math.random().toString(36).slice(2)}`;
  // command() takes a response_url too (TestApp's type names only the usual fields).
  const who = { user, team, responseUrl: t.fake.responseUrl(id) };
  const res = await t.command(text, who);
  expect(res.status).toBe(200);
  if (res.text !== '') return res.json as StatsReply;
  const post = await t.fake.waitFor(() => t.fake.responses.find((r) => r.id === id), 'the stats reply on its response_url');
  return post.body as StatsReply;
}
const allText = (message: StatsReply) => message.blocks.map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '').join('\n');

describe('/peer stats', () => {
  it('shows my own numbers on a seeded workspace, as worked out by hand', async () => {
    const { h4 } = seed(t.database.db);
    expect(getPersonalStats(serviceDeps(t.deps), TEAM, ME)).toMatchObject({
      attended: { total: 3, unmarked: 2 },
      hosted: 2,
      rating: { average: 3.75, votes: 4 },
      learned: { total: 2, items: [{ name: 'Terraform' }, { name: 'SQL' }] },
      taught: { total: 3, people: 2, confirmed: 1 },
      next: { number: h4.number, role: 'host' },
    });

    const message = await stats();
    expect(message.response_type).toBe('ephemeral');
    assertBlockKitLimits('message', message);
    expect(message.text).toBe('Your Peerloop stats: attended 3, hosted 2, learned 2 skills, taught 2 people.');
    const text = allText(message);
    expect(text).toContain("*Attended:* 3 sessions (2 not marked by the host yet, so the team's participation rate leaves them out)");
    expect(text).toContain('*Hosted:* 2 sessions');
    expect(text).toContain('*Rating of what you hosted:* 3.8 / 5 from 4 votes');
    // Dates in my zone (Berlin); Terraform, the newest, first.
    expect(text).toContain('*Skills you learned:* 2\n• *Terraform* the same day you started (learned Sun 1 Nov 2026)\n• *SQL* in 12 days (learned Fri 23 Oct 2026)');
    expect(text).toContain('*People you taught:* 2 (3 skills) · 1 of 3 confirmed');
    expect(text).toContain('• <@U0B> *SQL* (not confirmed yet)\n• <@U0A> *Docker* (not confirmed yet)\n• <@U0A> *SQL* :white_check_mark: confirmed');
    expect(text).toContain(`*Next:* #${h4.number} Tomorrow &lt;b&gt;&amp;&lt;/b&gt; · Sat 21 Nov, 10:00 CET · you host`);
    expect(text).not.toContain('more');
  });

  it('reads only its own workspace: the same user id elsewhere has other numbers', async () => {
    seed(t.database.db);
    // T0OTHER: ME attended one session there and learned one skill; nothing else.
    createWorkspace(t.database.db, OTHER);
    const theirs = createSession(t.database.db, { teamId: OTHER, hostId: 'U0HOST', startsAt: NOW - DAY });
    addParticipant(t.database.db, { teamId: OTHER, sessionNumber: theirs.number, userId: ME, attended: 'yes' });
    addSkillRow(t.database.db, OTHER, { userId: ME, name: 'Excel', startedAt: NOW - 3 * DAY, completedAt: NOW - DAY });

    expect(allText(await stats())).toContain('*Attended:* 3 sessions');
    const there = await stats(ME, 'stats', OTHER);
    expect(there.text).toBe('Your Peerloop stats: attended 1, hosted 0, learned 1 skill, taught 0 people.');
    const text = allText(there);
    expect(text).toContain('*Attended:* 1 session\n*Hosted:* 0 sessions');
    expect(text).not.toContain('Rating');
    expect(text).toContain('• *Excel* in 2 days');
    expect(text).not.toContain('SQL');
    expect(text).not.toContain('People you taught');
    expect(text).not.toContain('Next');
  });

  it('a person with nothing yet gets one friendly line that says how to start', async () => {
    seed(t.database.db);
    const message = await stats('U0NEW');
    expect(message.blocks).toHaveLength(1);
    expect(message.text).toBe(STATS_EMPTY_TEXT);
    expect(message.text).toContain('`/peer list`');
    expect(message.text).toContain('`/peer skills`');
    assertBlockKitLimits('message', message);
  });

  it('someone whose first session is still ahead is told so, with no zeros', async () => {
    const s = createSession(t.database.db, { teamId: TEAM, hostId: 'U0HOST', title: 'First one', startsAt: NOW + 3 * DAY });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: s.number, userId: 'U0FUT' });
    const message = await stats('U0FUT');
    expect(message.text).toBe(`No stats yet: your first session is coming up.\n*Next:* #${s.number} First one · Mon 23 Nov, 09:00 UTC · you're going`);
    expect(message.text).not.toContain('Attended');
  });

  it('says "not enough ratings yet" under three votes, and "no ratings yet" without any', async () => {
    const a = createSession(t.database.db, { teamId: TEAM, hostId: ME, startsAt: NOW - 2 * DAY });
    addPollVotes(t.database.db, TEAM, a.number, { U0A: 5, U0B: 1 });
    expect(allText(await stats())).toContain('*Rating of what you hosted:* not enough ratings yet (2 votes; it shows from 3)');
    t.database.sqlite.prepare('DELETE FROM poll_votes').run();
    expect(allText(await stats())).toContain('*Rating of what you hosted:* no ratings yet');
    expect(getPersonalStats(serviceDeps(t.deps), TEAM, ME).rating).toEqual({ average: null, votes: 0 });
  });

  it('refuses anything typed after it, with a clear message', async () => {
    for (const extra of ['me', '<@U0BOB|bob>', 'last week']) {
      const message = await stats(ME, `stats ${extra}`);
      expect(message.text).toContain('`/peer stats` shows only your own numbers, so it takes nothing after it (you typed `');
      expect(message.text).toContain('Usage: `/peer stats`');
    }
    // Case and spacing as for every subcommand.
    expect((await stats(ME, '  STATS  ')).text).toBe(STATS_EMPTY_TEXT);
  });

  it('long lists end in "and N more" and stay within Block Kit limits', async () => {
    const name = (i: number) => `${'&<>'.repeat(19)}${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 25; i += 1) addSkillRow(t.database.db, TEAM, { userId: ME, name: name(i), startedAt: NOW - 100 * DAY, completedAt: NOW - (50 - i) * DAY });
    for (let i = 0; i < 30; i += 1) addSkillRow(t.database.db, TEAM, { userId: `U0L${String(i).padStart(6, '0')}`, name: name(i), startedAt: NOW - 100 * DAY, completedAt: NOW - DAY, taughtBy: ME });
    const message = await stats();
    assertBlockKitLimits('message', message);
    const text = allText(message);
    expect(text).toContain('*Skills you learned:* 25');
    expect(text).toContain(`_…and ${25 - STATS_LIST_MAX} more_`);
    expect(text).toContain('*People you taught:* 30 · 0 of 30 confirmed');
    expect(text).toContain(`_…and ${30 - STATS_LIST_MAX} more_`);
    expect(text).not.toContain('<>');
  });
});
