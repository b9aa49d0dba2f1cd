import { describe, expect, it } from 'vitest';
import { blocksToText, displayWidth, mrkdwnToText } from '../../src/render/block-kit-text.js';
import { parseMrkdwn } from '../../src/render/mrkdwn.js';
import { buildSessionCardMessage } from '../../src/slack/blocks/session-card.js';
import { buildSessionListMessage } from '../../src/slack/blocks/session-list.js';
import { escapeMrkdwn } from '../../src/slack/blocks/text.js';
import { buildWeeklyMessage } from '../../src/slack/blocks/weekly.js';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const names = { U0ANA: 'ana', U0SAM: 'sam', C0LEARN: 'peer-learning' };

describe('mrkdwn to plain text', () => {
  it('drops *bold* and _italic_ markers, keeps `code` and ~strike~ readable', () => {
    expect(mrkdwnToText('*Participation* is _up_: `62%` (~55%~ last week)')).toBe('Participation is up: `62%` (~55%~ last week)');
    expect(mrkdwnToText('*bold with _italic_ inside*')).toBe('bold with italic inside');
  });

  it('leaves markers that Slack would not read as formatting: inside words, unclosed, around spaces', () => {
    expect(mrkdwnToText('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
    expect(mrkdwnToText('a * b * c, *unclosed')).toBe('a * b * c, *unclosed');
    expect(mrkdwnToText('_not italic _')).toBe('_not italic _');
  });

  it('writes mentions as @name from the names, or the id (or the label Slack was given)', () => {
    expect(mrkdwnToText('Thanks <@U0ANA> and <@U0NEW>!', { names })).toBe('Thanks @ana and @U0NEW!');
    expect(mrkdwnToText('<@U0OLD|olga> in <#C0LEARN> and <#C0OTHER|random>', { names })).toBe('@olga in #peer-learning and #random');
    expect(mrkdwnToText('<!here> <!channel> <!subteam^S1|@mentors> <!subteam^S2>')).toBe('@here @channel @mentors @S2');
  });

  it('writes links as label (url), a bare link as the url, a mail link without mailto:', () => {
    expect(mrkdwnToText('<https://peerloop.dev/docs|the docs> or <https://peerloop.dev>')).toBe('the docs (https://peerloop.dev/docs) or https://peerloop.dev');
    expect(mrkdwnToText('<mailto:team@example.com|team@example.com>')).toBe('team@example.com');
    expect(mrkdwnToText('<https://x.example/?a=1&amp;b=2|A &amp; B>')).toBe('A & B (https://x.example/?a=1&b=2)');
  });

  it('writes a date token as its fallback text', () => {
    expect(mrkdwnToText('Starts <!date^1794837600^{date_short_pretty} at {time}|Mon 16 Nov, 09:00 EST>')).toBe('Starts Mon 16 Nov, 09:00 EST');
  });

  it("turns Peerloop's emoji into characters and leaves unknown ones (and times) as written", () => {
    expect(mrkdwnToText(':tada: :white_check_mark: :warning: :chart_with_upwards_trend: :star: :raised_hands: :calendar: :bulb:')).toBe('🎉 ✅ ⚠️ 📈 ⭐ 🙌 📆 💡');
    expect(mrkdwnToText(':custom_party: at 10:00-18:00')).toBe(':custom_party: at 10:00-18:00');
  });

  it('decodes the entities Slack escapes, once: typed text reads as typed', () => {
    const typed = 'a <b> & <!channel> &lt;';
    expect(mrkdwnToText(escapeMrkdwn(typed))).toBe(typed);
    // Escaped markup is text, not a mention or a link.
    expect(parseMrkdwn(escapeMrkdwn('<@U0ANA> <https://x.example>'))).toEqual([{ kind: 'line', quote: false, inlines: [{ kind: 'text', text: '<@U0ANA> <https://x.example>' }] }]);
  });

  it('keeps quotes and preformatted blocks apart from the text around them', () => {
    expect(mrkdwnToText('Before\n> quoted *line*\n```\nnpm run demo\n  --small\n```\nAfter')).toBe('Before\n│ quoted line\n    npm run demo\n      --small\nAfter');
    expect(mrkdwnToText('an ``` unclosed fence')).toBe('an ``` unclosed fence');
  });
});

describe('blocksToText', () => {
  it('renders each block type: header, section with fields and accessory, context, divider, actions, image, video, file', () => {
    const text = blocksToText(
      [
        { type: 'header', text: plain('Weekly digest :tada:') },
        { type: 'section', text: mrkdwn('*Participation* 62% :white_check_mark:'), accessory: { type: 'button', text: plain('Details'), action_id: 'x' } },
        { type: 'section', fields: [mrkdwn('*Sessions*\n9'), mrkdwn('*Avg length*\n35 min'), mrkdwn('*Rating*\n4.4 / 5')] },
        { type: 'context', elements: [{ type: 'image', image_url: 'https://x.example/i.png', alt_text: 'chart icon' }, mrkdwn('Week of Nov 16 · _targets in settings_')] },
        { type: 'divider' },
        {
          type: 'actions',
          elements: [
            { type: 'button', text: plain('Join'), style: 'primary', action_id: 'j' },
            { type: 'button', text: plain('Open'), url: 'https://x.example/s/1', action_id: 'o' },
            { type: 'static_select', placeholder: plain('Pick a week'), action_id: 's' },
            { type: 'static_select', placeholder: plain('Pick'), initial_option: { text: plain('Nov 16'), value: '2026-11-16' }, action_id: 's2' },
            { type: 'overflow', options: [{ text: plain('Edit'), value: 'e' }, { text: plain('Cancel'), value: 'c' }], action_id: 'm' },
            { type: 'datepicker', initial_date: '2026-11-16', action_id: 'd' },
            { type: 'users_select', initial_user: 'U0ANA', action_id: 'u' },
          ],
        },
        { type: 'image', image_url: 'https://x.example/chart.png', alt_text: 'Participation over 8 weeks', title: plain('Last 8 weeks') },
        { type: 'video', title: plain('Recording'), title_url: 'https://x.example/v', video_url: 'https://x.example/v.mp4', alt_text: 'v' },
        { type: 'file', external_id: 'digest-2026-47', source: 'remote' },
      ],
      { names },
    );
    expect(text).toBe(
      [
        'Weekly digest 🎉',
        '================',
        '',
        'Participation 62% ✅',
        '[ Details ]',
        '',
        'Sessions    Avg length',
        '9           35 min',
        'Rating',
        '4.4 / 5',
        '',
        '[chart icon]  Week of Nov 16 · targets in settings',
        '',
        '─'.repeat(40),
        '',
        '[ Join ]  [ Open ] (https://x.example/s/1)  [ Pick a week ▾ ]  [ Nov 16 ▾ ]  [ ⋯ Edit | Cancel ]  [ 2026-11-16 ▾ ]  [ @ana ▾ ]',
        '',
        '[image: Last 8 weeks] (https://x.example/chart.png)',
        '',
        '[video: Recording] (https://x.example/v)',
        '',
        '[file: digest-2026-47]',
      ].join('\n'),
    );
  });

  it('renders rich_text: styled text, links, mentions, emoji, lists, quotes and code', () => {
    const text = blocksToText(
      [
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'Hi ', style: { bold: true } },
                { type: 'user', user_id: 'U0ANA' },
                { type: 'text', text: ', see ' },
                { type: 'link', url: 'https://x.example', text: 'this' },
                { type: 'text', text: ' ' },
                { type: 'emoji', name: 'tada' },
                { type: 'emoji', name: 'custom', unicode: '1f680' },
                { type: 'text', text: ' in ' },
                { type: 'channel', channel_id: 'C0LEARN' },
                { type: 'text', text: ' ' },
                { type: 'broadcast', range: 'here' },
              ],
            },
            { type: 'rich_text_list', style: 'bullet', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }, { type: 'rich_text_section', elements: [{ type: 'text', text: 'two' }] }] },
            { type: 'rich_text_list', style: 'ordered', indent: 1, elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'first' }] }] },
            { type: 'rich_text_quote', elements: [{ type: 'text', text: 'quoted' }] },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'npm run demo' }] },
            { type: 'rich_text_section', elements: [{ type: 'date', timestamp: 1794837600, format: '{date}', fallback: 'Nov 16' }, { type: 'text', text: ' ' }, { type: 'text', text: 'x', style: { code: true } }] },
          ],
        },
      ],
      { names },
    );
    expect(text).toBe(['Hi @ana, see this (https://x.example) 🎉🚀 in #peer-learning @here', '• one', '• two', '  1. first', '│ quoted', '    npm run demo', 'Nov 16 `x`'].join('\n'));
  });

  it('underlines a header to its width in a terminal, emoji counting two columns', () => {
    expect(blocksToText([{ type: 'header', text: plain('Digest :tada:') }])).toBe('Digest 🎉\n=========');
    expect(displayWidth('⚠️ ok')).toBe(5);
    expect(displayWidth('学习')).toBe(4);
  });

  it('renders an input (modal) block with its label, control and hint, and checkboxes with what is ticked', () => {
    const text = blocksToText([
      { type: 'input', label: plain('Digest channel'), optional: true, element: { type: 'conversations_select', initial_conversation: 'C0LEARN', action_id: 'c' }, hint: plain('Where the digest goes') },
      {
        type: 'input',
        label: plain('Days'),
        element: { type: 'checkboxes', options: [{ text: plain('Mon'), value: '1' }, { text: plain('Tue'), value: '2' }], initial_options: [{ text: plain('Tue'), value: '2' }], action_id: 'x' },
      },
      { type: 'input', label: plain('Title'), element: { type: 'plain_text_input', placeholder: plain('What is it about?'), action_id: 't' } },
    ], { names });
    expect(text).toBe(['Digest channel (optional)', '[ #peer-learning ▾ ]', 'Where the digest goes', '', 'Days', '[ ] Mon', '[x] Tue', '', 'Title', '[ What is it about? ]'].join('\n'));
  });

  it('shows an unknown block as its type and whatever text it holds, never silently dropped', () => {
    const text = blocksToText([{ type: 'section', text: mrkdwn('Before') }, { type: 'carousel', items: [{ title: plain('Card one') }, { body: mrkdwn('*Card* two') }] }, { type: 'mystery' }, 'not a block', { type: 'section', text: mrkdwn('After') }]);
    expect(text).toBe(['Before', '[carousel block] Card one · Card two', '[mystery block]', '[a block that is not an object]', 'After'].join('\n\n'));
  });

  it("reads a real builder's message: the weekly DM with names filled in and what people typed intact", () => {
    const startsAt = Date.parse('2026-11-16T14:00:00Z');
    const message = buildWeeklyMessage({
      timeZone: 'Europe/London',
      nowMs: startsAt - 86_400_000,
      mine: [{ number: 12, title: 'Git rebase <!channel> *now*', format: 'skill-swap', hostId: 'U0SAM', startsAt, durationMin: 60, topic: 'git', channelId: 'C0LEARN', role: 'attendee' }],
      suggestions: [{ number: 14, title: 'Terraform & friends', format: 'micro-lesson', hostId: 'U0ANA', startsAt: startsAt + 86_400_000, durationMin: 15, topic: 'tf', channelId: 'C0LEARN', spotsLeft: 2 }],
    });
    expect(blocksToText(message.blocks, { names })).toBe(
      [
        'Your week in peer learning',
        '==========================',
        '',
        "You're in one session this week",
        '',
        '#12 Git rebase <!channel> *now*',
        'Mon 16 Nov, 14:00 GMT · 60 min · Skill swap · #peer-learning',
        "you're going · host @sam",
        '',
        '─'.repeat(40),
        '',
        'Open sessions you might like',
        '',
        '#14 Terraform & friends',
        'Tue 17 Nov, 14:00 GMT · 15 min · Micro-lesson · #peer-learning',
        'host @ana · 2 spots left',
        '[ Join ]',
        '',
        'Times are in your time zone, Europe/London (GMT). `/peer optout` stops these DMs.',
      ].join('\n'),
    );
  });

  it('reads the session card (fields in two columns, date token, link) and the session list', () => {
    const card = buildSessionCardMessage({
      number: 7,
      title: 'Pairing on tests',
      format: 'problem-clinic',
      topic: 'testing',
      hostId: 'U0ANA',
      startsAt: Date.parse('2026-11-16T14:00:00Z'),
      durationMin: 45,
      capacity: 6,
      agenda: 'Bring a flaky test',
      link: 'https://meet.example.com/x?a=1&b=2',
      status: 'scheduled',
      cancelReason: null,
      attendeeCount: 2,
      waitlistCount: 0,
      finished: false,
      fallbackZone: 'Europe/London',
    });
    const text = blocksToText(card.blocks, { names });
    expect(text).toContain('Host');
    expect(text).toMatch(/^Format {2,}Host\n\S.* {2,}@ana$/m);
    expect(text).toContain('Mon 16 Nov, 14:00 GMT');
    expect(text).toContain('https://meet.example.com/x?a=1&b=2');
    expect(text).toMatch(/\[ Join \]/);
    expect(text).not.toMatch(/<!date|<@|&amp;|\*/);

    const list = buildSessionListMessage({
      items: [{ number: 3, title: 'Intro to SQL', format: 'lunch-and-learn', hostId: 'U0SAM', startsAt: Date.parse('2026-11-18T12:00:00Z'), durationMin: 60, seats: '3 of 10 seats taken', mine: null }],
      total: 4,
      mineOnly: false,
      days: 14,
      timeZone: 'Europe/London',
    });
    expect(blocksToText(list.blocks, { names })).toBe(
      [
        'Upcoming sessions in the next 14 days (times in Europe/London)',
        '',
        '#3 Intro to SQL',
        'Wed 18 Nov, 12:00 GMT · 60 min · Lunch-and-learn · host @sam',
        '3 of 10 seats taken',
        '[ Join ]',
        '',
        '…and 3 more. `/peer list mine` shows only yours.',
      ].join('\n'),
    );
  });
});
