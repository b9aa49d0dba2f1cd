import { describe, expect, it } from 'vitest';
import { blocksToHtml } from '../../src/render/block-kit-html.js';
import { buildSessionCardMessage } from '../../src/slack/blocks/session-card.js';
import { buildWeeklyMessage } from '../../src/slack/blocks/weekly.js';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const names = { U0ANA: 'ana', U0SAM: 'sam', C0LEARN: 'peer-learning' };

/** The message's blocks only (between the sender line and the end of the content), to compare without the page around them. */
function body(html: string): string {
  const start = html.indexOf('<span class="badge">APP</span></div>\n') + '<span class="badge">APP</span></div>\n'.length;
  const end = html.indexOf('\n\n</div>\n</div>\n</div>\n</body>');
  return html.slice(start, end === -1 ? undefined : end).trim();
}

const render = (blocks: unknown[], extra: Partial<Parameters<typeof blocksToHtml>[1]> = {}) => blocksToHtml(blocks, { title: 'Test', names, ...extra });

const VOID = new Set(['br', 'hr', 'img', 'input', 'meta']);

/** Every opened element is closed, in order: the page is well formed whatever text went in. */
function assertBalanced(html: string): void {
  const stack: string[] = [];
  for (const [, closing, name] of html.matchAll(/<(\/?)([a-z][a-z0-9]*)\b[^>]*>/g)) {
    if (VOID.has(name!)) continue;
    if (closing === '') stack.push(name!);
    else expect(stack.pop(), `</${name}>`).toBe(name);
  }
  expect(stack).toEqual([]);
}

