import { and, eq } from 'drizzle-orm';
import { participants, sessions } from '../../../src/db/schema.js';
import { SessionActions, SessionViews } from '../../../src/slack/ids.js';
import type { TestApp } from '../../support/app.js';
import { useTestApp, type UseTestAppOptions } from '../../support/use-test-app.js';

/** What a person typed into the schedule modal; every key optional so a test changes one thing. */
export interface FormFields {
  format?: string;
  title?: string;
  topic?: string;
  date?: string;
  time?: string;
  duration?: string;
  host?: string;
  capacity?: string;
  channel?: string;
  link?: string;
  agenda?: string;
  repeat?: string;
}

export const VALID_FORM: Required<FormFields> = {
  format: 'micro-lesson',
  title: 'Window functions in SQL',
  topic: 'SQL',
  date: '2026-11-01',
  time: '09:00',
  duration: '30',
  host: 'U0ALICE',
  capacity: '',
  channel: 'C0GENERAL',
  link: '',
  agenda: '1. Demo\n2. Questions',
  repeat: '1',
};

/** The modal's state.values as Slack sends them (block id -> action id -> typed value). */
export function scheduleState(fields: FormFields, rev = 0): Record<string, Record<string, Record<string, unknown>>> {
  const f = { ...VALID_FORM, ...fields };
  const text = (value: string) => ({ type: 'plain_text_input', value: value === '' ? null : value });
  const num = (value: string) => ({ type: 'number_input', value: value === '' ? null : value });
  return {
    format: { [SessionActions.formatSelect]: { type: 'static_select', selected_option: f.format === '' ? null : { value: f.format, text: { type: 'plain_text', text: f.format } } } },
    title: { title: text(f.title) },
    topic: { topic: text(f.topic) },
    date: { date: { type: 'datepicker', selected_date: f.date === '' ? null : f.date } },
    time: { time: { type: 'timepicker', selected_time: f.time === '' ? null : f.time } },
    [`duration.${rev}`]: { duration: num(f.duration) },
    host: { host: { type: 'users_select', selected_user: f.host === '' ? null : f.host } },
    capacity: { capacity: num(f.capacity) },
    channel: { channel: { type: 'conversations_select', selected_conversation: f.channel === '' ? null : f.channel } },
    link: { link: { type: 'url_text_input', value: f.link === '' ? null : f.link } },
    [`agenda.${rev}`]: { agenda: text(f.agenda) },
    repeat: { repeat: num(f.repeat) },
  };
}

export function submitSchedule(
  t: TestApp,
  fields: FormFields = {},
  who: { user?: string; team?: string } = {},
  metadata: Record<string, unknown> = { mode: 'create', rev: 0, origin: 'C0GENERAL' },
) {
  const rev = typeof metadata.rev === 'number' ? metadata.rev : 0;
  return t.submitView({ callback_id: SessionViews.schedule, private_metadata: JSON.stringify(metadata), values: scheduleState(fields, rev) }, who);
}

export function sessionRows(t: TestApp, team = 'T0TEST') {
  return t.database.db.select().from(sessions).where(eq(sessions.teamId, team)).all();
}

export function participantRows(t: TestApp, number: number, team = 'T0TEST') {
  return t.database.db
    .select()
    .from(participants)
    .where(and(eq(participants.teamId, team), eq(participants.sessionNumber, number)))
    .all();
}

/** Schedules through the modal and returns the new session (the highest number). */
export async function scheduleOk(t: TestApp, fields: FormFields = {}, who: { user?: string; team?: string } = {}) {
  const res = await submitSchedule(t, fields, who);
  if (res.status !== 200 || (res.json !== undefined && res.json.response_action === 'errors')) {
    throw new Error(`schedule refused: ${res.status} ${res.text}`);
  }
  const rows = sessionRows(t, who.team ?? 'T0TEST');
  return rows.reduce((a, b) => (b.number > a.number ? b : a));
}

export const click = (actionId: string, value: string) => ({ action_id: actionId, value });

/** The text of every message the bot sent (posts and updates), newest last. */
export function cardUpdates(t: TestApp, ts: string) {
  return t.fake.callsTo('chat.update').filter((c) => c.args.ts === ts);
}

export function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/**
 * `/peer list [mine]`: the list is the ack's body (nothing goes to the response_url); returns it.
 */
export async function listCommand(t: TestApp, text = 'list', who: { user?: string; team?: string } = {}) {
  const id = `list-${Math.random().toString(36).slice(2)}`;
  const withResponseUrl = { ...who, responseUrl: t.fake.responseUrl(id) };
  const res = await t.command(text, withResponseUrl);
  if (res.status !== 200) throw new Error(`/peer ${text} answered ${res.status}`);
  if (res.json === undefined) throw new Error(`/peer ${text} acked without the list: ${res.text}`);
  // Once everything the command set going has run, nothing went to its response_url either.
  await t.settled();
  if (t.fake.responses.some((r) => r.id === id)) throw new Error(`/peer ${text} also posted on its response_url`);
  return res.json as { response_type?: string; text: string; blocks: Record<string, unknown>[] };
}

/** The people the session tests use, each in a different zone (the fake's users.info answers with these). */
export const CAST = [
  { id: 'U0ALICE', name: 'alice', tz: 'America/New_York' },
  { id: 'U0BOB', name: 'bob', tz: 'Europe/Berlin' },
  { id: 'U0CAROL', name: 'carol', tz: 'Asia/Kolkata' },
  { id: 'U0DAN', name: 'dan', tz: 'UTC' },
] as const;

/** "Now" for the session tests: before every session they schedule. */
export const SESSION_TESTS_NOW = '2026-10-30T12:00:00Z';

/** One app for the file with the cast known to the fake Slack; before each test the fake forgets its calls and the clock is at SESSION_TESTS_NOW. */
export function useSessionsTestApp(options: UseTestAppOptions = {}): TestApp {
  return useTestApp({ users: CAST, now: SESSION_TESTS_NOW, resetFake: true, ...options });
}
