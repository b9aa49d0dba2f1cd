import { describe, expect, it } from 'vitest';
import { buildDigestMessage, buildDigestNotInChannelDm, periodLabel, sparkline, type DigestMessageInput, type DigestSession } from '../../src/slack/blocks/digest.js';
import { DigestActions, SessionActions } from '../../src/slack/ids.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { createKpiReport, kpi, REPORT_PERIOD } from '../support/kpi-report.js';

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: { text: string }[]; accessory?: { action_id: string; value: string; text: { text: string }; confirm?: unknown } };

const upcoming = (n: number, total = n): DigestMessageInput['upcoming'] => ({
  sessions: Array.from({ length: n }, (_, i): DigestSession => ({
    number: 100 + i,
    title: `Session ${i}`,
    format: 'micro-lesson',
    hostId: 'U0HOST1',
    startsAt: REPORT_PERIOD.to + (i + 1) * 3_600_000,
    durationMin: 30,
    spotsLeft: i % 3 === 0 ? null : i % 3 === 1 ? 0 : 2,
  })),
  total,
});

function build(input: Partial<DigestMessageInput> = {}) {
  const message = buildDigestMessage({ report: createKpiReport(), upcoming: upcoming(2), ...input });
  assertBlockKitLimits('message', message);
  return { message, blocks: message.blocks as Block[], all: JSON.stringify(message.blocks) };
}

const sectionText = (blocks: Block[], id: string) => blocks.find((b) => b.block_id === id)?.text?.text ?? '';

