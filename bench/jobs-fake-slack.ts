import { startFakeSlack } from '../test/support/fake-slack.js';

/**
 * The fake Slack of the jobs benchmark, in its own process (as Slack is): its HTTP work does not
 * eat the CPU being measured. Counts chat.postMessage per channel; `bench.counts` reports them.
 * Prints {"ready":true,"url":...} when listening; exits when stdin closes.
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
  fake.calls.length = 0;
  return { ok: true };
});
// The recorded call list would only grow; nothing reads it here.
setInterval(() => {
  fake.calls.length = 0;
}, 1_000).unref();
process.stdout.write(`${JSON.stringify({ ready: true, url: fake.url, apiUrl: fake.apiUrl })}\n`);
process.stdin.on('end', () => void fake.stop().then(() => process.exit(0)));
process.stdin.resume();
