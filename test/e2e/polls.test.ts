import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobs, polls, pollVotes } from '../../src/db/schema.js';
import { planPollJobs } from '../../src/jobs/polls.js';
import { listPollResults } from '../../src/services/polls.js';
import { serviceDeps } from '../../src/deps.js';
import { PollActions, PollViews } from '../../src/slack/ids.js';
import { useTestApp } from '../support/use-test-app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { addParticipant, createSession, createWorkspace } from '../support/factories.js';

const TEAM = 'T0TEST';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Each test starts a week after the previous one: the messenger paces each channel by the
// clock, so reusing one instant would make the next test's post wait for the last one's.
let NOW = Date.UTC(2026, 10, 20, 9, 0);
let START = NOW + HOUR;
let END = START + 45 * MINUTE;
const CHANNEL = 'C0SESSION';
const ANNOUNCEMENT_TS = '1690000000.000100';
const ATTENDEES = ['U0ANNA', 'U0BOB', 'U0CARL', 'U0DAVE'];

// The poll planner only: the session-end planner would also rewrite these sessions' cards.
const t = useTestApp({ planners: [planPollJobs], resetFake: true, clearData: true });
beforeEach(() => {
  NOW += 7 * DAY;
  START = NOW + HOUR;
  END = START + 45 * MINUTE;
  t.clock.set(NOW);
});

function setupSession(options: { status?: 'scheduled' | 'cancelled' } = {}): number {
  const session = createSession(t.database.db, {
    teamId: TEAM,
    title: 'Regex <!channel> clinic',
    startsAt: START,
    durationMin: 45,
    hostId: 'U0HOST',
    channelId: CHANNEL,
    announcementTs: ANNOUNCEMENT_TS,
    status: options.status ?? 'scheduled',
  });
  for (const userId of ATTENDEES) addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId, joinedAt: NOW - HOUR });
  addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId: 'U0WAIT', waitlisted: true, joinedAt: NOW - HOUR });
  addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId: 'U0GONE', leftAt: NOW - 30 * MINUTE, joinedAt: NOW - HOUR });
  return session.number;
}

const pollPosts = () => t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL);
const votesOf = (n: number, teamId = TEAM) =>
  t.database.db.select().from(pollVotes).where(and(eq(pollVotes.teamId, teamId), eq(pollVotes.sessionNumber, n))).all();
const pollRow = (n: number) => t.database.db.select().from(polls).where(and(eq(polls.teamId, TEAM), eq(polls.sessionNumber, n))).get();
const jobRow = (key: string) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, TEAM), eq(jobs.key, key))).get();
const reason = (row: { result: string | null } | undefined) => (row?.result == null ? undefined : (JSON.parse(row.result) as { reason?: string }).reason);

/** Opens the poll the way production does: the planner schedules it, a tick five minutes after the end posts it. */
async function openPoll(): Promise<{ n: number; ts: string }> {
  const n = setupSession();
  t.clock.set(END + 5 * MINUTE);
  await t.tick();
  const post = pollPosts()[0];
  if (post === undefined) throw new Error('poll was not posted');
  return { n, ts: pollRow(n)!.messageTs! };
}

async function vote(user: string, value: string, options: { actionId?: string; team?: string } = {}) {
  const before = t.fake.responses.length;
  const actionId = options.actionId ?? `${PollActions.votePrefix}${value.split(':')[1] ?? '1'}`;
  const res = await t.action({ action_id: actionId, block_id: 'poll_votes', value }, { user, team: options.team ?? TEAM, channel: CHANNEL });
  expect(res.status).toBe(200);
  const responses = await t.fake.waitForResponse(before + 1);
  return responses[responses.length - 1]!.body as { text: string; response_type: string; replace_original?: boolean };
}

function textOf(blocks: unknown): string {
  return JSON.stringify(blocks);
}

