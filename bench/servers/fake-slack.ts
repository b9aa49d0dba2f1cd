import { startFakeSlack } from '../../test/support/fake-slack.js';
import { announceProgress } from './protocol.js';

/**
 * The fake Slack of every benchmark, in its own process (as Slack is): its HTTP work and the
 * memory of what it records are not counted as Peerloop's. Peerloop's server is pointed at it;
 * response_url replies land here too.
 *
 * - stdout: `{"ready":true,"url":...,"apiUrl":...}` once listening, then `{"replies":n,"calls":n}`
 *   (running totals) whenever they grow, which bench/lib/children.ts reads.
 * - `bench.counts` answers chat.postMessage deliveries per channel (the jobs benchmark checks for
 *   duplicates with it); `bench.reset` forgets them.
 * - Exits when stdin closes (the parent went away).
 */
const fake = await startFakeSlack();
const perChannel = new Map<string, number>();
fake.onMethod('chat.postMessage', (args) => {
  const channel = String(args.channel);
  perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
  return { ok: true, channel, ts: fake.nextTs() };
});
fake.onMethod('bench.counts', () => {
  const counts = [...perChannel.values()];
  return { ok: true, channels: counts.length, deliveries: counts.reduce((a, b) => a + b, 0), duplicates: counts.filter((n) => n > 1).length };
});
fake.onMethod('bench.reset', () => {
  perChannel.clear();
  return { ok: true };
});

// The recorded calls and replies would only grow and nobody reads them here: count, then forget.
let replies = 0;
let calls = 0;
setInterval(() => {
  const fresh = fake.responses.length + fake.calls.length;
  replies += fake.responses.length;
  calls += fake.calls.length;
  fake.reset();
  if (fresh > 0) announceProgress(replies, calls);
}, 50).unref();

process.stdout.write(`${JSON.stringify({ ready: true, url: fake.url, apiUrl: fake.apiUrl })}\n`);
process.stdin.on('end', () => void fake.stop().then(() => process.exit(0)));
process.stdin.resume();
