import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../support/logs.js';
import { ENVELOPE_TYPES, MALFORMED_CASES, STRANGER } from '../support/malformed-payloads.js';
import { eventBody, slashCommandBody } from '../support/payloads.js';
import { databaseRows } from '../support/rows.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * The malformed payloads of malformed-payloads.test.ts, arriving as Socket Mode envelopes. There
 * is no 400 on a socket: each is acknowledged with nothing done (so Slack does not retry it) and
 * the same warn line names what was wrong. Before the guard the SDK threw on an events_api
 * envelope without an event (an unhandled rejection, no ack) and Bolt left most of the others
 * unacknowledged.
 */

const logs = captureLogs('debug');
const t = useTestApp({ env: { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' }, logger: logs.logger, resetFake: true });

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  await t.fake.socketMode.waitForConnection();
  const ack = await t.fake.socketMode.send('slash_commands', Object.fromEntries(new URLSearchParams(slashCommandBody('help'))));
  expect(ack.payload?.response_type).toBe('ephemeral');
  await t.settled();
});
afterAll(() => {
  process.off('unhandledRejection', onRejection);
});

// A repeated form field cannot happen in a JSON envelope.
const socketCases = MALFORMED_CASES.filter((c) => c.httpBody === undefined);

describe('a malformed payload over Socket Mode', () => {
  it.each(socketCases)('$name: acknowledged with nothing done', async (c) => {
    const before = databaseRows(t.database);
    const logsBefore = logs.records().length;

    // Rejects (failing the test) when no ack comes within 2 s.
    const ack = await t.fake.socketMode.send(ENVELOPE_TYPES[c.kind], c.payload as Record<string, unknown>, 2_000);
    await t.settled();
    await new Promise((resolve) => setImmediate(resolve));

    expect(ack.payload ?? {}).toEqual({});
    const lines = logs.records().slice(logsBefore);
    if (c.expect.answer === 'refuse') {
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', transport: 'socket', problem: c.expect.problem }));
    } else {
      expect(lines).toContainEqual(expect.objectContaining({ level: c.expect.log.level, msg: expect.stringMatching(c.expect.log.msg) }));
    }
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(t.fake.calls).toEqual([]);
    expect(databaseRows(t.database)).toEqual(before);
    expect(rejections).toEqual([]);
  });

  it('refuses a payload in the wrong kind of envelope (the SDK reads an events_api payload before Bolt)', async () => {
    const logsBefore = logs.records().length;
    const command = Object.fromEntries(new URLSearchParams(slashCommandBody('help', { user: STRANGER })));
    const ack = await t.fake.socketMode.send('events_api', command, 2_000);
    expect(ack.payload ?? {}).toEqual({});
    expect(logs.records().slice(logsBefore)).toContainEqual(expect.objectContaining({ level: 'warn', problem: 'an events_api envelope holds a slash command' }));
    expect(t.fake.calls).toEqual([]);
    expect(rejections).toEqual([]);
  });

  it('still routes a well-formed envelope', async () => {
    const event = JSON.parse(eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' })) as Record<string, unknown>;
    await t.fake.socketMode.send('events_api', event, 2_000);
    await t.fake.waitForCalls('views.publish', 1);
  });
});
