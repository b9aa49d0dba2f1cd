import { describe, expect, it } from 'vitest';
import { buildCalendarFeedMessage } from '../../src/slack/blocks/calendar.js';
import { buildEphemeralText, buildHelpMessage } from '../../src/slack/blocks/help.js';
import { buildHomeView } from '../../src/slack/blocks/home.js';
import type { HomeSession } from '../../src/services/home.js';
import { BlockKitLimits } from '../../src/slack/blocks/limits.js';
import { buildAttendanceModal } from '../../src/slack/blocks/attendance-modal.js';
import { buildAttendanceAskDm, buildAttendanceSavedDm } from '../../src/slack/blocks/attendance-ask.js';
import { buildPersonalStatsMessage } from '../../src/slack/blocks/personal-stats.js';
import { STATS_LIST_MAX } from '../../src/services/personal-stats.js';
import { applyFormatDefaults, buildScheduleModal } from '../../src/slack/blocks/schedule-modal.js';
import { buildSessionCardMessage } from '../../src/slack/blocks/session-card.js';
import { buildPromotedDm, buildSessionCancelledDm, buildSessionChangedDm } from '../../src/slack/blocks/session-dm.js';
import { buildReminderMessage } from '../../src/slack/blocks/reminder.js';
import { buildSessionListMessage } from '../../src/slack/blocks/session-list.js';
import { buildNoticeModal } from '../../src/slack/blocks/notice.js';
import { buildOptOutHomeBlocks } from '../../src/slack/blocks/opt-out.js';
import { buildPollCommentModal, buildPollCommentSavedModal, buildPollMessage } from '../../src/slack/blocks/poll.js';
import { buildSettingsModal, buildSettingsSavedModal } from '../../src/slack/blocks/settings.js';
import { buildWeeklyMessage } from '../../src/slack/blocks/weekly.js';
import type { WeeklySession } from '../../src/services/weekly.js';
import { escapeMrkdwn } from '../../src/slack/blocks/text.js';
import { buildCheckinAnsweredMessage, buildCheckinMessage, buildGroupsRefusedDm, buildMatchIntroMessage, buildPausedDm, buildRoundNotRunDm, buildRoundSummaryMessage, buildSuggestionsMessage } from '../../src/slack/blocks/match-messages.js';
import { buildMatchSetupModal, buildMatchSetupSavedModal } from '../../src/slack/blocks/match-setup-modal.js';
import { buildNextRoundBlocks } from '../../src/slack/blocks/next-round.js';
import { assertBlockKitLimits, BlockKitLimitError } from '../support/block-kit.js';
import { buildRoleOptions, buildSkillOptions, buildSkillsModal, buildSkillsSavedModal, buildStartDatesModal } from '../../src/slack/blocks/skills-modal.js';
import { buildLearnedDoneModal, buildLearnedModal, buildTeachConfirmDm, buildTeachConfirmedMessage } from '../../src/slack/blocks/learned-modal.js';
import { buildSkillsHomeBlocks, SKILLS_HOME_MAX_BLOCKS } from '../../src/slack/blocks/skills-home.js';
import type { SkillsProfile } from '../../src/services/skills.js';
import { DEFAULT_SETTINGS } from '../../src/services/workspace-settings.js';
import { buildDigestMessage, buildDigestNotInChannelDm } from '../../src/slack/blocks/digest.js';
import { createKpiReport } from '../support/kpi-report.js';
import { buildExportDoneMessage, buildExportEmptyMessage, buildExportFailedMessage, buildExportWorkingMessage, exportFileTitle, exportUploadComment, formatDateRange } from '../../src/slack/blocks/export.js';

/**
 * Every Block Kit builder, fed its largest realistic input, stays inside Slack's limits.
 * Add your builders here: one `it` per builder, with long user text and the most rows it can get.
 */

const long = (n: number, unit = 'x') => unit.repeat(n);

