import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeSlack } from '../support/fake-slack.js';

/**
 * A first Socket Mode connection that cannot be made is one clear line within a deadline (the
 * SDK alone would retry apps.connections.open for many minutes while the app looked healthy).
 * Its own file: the SDK's retry of the slow call may still finish in the background.
 */
describe('Socket Mode start-up when Slack does not answer', () => {
  it('gives up after the connect deadline with a message naming SLACK_APP_TOKEN and SLACK_API_URL', async () => {
    const fake = await startFakeSlack();
    fake.script('apps.connections.open', { delayMs: 2_000 });
    try {
      await expect(
        startTestApp({ fake, env: { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' }, appOptions: { socketConnectDeadlineMs: 200 } }),
      ).rejects.toThrow(`SLACK_APP_TOKEN: could not open the Socket Mode connection within 1 s. Check that this machine can reach ${fake.apiUrl}`);
    } finally {
      await fake.stop();
    }
  });
});
