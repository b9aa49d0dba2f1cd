import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PATH } from '../../src/app.js';
import { captureLogs } from '../support/logs.js';
import { httpRequestFor, MALFORMED_CASES, STRANGER, TEAM } from '../support/malformed-payloads.js';
import { eventBody, slashCommandBody } from '../support/payloads.js';
import { databaseRows } from '../support/rows.js';
import { signRequest } from '../support/sign.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * Issue 12, item 5: every signed request gets a quick, sane answer. Before the guard
 * (src/slack/request-guard.ts) Bolt answered most of these with a 404 after 3 s, some with 500,
 * and a JSON null never (with an unhandled rejection).
 */

/** Slack gives up after 3 s; an answer must come well before. Not a speed assertion: a hang or Bolt's 3 s timer fails it. */
const CLIENT_TIMEOUT_MS = 2_000;

const logs = captureLogs('debug');
const t = useTestApp({ logger: logs.logger, resetFake: true, users: [{ id: 'U0ALICE', name: 'alice', tz: 'Europe/Berlin' }] });

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  // Something to keep: a workspace and a member that a malformed payload must leave as they are.
  expect((await t.command('help')).status).toBe(200);
  await t.settled();
});
afterAll(() => {
  process.off('unhandledRejection', onRejection);
});

async function post(body: string, contentType: string, headers: Record<string, string> = signRequest(body)): Promise<{ status: number; text: string }> {
  const res = await fetch(`${t.url}${EVENTS_PATH}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) }).catch((error: unknown) => {
    throw new Error(`no answer within ${CLIENT_TIMEOUT_MS} ms (${String(error)})`);
  });
  return { status: res.status, text: await res.text() };
}

/** Lets anything the request set going finish (a listener, a rejection) before looking. */
async function afterwards(): Promise<void> {
  await t.settled();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('a signed payload of the wrong shape', () => {
  it.each(MALFORMED_CASES)('$name: answered at once, nothing done', async (c) => {
    const before = databaseRows(t.database);
    const logsBefore = logs.records().length;
    const { body, contentType } = httpRequestFor(c);

    const res = await post(body, contentType);
    await afterwards();

    const lines = logs.records().slice(logsBefore);
    if (c.expect.answer === 'refuse') {
      expect(res.status).toBe(400);
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', problem: c.expect.problem, msg: `Refused a malformed Slack payload: ${c.expect.problem}` }));
    } else {
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(lines).toContainEqual(expect.objectContaining({ level: c.expect.log.level, msg: expect.stringMatching(c.expect.log.msg) }));
    }
    // Nothing reached Bolt or a listener: no error line, no call to Slack, no row written.
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(t.fake.calls).toEqual([]);
    expect(t.fake.responses).toEqual([]);
    expect(databaseRows(t.database)).toEqual(before);
    expect(rejections).toEqual([]);
  });

  it('says which workspace Slack is rate-limiting', async () => {
    const c = MALFORMED_CASES.find((m) => m.name === 'app_rate_limited')!;
    const logsBefore = logs.records().length;
    expect((await post(httpRequestFor(c).body, 'application/json')).status).toBe(200);
    expect(logs.records().slice(logsBefore)).toContainEqual(expect.objectContaining({ level: 'warn', teamId: TEAM, minuteRateLimited: 1518467820 }));
  });
});

describe('signatures, handshakes and well-formed payloads', () => {
  it('refuses an unsigned or wrongly signed malformed payload with 401, as any unsigned request, and says nothing about its shape', async () => {
    const logsBefore = logs.records().length;
    for (const c of MALFORMED_CASES) {
      const { body, contentType } = httpRequestFor(c);
      expect((await post(body, contentType, {})).status, c.name).toBe(401);
      expect((await post(body, contentType, signRequest(body, { secret: 'f'.repeat(32) }))).status, c.name).toBe(401);
    }
    await afterwards();
    expect(logs.records().slice(logsBefore).filter((l) => String(l.msg).startsWith('Refused a malformed'))).toEqual([]);
    expect(t.fake.calls).toEqual([]);
    expect(rejections).toEqual([]);
  });

  it('answers an unsigned ssl_check with an empty 200 and ignores anything smuggled beside it', async () => {
    const before = databaseRows(t.database);
    const smuggled = `ssl_check=1&${slashCommandBody('help', { user: STRANGER })}`;
    expect(await post(smuggled, 'application/x-www-form-urlencoded', {})).toEqual({ status: 200, text: '' });
    await afterwards();
    expect(t.fake.calls).toEqual([]);
    expect(databaseRows(t.database)).toEqual(before);
  });

  it('logs why an unsigned request was refused, as Bolt did', async () => {
    const logsBefore = logs.records().length;
    const body = slashCommandBody('help');
    expect((await post(body, 'application/x-www-form-urlencoded', signRequest(body, { secret: 'f'.repeat(32) }))).status).toBe(401);
    expect(logs.records().slice(logsBefore)).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'Failed to parse and verify the request data: Failed to verify authenticity: signature mismatch' }));
  });

  it('still answers the handshakes and well-formed payloads', async () => {
    const challenge = JSON.stringify({ token: 'x', challenge: 'c-3po', type: 'url_verification' });
    expect(await post(challenge, 'application/json')).toEqual({ status: 200, text: '{"challenge":"c-3po"}' });
    expect((await post('ssl_check=1&token=x', 'application/x-www-form-urlencoded')).status).toBe(200);
    expect((await t.command('help')).json.text).toContain('/peer help');
    expect((await t.post(eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' }))).status).toBe(200);
    await t.fake.waitForCalls('views.publish', 1);
    expect(rejections).toEqual([]);
  });

  it('passes a body that is not JSON to Bolt, which answers 400', async () => {
    expect((await post('{"type": "event_callback", ', 'application/json')).status).toBe(400);
    expect((await post('payload=%7Bnot-json', 'application/x-www-form-urlencoded')).status).toBe(400);
  });
});
