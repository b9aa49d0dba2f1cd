import { createHmac } from 'node:crypto';

export const TEST_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[^a-f0-9]/g, '0');

/** Slack's v0 request signature: HMAC-SHA256 over `v0:<timestamp>:<raw body>`. */
export function signRequest(body: string, options: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = options.secret ?? TEST_SIGNING_SECRET;
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}
