import { describe, expect, it } from 'vitest';
import { buildFeedIcs, buildSessionIcs, feedUrl, sessionCalendarUrl, sessionIcsFilename, type CalendarSession } from '../../src/services/calendar.js';
import { parseIcs } from '../support/ics.js';

const base: CalendarSession = {
  teamId: 'T0TEST',
  number: 7,
  title: 'Title',
  format: 'problem-clinic',
  topic: '',
  hostId: 'U0HOST',
  hostName: null,
  startsAt: Date.UTC(2026, 9, 25, 0, 30), // the night Europe falls back: no local time involved
  durationMin: 240,
  channelId: 'C0X',
  agenda: '',
  link: null,
  status: 'scheduled',
  cancelReason: null,
  sequence: 3,
  createdAt: 1,
  updatedAt: 2,
};
const NOW = Date.UTC(2026, 9, 1);

describe('.ics text', () => {
  it('round-trips titles and agendas with emoji, commas, semicolons, backslashes and long lines', () => {
    const title = 'Regex 101: \\d+, [a-z]; 🎉 "quotes" <b>';
    const agenda = `${'long line with ünïcödé 🎉 '.repeat(20)}\n2. second; third, fourth \\ done`;
    const event = parseIcs(buildSessionIcs({ ...base, title, agenda, topic: 'regex' }, NOW)).events[0]!;
    expect(event.summary).toBe(title);
    expect(event.description).toContain(agenda);
    expect(event.description).toContain('Topic: regex');
    // No display name stored: the organizer is named by the Slack id, never left blank.
    expect(event.organizerName).toBe('U0HOST');
    expect(event.end - event.start).toBe(240 * 60_000);
  });

  it('a link the ics URL check would refuse stays in the description instead of breaking the file', () => {
    const cal = parseIcs(buildSessionIcs({ ...base, link: 'https://exa mple.com/x' }, NOW));
    expect(cal.events[0]!.url).toBeNull();
    expect(cal.events[0]!.description).toContain('https://exa mple.com/x');
  });

  it('method CANCEL forces STATUS:CANCELLED even for a scheduled row; an empty feed is a valid calendar', () => {
    expect(parseIcs(buildSessionIcs(base, NOW, 'CANCEL'))).toMatchObject({ method: 'CANCEL', events: [{ status: 'CANCELLED', sequence: 3 }] });
    expect(parseIcs(buildSessionIcs({ ...base, status: 'cancelled' }, NOW)).method).toBe('CANCEL');
    expect(parseIcs(buildFeedIcs([], NOW))).toMatchObject({ method: 'PUBLISH', events: [] });
  });

  it('builds URLs without doubled slashes', () => {
    expect(feedUrl('https://p.example.com/', 'tok')).toBe('https://p.example.com/calendar/tok.ics');
    expect(sessionCalendarUrl('https://p.example.com', 'tok', 12)).toBe('https://p.example.com/calendar/tok/session-12.ics');
  });
});

describe('the calendar file name', () => {
  it('is the session number for a session never changed, and names the revision after a change (so each revision sent is its own file)', () => {
    expect(sessionIcsFilename(7)).toBe('peerloop-session-7.ics');
    expect(sessionIcsFilename(7, 0)).toBe('peerloop-session-7.ics');
    expect(sessionIcsFilename(7, 1)).toBe('peerloop-session-7-v2.ics');
    expect(new Set([0, 1, 2, 3].map((sequence) => sessionIcsFilename(7, sequence))).size).toBe(4);
  });
});