describe('builders stay within Block Kit limits', () => {
  it('buildHelpMessage, plain and for an unknown (very long) subcommand', () => {
    assertBlockKitLimits('message', buildHelpMessage());
    assertBlockKitLimits('message', buildHelpMessage(long(5000)));
  });

  it('buildEphemeralText with a 5,000-character text', () => {
    const message = buildEphemeralText(long(5000));
    assertBlockKitLimits('message', message);
    expect(message.text.length).toBeLessThanOrEqual(BlockKitLimits.messageText);
  });

  it('buildEphemeralText with 5,000 emoji (surrogate pairs) is still within limits', () => {
    assertBlockKitLimits('message', buildEphemeralText(long(5000, '🎉')));
  });

  it('buildHomeView with 500 upcoming sessions, 5 past ones and 300-character titles of emoji and markup', () => {
    const roles: HomeSession['role'][] = ['host', 'creator', 'attendee', 'waitlisted'];
    const session = (i: number): HomeSession => ({
      number: 100_000 + i,
      title: long(100, '<!channel>🎉'),
      format: 'lunch-and-learn',
      hostId: 'U0HOSTLONGID',
      startsAt: Date.UTC(2026, 10, 24) + i * 3_600_000,
      durationMin: 240,
      channelId: 'C0LONGCHANNELID',
      link: `https://example.com/${long(1900)}`,
      role: roles[i % roles.length]!,
      attended: 'unknown',
    });
    const view = buildHomeView({
      userId: 'U0ME',
      timeZone: 'America/Argentina/ComodRivadavia',
      data: { upcoming: Array.from({ length: 500 }, (_, i) => session(i)), upcomingTotal: 5000, recent: Array.from({ length: 5 }, (_, i) => session(i)) },
    });
    assertBlockKitLimits('home', view);
    expect(JSON.stringify(view)).toContain('more. `/peer list mine`');
  });

  it('buildSessionCardMessage: 300-character titles of emoji and markup, huge counts, every state', () => {
    const card = (over: Partial<Parameters<typeof buildSessionCardMessage>[0]> = {}) =>
      buildSessionCardMessage({
        number: 1_000_000_000,
        title: long(100, '<!channel>🎉'),
        format: 'lunch-and-learn',
        topic: long(300, '<@U1>'),
        hostId: 'U0HOSTLONGID',
        startsAt: Date.UTC(2026, 10, 1, 14),
        durationMin: 240,
        capacity: 500,
        agenda: long(3000, '*_'),
        link: `https://example.com/${long(2500)}`,
        status: 'scheduled',
        cancelReason: null,
        attendeeCount: 100,
        waitlistCount: 100_000,
        seriesPosition: { index: 12, of: 12 },
        calendarUrl: `https://peerloop.example.com/calendar/${long(43)}/session/1000000000.ics`,
        finished: false,
        fallbackZone: 'America/Argentina/ComodRivadavia',
        ...over,
      });
    assertBlockKitLimits('message', card());
    assertBlockKitLimits('message', card({ status: 'cancelled', cancelReason: long(2000, '<!here>') }));
    assertBlockKitLimits('message', card({ finished: true, calendarUrl: undefined, capacity: null }));
    expect(JSON.stringify(card())).not.toContain('<!channel>');
  });

  it('buildScheduleModal (create and edit) with maximal prefilled values and after a format pick', () => {
    const values = {
      format: 'skill-swap',
      title: long(400, '🎉'),
      topic: long(400),
      date: '2026-11-01',
      time: '09:00',
      duration: '240',
      hostId: 'U0HOST',
      capacity: '500',
      channelId: 'C0CHAN',
      link: `https://example.com/${long(2500)}`,
      agenda: long(5000),
      repeat: '12',
    };
    const now = Date.UTC(2026, 9, 30);
    assertBlockKitLimits('modal', buildScheduleModal({ metadata: { mode: 'create', rev: 999_999, origin: 'C0CHAN' }, values, timeZone: 'America/Argentina/ComodRivadavia', now }));
    assertBlockKitLimits('modal', buildScheduleModal({ metadata: { mode: 'edit', number: 1_000_000_000, rev: 0 }, values: applyFormatDefaults(values, 'problem-clinic'), timeZone: 'Asia/Kolkata', now }));
  });

  it('buildAttendanceModal with 100 and with 2,000 attendees (10 per checkbox group, 100 blocks max)', () => {
    const people = (n: number) => Array.from({ length: n }, (_, i) => ({ userId: `U0PERSON${String(i).padStart(6, '0')}`, attended: 'unknown' as const }));
    for (const n of [0, 100, 2000]) {
      const view = buildAttendanceModal({ number: 1_000_000_000, title: long(300, '<!channel>'), attendees: people(n), openedAt: Date.UTC(2026, 10, 24) });
      assertBlockKitLimits('modal', view);
    }
  });

  it('buildAttendanceAskDm and buildAttendanceSavedDm: 300-character titles of markup, huge numbers, every outcome', () => {
    const title = long(100, '<!channel>🎉&');
    const ask = buildAttendanceAskDm({ number: 1_000_000_000, title, startsAt: Date.UTC(2026, 10, 1, 14), durationMin: 240, joined: 1_000_000, timeZone: 'America/Argentina/ComodRivadavia' });
    assertBlockKitLimits('message', ask);
    expect(JSON.stringify(ask)).not.toContain('<!channel>');
    for (const how of ['everyone', 'saved', 'already'] as const) {
      for (const summary of [{ seated: 1, yes: 1, no: 0, unknown: 0 }, { seated: 1_000_000, yes: 999_000, no: 500, unknown: 500 }]) {
        const saved = buildAttendanceSavedDm({ number: 1_000_000_000, title, summary, how });
        assertBlockKitLimits('message', saved);
        expect(JSON.stringify(saved)).not.toContain('<!channel>');
      }
    }
  });

  it('buildPersonalStatsMessage: full lists of 60-character `&` names, huge counts, a long next title', () => {
    const DAY = 86_400_000;
    const name = '&'.repeat(60);
    const items = Array.from({ length: STATS_LIST_MAX }, (_, i) => ({ name, skill: name, startedAt: 0, completedAt: i * DAY, learnerId: `U0LEARNER${i}`, confirmed: i % 2 === 0 }));
    const next = { number: 1_000_000_000, title: '<!channel>'.repeat(30), startsAt: Date.UTC(2026, 10, 24), durationMin: 240, role: 'waitlisted' as const };
    const stats = {
      attended: { total: 1_000_000, unmarked: 999_999 },
      hosted: 1_000_000,
      rating: { average: 4.9999, votes: 1_000_000 },
      learned: { items, total: 1_000_000 },
      taught: { items, total: 1_000_000, people: 999_999, confirmed: 5 },
      next,
    };
    const message = buildPersonalStatsMessage({ timeZone: 'America/Argentina/ComodRivadavia', stats });
    assertBlockKitLimits('message', message);
    expect(JSON.stringify(message)).not.toContain('<!channel>');
    expect(JSON.stringify(message)).toContain('and 999990 more');
    const empty = { attended: { total: 0, unmarked: 0 }, hosted: 0, rating: { average: null, votes: 0 }, learned: { items: [], total: 0 }, taught: { items: [], total: 0, people: 0, confirmed: 0 } };
    assertBlockKitLimits('message', buildPersonalStatsMessage({ timeZone: 'UTC', stats: { ...empty, next: null } }));
    assertBlockKitLimits('message', buildPersonalStatsMessage({ timeZone: 'UTC', stats: { ...empty, next } }));
  });

  it('buildNoticeModal with a 5,000-character message', () => {
    // The caller escapes user text before it reaches this builder (its contract).
    assertBlockKitLimits('modal', buildNoticeModal(escapeMrkdwn(long(5000, '<!channel> '))));
  });

  it('buildSessionListMessage with 100 sessions and long titles, and empty', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      number: 1_000_000 + i,
      title: long(300, '<!channel>🎉'),
      format: 'lunch-and-learn',
      hostId: 'U0HOSTLONGID',
      startsAt: Date.UTC(2026, 10, 1) + i * 3_600_000,
      durationMin: 240,
      seats: 'Full: 100000 on the waitlist',
      mine: ([null, 'host', 'attendee', 'waitlisted'] as const)[i % 4]!,
    }));
    const message = buildSessionListMessage({ items, total: 10_000, mineOnly: false, days: 14, timeZone: 'America/Argentina/ComodRivadavia' });
    assertBlockKitLimits('message', message);
    expect(JSON.stringify(message)).toContain('more');
    assertBlockKitLimits('message', buildSessionListMessage({ items: [], total: 0, mineOnly: true, days: 14, timeZone: 'UTC' }));
  });

  it('session DMs (promoted, changed, cancelled) with long text', () => {
    const input = { number: 1_000_000_000, title: long(300, '<!channel>'), startsAt: Date.UTC(2026, 10, 1), durationMin: 240, channelId: 'C0CHAN', link: `https://example.com/${long(2500)}`, timeZone: 'Asia/Kolkata' };
    assertBlockKitLimits('message', buildPromotedDm(input));
    assertBlockKitLimits('message', buildSessionChangedDm(input, { time: true, place: true }));
    assertBlockKitLimits('message', buildSessionCancelledDm(input, long(3000, '<!here>')));
  });

  it('buildReminderMessage for an attendee and a host, with the longest title, agenda and link', () => {
    const input = {
      number: 1_000_000_000,
      title: long(300, '<!channel>'),
      startsAt: Date.UTC(2026, 10, 1),
      durationMin: 240,
      channelId: 'C0CHAN',
      agenda: long(2900, '<'),
      link: `https://example.com/${long(2500, '&')}`,
      leadMinutes: 10_079,
      timeZone: 'America/Argentina/ComodRivadavia',
    };
    assertBlockKitLimits('message', buildReminderMessage({ ...input, isHost: false }));
    assertBlockKitLimits('message', buildReminderMessage({ ...input, isHost: true }));
  });

  it('buildCalendarFeedMessage with and without a feed URL', () => {
    assertBlockKitLimits('message', buildCalendarFeedMessage({ feedUrl: undefined }));
    assertBlockKitLimits('message', buildCalendarFeedMessage({ feedUrl: `https://${long(200)}.example.com/calendar/${long(43)}.ics` }));
  });
});

