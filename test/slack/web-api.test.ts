import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApi } from '../../src/slack/web-api.js';
import { SlackCallError, neededScope } from '../../src/slack/slack-errors.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';

/** The HTTP under the messenger, against the fake Slack: what reaches Slack, and every outcome's kind. */
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.stop());
afterEach(() => {
  slack.calls.length = 0;
  slack.clearScripts();
});

const api = () => createSlackApi({ token: 'xoxb-test-token', apiUrl: slack.apiUrl, timeoutMs: 2_000, retries: 2 });

async function failure(promise: Promise<unknown>): Promise<SlackCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackCallError);
  return error as SlackCallError;
}

describe('Web API calls', () => {
  it('sends the token as a bearer header and nested arguments as JSON in a form body, as the SDK does', async () => {
    const res = await api().call<{ ts: string; channel: string }>('chat.postMessage', {
      channel: 'C0GENERAL',
      text: 'hello & welcome',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }],
      unfurl_links: false,
      thread_ts: undefined,
    });
    expect(res.channel).toBe('C0GENERAL');
    expect(res.ts).toMatch(/^\d+\.\d+$/);
    const call = slack.calls.at(-1)!;
    expect(call.token).toBe('xoxb-test-token');
    expect(call.args).toEqual({ channel: 'C0GENERAL', text: 'hello & welcome', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }], unfurl_links: 'false' });
  });

  it("turns ok:false into Slack's code, permanent unless Slack says it is passing, with the answer kept for `needed`", async () => {
    slack.script('chat.postMessage', { body: { ok: false, error: 'missing_scope', needed: 'chat:write' } });
    const missing = await failure(api().call('chat.postMessage', { channel: 'C1', text: 'x' }));
    expect([missing.code, missing.kind]).toEqual(['missing_scope', 'permanent']);
    expect(neededScope(missing, 'unknown')).toBe('chat:write');

    slack.script('chat.update', { error: 'internal_error' });
    const passing = await failure(api().call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' }));
    expect([passing.code, passing.kind]).toEqual(['internal_error', 'transient']);
    // ok:false is an answer: never tried again.
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
  });

  it('gives a 429 back at once as rate_limited with its Retry-After, without trying again', async () => {
    slack.script('views.publish', { status: 429, retryAfter: 7 });
    const limited = await failure(api().call('views.publish', { user_id: 'U1', view: { type: 'home', blocks: [] } }));
    expect([limited.code, limited.kind, limited.retryAfterMs]).toEqual(['rate_limited', 'rate_limited', 7_000]);
    expect(slack.calls.filter((c) => c.method === 'views.publish')).toHaveLength(1);
  });

  it('tries a 5xx again (twice by default) and answers with the first success', async () => {
    slack.script('chat.update', { status: 503 }, { status: 500 });
    await api().call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' });
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(3);
  });

  it('stops after the retries with a transient http_<status>, and never retries when told 0 (a post)', async () => {
    slack.script('chat.update', { status: 502 }, { status: 502 }, { status: 502 });
    const gaveUp = await failure(api().call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' }));
    expect([gaveUp.code, gaveUp.kind]).toEqual(['http_502', 'transient']);
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(3);

    slack.script('chat.postMessage', { status: 500, afterProcessing: true });
    const once = await failure(api().call('chat.postMessage', { channel: 'C1', text: 'x' }, { retries: 0 }));
    expect([once.code, once.kind]).toEqual(['http_500', 'transient']);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('gives up on a Slack that does not answer within the timeout, as a transient network failure', async () => {
    slack.script('users.info', { delayMs: 400 });
    const slow = await failure(api().call('users.info', { user: 'U1' }, { retries: 0, timeoutMs: 100 }));
    expect([slow.code, slow.kind]).toEqual(['network', 'transient']);
  });

  it('reports an unreachable Slack as network, after its retries', async () => {
    const dead = createSlackApi({ token: 'xoxb-test-token', apiUrl: 'http://127.0.0.1:9/api/', timeoutMs: 500, retries: 1 });
    const error = await failure(dead.call('auth.test', {}));
    expect([error.code, error.kind]).toEqual(['network', 'transient']);
  });

  it('calls Slack again on the same kept-open connection', async () => {
    const ports = new Set<number>();
    const seen = (s: Server) => s.on('connection', (socket) => ports.add(socket.remotePort ?? 0));
    const counting = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    seen(counting);
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/api/`;
    const local = createSlackApi({ token: 'xoxb-test-token', apiUrl: url, timeoutMs: 1_000, retries: 0 });
    for (let i = 0; i < 5; i += 1) await local.call('chat.update', { channel: 'C1', ts: '1.1', text: String(i) });
    expect(ports.size).toBe(1);
    counting.closeAllConnections();
    await new Promise<void>((resolve) => counting.close(() => resolve()));
  });

  it('sends a repeatable call again at once on a new connection when the kept-open one was closed while idle; never a post', async () => {
    const update = await droppingServer();
    const client = createSlackApi({ token: 'xoxb-test-token', apiUrl: `${update.base}/api/`, timeoutMs: 1_000, retries: 2 });
    await client.call('chat.update', { channel: 'C1', ts: '1.1', text: 'one' });
    await client.call('chat.update', { channel: 'C1', ts: '1.1', text: 'two' });
    expect(update.requests()).toBe(3);
    await update.close();

    // A post on a dropped connection fails as a network error: it might have reached Slack, and a
    // repeat could post it twice (a scheduled one is looked for before it is sent again).
    const post = await droppingServer();
    await api().post('response_url', `${post.base}/response/1`, '{}', 'application/json');
    const failed = await failure(api().post('response_url', `${post.base}/response/2`, '{}', 'application/json'));
    expect([failed.code, failed.kind]).toEqual(['network', 'transient']);
    expect(post.requests()).toBe(2);
    await post.close();
  });

  it('turns an answer that is not a JSON object into a transient invalid_response', async () => {
    slack.script('users.info', { body: null as unknown as Record<string, unknown> });
    const odd = await failure(api().call('users.info', { user: 'U1' }));
    expect([odd.code, odd.kind]).toEqual(['invalid_response', 'transient']);
  });
});

/** A server that drops the second request on each connection without answering, as a server closing an idle connection does. */
async function droppingServer() {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const socket = req.socket as typeof req.socket & { served?: boolean };
    if (socket.served === true) {
      socket.destroy();
      return;
    }
    socket.served = true;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('posts to a URL Slack gave', () => {
  it('delivers a response_url body as JSON and a file upload as raw bytes', async () => {
    await api().post('response_url', `${slack.url}/response/abc`, JSON.stringify({ text: 'You are in', response_type: 'ephemeral' }), 'application/json');
    expect(slack.responses.at(-1)).toEqual({ id: 'abc', body: { text: 'You are in', response_type: 'ephemeral' } });

    await api().post('files.upload', `${slack.url}/upload/F1?name=a.ics`, Buffer.from('BEGIN:VCALENDAR'), 'application/octet-stream');
    expect(slack.uploads.at(-1)?.bytes.toString('utf8')).toBe('BEGIN:VCALENDAR');
  });

  it('fails with the status for an answer that is not 2xx, and for an address that is not a URL', async () => {
    const missing = await failure(api().post('response_url', `${slack.url}/nowhere`, '{}', 'application/json'));
    expect([missing.method, missing.code, missing.kind]).toEqual(['response_url', 'http_404', 'permanent']);
    const bad = await failure(api().post('response_url', 'not a url', '{}', 'application/json'));
    expect([bad.code, bad.kind]).toEqual(['invalid_url', 'permanent']);
  });
});
