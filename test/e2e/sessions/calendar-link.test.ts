import { describe, expect, it } from 'vitest';
import { SessionActions } from '../../../src/slack/ids.js';
import { useTestApp } from '../../support/use-test-app.js';
import { scheduleOk } from './helpers.js';

const t = useTestApp({ env: { PUBLIC_URL: 'https://peerloop.example.com' }, startAt: '2026-10-30T12:00:00Z', users: [{ id: 'U0ALICE', name: 'alice', tz: 'America/New_York' }] });

describe('the card with PUBLIC_URL set', () => {
  it('links "Add to calendar" to the session’s .ics, which serves the same instant', async () => {
    const s = await scheduleOk(t);
    const [post] = t.fake.callsTo('chat.postMessage');
    const buttons = (post!.args.blocks as { type: string; elements?: { action_id: string; url?: string }[] }[]).find((b) => b.type === 'actions')!.elements!;
    const link = buttons.find((b) => b.action_id === SessionActions.calendarLink);
    expect(link?.url).toMatch(/^https:\/\/peerloop\.example\.com\//);
    const res = await t.get(new URL(link!.url!).pathname);
    expect(res.status).toBe(200);
    expect(res.text).toContain('BEGIN:VEVENT');
    expect(res.text).toContain('DTSTART:20261101T140000Z');
    expect(s.startsAt).toBe(Date.parse('2026-11-01T14:00:00Z'));
  });
});