describe('D2 builders (polls, weekly DM, settings, opt-out) stay within Block Kit limits', () => {
  const title = long(100, '<!channel>🎉');

  it('buildPollMessage open and closed, with a 300-character title, a 150-character question and huge counts', () => {
    for (const status of ['open', 'closed'] as const) {
      for (const [votes, average] of [[0, null], [2, null], [1_000_000, 4.96]] as const) {
        const message = buildPollMessage({ sessionNumber: 999_999_999, sessionTitle: title, question: long(75, '<!here>'), status, votes, average, minVotesForAverage: 3, closesText: `<!date^1900000000^{date_short_pretty} at {time}|${long(100)}>` });
        assertBlockKitLimits('message', message);
        expect(JSON.stringify(message)).not.toContain('<!channel>');
        expect(JSON.stringify(message)).not.toContain('<!here>');
      }
    }
  });

  it('buildPollCommentModal (empty and pre-filled with a 2,000-character comment) and the saved notice', () => {
    assertBlockKitLimits('modal', buildPollCommentModal({ sessionNumber: 999_999_999, sessionTitle: title, question: long(150), currentValue: undefined, currentComment: null, currentShared: false, commentMax: 2000 }));
    assertBlockKitLimits('modal', buildPollCommentModal({ sessionNumber: 1, sessionTitle: title, question: long(150, '🎉'), currentValue: 5, currentComment: long(2000, '🎉'), currentShared: true, commentMax: 2000 }));
    assertBlockKitLimits('modal', buildPollCommentSavedModal(999_999_999));
  });

  it('buildWeeklyMessage with 200 sessions of mine, 3 suggestions and long titles, in a long zone name', () => {
    const session = (i: number, role?: WeeklySession['role']): WeeklySession => ({
      number: 100_000 + i,
      title,
      topic: long(200),
      format: 'lunch-and-learn',
      hostId: 'U0HOSTLONGID',
      startsAt: Date.UTC(2026, 10, 24) + i * 3_600_000,
      durationMin: 240,
      channelId: 'C0LONGCHANNELID',
      ...(role === undefined ? { spotsLeft: 1 } : { role }),
    });
    const message = buildWeeklyMessage({
      timeZone: 'America/Argentina/ComodRivadavia',
      nowMs: Date.UTC(2026, 10, 23),
      mine: Array.from({ length: 200 }, (_, i) => session(i, i % 3 === 0 ? 'host' : i % 3 === 1 ? 'attendee' : 'waitlisted')),
      suggestions: [session(1000), session(1001), session(1002)],
    });
    assertBlockKitLimits('message', message);
    assertBlockKitLimits('message', buildWeeklyMessage({ timeZone: 'UTC', nowMs: 0, mine: [], suggestions: [session(1)] }));
  });

  it('buildSettingsModal and its saved notice with the longest values', () => {
    const settings = { ...DEFAULT_SETTINGS, reminderLeadMinutes: [10080, 10079, 5], weeklyDay: 0, weeklyHour: 23, pollQuestion: long(150, '🎉'), messagesPerMinute: 600, timeZone: 'America/Argentina/ComodRivadavia' };
    assertBlockKitLimits('modal', buildSettingsModal(settings));
    assertBlockKitLimits('modal', buildSettingsSavedModal(settings));
    const digest = { ...settings, digestChannelId: 'C0LONGCHANNELID1234', digestDay: 0, digestHour: 23, participationTargetPct: 100, sessionsPerMonthTarget: 1000, competencyFasterTargetPct: 99 };
    for (const baseline of [{ competencyBaselineDays: 3650 }, { competencyBaselineBefore: '2026-12-31' }]) {
      assertBlockKitLimits('modal', buildSettingsModal({ ...digest, ...baseline }));
      assertBlockKitLimits('modal', buildSettingsSavedModal({ ...digest, ...baseline }, { digestNotInChannel: true }));
    }
    assertBlockKitLimits('message', buildDigestNotInChannelDm({ channelId: 'C0LONGCHANNELID1234', day: 0, hour: 23, zone: 'America/Argentina/ComodRivadavia' }));
  });

  it('the opt-out Home blocks in both states', () => {
    for (const optedOut of [true, false]) assertBlockKitLimits('home', { type: 'home', blocks: buildOptOutHomeBlocks(optedOut) });
  });
});