describe('opening the poll', () => {
  it('posts nothing before five minutes after the end, then posts in the channel, threaded under the announcement', async () => {
    const n = setupSession();
    t.clock.set(END + 4 * MINUTE);
    await t.tick();
    expect(pollPosts()).toHaveLength(0);
    expect(jobRow(`poll_open:${n}`)).toMatchObject({ status: 'pending', runAt: END + 5 * MINUTE });

    t.clock.set(END + 5 * MINUTE);
    await t.tick();
    const posts = pollPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.thread_ts).toBe(ANNOUNCEMENT_TS);
    assertBlockKitLimits('message', { text: posts[0]!.args.text, blocks: posts[0]!.args.blocks });
    const blocks = posts[0]!.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    const voteIds = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []).map((e) => e.action_id);
    expect(voteIds).toEqual(['poll_vote_1', 'poll_vote_2', 'poll_vote_3', 'poll_vote_4', 'poll_vote_5', PollActions.comment]);
    expect(textOf(blocks)).toContain('How useful was this session for your work?');
    // The title is user text: escaped, so it cannot ping the channel.
    expect(textOf(blocks)).toContain('&lt;!channel&gt;');
    expect(textOf(blocks)).not.toContain('<!channel>');

    expect(pollRow(n)).toMatchObject({ status: 'open', channelId: CHANNEL, openedAt: END + 5 * MINUTE, closesAt: END + 5 * MINUTE + 72 * HOUR });
    expect(pollRow(n)!.messageTs).toMatch(/^\d+\.\d+$/);
    expect(jobRow(`poll_open:${n}`)?.status).toBe('done');
    expect(jobRow(`poll_close:${n}`)).toMatchObject({ status: 'pending', runAt: END + 5 * MINUTE + 72 * HOUR });

    // Another tick posts nothing more.
    await t.tick();
    expect(pollPosts()).toHaveLength(1);
  });

  it("uses the workspace's own poll question", async () => {
    createWorkspace(t.database.db, TEAM);
    t.database.sqlite.prepare('UPDATE workspaces SET settings = ? WHERE team_id = ?').run(JSON.stringify({ pollQuestion: 'Would you recommend it?' }), TEAM);
    await openPoll();
    expect(textOf(pollPosts()[0]!.args.blocks)).toContain('Would you recommend it?');
  });

  it('skips the poll of a cancelled session, with the reason', async () => {
    const n = setupSession();
    await t.tick();
    t.database.sqlite.prepare("UPDATE sessions SET status = 'cancelled' WHERE team_id = ? AND number = ?").run(TEAM, n);
    t.clock.set(END + 5 * MINUTE);
    await t.tick();
    expect(pollPosts()).toHaveLength(0);
    expect(pollRow(n)).toBeUndefined();
    const job = jobRow(`poll_open:${n}`);
    // Either D1's sync cancelled the pending job, or the handler skipped it at run time.
    expect(['cancelled', 'skipped']).toContain(job?.status ?? 'cancelled');
    if (job?.status === 'skipped') expect(reason(job)).toBe('cancelled');
  });

  it('after downtime, posts a poll late if it would still be open, and skips it (too_late) otherwise', async () => {
    const n = setupSession();
    const other = createSession(t.database.db, { teamId: TEAM, startsAt: START - 4 * DAY, durationMin: 45, channelId: CHANNEL });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: other.number, userId: 'U0ANNA' });
    await t.tick();
    // Down from before the end until three hours after it.
    t.clock.set(END + 3 * HOUR);
    await t.tick();
    expect(pollPosts()).toHaveLength(1);
    expect(pollRow(n)).toMatchObject({ status: 'open', openedAt: END + 3 * HOUR, closesAt: END + 3 * HOUR + 72 * HOUR });
    // The session four days ago ended more than 72 hours ago: no poll job planned at all.
    expect(jobRow(`poll_open:${other.number}`)).toBeUndefined();
  });

  it('skips a planned poll as too_late when the app was down past the time it would have closed', async () => {
    const n = setupSession();
    await t.tick();
    expect(jobRow(`poll_open:${n}`)?.status).toBe('pending');
    t.clock.set(END + 5 * MINUTE + 72 * HOUR);
    await t.tick();
    expect(pollPosts()).toHaveLength(0);
    expect(reason(jobRow(`poll_open:${n}`))).toBe('too_late');
  });

  it('a poll Slack refuses for good (bot removed from the channel) fails with the reason and leaves no poll behind', async () => {
    const n = setupSession();
    t.fake.channelsWithoutBot.add(CHANNEL);
    try {
      t.clock.set(END + 5 * MINUTE);
      await t.tick();
      expect(jobRow(`poll_open:${n}`)).toMatchObject({ status: 'failed', lastError: 'not_in_channel' });
      // Nobody saw it: it must not count as a poll nobody answered.
      expect(pollRow(n)).toBeUndefined();
    } finally {
      t.fake.channelsWithoutBot.delete(CHANNEL);
    }
  });

  it('a poll whose post kept failing until it would have closed is skipped as too_late and not kept', async () => {
    const n = setupSession();
    t.fake.always('chat.postMessage', { status: 500 });
    t.clock.set(END + 5 * MINUTE);
    await t.tick();
    expect(pollRow(n)).toMatchObject({ status: 'open', messageTs: null });
    t.fake.clearScripts();
    t.clock.set(END + 5 * MINUTE + 73 * HOUR);
    await t.tick();
    expect(reason(jobRow(`poll_open:${n}`))).toBe('too_late');
    expect(pollRow(n)).toBeUndefined();
  });

  it('skips the poll of a session nobody joined (only the host)', async () => {
    const lonely = createSession(t.database.db, { teamId: TEAM, startsAt: START, durationMin: 45, channelId: CHANNEL });
    t.clock.set(END + 5 * MINUTE);
    await t.tick();
    expect(pollPosts()).toHaveLength(0);
    expect(reason(jobRow(`poll_open:${lonely.number}`))).toBe('no_attendees');
  });

  it('follows a session that moved before its poll was due', async () => {
    const n = setupSession();
    await t.tick();
    expect(jobRow(`poll_open:${n}`)?.runAt).toBe(END + 5 * MINUTE);
    t.database.sqlite.prepare('UPDATE sessions SET starts_at = ? WHERE team_id = ? AND number = ?').run(START + 2 * HOUR, TEAM, n);
    t.clock.set(END + 5 * MINUTE);
    await t.tick();
    expect(pollPosts()).toHaveLength(0);
    expect(jobRow(`poll_open:${n}`)).toMatchObject({ status: 'pending', runAt: END + 2 * HOUR + 5 * MINUTE });
  });

  it('posts the poll of a session moved more than a day later, after its old time came and went', async () => {
    const n = setupSession();
    await t.tick();
    // Moved two days later: outside the planner's one-day look-ahead, so the old job runs first.
    // (Within this test's week: the next test's clock starts a week on.)
    const moved = START + 2 * DAY;
    t.database.sqlite.prepare('UPDATE sessions SET starts_at = ? WHERE team_id = ? AND number = ?').run(moved, TEAM, n);
    t.clock.set(END + 5 * MINUTE);
    await t.tick();
    expect(jobRow(`poll_open:${n}`)).toMatchObject({ status: 'skipped' });
    expect(pollPosts()).toHaveLength(0);
    t.clock.set(moved + 45 * MINUTE + 5 * MINUTE);
    await t.tick();
    await t.tick();
    expect(pollPosts()).toHaveLength(1);
    expect(jobRow(`poll_open:${n}`)).toMatchObject({ status: 'done' });
  });
});

