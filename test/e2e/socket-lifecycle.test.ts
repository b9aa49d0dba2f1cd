import { describe, expect, it, vi } from 'vitest';
import { SocketMessages } from '../../src/slack/socket-connection.js';
import { captureLogs } from '../support/logs.js';
import { slashCommandBody } from '../support/payloads.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * The Socket Mode connection over time: Slack's periodic refresh (a new connection must be open
 * before the old one closes, so nothing sent meanwhile is lost), a dropped connection and an
 * outage (/healthz says so, the log says what is happening), and the way back.
 */

const help = Object.fromEntries(new URLSearchParams(slashCommandBody('help')));
const OUTAGE_WARN_MS = 400;

const logs = captureLogs('info');
const t = useTestApp({
  logger: logs.logger,
  env: { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' },
  // A 1 s reconnect step instead of 5 s, and the outage warning after 0.4 s instead of 15 s.
  appOptions: { socketOutageWarnMs: OUTAGE_WARN_MS, socketClientPingTimeoutMs: 1_000 },
});

const fakeSocket = () => t.fake.socketMode;
const messages = () => logs.records().map((r) => `${r.level} ${String(r.msg)}`);

describe('Socket Mode lifecycle', () => {
  it('logs "Socket Mode connected" once, and /healthz is 200', async () => {
    await fakeSocket().waitForConnection();
    expect(logs.matching(SocketMessages.connected).filter((r) => r.msg === SocketMessages.connected)).toHaveLength(1);
    expect(logs.matching(SocketMessages.connected)[0]!.level).toBe('info');
    const res = await t.get('/healthz');
    expect(res.status).toBe(200);
  });

  it('on refresh_requested opens the new connection before closing the old; envelopes sent meanwhile are answered', async () => {
    const old = fakeSocket().requestRefresh();
    // Slack may still deliver on the old connection right after asking for the refresh.
    const during = await fakeSocket().send('slash_commands', help, 10_000, old);
    expect(during.payload?.text).toContain('/peer schedule');

    await fakeSocket().waitForConnection(10_000, old);
    const next = fakeSocket().current!;
    expect(next).toBeGreaterThan(old);
    const onNew = await fakeSocket().send('slash_commands', help, 10_000, next);
    expect(onNew.payload?.text).toContain('/peer schedule');

    // The app closes the old connection itself, after the new one is open: never zero connections.
    await vi.waitFor(() => expect(fakeSocket().history).toContain(`close ${old}`), { timeout: 10_000 });
    const history = fakeSocket().history;
    expect(history.indexOf(`open ${next}`)).toBeLessThan(history.indexOf(`close ${old}`));
    expect(fakeSocket().openCount).toBe(1);

    expect(logs.matching(SocketMessages.refreshed)).toHaveLength(1);
    expect(logs.matching(SocketMessages.refreshed)[0]).toMatchObject({ level: 'info', reason: 'refresh_requested' });
    expect(logs.matching(SocketMessages.lost)).toHaveLength(0);
    expect((await t.get('/healthz')).status).toBe(200);

    // Still one connection a while later: the SDK did not queue a reconnect of its own. (Its
    // reconnect timer runs on real time, 1 s here, so proving it never fires takes real waiting.)
    const count = fakeSocket().connections;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fakeSocket().connections).toBe(count);
    const after = await fakeSocket().send('slash_commands', help);
    expect(after.connection).toBe(next);
  });

  it('Slack closing the old connection before the new one is ready: one new connection, no duplicate reconnect', async () => {
    const lostBefore = logs.matching(SocketMessages.lost).length;
    const old = fakeSocket().requestRefresh();
    fakeSocket().closeConnection(old);
    await fakeSocket().waitForConnection(10_000, old);
    await vi.waitFor(() => expect(logs.matching(SocketMessages.refreshed)).toHaveLength(2), { timeout: 10_000 });
    const count = fakeSocket().connections;
    // Past the SDK's 1 s reconnect step: the reconnect it queued when the old one closed was dropped.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fakeSocket().connections).toBe(count);
    expect(fakeSocket().openCount).toBe(1);
    expect((await t.get('/healthz')).status).toBe(200);
    // The short gap between the old closing and the new saying hello is reported, and its end too.
    expect(logs.matching(SocketMessages.lost).length - lostBefore).toBe(1);
    expect(logs.matching(SocketMessages.reconnected)).toHaveLength(1);
    const ack = await fakeSocket().send('slash_commands', help);
    expect(ack.payload?.text).toContain('/peer schedule');
  });

  it('a dropped connection: warns, /healthz answers 503 socket_disconnected, warns again once the outage lasts, then recovers', async () => {
    const errorsBefore = logs.records().filter((r) => r.level === 'error').length;
    const lostBefore = logs.matching(SocketMessages.lost).length;
    fakeSocket().refuseConnections = true;
    fakeSocket().dropAll();
    await vi.waitFor(() => expect(logs.matching(SocketMessages.lost)).toHaveLength(lostBefore + 1), { timeout: 5_000 });
    expect(logs.matching(SocketMessages.lost).at(-1)!.level).toBe('warn');

    const down = await t.get('/healthz');
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ ok: false, error: 'socket_disconnected' });

    await vi.waitFor(() => expect(logs.matching('Socket Mode has been disconnected for')).toHaveLength(1), { timeout: 5_000 });
    expect(logs.matching('Socket Mode has been disconnected for')[0]).toMatchObject({ level: 'warn', msg: SocketMessages.stillDown(0.4) });

    fakeSocket().refuseConnections = false;
    const reconnectedBefore = logs.matching(SocketMessages.reconnected).length;
    await vi.waitFor(() => expect(logs.matching(SocketMessages.reconnected)).toHaveLength(reconnectedBefore + 1), { timeout: 15_000 });
    expect((await t.get('/healthz')).status).toBe(200);
    const ack = await fakeSocket().send('slash_commands', help);
    expect(ack.payload?.text).toContain('/peer schedule');
    expect(logs.matching(SocketMessages.reconnecting).length).toBeGreaterThanOrEqual(1);

    // Error lines, if any, say something: not "WebSocket error occurred: " with nothing after it.
    const errors = logs.records().filter((r) => r.level === 'error').slice(errorsBefore);
    for (const e of errors) expect(String(e.msg)).not.toMatch(/(:\s*|SMWebsocketError)$/);
    expect(messages().filter((m) => /^error WebSocket error/.test(m))).toEqual([]);
  });
});
