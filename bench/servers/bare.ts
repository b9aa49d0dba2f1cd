import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { TEST_SIGNING_SECRET } from '../../test/support/sign.js';
import { announceReady, exitWhenParentGoes } from './protocol.js';

/**
 * The yardstick: a Bolt app that verifies the signature and acks `/peer`, nothing else. Same
 * Bolt, same receiver class and signing secret as Peerloop, so the difference is Peerloop's own work.
 */
const receiver = new HTTPReceiver({ signingSecret: TEST_SIGNING_SECRET, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
const app = new App({
  receiver,
  // A fixed authorization instead of a token: with a token Bolt would ask Slack's auth.test on the
  // first request (Peerloop asks its fake Slack once and caches it, so neither pays it per request).
  authorize: async () => ({ botToken: 'xoxb-test-token', botId: 'B0BENCH', botUserId: 'U0BOT' }),
  logLevel: LogLevel.ERROR,
  deferInitialization: true,
});
app.command('/peer', async ({ ack }) => {
  await ack();
});

await app.init();
const server = await receiver.start(0);
const address = server.address();
if (address === null || typeof address !== 'object') throw new Error('bare app: no port');
exitWhenParentGoes();
announceReady(address.port);