describe('a poll job run again after a crash', () => {
  it('posts nothing twice and still schedules the close that the crash lost', async () => {
    const { n } = await openPoll();
    // The crash: the poll was posted and recorded, but the process died before scheduling the
    // close and before marking the job done; its lease ran out and it is due again.
    t.database.sqlite.prepare("DELETE FROM jobs WHERE key = ?").run(`poll_close:${n}`);
    t.database.sqlite.prepare("UPDATE jobs SET status = 'pending', lease_until = NULL WHERE key = ?").run(`poll_open:${n}`);
    await t.tick();
    expect(pollPosts()).toHaveLength(1);
    expect(jobRow(`poll_open:${n}`)?.status).toBe('done');
    expect(jobRow(`poll_close:${n}`)).toMatchObject({ status: 'pending' });
  });
});

describe('voting', () => {
  it('records one vote per person, changeable, and updates the message in place; the average shows from 3 votes', async () => {
    const { n, ts } = await openPoll();

    const first = await vote('U0ANNA', `${n}:4`);
    expect(first.response_type).toBe('ephemeral');
    expect(first.replace_original).toBe(false);
    expect(first.text).toContain('4');
    expect(votesOf(n)).toMatchObject([{ userId: 'U0ANNA', value: 4 }]);
    let updates = await t.fake.waitForCalls('chat.update', 1);
    expect(updates[0]!.args).toMatchObject({ channel: CHANNEL, ts });
    expect(textOf(updates[0]!.args.blocks)).toContain('1 vote');
    expect(textOf(updates[0]!.args.blocks)).not.toContain('average *');

    const changed = await vote('U0ANNA', `${n}:2`);
    expect(changed.text).toContain('Vote changed');
    expect(votesOf(n)).toHaveLength(1);
    expect(votesOf(n)[0]!.value).toBe(2);

    await vote('U0BOB', `${n}:5`);
    updates = await t.fake.waitForCalls('chat.update', 3);
    const twoVotes = textOf(updates[2]!.args.blocks);
    expect(twoVotes).toContain('2 votes');
    expect(twoVotes).not.toContain('average *');

    await vote('U0CARL', `${n}:3`);
    updates = await t.fake.waitForCalls('chat.update', 4);
    const threeVotes = textOf(updates[3]!.args.blocks);
    expect(threeVotes).toContain('3 votes');
    expect(threeVotes).toContain('average *3.3*');
    expect(votesOf(n).map((v) => [v.userId, v.value]).sort()).toEqual([
      ['U0ANNA', 2],
      ['U0BOB', 5],
      ['U0CARL', 3],
    ]);
  });

  it('gives people who did not join (or left, or waited, or hosted) a kind note and stores nothing', async () => {
    const { n } = await openPoll();
    for (const user of ['U0STRANGER', 'U0GONE', 'U0WAIT']) {
      const reply = await vote(user, `${n}:5`);
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toContain('only for people who joined the session');
    }
    const host = await vote('U0HOST', `${n}:5`);
    expect(host.text).toContain("hosts don't vote");
    expect(votesOf(n)).toHaveLength(0);
    expect(t.fake.callsTo('chat.update')).toHaveLength(0);
  });

  it('refuses forged values clearly and stores nothing', async () => {
    const { n } = await openPoll();
    const forged: { value: string; actionId?: string }[] = [
      { value: `${n}:7`, actionId: 'poll_vote_7' },
      { value: `${n}:0`, actionId: 'poll_vote_0' },
      { value: 'abc', actionId: 'poll_vote_5' },
      { value: '7', actionId: 'poll_vote_5' },
      { value: JSON.stringify({ session: n, value: 5 }), actionId: 'poll_vote_5' },
      { value: `${n}:5; DROP TABLE poll_votes`, actionId: 'poll_vote_5' },
      // The clicked button says 1, the value says 5: tampered.
      { value: `${n}:5`, actionId: 'poll_vote_1' },
    ];
    for (const f of forged) {
      const reply = await vote('U0ANNA', f.value, { actionId: f.actionId });
      expect(reply.text).toContain("wasn't counted");
    }
    expect(votesOf(n)).toHaveLength(0);
  });

  it('refuses a poll button sent from another workspace, storing nothing in either', async () => {
    const { n } = await openPoll();
    const reply = await vote('U0ANNA', `${n}:5`, { team: 'T0OTHER' });
    expect(reply.text).toContain("couldn't find that poll");
    expect(votesOf(n)).toHaveLength(0);
    expect(votesOf(n, 'T0OTHER')).toHaveLength(0);
  });
});

