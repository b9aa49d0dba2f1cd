import { describe, expect, it, vi } from 'vitest';
import { SIGNING_SECRET_HINT } from '../../src/slack/signature-hint.js';
import { captureLogs } from '../support/logs.js';
import { slashCommandBody } from '../support/payloads.js';
import { signRequest } from '../support/sign.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * A wrong SLACK_SIGNING_SECRET makes every request from Slack fail with 401. Bolt's own warning
 * ("signature mismatch") does not say which setting to fix; Peerloop's does, once a minute at most.
 */

const OTHER_SECRET = 'f'.repeat(32);
const logs = captureLogs('info');
const t = useTestApp({ logger: logs.logger });

const hints = () => logs.matching('SLACK_SIGNING_SECRET');

function postSignedWith(secret: string | undefined) {
  const body = slashCommandBody('help');
  return t.post(body, { sign: false, headers: signRequest(body, secret === undefined ? {} : { secret }) });
}

describe('a request signed with another secret', () => {
  it('logs one warn line naming SLACK_SIGNING_SECRET and where to copy it, then at most one a minute', async () => {
    for (let i = 0; i < 3; i += 1) expect((await postSignedWith(OTHER_SECRET)).status).toBe(401);
    // A correctly signed request after them: the server has finished the refused ones.
    expect((await postSignedWith(undefined)).status).toBe(200);
    await vi.waitFor(() => expect(hints()).toHaveLength(1));
    const [line] = hints();
    expect(line).toMatchObject({ level: 'warn', msg: SIGNING_SECRET_HINT, setting: 'SLACK_SIGNING_SECRET', refusedRequests: 1 });
    expect(line!.msg).toContain('Basic Information > App Credentials');
    expect(line!.msg).toContain('not the Client Secret or the Verification Token');
    expect(line!.msg).toContain('restart Peerloop');

    // 59 s later: still quiet.
    t.clock.advance(59_000);
    expect((await postSignedWith(OTHER_SECRET)).status).toBe(401);
    expect((await postSignedWith(undefined)).status).toBe(200);
    expect(hints()).toHaveLength(1);

    // Past the minute: said again, with how many were refused meanwhile.
    t.clock.advance(2_000);
    expect((await postSignedWith(OTHER_SECRET)).status).toBe(401);
    await vi.waitFor(() => expect(hints()).toHaveLength(2));
    expect(hints()[1]).toMatchObject({ refusedRequests: 4 });
  });

  it('says nothing about the secret for unsigned or stale requests (not a secret problem)', async () => {
    t.clock.advance(120_000);
    const before = hints().length;
    const body = slashCommandBody('help');
    expect((await t.post(body, { sign: false })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await t.post(body, { sign: false, headers: signRequest(body, { timestamp: stale }) })).status).toBe(401);
    expect((await postSignedWith(undefined)).status).toBe(200);
    expect(hints()).toHaveLength(before);
  });
});