describe('assertBlockKitLimits catches what Slack would refuse', () => {
  const section = (text = 'hi') => ({ type: 'section', text: { type: 'mrkdwn', text } });

  function failure(surface: Parameters<typeof assertBlockKitLimits>[0], payload: unknown): BlockKitLimitError {
    try {
      assertBlockKitLimits(surface, payload);
    } catch (error) {
      expect(error).toBeInstanceOf(BlockKitLimitError);
      return error as BlockKitLimitError;
    }
    throw new Error('expected the payload to be refused');
  }

  it('an over-long header, with the path to it', () => {
    const error = failure('message', { text: 'x', blocks: [section(), { type: 'header', text: { type: 'plain_text', text: long(151) } }] });
    expect(error.path).toBe('message.blocks[1].text.text');
    expect(error.message).toContain('151 characters, over 150');
  });

  it('51 blocks in a message, while 51 are fine in a modal', () => {
    const blocks = Array.from({ length: 51 }, () => section());
    expect(failure('message', { text: 'x', blocks }).message).toBe('message.blocks has 51 blocks, over 50');
    assertBlockKitLimits('modal', { type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks });
    expect(failure('home', { type: 'home', blocks: Array.from({ length: 101 }, () => section()) }).path).toBe('home.blocks');
  });

  it('a message text over 4,000 characters', () => {
    expect(failure('message', { text: long(4001), blocks: [section()] }).path).toBe('message.text');
  });

  it('a button value, action_id and text over their limits', () => {
    const button = (over: Record<string, unknown>) => ({ text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'a', ...over }] }] });
    expect(failure('message', button({ value: long(2001) })).path).toBe('message.blocks[0].elements[0].value');
    expect(failure('message', button({ action_id: long(256) })).path).toBe('message.blocks[0].elements[0].action_id');
    expect(failure('message', button({ text: { type: 'plain_text', text: long(76) } })).path).toBe('message.blocks[0].elements[0].text.text');
  });

  it('too many options, an over-long option value, and a duplicate block_id', () => {
    const select = (options: unknown[]) => ({
      text: 'x',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'pick' }, accessory: { type: 'static_select', action_id: 's', options } }],
    });
    const option = (v: string) => ({ text: { type: 'plain_text', text: v.slice(0, 10) }, value: v });
    expect(failure('message', select(Array.from({ length: 101 }, (_, i) => option(`v${i}`)))).path).toBe('message.blocks[0].accessory.options');
    expect(failure('message', select([option(long(151))])).path).toBe('message.blocks[0].accessory.options[0].value');
    const dup = failure('message', { text: 'x', blocks: [{ ...section(), block_id: 'b' }, { ...section(), block_id: 'b' }] });
    expect(dup.path).toBe('message.blocks[1].block_id');
  });

  it('a modal title over 24 characters, long private_metadata, and a bad plain_text_input max_length', () => {
    const modal = (over: Record<string, unknown>, blocks: unknown[] = [section()]) => ({ type: 'modal', title: { type: 'plain_text', text: 'Schedule' }, submit: { type: 'plain_text', text: 'Save' }, blocks, ...over });
    expect(failure('modal', modal({ title: { type: 'plain_text', text: long(25) } })).path).toBe('modal.title.text');
    expect(failure('modal', modal({ private_metadata: long(3001) })).path).toBe('modal.private_metadata');
    const input = { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 't', max_length: 5000 } };
    expect(failure('modal', modal({}, [input])).path).toBe('modal.blocks[0].element.max_length');
    // views.open arguments (with `view`) are accepted as well.
    expect(failure('modal', { trigger_id: 't', view: modal({ callback_id: long(256) }) }).path).toBe('modal.view.callback_id');
  });

  it('context with 11 elements and a section with 11 fields', () => {
    const text = { type: 'mrkdwn', text: 'a' };
    expect(failure('message', { text: 'x', blocks: [{ type: 'context', elements: Array(11).fill(text) }] }).path).toBe('message.blocks[0].elements');
    expect(failure('message', { text: 'x', blocks: [{ type: 'section', fields: Array(11).fill(text) }] }).path).toBe('message.blocks[0].fields');
  });
});

