import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { useTestApp } from '../support/use-test-app.js';
import { startFakeSlack } from '../support/fake-slack.js';

const t = useTestApp();

describe('authorization of incoming requests', () => {
  // Bolt 5.1 with a token and tokenVerificationEnabled:false asks auth.test before every ack.
  it('asks Slack auth.test once (at start-up), not once per request', async () => {
    for (const user of ['U0ALICE', 'U0BOB', 'U0ALICE']) {
      const res = await t.command('help', { user });
      expect(res.status).toBe(200);
    }
    expect(t.fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('asks at start-up, and again on the next request when that failed', async () => {
    const fake = await startFakeSlack();
    fake.script('auth.test', { error: 'fatal_error' });
    const fresh = await startTestApp({ fake });
    try {
      expect(fresh.fake.callsTo('auth.test')).toHaveLength(1);
      const res = await fresh.command('help');
      expect(res.status).toBe(200);
      expect(res.json.text).toContain('/peer help');
      await fresh.command('help');
      expect(fresh.fake.callsTo('auth.test')).toHaveLength(2);
    } finally {
      await fresh.stop();
      await fake.stop();
    }
  });
});
