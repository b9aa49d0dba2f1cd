import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlack } from '../../test/support/fake-slack.js';
import { announceProgress, nowUs, type SeenReply } from './protocol.js';

/**
 * The fake Slack of every benchmark, in its own process (as Slack is): its HTTP work and the
 * memory of what it records are not counted as Peerloop's. Peerloop's server is pointed at it;
 * response_url replies land here too.
 *
 * - stdout: `{"ready":true,"url":...,"apiUrl":...,"responseUrl":...}` once listening, then
 *   `{"replies":n,"calls":n,"seen":[[key,us],...]}` (running totals, and the replies received
 *   since the last line) whenever they grow, which bench/lib/children.ts reads.
 * - `seen` is what a person would see, stamped the moment it arrives (process.hrtime in µs: the
 *   system's monotonic clock, the same one the load generator stamps requests with):
 *   `response:<id>` a response_url post, `update:<channel>:<ts>` a chat.update (a card),
 *   `ephemeral:<channel>:<user>`, `view:<view id>` a views.update, `post:<channel>` a chat.postMessage.
 * - `bench.counts` answers chat.postMessage deliveries per channel (the jobs benchmark checks for
 *   duplicates with it); `bench.reset` forgets them.
 * - Exits when stdin closes (the parent went away).
 */
const fake = await startFakeSlack();
let seen: SeenReply[] = [];
const stamp = (key: string) => seen.push([key, nowUs()]);

const perChannel = new Map<string, number>();
fake.onMethod('chat.postMessage', (args) => {
  const channel = String(args.channel);
  stamp(`post:${channel}`);
  perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
  return { ok: true, channel, ts: fake.nextTs() };
});
// The fake's own answers for these, stamped on arrival.
fake.onMethod('chat.update', (args) => {
  stamp(`update:${String(args.channel)}:${String(args.ts)}`);
  return { ok: true, channel: args.channel, ts: args.ts, text: args.text, message: { text: args.text, blocks: args.blocks } };
});
fake.onMethod('chat.postEphemeral', (args) => {
  stamp(`ephemeral:${String(args.channel)}:${String(args.user)}`);
  return { ok: true, message_ts: fake.nextTs() };
});
let hashes = 0;
fake.onMethod('views.update', (args) => {
  stamp(`view:${String(args.view_id)}`);
  return { ok: true, view: { id: args.view_id, ...(args.view as object), hash: `h${++hashes}` } };
});
fake.onMethod('bench.counts', () => {
  const counts = [...perChannel.values()];
  return { ok: true, channels: counts.length, deliveries: counts.reduce((a, b) => a + b, 0), duplicates: counts.filter((n) => n > 1).length };
});
fake.onMethod('bench.reset', () => {
  perChannel.clear();
  return { ok: true };
});

/**
 * response_url posts go to this small server rather than the fake's (which keeps every post in
 * memory until read): it stamps each one as its body has fully arrived, and answers as Slack does.
 */
let replies = 0;
const responses = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const path = req.url ?? '/';
    if (path.startsWith('/response/')) {
      stamp(`response:${path.slice('/response/'.length)}`);
      replies += 1;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve));
const responseUrl = `http://127.0.0.1:${(responses.address() as AddressInfo).port}`;

// The recorded calls would only grow and nobody reads them here: count, then forget.
let calls = 0;
setInterval(() => {
  replies += fake.responses.length;
  calls += fake.calls.length;
  const fresh = fake.responses.length + fake.calls.length + seen.length;
  fake.reset();
  if (fresh > 0) {
    announceProgress(replies, calls, seen);
    seen = [];
  }
}, 50).unref();

process.stdout.write(`${JSON.stringify({ ready: true, url: responseUrl, apiUrl: fake.apiUrl })}\n`);
process.stdin.on('end', () => void fake.stop().then(() => process.exit(0)));
process.stdin.resume();
