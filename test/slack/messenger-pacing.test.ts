import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createMessenger, type Messenger } from '../../src/slack/messenger.js';
import { SlackCallError } from '../../src/slack/slack-errors.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { TEST_SIGNING_SECRET } from '../support/sign.js';

let fake: FakeSlack;
let messenger: Messenger;
const clock = createSettableClock(Date.UTC(2026, 0, 1));

beforeAll(async () => {
  fake = await startFakeSlack();
  const parsed = parseConfig({ SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'silent' });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  messenger = createMessenger(parsed.config, createLogger('silent'), { clock, capFor: (team) => (team === 'T1' ? 2 : undefined) });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  clock.advance(10 * 60_000);
});

async function refusal(send: Promise<unknown>): Promise<SlackCallError> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackCallError);
  return error as SlackCallError;
}

describe('messenger pacing', () => {
  it('holds scheduled sends over the cap back without calling Slack, but never an interactive reply', async () => {
    await messenger.postMessage('T1', { channel: 'C1', text: 'a' }, { jobKey: 'k1' });
    await messenger.postMessage('T1', { channel: 'C2', text: 'b' }, { jobKey: 'k2' });
    const held = await refusal(messenger.postMessage('T1', { channel: 'C3', text: 'c' }, { jobKey: 'k3' }));
    expect(held).toMatchObject({ kind: 'rate_limited', code: 'workspace_cap' });
    expect(held.retryAfterMs).toBe(60_000);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    // A reply to someone's click goes out at once.
    await messenger.postMessage('T1', { channel: 'C3', text: 'reply' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(3);
    clock.advance(60_000);
    await messenger.postMessage('T1', { channel: 'C3', text: 'c' }, { jobKey: 'k3' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(4);
  });

  it('after a 429 pauses that workspace for Retry-After, and only that workspace', async () => {
    fake.script('chat.postMessage', { status: 429, retryAfter: 5 });
    const limited = await refusal(messenger.postMessage('T2', { channel: 'C1', text: 'a' }, { jobKey: 'k1' }));
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 5_000 });
    const paused = await refusal(messenger.postMessage('T2', { channel: 'C2', text: 'b' }, { jobKey: 'k2' }));
    expect(paused.code).toBe('rate_limited');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    await messenger.postMessage('T3', { channel: 'C1', text: 'other workspace' }, { jobKey: 'k3' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    clock.advance(5_000);
    await messenger.postMessage('T2', { channel: 'C2', text: 'b' }, { jobKey: 'k2' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(3);
  });

  it('reports permanent errors as permanent, with Slack\'s code', async () => {
    fake.script('chat.postMessage', { error: 'is_archived' });
    const error = await refusal(messenger.postMessage('T3', { channel: 'C9', text: 'x' }, { jobKey: 'k' }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'is_archived' });
  });
});