describe('comments', () => {
  async function submitComment(
    user: string,
    n: number,
    rating: string | null,
    comment: string | null,
    privateMetadata = JSON.stringify({ session: n }),
    share: { value: string }[] | undefined = undefined,
  ) {
    return t.submitView(
      {
        callback_id: PollViews.comment,
        private_metadata: privateMetadata,
        values: {
          [PollViews.ratingBlock]: { [PollViews.ratingInput]: { type: 'static_select', selected_option: rating === null ? null : { value: rating } } },
          [PollViews.commentBlock]: { [PollViews.commentInput]: { type: 'plain_text_input', value: comment } },
          ...(share === undefined ? {} : { [PollViews.shareBlock]: { [PollViews.shareInput]: { type: 'checkboxes', selected_options: share } } }),
        },
      },
      { user },
    );
  }

  type ModalBlock = { block_id?: string; element?: { type?: string; initial_options?: { value: string }[]; options?: { value: string; text: { text: string } }[] } };
  async function openCommentModal(user: string, n: number): Promise<ModalBlock[]> {
    const before = t.fake.callsTo('views.open').length;
    await t.action({ action_id: PollActions.comment, block_id: 'poll_comment', value: String(n) }, { user, channel: CHANNEL });
    const opens = await t.fake.waitForCalls('views.open', before + 1);
    const view = opens[before]!.args.view as { blocks: ModalBlock[] };
    assertBlockKitLimits('modal', view);
    return view.blocks;
  }
  const shareBox = (blocks: ModalBlock[]) => blocks.find((b) => b.block_id === PollViews.shareBlock)?.element;

  it('asks whether the comment may go, with the name, into admins\' exports: unticked at first, the saved choice after, and unticking withdraws it', async () => {
    const { n } = await openPoll();
    const first = shareBox(await openCommentModal('U0ANNA', n));
    expect(first?.type).toBe('checkboxes');
    expect(first?.options?.[0]?.text.text).toContain('with my name');
    expect(first?.initial_options).toBeUndefined();

    // Left unticked (Slack sends no selected option): not shared.
    await submitComment('U0ANNA', n, '4', 'Good pace.', undefined, []);
    expect(votesOf(n)).toMatchObject([{ userId: 'U0ANNA', comment: 'Good pace.', commentShared: false }]);

    const ticked = await submitComment('U0ANNA', n, '4', 'Good pace.', undefined, [{ value: 'share' }]);
    expect(ticked.json.response_action).toBe('update');
    expect(votesOf(n)).toMatchObject([{ userId: 'U0ANNA', commentShared: true }]);
    expect(shareBox(await openCommentModal('U0ANNA', n))?.initial_options).toEqual([expect.objectContaining({ value: 'share' })]);

    // A rating changed with the buttons keeps the choice; saving the modal unticked withdraws it.
    await vote('U0ANNA', `${n}:2`);
    expect(votesOf(n)).toMatchObject([{ value: 2, commentShared: true }]);
    await submitComment('U0ANNA', n, '3', 'Good pace.', undefined, []);
    expect(votesOf(n)).toMatchObject([{ value: 3, commentShared: false }]);
    expect(shareBox(await openCommentModal('U0ANNA', n))?.initial_options).toBeUndefined();
  });

  it('refuses a forged sharing choice inline and saves nothing', async () => {
    const { n } = await openPoll();
    for (const forged of [[{ value: 'everyone' }], [{ value: 'share' }, { value: 'share' }]]) {
      const res = await submitComment('U0ANNA', n, '4', 'hi', undefined, forged);
      expect(res.json.response_action).toBe('errors');
      expect(res.json.errors[PollViews.shareBlock]).toContain("didn't come from this form");
    }
    expect(votesOf(n)).toHaveLength(0);
  });

  it('opens the comment modal pre-filled with the vote, and saves rating and comment', async () => {
    const { n } = await openPoll();
    await vote('U0ANNA', `${n}:4`);
    await t.action({ action_id: PollActions.comment, block_id: 'poll_comment', value: String(n) }, { user: 'U0ANNA', channel: CHANNEL });
    const [open] = await t.fake.waitForCalls('views.open', 1);
    const view = open!.args.view as { callback_id: string; private_metadata: string; blocks: { block_id?: string; element?: { initial_option?: { value: string } } }[] };
    expect(view.callback_id).toBe(PollViews.comment);
    expect(JSON.parse(view.private_metadata)).toEqual({ session: n });
    expect(view.blocks.find((b) => b.block_id === PollViews.ratingBlock)?.element?.initial_option?.value).toBe('4');

    const res = await submitComment('U0ANNA', n, '5', '  Loved the live examples.  ');
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view)).toContain('saved');
    expect(votesOf(n)).toMatchObject([{ userId: 'U0ANNA', value: 5, comment: 'Loved the live examples.' }]);
    // No DM for a comment: the modal is the confirmation.
    expect(t.fake.callsTo('conversations.open')).toHaveLength(0);
  });

  it('keeps votes and comments for the digest', async () => {
    const { n } = await openPoll();
    await vote('U0ANNA', `${n}:4`);
    await vote('U0BOB', `${n}:2`);
    await submitComment('U0BOB', n, '3', 'More hands-on time, please.');
    const results = listPollResults(serviceDeps(t.deps), TEAM, END, END + DAY);
    expect(results).toEqual([
      { sessionNumber: n, title: 'Regex <!channel> clinic', openedAt: END + 5 * MINUTE, status: 'open', votes: 2, total: 7, eligible: 4, comments: ['More hands-on time, please.'] },
    ]);
    expect(listPollResults(serviceDeps(t.deps), 'T0OTHER', 0, END + DAY)).toEqual([]);
  });

  it('shows an inline error for a comment over 2,000 characters and stores nothing', async () => {
    const { n } = await openPoll();
    const res = await submitComment('U0ANNA', n, '4', 'x'.repeat(2001));
    expect(res.json).toMatchObject({ response_action: 'errors' });
    expect(res.json.errors[PollViews.commentBlock]).toContain('2000');
    expect(votesOf(n)).toHaveLength(0);
    const ok = await submitComment('U0ANNA', n, '4', 'x'.repeat(2000));
    expect(ok.json.response_action).toBe('update');
    expect(votesOf(n)[0]!.comment).toHaveLength(2000);
  });

  it('refuses a missing or forged rating inline, and a non-participant or forged metadata, storing nothing', async () => {
    const { n } = await openPoll();
    const noRating = await submitComment('U0ANNA', n, null, 'hi');
    expect(noRating.json.errors[PollViews.ratingBlock]).toContain('1 to 5');
    const forgedRating = await submitComment('U0ANNA', n, '9', 'hi');
    expect(forgedRating.json.errors[PollViews.ratingBlock]).toContain('1 to 5');
    const stranger = await submitComment('U0STRANGER', n, '5', 'hi');
    expect(JSON.stringify(stranger.json.view)).toContain('only for people who joined');
    const junk = await submitComment('U0ANNA', n, '5', 'hi', '{"session":"1 OR 1=1"}');
    expect(JSON.stringify(junk.json.view)).toContain("didn't come from a Peerloop poll");
    expect(votesOf(n)).toHaveLength(0);
  });

  it('the comment button refuses a non-participant with a kind note and opens nothing', async () => {
    const { n } = await openPoll();
    await t.action({ action_id: PollActions.comment, block_id: 'poll_comment', value: String(n) }, { user: 'U0STRANGER', channel: CHANNEL });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('only for people who joined');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
  });
});

