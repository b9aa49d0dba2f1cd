import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionActions, SessionViews } from '../../../src/slack/ids.js';
import { databaseRows } from '../../support/rows.js';
import { CAST, scheduleOk, scheduleState, sessionRows, type FormFields, useSessionsTestApp } from './helpers.js';

/**
 * The schedule and edit forms refuse bad input inline and leave nothing behind: every refusal
 * below is a signed view_submission, and the whole database (every table: sessions,
 * participants, jobs in any status, workspaces.next_session_number) is compared before and after.
 */

const t = useSessionsTestApp({
  users: [
    ...CAST,
    { id: 'U0GONE', name: 'gone', deleted: true },
    { id: 'U0BOTTY', name: 'botty', is_bot: true },
    { id: 'U0FLOW', name: 'flowbot', is_workflow_bot: true },
  ],
});

type FormKind = 'schedule' | 'weekly' | 'edit';
const KINDS: FormKind[] = ['schedule', 'weekly', 'edit'];
type State = ReturnType<typeof scheduleState>;

let editing: number;
beforeAll(async () => {
  // The people's member rows and one session to edit exist before any snapshot is taken.
  editing = (await scheduleOk(t, { title: 'To edit' })).number;
  await t.settled();
});
beforeEach(() => {
  t.fake.channelsWithoutBot.clear();
});

function metadataOf(kind: FormKind) {
  return kind === 'edit' ? { mode: 'edit', number: editing, rev: 0 } : { mode: 'create', rev: 0, origin: 'C0GENERAL' };
}

/** Submits one kind of form with `fields`, then lets `patch` put raw values into the state Slack sends. */
function submit(kind: FormKind, fields: FormFields = {}, patch: (values: State) => void = () => undefined) {
  const values = scheduleState({ ...(kind === 'weekly' ? { repeat: '3' } : {}), ...fields });
  if (kind === 'edit') delete (values as Record<string, unknown>).repeat;
  patch(values);
  return t.submitView({ callback_id: SessionViews.schedule, private_metadata: JSON.stringify(metadataOf(kind)), values });
}

/**
 * The whole database, once everything the app was handling has finished: the payloads it
 * received, and the scheduler passes their writes kicked (a notice to a new host goes out after
 * the save was answered).
 */
async function snapshot() {
  await quiet();
  return databaseRows(t.database);
}

async function quiet() {
  for (let i = 0; i < 2; i += 1) {
    await t.settled();
    await t.scheduler.idle();
  }
}

async function expectRefused(res: Awaited<ReturnType<typeof submit>>, block: string, message: RegExp) {
  expect(res.status).toBe(200);
  expect(res.json?.response_action).toBe('errors');
  expect(res.json.errors[block]).toMatch(message);
}

describe('a host Slack refuses', () => {
  const cases: [string, string, RegExp, (() => void) | undefined][] = [
    ['Slack does not know (user_not_found)', 'U0GHOST', /^That account is not someone in this workspace\./, () => t.fake.script('users.info', { error: 'user_not_found' })],
    ['deactivated', 'U0GONE', /^@gone has been deactivated\./, undefined],
    ['a bot', 'U0BOTTY', /^@botty is a bot; pick a person/, undefined],
    ['a workflow bot', 'U0FLOW', /^@flowbot is a bot; pick a person/, undefined],
    ['Slackbot', 'USLACKBOT', /is a bot; pick a person/, undefined],
  ];
  for (const kind of KINDS) {
    it.each(cases)(`${kind} form: a host %s is refused on the host field and nothing is written`, async (_name, host, message, script) => {
      const before = await snapshot();
      script?.();
      const res = await submit(kind, { host, title: 'Refused host' });
      await expectRefused(res, 'host', message);
      expect(Object.keys(res.json.errors)).toEqual(['host']);
      expect(await snapshot()).toEqual(before);
      expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);
    });
  }

  it.each(KINDS)('%s form: users.info slower than the host check may take is skipped, and the form is saved', async (kind) => {
    t.fake.script('users.info', { delayMs: 1_500 });
    const res = await submit(kind, { host: 'U0BOB', title: `Slow check ${kind}` });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(sessionRows(t).find((s) => s.title === `Slow check ${kind}`)!.hostId).toBe('U0BOB');
    // Its notices go out now, not during the next test.
    await quiet();
  });

  it.each(KINDS)('%s form: users.info answering 5xx is skipped, and the form is saved', async (kind) => {
    t.fake.always('users.info', { status: 503 });
    const res = await submit(kind, { host: 'U0CAROL', title: `Failed check ${kind}` });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(sessionRows(t).find((s) => s.title === `Failed check ${kind}`)!.hostId).toBe('U0CAROL');
    expect(t.fake.callsTo('users.info').some((c) => c.args.user === 'U0CAROL')).toBe(true);
    await quiet();
  });
});