describe('user text is cut before it is escaped', () => {
  /** Every string in a payload; an `&` that does not start a whole entity is an entity cut in half. */
  const strings = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.values(value).flatMap(strings) : [];
  const assertNoCutEntity = (surface: 'message' | 'home' | 'modal', payload: unknown) => {
    assertBlockKitLimits(surface, payload);
    for (const text of strings(payload)) expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  };
  const amps = (n: number) => long(n, '&');

  it('DMs, reminders, the card, Home and the attendance modal never end in `&am…`', () => {
    const dm = { number: 7, title: amps(150), startsAt: Date.UTC(2026, 10, 1), durationMin: 30, channelId: 'C0CHAN', link: `https://example.com/?${amps(1_970)}`, timeZone: 'UTC' };
    assertNoCutEntity('message', buildPromotedDm(dm));
    assertNoCutEntity('message', buildSessionChangedDm(dm, { time: true, place: true }));
    assertNoCutEntity('message', buildSessionCancelledDm(dm, amps(500)));
    const reminder = { ...dm, agenda: amps(2_900), leadMinutes: 15, isHost: false };
    assertNoCutEntity('message', buildReminderMessage(reminder));
    assertNoCutEntity(
      'message',
      buildSessionCardMessage({
        number: 7, title: amps(150), format: 'skill-swap', topic: amps(150), hostId: 'U0HOST', startsAt: Date.UTC(2026, 10, 1), durationMin: 30, capacity: null,
        agenda: amps(2_900), link: `https://example.com/?${amps(1_970)}`, status: 'cancelled', cancelReason: amps(500), attendeeCount: 0, waitlistCount: 0, finished: false, fallbackZone: 'UTC',
      }),
    );
    const home: HomeSession = { number: 7, title: amps(150), format: 'skill-swap', hostId: 'U0HOST', startsAt: Date.UTC(2026, 10, 24), durationMin: 30, channelId: 'C0CHAN', link: null, role: 'host', attended: 'unknown' };
    assertNoCutEntity('home', buildHomeView({ userId: 'U0ME', timeZone: 'UTC', data: { upcoming: [home], upcomingTotal: 1, recent: [] } }));
    assertNoCutEntity('modal', buildAttendanceModal({ number: 7, title: amps(150), attendees: [], openedAt: Date.UTC(2026, 10, 24) }));
  });
});

