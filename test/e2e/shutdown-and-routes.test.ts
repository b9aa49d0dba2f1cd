import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, listen } from '../../src/slack/http-server.js';
import { createRoutes } from '../../src/slack/routes.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { slashCommandBody } from '../support/payloads.js';
import { signRequest } from '../support/sign.js';

/**
 * Our own HTTP routes (in front of Bolt, in both modes) and a shutdown that a busy keep-alive
 * client cannot hold open: a request in progress when shutdown begins is answered, with
 * `Connection: close`, and the connection is closed right after it.
 */

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** Raw HTTP/1.1 on one socket: what we wrote, and everything the server sent until it closed. */
function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => data, closed }));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.once('error', reject);
  });
}

describe('shutdown', () => {
  it('answers a request in progress with Connection: close, then closes its connection and resolves', async () => {
    t = await startTestApp();
    const port = Number(new URL(t.url).port);
    const body = slashCommandBody('help', { responseUrl: t.fake.responseUrl() });
    const head = Object.entries({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...signRequest(body) })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    const conn = await rawConnection(port);
    // Half the body now: the request is in progress (not idle) when shutdown begins.
    conn.socket.write(`POST /slack/events HTTP/1.1\r\nhost: localhost\r\nconnection: keep-alive\r\n${head}\r\n\r\n${body.slice(0, 20)}`);
    await new Promise((r) => setTimeout(r, 50));
    let stopped = false;
    const stopping = t.app.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    conn.socket.write(body.slice(20));
    await conn.closed;
    await stopping;
    const response = conn.received();
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(response).toContain('/peer schedule');
  });
});

describe('/healthz and the calendar routes', () => {
  it('answers HEAD /healthz like GET, without a body, and 405 for another method', async () => {
    t = await startTestApp();
    const head = await fetch(`${t.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${t.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('says 503 shutting_down once shutdown has begun, so a load balancer drains this process', async () => {
    t = await startTestApp();
    const http = createHttpServer({ routes: createRoutes(t.deps, { stopping: () => true }), logger: t.deps.logger });
    const port = await listen(http.server, 0);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, error: 'shutting_down' });
    } finally {
      await http.close();
    }
  });

  for (const mode of ['HTTP', 'Socket Mode'] as const) {
    it(`${mode}: a malformed escape in a calendar path is a plain 404, and the app keeps serving`, async () => {
      t = await startTestApp(mode === 'HTTP' ? {} : { env: { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' } });
      for (const path of ['/calendar/%zz.ics', '/calendar/%zz/session-1.ics', '/%E0%A4%A']) {
        const res = await fetch(`${t.url}${path}`, { signal: AbortSignal.timeout(5_000) });
        expect(res.status).toBe(404);
      }
      expect((await t.get('/healthz')).status).toBe(200);
    });
  }
});