describe('a field whose value has the wrong shape', () => {
  /** [what, block id in the state, action id, the element state Slack would never send, block id of the error]. */
  const cases: [string, string, string, Record<string, unknown>, string][] = [
    ['seats sent as an object', 'capacity', 'capacity', { type: 'number_input', value: { seats: 3 } }, 'capacity'],
    ['seats sent as a number', 'capacity', 'capacity', { type: 'number_input', value: 3 }, 'capacity'],
    ['a date that is a number', 'date', 'date', { type: 'datepicker', selected_date: 20261101 }, 'date'],
    ['a time that is a list', 'time', 'time', { type: 'timepicker', selected_time: ['09:00'] }, 'time'],
    ['a title that is a number', 'title', 'title', { type: 'plain_text_input', value: 42 }, 'title'],
    ['a topic that is an object', 'topic', 'topic', { type: 'plain_text_input', value: { text: 'SQL' } }, 'topic'],
    ['a length that is an object', 'duration.0', 'duration', { type: 'number_input', value: { minutes: 30 } }, 'duration.0'],
    ['a host that is an object', 'host', 'host', { type: 'users_select', selected_user: { id: 'U0BOB' } }, 'host'],
    ['a channel that is a number', 'channel', 'channel', { type: 'conversations_select', selected_conversation: 7 }, 'channel'],
    ['a link that is a number', 'link', 'link', { type: 'url_text_input', value: 12 }, 'link'],
    ['an agenda that is a list', 'agenda.0', 'agenda', { type: 'plain_text_input', value: ['1. Demo'] }, 'agenda.0'],
    ['a format option that is a string', 'format', SessionActions.formatSelect, { type: 'static_select', selected_option: 'micro-lesson' }, 'format'],
    ['a format option whose value is a number', 'format', SessionActions.formatSelect, { type: 'static_select', selected_option: { value: 3 } }, 'format'],
    ['a text field sent as another element', 'title', 'title', { type: 'datepicker', selected_date: '2026-11-01' }, 'title'],
  ];
  for (const kind of KINDS) {
    it.each(cases)(`${kind} form: %s is refused on its field, never read as empty`, async (_name, block, action, state, errorBlock) => {
      const before = await snapshot();
      const res = await submit(kind, { title: 'Bad shape' }, (values) => {
        values[block] = { [action]: state };
      });
      await expectRefused(res, errorBlock, /could not be read/);
      expect(await snapshot()).toEqual(before);
      expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);
    });
  }

  it('schedule form: weeks to repeat sent as an object is refused on the repeat field', async () => {
    const before = await snapshot();
    const res = await submit('schedule', {}, (values) => {
      values.repeat = { repeat: { type: 'number_input', value: { weeks: 3 } } };
    });
    await expectRefused(res, 'repeat', /could not be read/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a channel Slack refuses', () => {
  for (const error of ['not_in_channel', 'channel_not_found']) {
    it.each(['schedule', 'weekly'] as const)(`%s form: ${error} keeps the form open and leaves nothing behind, not even a session number`, async (kind) => {
      const before = await snapshot();
      const nextNumber = (before.workspaces as { team_id: string; next_session_number: number }[]).find((w) => w.team_id === 'T0TEST')!.next_session_number;
      t.fake.script('chat.postMessage', { error });
      const res = await submit(kind, { title: 'Refused channel' });
      await expectRefused(res, 'channel', /can't post in that channel yet.*\/invite @Peerloop/);
      expect(await snapshot()).toEqual(before);
      // The number that was refused is the next one handed out.
      const next = await scheduleOk(t, { title: 'After the refusal' });
      expect(next.number).toBe(nextNumber);
      await quiet();
    });

    it(`edit form: moving to a channel that answers ${error} keeps the form open and changes nothing`, async () => {
      const before = await snapshot();
      t.fake.script('chat.postMessage', { error });
      const res = await submit('edit', { channel: 'C0SECRET', title: 'Moved and renamed' });
      await expectRefused(res, 'channel', /can't post in that channel yet.*\/invite @Peerloop/);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('schedule form: a refusal that comes after the modal closed (Slack slow) is undone completely too', async () => {
    const before = await snapshot();
    t.fake.script('chat.postMessage', { delayMs: 2_800, error: 'not_in_channel' });
    const res = await submit('weekly', { title: 'Slow refusal' });
    expect(res.text).toBe('');
    await t.fake.waitFor(() => t.fake.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('was not scheduled')), 'the private note');
    expect(await snapshot()).toEqual(before);
  });
});