describe('closing', () => {
  it('closes 72 hours after opening: final result, no buttons, and later votes and comments are refused', async () => {
    const { n, ts } = await openPoll();
    await vote('U0ANNA', `${n}:4`);
    await vote('U0BOB', `${n}:5`);
    await vote('U0CARL', `${n}:5`);
    await t.fake.waitForCalls('chat.update', 3);
    t.fake.reset();

    t.clock.set(END + 5 * MINUTE + 72 * HOUR - MINUTE);
    await t.tick();
    expect(pollRow(n)?.status).toBe('open');

    t.clock.set(END + 5 * MINUTE + 72 * HOUR);
    await t.tick();
    expect(pollRow(n)?.status).toBe('closed');
    expect(jobRow(`poll_close:${n}`)?.status).toBe('done');
    const [update] = t.fake.callsTo('chat.update');
    expect(update!.args).toMatchObject({ channel: CHANNEL, ts });
    const blocks = update!.args.blocks as { type: string }[];
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(textOf(blocks)).toContain('Final result');
    expect(textOf(blocks)).toContain('average *4.7*');

    const late = await vote('U0DAVE', `${n}:1`);
    expect(late.text).toContain('closed');
    expect(votesOf(n)).toHaveLength(3);
    const changed = await vote('U0ANNA', `${n}:1`);
    expect(changed.text).toContain('closed');
    expect(votesOf(n).find((v) => v.userId === 'U0ANNA')?.value).toBe(4);
  });
});