describe('the digest message', () => {
  it('says each headline KPI against its target in words and an emoji, with the trend from last week', () => {
    const { blocks, message } = build();
    expect(sectionText(blocks, 'digest_participation')).toBe(':white_check_mark: *Participation 72%* (target 60%). 18 of 25 people invited came. Up 8 points from 64% last week.');
    expect(sectionText(blocks, 'digest_sessions')).toContain(':white_check_mark: *14 sessions in the last 30 days* (target 4 a month).');
    expect(sectionText(blocks, 'digest_sessions')).toContain('5 sessions held this week (3 the week before), 38 min long on average, 1 cancelled.');
    expect(sectionText(blocks, 'digest_satisfaction')).toContain('*Satisfaction 4.3 / 5* from 12 votes (67% of attendees answered). Up 0.2 from 4.1 last week.');
    expect(sectionText(blocks, 'digest_satisfaction')).toContain('(0 · 1 · 1 · 4 · 6)');
    expect(sectionText(blocks, 'digest_competency')).toBe(
      ':white_check_mark: *Time to competency 18 days* (median of 4 skills learned), 25% faster than the 24-day baseline (target: 20% faster). Last week: 21 days.',
    );
    expect(sectionText(blocks, 'digest_matching')).toBe(':handshake: *6 groups matched.* 4 of 5 that answered met (80%). Up 5 points from 75% last week.');
    expect(message.text).toBe('Peer learning, Mon 23 – Sun 29 Nov: participation 72% (target 60%), 5 sessions held, satisfaction 4.3/5.');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Peer learning, the week of Mon 23 – Sun 29 Nov' } });
  });

  it('says below target with a warning, and no trend when last week had no number', () => {
    const report = createKpiReport({
      participation: { ...kpi(48.4, 60, null), attended: 12, invited: 25 },
      sessions: { per30Days: kpi(3, 4, null), perWeek: kpi(1, null, null), held: 1, cancelled: 0 },
      competency: { ...kpi(22, null, null), changePct: -8.3, baselineDays: 24, met: false },
    });
    const { blocks } = build({ report });
    expect(sectionText(blocks, 'digest_participation')).toBe(':warning: *Participation 48%*, below the 60% target. 12 of 25 people invited came.');
    expect(sectionText(blocks, 'digest_sessions')).toContain(':warning: *3 sessions in the last 30 days*, below the target of 4 a month.');
    expect(sectionText(blocks, 'digest_sessions')).toContain('1 session held this week, 38 min long on average.');
    expect(sectionText(blocks, 'digest_competency')).toBe(':warning: *Time to competency 22 days* (median of 4 skills learned), 8% faster than the 24-day baseline; the target is 20% faster.');
  });

  it('never shows a value rounded across its target: a decimal instead, and "about the same" when only rounding agrees', () => {
    const report = createKpiReport({
      participation: { ...kpi(59.6, 60, 60.4), met: false, attended: 149, invited: 250 },
      competency: { ...kpi(19.3, null, null), changePct: -19.6, baselineDays: 24, met: false },
    });
    const { blocks, message } = build({ report });
    expect(sectionText(blocks, 'digest_participation')).toBe(':warning: *Participation 59.6%*, below the 60% target. 149 of 250 people invited came. About the same as last week (60%).');
    expect(sectionText(blocks, 'digest_competency')).toContain('19.6% faster than the 24-day baseline; the target is 20% faster.');
    expect(message.text).toContain('participation 59.6% (target 60%)');
    const edge = build({ report: createKpiReport({ participation: { ...kpi(59.96, 60, 59.96), met: false, attended: 1, invited: 2 } }) });
    expect(sectionText(edge.blocks, 'digest_participation')).toContain('*Participation 59.9%*, below the 60% target.');
    expect(sectionText(edge.blocks, 'digest_participation')).toContain(' Same as last week (60%).');
    // Met on the exact value: whole percent as before.
    const met = build({ report: createKpiReport({ participation: { ...kpi(60.4, 60, null), met: true, attended: 1, invited: 2 }, competency: { ...kpi(19, null, null), changePct: -20.4, baselineDays: 24, met: true } }) });
    expect(sectionText(met.blocks, 'digest_participation')).toContain('*Participation 60%* (target 60%).');
    expect(sectionText(met.blocks, 'digest_competency')).toContain('20% faster than the 24-day baseline (target: 20% faster)');
  });

  it("reads a satisfaction trend from the values as shown: 3.84 against 4.05 is 'down 0.3 from 4.1', and 4.04 against 3.96 'about the same'", () => {
    const down = build({ report: createKpiReport({ satisfaction: { ...kpi(3.84, null, 4.05) } }) });
    expect(sectionText(down.blocks, 'digest_satisfaction')).toContain('*Satisfaction 3.8 / 5*');
    expect(sectionText(down.blocks, 'digest_satisfaction')).toContain('Down 0.3 from 4.1 last week.');
    const flat = build({ report: createKpiReport({ satisfaction: { ...kpi(4.04, null, 3.96) } }) });
    expect(sectionText(flat.blocks, 'digest_satisfaction')).toContain('About the same as last week.');
  });

  it('says how many polls of the week are still open, with or without an average', () => {
    const open = build({ report: createKpiReport({ satisfaction: { openPolls: 2 } }) });
    expect(sectionText(open.blocks, 'digest_satisfaction')).toContain('from 12 votes (67% of attendees answered). 2 polls still open. Up 0.2');
    const few = build({ report: createKpiReport({ satisfaction: { ...kpi(null, null, null), votes: 1, openPolls: 1, insufficient: 'Only 1 vote this week.' } }) });
    expect(sectionText(few.blocks, 'digest_satisfaction')).toBe(':grey_question: *Satisfaction:* Only 1 vote this week. 1 poll still open.');
    expect(sectionText(build().blocks, 'digest_satisfaction')).not.toContain('still open');
  });

  it('shows a KPI with too little data as its sentence, never 0% or NaN, and counts sessions without attendance', () => {
    const report = createKpiReport({
      participation: { ...kpi(null, 60, 64), attended: 0, invited: 0, unmarkedSessions: 3, insufficient: 'No session this week had its attendance marked.' },
      satisfaction: { ...kpi(null, null, 4.1), votes: 1, attendees: 6, responseRate: 16.7, distribution: [0, 0, 0, 0, 1], insufficient: 'Only 1 vote this week: too few to say.' },
      competency: { ...kpi(null, null, 21), reached: 0, changePct: null, insufficient: 'Nobody learned a skill this week.' },
      matching: { groups: 4, answered: 1, met: 1, metShare: kpi(null, null, 75, { insufficient: 'Only 1 group answered "Did you meet?".' }) },
    });
    const { blocks, all, message } = build({ report });
    expect(sectionText(blocks, 'digest_participation')).toBe(
      ':grey_question: *Participation:* No session this week had its attendance marked.\n:clipboard: 3 sessions without attendance — hosts, use `/peer attended <number>` so they count.',
    );
    expect(sectionText(blocks, 'digest_satisfaction')).toBe(':grey_question: *Satisfaction:* Only 1 vote this week: too few to say.');
    expect(sectionText(blocks, 'digest_competency')).toBe(':grey_question: *Time to competency:* Nobody learned a skill this week.');
    expect(sectionText(blocks, 'digest_matching')).toBe(':handshake: *4 groups matched.* Only 1 group answered &quot;Did you meet?&quot;.'.replace(/&quot;/g, '"'));
    expect(all).not.toMatch(/NaN|null%|undefined/);
    expect(all).not.toContain(' 0%');
    expect(message.text).toBe('Peer learning, Mon 23 – Sun 29 Nov: 5 sessions held.');
  });

  it('says when there is no baseline for time to competency, and leaves matching out when nobody was matched', () => {
    const report = createKpiReport({
      competency: { baselineDays: null, baselineSource: null, changePct: null, met: null, previous: null },
      matching: { groups: 0, answered: 0, met: 0, metShare: kpi(null, null, null) },
    });
    const { blocks } = build({ report });
    expect(sectionText(blocks, 'digest_competency')).toBe(':bar_chart: *Time to competency 18 days* (median of 4 skills learned). No baseline to compare with yet: an admin can set one in `/peer settings`.');
    expect(blocks.find((b) => b.block_id === 'digest_matching')).toBeUndefined();
  });

  it('thanks hosts and teachers with mentions, counts opted-out people without a mention (anywhere in the digest), and welcomes newcomers', () => {
    const report = createKpiReport({
      contributors: {
        hosts: [
          { userId: 'U0A', sessions: 3, optedOut: false },
          { userId: 'U0QUIET', sessions: 1, optedOut: true },
        ],
        teachers: [
          { userId: 'U0A', learners: 1, optedOut: false },
          { userId: 'U0B', learners: 2, optedOut: false },
        ],
        newParticipants: [
          { userId: 'U0NEW', optedOut: false },
          { userId: 'U0SHY', optedOut: true },
        ],
      },
    });
    const { blocks } = build({ report: { ...report, topSessions: [{ number: 3, title: 'Quiet one', hostId: 'U0QUIET', startsAt: REPORT_PERIOD.from, average: 5, votes: 3 }] } });
    expect(sectionText(blocks, 'digest_top')).toBe(':trophy: *Best-rated sessions*\n• *#3 Quiet one*: 5.0 / 5 from 3 votes');
    const text = sectionText(blocks, 'digest_thanks');
    expect(text).toBe(
      ':raised_hands: *Thank you* to everyone who hosted or taught this week: <@U0A>, <@U0B> and 1 other.\n:wave: Welcome to <@U0NEW> and 1 other, at their first session.',
    );
    expect(text).not.toContain('U0QUIET');
    expect(text).not.toContain('U0SHY');
  });

  it('thanks everyone by number when nobody who hosted or taught may be mentioned', () => {
    const contributors = { hosts: [{ userId: 'U0Q1', sessions: 2, optedOut: true }], teachers: [{ userId: 'U0Q2', learners: 1, optedOut: true }], newParticipants: [] };
    const { blocks, all } = build({ report: createKpiReport({ contributors }) });
    expect(sectionText(blocks, 'digest_thanks')).toBe(':raised_hands: *Thanks* to the 2 people who hosted or taught this week.');
    expect(all).not.toMatch(/U0Q1|U0Q2|others/);
    const one = build({ report: createKpiReport({ contributors: { ...contributors, teachers: [] } }) });
    expect(sectionText(one.blocks, 'digest_thanks')).toBe(':raised_hands: *Thanks* to the person who hosted or taught this week.');
  });

  it('lists the best-rated sessions and the biggest skill gaps with a nudge; skill names are escaped', () => {
    const report = createKpiReport({ skillGaps: [{ skill: 'Terraform <!channel>', learners: 8, teachers: 1 }, { skill: 'Rust', learners: 1, teachers: 0 }] });
    const { blocks } = build({ report });
    expect(sectionText(blocks, 'digest_top')).toBe(
      ':trophy: *Best-rated sessions*\n• *#12 Terraform basics*, hosted by <@U0HOST1>: 4.8 / 5 from 6 votes\n• *#14 Reading query plans*, hosted by <@U0HOST2>: 4.5 / 5 from 4 votes',
    );
    expect(sectionText(blocks, 'digest_gaps')).toBe(
      ':seedling: *Skills people want to learn*\n• 8 want to learn *Terraform &lt;!channel&gt;*, 1 can teach it.\n• 1 wants to learn *Rust*, nobody can teach it yet.\nCan you teach one of these? Say so in `/peer skills`.',
    );
  });

  it('counts every skill gap in "and N more", not only the ones the report lists', () => {
    const skillGaps = Array.from({ length: 10 }, (_, i) => ({ skill: `Skill ${i}`, learners: 20 - i, teachers: 0 }));
    const { blocks } = build({ report: createKpiReport({ skillGaps, skillGapsTotal: 40 }) });
    const text = sectionText(blocks, 'digest_gaps');
    expect(text.match(/^• /gm)).toHaveLength(5);
    expect(text).toContain('_…and 35 more_');
    // A report whose total is the list's length (a snapshot stored before the total existed).
    expect(sectionText(build({ report: createKpiReport({ skillGaps }) }).blocks, 'digest_gaps')).toContain('_…and 5 more_');
  });

  it("lists the coming week's sessions with the existing Join action and the session number as value", () => {
    const { blocks } = build({ upcoming: upcoming(3) });
    const session = blocks.find((b) => b.block_id === 'digest_next_101');
    expect(session?.accessory).toMatchObject({ action_id: SessionActions.join, value: '101' });
    expect(session?.text?.text).toContain('full, waitlist open');
    expect(sectionText(blocks, 'digest_next_102')).toContain('2 spots left');
    expect(sectionText(blocks, 'digest_next_100')).toContain('<!date^');
  });

  it('names an opted-out host of a coming session in plain text (or "a colleague"), never with a mention', () => {
    const [first, second, third] = upcoming(3).sessions;
    const sessions = [
      { ...first!, hostId: 'U0QUIET', hostOptedOut: true, hostName: 'Ana <Q>' },
      { ...second!, hostId: 'U0NONAME', hostOptedOut: true, hostName: null },
      { ...third!, hostId: 'U0LOUD', hostOptedOut: false, hostName: 'Lou' },
    ];
    const { all, blocks } = build({ upcoming: { sessions, total: 3 } });
    expect(all).not.toContain('<@U0QUIET>');
    expect(all).not.toContain('<@U0NONAME>');
    expect(blocks.find((b) => b.block_id === 'digest_next_100')?.text?.text).toContain('host Ana &lt;Q&gt;');
    expect(blocks.find((b) => b.block_id === 'digest_next_101')?.text?.text).toContain('host a colleague');
    expect(blocks.find((b) => b.block_id === 'digest_next_102')?.text?.text).toContain('host <@U0LOUD>');
  });

  it('says there is nothing coming up when no session is scheduled', () => {
    const { all } = build({ upcoming: upcoming(0) });
    expect(all).toContain('no sessions scheduled for the next 7 days yet');
  });

  it('gives a workspace without any session one friendly line, not a wall of zeros', () => {
    const report = createKpiReport({ hasAnySessions: false, participation: { ...kpi(null, 60), attended: 0, invited: 0 } });
    const { blocks, message } = build({ report, upcoming: upcoming(0) });
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(blocks[1]!.text!.text).toContain('No peer sessions yet. Start one with `/peer schedule`');
    expect(message.text).toBe('Peer learning, Mon 23 – Sun 29 Nov: no peer sessions yet. Start one with /peer schedule.');
  });

  it('stays within Block Kit limits with huge lists and long, marked-up text, ending lists in "and N more"', () => {
    const crazy = '<!channel>🎉&'.repeat(40);
    const report = createKpiReport({
      participation: { unmarkedSessions: 9999, insufficient: crazy },
      contributors: {
        hosts: Array.from({ length: 5000 }, (_, i) => ({ userId: `U${String(i).padStart(10, '0')}`, sessions: 1, optedOut: i % 7 === 0 })),
        teachers: Array.from({ length: 5000 }, (_, i) => ({ userId: `UT${String(i).padStart(10, '0')}`, learners: 1, optedOut: false })),
        newParticipants: Array.from({ length: 5000 }, (_, i) => ({ userId: `UN${String(i).padStart(10, '0')}`, optedOut: false })),
      },
      skillGaps: Array.from({ length: 2000 }, (_, i) => ({ skill: `${crazy}${i}`, learners: 1000 - i, teachers: 0 })),
      topSessions: Array.from({ length: 2000 }, (_, i) => ({ number: 1_000_000 + i, title: crazy, hostId: 'U0HOST1', startsAt: REPORT_PERIOD.from, average: 4.9, votes: 9999 })),
      timeZone: 'America/Argentina/ComodRivadavia',
    });
    for (const preview of [undefined, { action: { kind: 'post' as const, channelId: 'C0DIGEST', channelName: 'x'.repeat(80), weekId: '2026-W48' }, chartNote: crazy }]) {
      const { blocks, all } = build({ report, upcoming: { ...upcoming(500), sessions: upcoming(500).sessions.map((s) => ({ ...s, title: crazy })) }, ...(preview === undefined ? {} : { preview }) });
      expect(blocks.length).toBeLessThanOrEqual(50);
      expect(all).toContain('and 492 more: `/peer list`');
      expect(sectionText(blocks, 'digest_top')).toContain('…and 1995 more');
      expect(sectionText(blocks, 'digest_gaps')).toContain('…and 1995 more');
      expect(sectionText(blocks, 'digest_thanks')).toContain('and 9980 others');
      expect(sectionText(blocks, 'digest_thanks')).toContain('and 4990 others, at their first session');
    }
  });

  it('the preview says it is private and which week it covers; an admin gets Post now with a confirm dialog', () => {
    const { blocks } = build({ preview: { action: { kind: 'post', channelId: 'C0DIGEST', channelName: 'peer-learning', weekId: '2026-W48' } } });
    expect(blocks[0]!.elements![0]!.text).toBe(':eyes: *Preview, only you see this.* It covers last week, Mon 23 – Sun 29 Nov (UTC).');
    const post = blocks.find((b) => b.block_id === 'digest_post');
    expect(post?.accessory).toMatchObject({ action_id: DigestActions.postNow, value: '2026-W48', text: { text: 'Post to #peer-learning now' } });
    expect(post?.accessory?.confirm).toBeDefined();
  });

  it('the preview without a button: posted already, Peerloop not in the channel, no channel, and for members', () => {
    const posted = build({ preview: { action: { kind: 'posted', channelId: 'C0DIGEST' } } }).all;
    expect(posted).toContain('This digest was posted to <#C0DIGEST>; it is posted once a week.');
    expect(build({ preview: { action: { kind: 'invite_first', channelId: 'C0DIGEST' } } }).all).toContain('`/invite @Peerloop`');
    expect(build({ preview: { action: { kind: 'no_channel' } } }).all).toContain('Choose one in `/peer settings`');
    expect(build({ preview: { action: { kind: 'info', channelId: 'C0DIGEST', day: 1, hour: 9, zone: 'UTC' } } }).all).toContain('posted to <#C0DIGEST> every Monday at 09:00 (UTC)');
    for (const kind of ['posted', 'invite_first', 'no_channel', 'info'] as const) {
      const action = kind === 'posted' ? { kind, channelId: 'C0' } : kind === 'invite_first' ? { kind, channelId: 'C0' } : kind === 'info' ? { kind, channelId: null, day: 1, hour: 9, zone: 'UTC' } : { kind };
      expect(build({ preview: { action } }).all).not.toContain(DigestActions.postNow);
    }
  });
});