describe('skills builders stay within Block Kit limits', () => {
  const NOW = Date.UTC(2026, 11, 6, 10);
  // Names longer than the 60 the service allows, in emoji and markup, in case a row predates a limit.
  const mark = (i: number) => `${i} ${long(40, '<@U1>&🎉')}`;
  const plain = (i: number) => `${i} ${long(100, 'é🎉')}`;
  const skill = (i: number, name = mark(i)) => ({ id: 1_000_000 + i, key: `k${i}`, name, startedAt: NOW - i * 86_400_000 });
  const profile = (name: (i: number) => string): SkillsProfile => ({
    role: long(200, '<!channel>'),
    matchingOptIn: true,
    pausedUntil: NOW + 30 * 86_400_000,
    pauseReason: 'no_answers',
    saved: true,
    teach: Array.from({ length: 20 }, (_, i) => skill(i, name(i))),
    learn: Array.from({ length: 20 }, (_, i) => skill(100 + i, name(100 + i))),
    learned: Array.from({ length: 5 }, (_, i) => ({ ...skill(200 + i, name(200 + i)), completedAt: NOW, taughtBy: 'U0TEACHER', taughtConfirmedAt: i % 2 === 0 ? NOW : null })),
  });

  it('buildSkillsModal with 20 + 20 long skills, a long role and a pause', () => {
    const view = buildSkillsModal({ profile: { ...profile(plain), role: long(200, 'é') }, timeZone: 'America/Argentina/ComodRivadavia', now: NOW });
    assertBlockKitLimits('modal', view);
    // The checker does not look inside external selects' initial options: check them here.
    const selects = (view.blocks as { element?: { initial_options?: { text: { text: string }; value: string }[]; initial_option?: { text: { text: string }; value: string } } }[]).flatMap((b) => [
      ...(b.element?.initial_options ?? []),
      ...(b.element?.initial_option === undefined ? [] : [b.element.initial_option]),
    ]);
    expect(selects.length).toBeGreaterThan(40);
    for (const o of selects) {
      expect(Array.from(o.text.text).length).toBeLessThanOrEqual(BlockKitLimits.optionText);
      expect(Array.from(o.value).length).toBeLessThanOrEqual(BlockKitLimits.optionValue);
    }
  });

  it('buildSkillsSavedModal and buildStartDatesModal with 20 long skills', () => {
    assertBlockKitLimits('modal', buildSkillsSavedModal({ profile: profile(mark), timeZone: 'UTC', now: NOW }));
    assertBlockKitLimits('modal', buildStartDatesModal({ learn: profile(plain).learn, timeZone: 'UTC' }));
  });

  it('buildSkillOptions and buildRoleOptions: at most 100 options of 75 characters, whatever was typed', () => {
    const known = Array.from({ length: 150 }, (_, i) => ({ key: `k${i}`, name: plain(i), people: i }));
    for (const typed of [{ key: 'new', display: long(60, 'é') }, { key: 'x', display: long(300, 'x'), problem: `Too long: skill names up to 60 characters (this has 300)` }, { key: '', display: '' }]) {
      const skills = buildSkillOptions(known, typed);
      const roles = buildRoleOptions(known, typed);
      for (const answer of [skills, roles]) {
        expect(answer.options.length).toBeLessThanOrEqual(BlockKitLimits.optionsPerSelect);
        assertBlockKitLimits('modal', { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' }, accessory: { type: 'static_select', action_id: 'a', options: answer.options } }] });
      }
    }
  });

  it('buildLearnedModal, buildLearnedDoneModal, the teacher DM and its confirmed form', () => {
    assertBlockKitLimits('modal', buildLearnedModal({ rowId: 1_000_000_000, name: plain(1), alreadyTeaching: false }));
    assertBlockKitLimits('modal', buildLearnedModal({ rowId: 1, name: mark(1), alreadyTeaching: true }));
    assertBlockKitLimits('modal', buildLearnedDoneModal({ name: mark(1), teacherId: 'U0TEACHER', teachAdded: true, timeZone: 'UTC' }));
    assertBlockKitLimits('modal', buildLearnedDoneModal({ name: mark(1), teacherId: null, teachAdded: false, alreadyAt: NOW, timeZone: 'UTC' }));
    assertBlockKitLimits('message', buildTeachConfirmDm({ rowId: 1_000_000_000, learnerId: 'U0LEARNER', name: long(300, '<!channel>') }));
    for (const already of [true, false]) assertBlockKitLimits('message', buildTeachConfirmedMessage({ learnerId: 'U0LEARNER', name: long(300, '<!channel>'), confirmedAt: NOW, timeZone: 'UTC', already }));
  });

  it('App Home with the fullest skills part, a next round and 500 upcoming sessions', () => {
    const blocks = buildSkillsHomeBlocks({ profile: profile(mark), timeZone: 'UTC', now: NOW });
    expect(blocks.length).toBe(SKILLS_HOME_MAX_BLOCKS);
    const session = (i: number): HomeSession => ({ number: i, title: long(100, '<!channel>🎉'), format: 'skill-swap', hostId: 'U0H', startsAt: NOW + i * 3_600_000, durationMin: 30, channelId: 'C0C', link: null, role: 'attendee', attended: 'unknown' });
    const view = buildHomeView({
      userId: 'U0ME',
      timeZone: 'UTC',
      now: NOW,
      profile: profile(mark),
      matching: buildNextRoundBlocks({ next: { channelId: 'C0ROUND', roundDate: '2026-12-07', at: NOW, mode: 'skill-swap', skipping: false }, timeZone: 'UTC' }),
      data: { upcoming: Array.from({ length: 500 }, (_, i) => session(i)), upcomingTotal: 500, recent: Array.from({ length: 5 }, (_, i) => session(i)) },
    });
    assertBlockKitLimits('home', view);
    expect(JSON.stringify(view)).toContain('home_learn_1000119');
    assertBlockKitLimits('home', { type: 'home', blocks: buildSkillsHomeBlocks({ profile: { ...profile(mark), saved: false, teach: [], learn: [], learned: [] }, timeZone: 'UTC', now: NOW }) });
  });
});

describe('matching builders stay within Block Kit limits', () => {
  const skillName = long(60, '<!channel>&');
  const people = Array.from({ length: 8 }, (_, i) => `U0PERSON${String(i).padStart(6, '0')}`);
  const reason = {
    mode: 'skill-swap' as const,
    exchanges: people.flatMap((teacher, i) => Array.from({ length: 20 }, (_, k) => ({ teacher, learner: people[(i + 1) % people.length]!, skillKey: `skill${k}` }))),
    skills: Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`skill${k}`, `${skillName}${k}`])),
    roleKey: 'role',
    role: long(200, '<!here>'),
    sharedMinutes: 540,
  };
  const zones = people.map((userId) => ({ userId, timeZone: 'America/Argentina/ComodRivadavia' }));
  const windows = [
    { start: Date.UTC(2026, 11, 1, 9), end: Date.UTC(2026, 11, 1, 12) },
    { start: Date.UTC(2026, 11, 1, 13), end: Date.UTC(2026, 11, 1, 18) },
  ];

  it('the setup modal (new and prefilled) and its saved notice', () => {
    const now = Date.UTC(2026, 10, 30);
    assertBlockKitLimits('modal', buildMatchSetupModal({ channelId: 'C0LONGCHANNELID', zone: 'America/Argentina/ComodRivadavia', now }));
    const setup = { mode: 'pods' as const, cadenceWeeks: 4 as const, weekday: 0, hour: 23, repeatWeeks: 52 };
    assertBlockKitLimits('modal', buildMatchSetupModal({ channelId: 'C0LONGCHANNELID', current: setup, zone: 'UTC', now }));
    assertBlockKitLimits('modal', buildMatchSetupSavedModal({ channelId: 'C0LONGCHANNELID', setup, zone: 'America/Argentina/ComodRivadavia', nextRoundAt: now, readerZone: 'America/Argentina/Buenos_Aires', created: false }));
  });

  it('the intro for 8 people with 160 exchanges and long, marked-up skill and role names; pods and suggestions too', () => {
    for (const channelId of ['C0LONGCHANNELID', null]) {
      for (const mode of ['skill-swap', 'pods', 'suggestion'] as const) {
        const message = buildMatchIntroMessage({ groupId: 999_999_999_999, userIds: people, reason: { ...reason, mode }, channelId, requestedBy: people[0]!, windows, zones, checkinDays: channelId === null ? null : 3 });
        assertBlockKitLimits('message', message);
        expect(JSON.stringify(message)).not.toContain('<!channel>');
        expect(JSON.stringify(message)).not.toContain('<!here>');
      }
    }
    assertBlockKitLimits('message', buildMatchIntroMessage({ groupId: 1, userIds: people.slice(0, 2), reason: { ...reason, exchanges: [], role: null }, channelId: 'C0X', windows: [], zones, checkinDays: 3 }));
  });

  it('Did you meet? (asked and answered), the summary, and the DMs', () => {
    assertBlockKitLimits('message', buildCheckinMessage(999_999_999_999));
    for (const outcome of ['met', 'scheduled', 'not_this_time'] as const) assertBlockKitLimits('message', buildCheckinAnsweredMessage(999_999_999_999, outcome, 'U0PERSON000000'));
    const leftOut = { no_partner: 1, repeat_window: 1_000_000, role_too_small: 7, paused_no_answers: 3, something_new: 2 };
    assertBlockKitLimits('message', buildRoundSummaryMessage({ groups: 1_000_000, people: 2_000_000, leftOut, skipping: 1_000, pods: true, nextRoundAt: Date.UTC(2026, 11, 8, 10), zone: 'America/Argentina/ComodRivadavia' }));
    assertBlockKitLimits('message', buildRoundSummaryMessage({ groups: 0, people: 0, leftOut: {}, skipping: 0, pods: false, nextRoundAt: undefined, zone: 'UTC' }));
    for (const r of ['not_in_channel', 'too_few_people']) assertBlockKitLimits('message', buildRoundNotRunDm({ channelId: 'C0LONGCHANNELID', roundAt: Date.UTC(2026, 11, 1), zone: 'Asia/Kolkata', reason: r }));
    assertBlockKitLimits('message', buildGroupsRefusedDm({ channelId: 'C0LONGCHANNELID', groups: Array.from({ length: 200 }, () => ({ userIds: people, code: long(500, '<!channel>') })) }));
    assertBlockKitLimits('message', buildGroupsRefusedDm({ channelId: 'C0LONGCHANNELID', groups: [{ userIds: people, code: 'missing_scope' }] }));
    assertBlockKitLimits('message', buildRoundNotRunDm({ channelId: 'C0LONGCHANNELID', roundAt: Date.UTC(2026, 11, 1), zone: 'Asia/Kolkata', reason: `missing_scope:${long(200, 'x')}` }));
    assertBlockKitLimits('message', buildPausedDm());
  });

  it('/peer match suggestions with three long reasons', () => {
    const items = people.slice(1, 4).map((userId) => ({ userId, reason, windows, myZone: 'America/Argentina/ComodRivadavia', theirZone: 'Asia/Kolkata' }));
    const message = buildSuggestionsMessage(people[0]!, items);
    assertBlockKitLimits('message', message);
    assertBlockKitLimits('message', buildSuggestionsMessage(people[0]!, items.map((i) => ({ ...i, windows: [] }))));
  });

  it('the next-round Home block in every state', () => {
    const next = { channelId: 'C0LONGCHANNELID', roundDate: '2026-12-01', at: Date.UTC(2026, 11, 1, 10), mode: 'pods' as const, skipping: false };
    for (const input of [
      { next, timeZone: 'America/Argentina/ComodRivadavia' },
      { next: { ...next, skipping: true }, timeZone: 'UTC' },
      { next: undefined, timeZone: 'UTC' },
      { next, pause: { until: Date.UTC(9999, 11, 31), reason: 'no_answers' as const, untilResumed: true }, timeZone: 'UTC' },
      { next, pause: { until: Date.UTC(2027, 0, 1), reason: 'chosen' as const, untilResumed: false }, timeZone: 'Asia/Kolkata' },
    ]) {
      assertBlockKitLimits('home', { type: 'home', blocks: buildNextRoundBlocks(input) });
    }
  });

  it('the /peer export replies, with the widest range, huge counts and a long Slack error', () => {
    const range = { fromYmd: '2024-12-31', toYmd: '2026-12-30' };
    expect(formatDateRange(range.fromYmd, range.toYmd)).toBe('Dec 31, 2024 – Dec 30, 2026');
    assertBlockKitLimits('message', buildExportWorkingMessage(range));
    assertBlockKitLimits('message', buildExportDoneMessage({ ...range, sessions: 1_000_000_000 }));
    for (const defaulted of [true, false]) assertBlockKitLimits('message', buildExportEmptyMessage({ ...range, defaulted }));
    assertBlockKitLimits('message', buildExportFailedMessage({ code: long(5000, '<!channel>') }));
    assertBlockKitLimits('message', buildExportFailedMessage({ code: 'missing_scope', missingScope: long(5000, '<!channel>') }));
    expect(JSON.stringify(buildExportFailedMessage({ code: long(50, '<!channel>') }))).not.toContain('<!channel>');
    // Not Block Kit, but Slack caps a file's comment and title too (4,000 and 255 characters are safe).
    const comment = exportUploadComment({ ...range, zone: 'America/Argentina/ComodRivadavia', counts: { sessions: 1e9, attendance: 1e9, votes: 1e9, competencies: 1e9 } });
    expect(comment.length).toBeLessThan(4_000);
    for (const table of ['sessions', 'attendance', 'votes', 'competencies'] as const) expect(exportFileTitle(table, range).length).toBeLessThan(255);
  });
});

