import { describe, expect, it } from 'vitest';
import { buildSessionCardMessage, type SessionCardInput } from '../../src/slack/blocks/session-card.js';
import { SessionActions } from '../../src/slack/ids.js';

const base: SessionCardInput = {
  number: 7,
  title: 'Git rebase <!channel> *now*',
  format: 'skill-swap',
  topic: 'git',
  hostId: 'U0HOST',
  startsAt: Date.parse('2026-11-01T14:00:00Z'),
  durationMin: 60,
  capacity: 3,
  agenda: 'Ping <@U0EVERYONE>',
  link: 'https://meet.example.com/x?a=1&b=2',
  status: 'scheduled',
  cancelReason: null,
  attendeeCount: 3,
  waitlistCount: 2,
  finished: false,
  fallbackZone: 'America/New_York',
};

const actionIds = (card: ReturnType<typeof buildSessionCardMessage>) =>
  card.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));

describe('buildSessionCardMessage', () => {
  it('shows the time as a date token, the waitlist when full, and Join/Leave with the session number', () => {
    const card = buildSessionCardMessage(base);
    const json = JSON.stringify(card.blocks);
    expect(json).toContain(`<!date^${base.startsAt / 1000}^{date_short_pretty} at {time}|Sun 1 Nov, 09:00 EST>`);
    expect(json).toContain('Full: 2 on the waitlist');
    expect(actionIds(card)).toEqual([SessionActions.join, SessionActions.leave]);
    expect(json).toContain('"value":"7"');
  });

  it('escapes what people typed so nobody is pinged', () => {
    const json = JSON.stringify(buildSessionCardMessage(base));
    expect(json).not.toMatch(/<!channel>|<@U0EVERYONE>/);
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('a=1&amp;b=2');
  });

  it('a finished session has no Join (the calendar link stays)', () => {
    const card = buildSessionCardMessage({ ...base, finished: true, calendarUrl: 'https://x.example/s.ics' });
    expect(actionIds(card)).toEqual([SessionActions.calendarLink]);
    expect(JSON.stringify(card.blocks)).toContain('has ended');
  });

  it('a cancelled session says so with the reason and has no buttons', () => {
    const card = buildSessionCardMessage({ ...base, status: 'cancelled', cancelReason: 'Host is ill <!here>' });
    expect(actionIds(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(json).toContain('cancelled: Host is ill &lt;!here&gt;');
    expect(card.text).toContain('Cancelled');
  });

  it('seats: left of capacity, or a head count without a limit', () => {
    expect(JSON.stringify(buildSessionCardMessage({ ...base, attendeeCount: 1, waitlistCount: 0 }).blocks)).toContain('2 of 3 seats left');
    expect(JSON.stringify(buildSessionCardMessage({ ...base, capacity: null, attendeeCount: 12 }).blocks)).toContain('12 going');
  });
});