describe('updating the poll message under concurrent votes', () => {
  /** chat.update calls in the order Slack finished applying them (a delayed call is applied late). */
  function recordAppliedUpdates(ts: string) {
    const applied: string[] = [];
    t.fake.onMethod('chat.update', (args) => {
      if (args.ts === ts) applied.push(textOf(args.blocks));
      return { ok: true, channel: args.channel, ts: args.ts, text: args.text, message: { text: args.text, blocks: args.blocks } };
    });
    return applied;
  }
  const updateCalls = (ts: string) => t.fake.callsTo('chat.update').filter((c) => c.args.ts === ts);

  it('the last update applied to the message shows every stored vote, even when an earlier update is slow', async () => {
    const { n, ts } = await openPoll();
    const applied = recordAppliedUpdates(ts);
    // The first update Slack receives is answered last, the way a slow request overtakes nothing but lands late.
    t.fake.script('chat.update', { delayMs: 200 }, { delayMs: 100 });
    await Promise.all([vote('U0ANNA', `${n}:4`), vote('U0BOB', `${n}:5`), vote('U0CARL', `${n}:2`), vote('U0DAVE', `${n}:5`)]);
    expect(votesOf(n)).toHaveLength(4);
    // Settled: every update Slack received has been applied, and the last one is the full count.
    await t.fake.waitFor(() => applied.length > 0 && applied.length === updateCalls(ts).length && applied.at(-1)!.includes('4 votes'), 'the final count on the message');
    expect(applied.at(-1)).toContain('average *4.0*');
    // Votes that arrive while an update is waiting share it: no more calls than votes.
    expect(updateCalls(ts).length).toBeLessThanOrEqual(4);
  });

  it('a slow vote update cannot land after the close and bring the buttons back', async () => {
    const { n, ts } = await openPoll();
    const applied = recordAppliedUpdates(ts);
    t.fake.script('chat.update', { delayMs: 200 });
    await vote('U0ANNA', `${n}:4`);
    await t.fake.waitFor(() => updateCalls(ts).length === 1, 'the vote update to be on its way');
    t.clock.set(END + 5 * MINUTE + 72 * HOUR);
    await t.tick();
    expect(jobRow(`poll_close:${n}`)?.status).toBe('done');
    await t.fake.waitFor(() => applied.length === updateCalls(ts).length && applied.length === 2, 'both updates applied');
    expect(applied[0]).toContain('1 vote');
    expect(applied[1]).toContain('Final result');
    expect(applied[1]).not.toContain(PollActions.votePrefix);
  });
});