describe('digest builders stay within Block Kit limits', () => {
  it('buildDigestMessage with thousands of contributors, gaps and sessions, marked-up text, posted and as every preview', () => {
    const crazy = long(40, '<!channel>🎉&');
    const report = createKpiReport({
      participation: { unmarkedSessions: 10_000, insufficient: crazy, value: null },
      contributors: {
        hosts: Array.from({ length: 3000 }, (_, i) => ({ userId: `U${String(i).padStart(12, '0')}`, sessions: 1, optedOut: false })),
        teachers: Array.from({ length: 3000 }, (_, i) => ({ userId: `UT${String(i).padStart(12, '0')}`, learners: 1, optedOut: i % 2 === 0 })),
        newParticipants: Array.from({ length: 3000 }, (_, i) => ({ userId: `UN${String(i).padStart(12, '0')}`, optedOut: false })),
      },
      skillGaps: Array.from({ length: 1000 }, (_, i) => ({ skill: `${crazy}${i}`, learners: 10_000, teachers: 10_000 })),
      topSessions: Array.from({ length: 1000 }, (_, i) => ({ number: 1_000_000_000 - i, title: crazy, hostId: 'U0HOSTLONGID', startsAt: 0, average: 5, votes: 1_000_000 })),
      timeZone: 'America/Argentina/ComodRivadavia',
    });
    const sessions = Array.from({ length: 300 }, (_, i) => ({ number: 1_000_000_000 - i, title: crazy, format: 'lunch-and-learn', hostId: 'U0HOSTLONGID', startsAt: i * 3_600_000, durationMin: 480, spotsLeft: 1000 }));
    const previews = [
      undefined,
      { action: { kind: 'post' as const, channelId: 'C0LONGCHANNELID', channelName: long(80), weekId: '2026-W53' }, chartNote: crazy },
      { action: { kind: 'invite_first' as const, channelId: 'C0LONGCHANNELID' } },
      { action: { kind: 'posted' as const, channelId: 'C0LONGCHANNELID' } },
      { action: { kind: 'no_channel' as const } },
      { action: { kind: 'info' as const, channelId: 'C0LONGCHANNELID', day: 0, hour: 23, zone: 'America/Argentina/ComodRivadavia' } },
    ];
    for (const preview of previews) {
      assertBlockKitLimits('message', buildDigestMessage({ report, upcoming: { sessions, total: 100_000 }, chartInThread: true, ...(preview === undefined ? {} : { preview }) }));
    }
    assertBlockKitLimits('message', buildDigestMessage({ report: createKpiReport({ hasAnySessions: false }), upcoming: { sessions, total: 300 } }));
  });
});