describe('digest helpers', () => {
  it("the admins' DM says what Slack's refusal means: /invite only where inviting can help", () => {
    const dm = (error?: string) => JSON.stringify(buildDigestNotInChannelDm({ channelId: 'C0D', day: 1, hour: 9, zone: 'UTC', ...(error === undefined ? {} : { error }) }).blocks);
    expect(dm()).toContain("Peerloop isn't in that channel");
    expect(dm('not_in_channel')).toContain('/invite @Peerloop');
    expect(dm('is_archived')).toContain('that channel was archived');
    expect(dm('is_archived')).not.toContain('/invite');
    expect(dm('channel_not_found')).toContain("Slack can't find that channel");
  });

  it("the admins' DM names any other permanent refusal in words, with Slack's code", () => {
    const dm = (error: string) => JSON.stringify(buildDigestNotInChannelDm({ channelId: 'C0D', day: 1, hour: 9, zone: 'UTC', error }).blocks);
    expect(dm('missing_scope')).toContain('Peerloop is missing a Slack permission it needs');
    expect(dm('missing_scope')).toContain('`missing_scope`');
    expect(dm('missing_scope')).not.toContain('/invite');
    expect(dm('http_413')).toContain('Slack refused the message');
  });

  it('periodLabel names the days of the period in its zone, across months and years', () => {
    expect(periodLabel(REPORT_PERIOD, 'UTC')).toBe('Mon 23 – Sun 29 Nov');
    expect(periodLabel({ from: Date.UTC(2026, 10, 30), to: Date.UTC(2026, 11, 7) }, 'UTC')).toBe('Mon 30 Nov – Sun 6 Dec');
    expect(periodLabel({ from: Date.UTC(2026, 11, 28), to: Date.UTC(2027, 0, 4) }, 'UTC')).toBe('Mon 28 Dec 2026 – Sun 3 Jan 2027');
  });

  it('sparkline scales to the largest count and leaves zeros blank', () => {
    expect(sparkline([0, 1, 1, 4, 8])).toBe(' ▁▁▄█');
    expect(sparkline([0, 0, 0, 0, 0])).toBe('     ');
  });
});