describe('blocksToHtml', () => {
  it('is one self-contained page: inline CSS, a Slack-like font stack and width, no script, nothing loaded but the image', () => {
    const html = render([{ type: 'section', text: mrkdwn('Hello') }], { imageSrc: 'digest-chart.png', imageAlt: 'Participation and sessions, 8 weeks' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<style>[\s\S]*font:15px\/1\.46668 Lato,[\s\S]*max-width:600px[\s\S]*<\/style>/);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect([...html.matchAll(/\ssrc="([^"]*)"/g)].map((m) => m[1])).toEqual(['digest-chart.png']);
    expect(html).toContain('<div class="attachment"><div class="label">In the thread</div><img src="digest-chart.png" alt="Participation and sessions, 8 weeks"></div>');
    assertBalanced(html);
  });

  it('escapes the title, the image and everything people typed: <script> and quotes stay text', () => {
    const html = blocksToHtml(
      [
        { type: 'header', text: plain('<img src=x onerror=alert(1)>') },
        { type: 'section', text: mrkdwn('Agenda: &lt;script&gt;alert("hi")&lt;/script&gt; &amp; "quotes" \'too\'') },
        { type: 'section', text: plain('<b>not bold</b> & "plain"') },
      ],
      { title: 'Digest <script>alert("x")</script> "week"', imageSrc: 'chart.png" onerror="alert(1)', imageAlt: '<b>' },
    );
    expect(html).not.toMatch(/<script|<img src=x|<b>not|onerror="alert/);
    expect(html).toContain('<title>Digest &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;week&quot;</title>');
    expect(html).toContain('<div class="block header">&lt;img src=x onerror=alert(1)&gt;</div>');
    expect(html).toContain('Agenda: &lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;');
    expect(html).toContain('&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;plain&quot;');
    expect(html).toContain('<img src="chart.png&quot; onerror=&quot;alert(1)" alt="&lt;b&gt;">');
    assertBalanced(html);
  });

  it('turns mrkdwn into <b>, <i>, <s>, <code>, <pre>, quotes and line breaks', () => {
    const html = body(render([{ type: 'section', text: mrkdwn('*Participation* is _up_ ~a bit~ `62%`\n> quoted\n```\nnpm run demo\n```\nsnake_case stays') }]));
    expect(html).toBe(
      '<div class="block section"><div class="text"><div><b>Participation</b> is <i>up</i> <s>a bit</s> <code>62%</code><blockquote>quoted</blockquote><pre>npm run demo</pre>snake_case stays</div></div></div>',
    );
  });

  it('shows mentions as highlighted names (from the names, else the id) and channels the same way', () => {
    const html = body(render([{ type: 'context', elements: [mrkdwn('Thanks <@U0ANA>, <@U0NEW> and <!subteam^S1|@mentors> in <#C0LEARN> <!here>')] }]));
    expect(html).toBe(
      '<div class="block context"><span>Thanks <span class="mention">@ana</span>, <span class="mention">@U0NEW</span> and <span class="mention">@mentors</span> in <span class="mention">#peer-learning</span> <span class="mention broadcast">@here</span></span></div>',
    );
  });

  it('makes links of http(s) and mailto only, bare web addresses included; anything else stays text', () => {
    const html = body(
      render([
        {
          type: 'section',
          text: mrkdwn('<https://peerloop.dev/docs?a=1&amp;b=2|the docs>, <mailto:team@example.com>, <javascript:alert(1)|click me>, see https://x.example/a. and <https://x.example/"onmouseover="x|quoted>'),
        },
      ]),
    );
    expect(html).toContain('<a href="https://peerloop.dev/docs?a=1&amp;b=2">the docs</a>');
    expect(html).toContain('<a href="mailto:team@example.com">team@example.com</a>');
    expect(html).toContain(', click me, ');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('see <a href="https://x.example/a">https://x.example/a</a>. and');
    expect(html).toContain('<a href="https://x.example/&quot;onmouseover=&quot;x">quoted</a>');
  });

  it('draws buttons as buttons (primary green, danger red, a URL button as a link) and selects with their choice', () => {
    const html = body(
      render([
        {
          type: 'actions',
          elements: [
            { type: 'button', text: plain('Join'), style: 'primary', action_id: 'j' },
            { type: 'button', text: plain('Cancel'), style: 'danger', action_id: 'c' },
            { type: 'button', text: plain('Add to calendar'), url: 'https://x.example/7.ics', action_id: 'a' },
            { type: 'button', text: plain('Sneaky'), url: 'javascript:alert(1)', action_id: 's' },
            { type: 'static_select', placeholder: plain('Pick a week'), action_id: 'w' },
            { type: 'users_select', initial_user: 'U0ANA', action_id: 'u' },
            { type: 'overflow', options: [{ text: plain('Edit'), value: 'e' }], action_id: 'o' },
          ],
        },
      ]),
    );
    expect(html).toBe(
      '<div class="block actions">' +
        '<button type="button" class="btn primary">Join</button>' +
        '<button type="button" class="btn danger">Cancel</button>' +
        '<a class="btn" href="https://x.example/7.ics">Add to calendar</a>' +
        '<button type="button" class="btn">Sneaky</button>' +
        '<span class="select">Pick a week<span aria-hidden="true">▾</span></span>' +
        '<span class="select"><span class="mention">@ana</span><span aria-hidden="true">▾</span></span>' +
        '<button type="button" class="btn" title="Edit">⋯</button>' +
        '</div>',
    );
  });

  it('renders header, section fields and accessory, context with an image, divider, image, emoji', () => {
    const html = body(
      render([
        { type: 'header', text: plain('Weekly digest :tada:') },
        { type: 'section', fields: [mrkdwn('*Sessions*\n9'), mrkdwn('*Rating*\n4.4')], accessory: { type: 'image', image_url: 'https://x.example/i.png', alt_text: 'icon' } },
        { type: 'context', elements: [{ type: 'image', image_url: 'https://x.example/c.png', alt_text: 'c' }, plain('Week of Nov 16 :calendar:')] },
        { type: 'divider' },
        { type: 'image', image_url: 'https://x.example/chart.png', alt_text: 'The chart', title: plain('Last 8 weeks') },
        { type: 'image', image_url: 'file:///etc/passwd', alt_text: 'local file' },
      ]),
    );
    expect(html.split('\n')).toEqual([
      '<div class="block header">Weekly digest 🎉</div>',
      '<div class="block section"><div class="text"><div class="fields"><div><b>Sessions</b><br>9</div><div><b>Rating</b><br>4.4</div></div></div><div class="accessory"><img src="https://x.example/i.png" alt="icon"></div></div>',
      '<div class="block context"><img src="https://x.example/c.png" alt="c"><span>Week of Nov 16 📆</span></div>',
      '<hr class="block divider">',
      '<figure class="block image"><figcaption class="caption">Last 8 weeks</figcaption><img src="https://x.example/chart.png" alt="The chart"></figure>',
      '<figure class="block image"><span>[local file]</span></figure>',
    ]);
  });

  it('renders rich_text: styles, links, mentions, lists, quote and preformatted', () => {
    const html = body(
      render([
        {
          type: 'rich_text',
          elements: [
            { type: 'rich_text_section', elements: [{ type: 'text', text: 'Hi', style: { bold: true, italic: true } }, { type: 'text', text: ' ' }, { type: 'user', user_id: 'U0ANA' }, { type: 'text', text: ' <x>' }, { type: 'link', url: 'https://x.example', text: 'here' }] },
            { type: 'rich_text_list', style: 'ordered', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }] },
            { type: 'rich_text_quote', elements: [{ type: 'text', text: 'q' }] },
            { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'a < b' }] },
          ],
        },
      ]),
    );
    expect(html).toBe(
      '<div class="block rich-text"><div><i><b>Hi</b></i> <span class="mention">@ana</span> &lt;x&gt;<a href="https://x.example">here</a></div><ol style="margin-left:0px"><li><div>one</div></li></ol><blockquote>q</blockquote><pre>a &lt; b</pre></div>',
    );
  });

  it('shows an unknown block as a readable note with its text, never dropping it', () => {
    const html = body(render([{ type: 'carousel', items: [{ title: plain('Card <one>') }] }, { type: 'mystery' }, 42]));
    expect(html.split('\n')).toEqual([
      '<div class="block unknown">Not shown here: a <code>carousel</code> block. It says: Card &lt;one&gt;</div>',
      '<div class="block unknown">Not shown here: a <code>mystery</code> block</div>',
      '<div class="block unknown">A block that is not an object</div>',
    ]);
  });

  it("renders a real builder's message (the weekly DM and a session card with typed markup) as a well-formed page", () => {
    const startsAt = Date.parse('2026-11-16T14:00:00Z');
    const weekly = buildWeeklyMessage({
      timeZone: 'Europe/London',
      nowMs: startsAt - 86_400_000,
      mine: [],
      suggestions: [{ number: 14, title: 'Terraform & <friends>', format: 'micro-lesson', hostId: 'U0ANA', startsAt, durationMin: 15, topic: 'tf', channelId: 'C0LEARN', spotsLeft: 2 }],
    });
    const card = buildSessionCardMessage({
      number: 7,
      title: '<script>alert("x")</script>',
      format: 'skill-swap',
      topic: 'git',
      hostId: 'U0SAM',
      startsAt,
      durationMin: 60,
      capacity: 3,
      agenda: 'Ping <@U0EVERYONE> *now*',
      link: 'https://meet.example.com/x?a=1&b=2',
      status: 'scheduled',
      cancelReason: null,
      attendeeCount: 1,
      waitlistCount: 0,
      finished: false,
      fallbackZone: 'Europe/London',
    });
    const html = render([...weekly.blocks, { type: 'divider' }, ...card.blocks], { title: 'Preview' });
    assertBalanced(html);
    expect(html).toContain('<div class="block header">Your week in peer learning</div>');
    expect(html).toContain('<b>#14 Terraform &amp; &lt;friends&gt;</b>');
    expect(html).toContain('host <span class="mention">@ana</span> · 2 spots left');
    expect(html).toContain('<button type="button" class="btn">Join</button>');
    expect(html).toContain('<code>/peer optout</code>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).toContain('Ping &lt;@U0EVERYONE&gt;');
    expect(html).toContain('<b>When</b><br>Mon 16 Nov, 14:00 GMT');
    expect(html).toContain('<a href="https://meet.example.com/x?a=1&amp;b=2">');
    expect(html).toContain('<button type="button" class="btn primary">Join</button>');
  });
});
