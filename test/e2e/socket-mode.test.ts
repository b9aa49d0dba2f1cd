import { describe, expect, it } from 'vitest';
import { SessionActions, SessionViews, SkillsInputs } from '../../src/slack/ids.js';
import { useTestApp } from '../support/use-test-app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { blockActionsBody, blockSuggestionBody, eventBody, slashCommandBody, viewSubmissionBody } from '../support/payloads.js';
import { scheduleState, SESSION_TESTS_NOW } from './sessions/helpers.js';

/**
 * Socket Mode end to end: with SLACK_APP_TOKEN set, the real app opens its connection through
 * the fake Slack's apps.connections.open (so SLACK_API_URL is honoured there too), and every kind
 * of payload arrives as a Socket Mode envelope and is answered in the envelope's ack, the way
 * Slack delivers them when the app has no public URL.
 */

// The bodies the HTTP tests post, turned into the JSON payloads Socket Mode carries.
const commandPayload = (body: string) => Object.fromEntries(new URLSearchParams(body));
const interactivePayload = (body: string) => JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, unknown>;

// An empty signing secret is the same as none: Socket Mode does not need it.
const t = useTestApp({ env: { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' }, startAt: Date.parse(SESSION_TESTS_NOW) });

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('opens its connection with the app-level token, through SLACK_API_URL', async () => {
    await t.fake.socketMode.waitForConnection();
    const opens = t.fake.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.token).toBe('xapp-test-token');
    expect(t.fake.socketMode.connections).toBe(1);
  });

  it('answers /peer help in the ack of its slash_commands envelope', async () => {
    const ack = await t.fake.socketMode.send('slash_commands', commandPayload(slashCommandBody('help')));
    expect(ack.payload?.response_type).toBe('ephemeral');
    expect(ack.payload?.text).toContain('/peer schedule');
    assertBlockKitLimits('message', ack.payload);
  });

  it('answers an unknown subcommand with the help, naming what it did not understand', async () => {
    const ack = await t.fake.socketMode.send('slash_commands', commandPayload(slashCommandBody('dance')));
    expect(ack.payload?.text).toContain("I don't know `/peer dance`");
  });

  it('routes a modal submission and returns inline field errors in the ack; nothing is saved', async () => {
    const payload = interactivePayload(
      viewSubmissionBody({
        callback_id: SessionViews.schedule,
        private_metadata: JSON.stringify({ mode: 'create', rev: 0, origin: 'C0GENERAL' }),
        values: scheduleState({ title: '', date: '2026-10-01' }),
      }),
    );
    const ack = await t.fake.socketMode.send('interactive', payload);
    expect(ack.payload?.response_action).toBe('errors');
    expect(Object.keys(ack.payload?.errors ?? {})).toEqual(expect.arrayContaining(['title', 'date']));
    expect(t.database.sqlite.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  it('routes a modal submission that is valid: the session is saved and announced', async () => {
    const payload = interactivePayload(
      viewSubmissionBody({
        callback_id: SessionViews.schedule,
        private_metadata: JSON.stringify({ mode: 'create', rev: 0, origin: 'C0GENERAL' }),
        values: scheduleState({}),
      }),
    );
    const ack = await t.fake.socketMode.send('interactive', payload);
    expect(ack.payload?.response_action).not.toBe('errors');
    await t.fake.waitForCalls('chat.postMessage', 1);
    expect(t.database.sqlite.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
  });

  it('answers a type-ahead select (block_suggestion) with its options in the ack', async () => {
    const ack = await t.fake.socketMode.send('interactive', interactivePayload(blockSuggestionBody({ action_id: SkillsInputs.teach, value: 'Kotlin' })));
    expect(ack.payload?.options).toEqual([expect.objectContaining({ value: 'Kotlin', text: expect.objectContaining({ text: 'Add “Kotlin”' }) })]);
  });

  it('routes a button click: Join on the card adds the person', async () => {
    const payload = interactivePayload(blockActionsBody([{ action_id: SessionActions.join, value: '1' }], { user: 'U0BOB' }));
    await t.fake.socketMode.send('interactive', payload);
    const row = t.database.sqlite.prepare("SELECT left_at, waitlisted FROM participants WHERE session_number = 1 AND user_id = 'U0BOB'").get();
    expect(row).toEqual({ left_at: null, waitlisted: 0 });
  });

  it('routes an Events API envelope: app_home_opened publishes the Home tab', async () => {
    const before = t.fake.callsTo('views.publish').length;
    const event = JSON.parse(eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' })) as Record<string, unknown>;
    const ack = await t.fake.socketMode.send('events_api', event);
    // Bolt acknowledges events itself, with nothing to say.
    expect(ack.payload ?? {}).toEqual({});
    await t.fake.waitForCalls('views.publish', before + 1);
  });

  it('serves /healthz on PORT', async () => {
    const res = await t.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
  });
});
