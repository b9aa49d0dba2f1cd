import http from 'node:http';
import https from 'node:https';
import { stringify } from 'node:querystring';
import { setTimeout as sleep } from 'node:timers/promises';
import { SlackCallError } from './slack-errors.js';

/**
 * The HTTP under the messenger: one Web API call is one POST (form-encoded, the token in the
 * Authorization header, as @slack/web-api sends it), answered with Slack's `{ ok, ... }`.
 *
 * Why not @slack/web-api's WebClient: every call there goes through a p-queue, p-retry, WHATWG
 * fetch and a debug log that serialises the whole body even when logging is off; that came to
 * about 1 ms of CPU per call against 0.2 ms here (a Join makes five calls and a reply; measured
 * with `npm run bench -- open --only join`, see docs/operations.md). Bolt keeps its own client
 * for what Bolt does; the messenger, the one place that sends, uses this.
 *
 * Outcomes, as the messenger's callers know them (slack-errors.ts):
 * - `ok: false`: Slack's error code, permanent unless Slack says it is passing
 *   (`internal_error`, `ratelimited`, ...); the answer is kept as the error's cause (a missing
 *   scope's `needed`).
 * - 429: `rate_limited` with Retry-After, never waited out here (the caller decides).
 * - any other status, a network error or the timeout: tried again `retries` times (0.25 to 0.5 s,
 *   then 1 to 2 s), then `http_<status>` (5xx transient, 4xx permanent) or `network` (transient).
 */
export interface SlackApi {
  /** Calls a Web API method; resolves with Slack's answer when it says ok. */
  call<T = Record<string, unknown>>(method: string, args: Record<string, unknown>, options?: CallOptions): Promise<T>;
  /**
   * POSTs a body to a URL Slack gave (a file's upload_url, a response_url); resolves when the
   * answer is a 2xx. `name` is what a failure is called (`files.upload`, `response_url`).
   */
  post(name: string, url: string, body: string | Buffer, contentType: string, options?: CallOptions): Promise<void>;
}

export interface CallOptions {
  /** Tries after the first for a network error, timeout or unexpected status (0 for posts: a retry could post twice). */
  retries?: number;
  timeoutMs?: number;
}

export interface SlackApiSettings {
  token: string;
  /** Ends in `/` (config.ts makes sure): `https://slack.com/api/`. */
  apiUrl: string;
  timeoutMs: number;
  retries: number;
}

/** Slack errors that a later retry may cure; everything else ok:false is permanent. */
export const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** Backoff between tries: 250 ms times 4 per try, up to 2 s, randomised up to 2x (p-retry's shape, as before). */
function backoffMs(attempt: number): number {
  return Math.min(250 * 4 ** attempt * (1 + Math.random()), 2_000);
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

class NetworkError extends Error {}

// Connections to Slack are kept open between calls (the default agents close them after each),
// and an idle one is closed after 4 s, before a server that keeps them 5 s (Node's default) would
// close it under a request just sent.
const IDLE_SOCKET_MS = 4_000;
// At most 64 connections per host, as the SDK's queue held 100 calls at once: a burst waits
// for a free one rather than opening hundreds.
const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_MS, maxSockets: 64 };
const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
/** Who is calling, in Slack's logs (the SDK sent its own name and version). */
const USER_AGENT = `peerloop node/${process.versions.node}`;

/**
 * One POST. A kept-open connection the other end closed while it was idle fails the request
 * sent on it at once (ECONNRESET on a reused socket, before any answer). Such a request almost
 * always never reached Slack, so a repeatable one goes again at once on a new connection (Node's
 * documented remedy); a post does not, because "almost" could mean posting twice: it fails as a
 * network error, and a scheduled one is looked for before it is sent again (send-attempt.ts).
 */
async function send(url: URL, headers: Record<string, string | number>, body: string | Buffer, timeoutMs: number, repeatable: boolean): Promise<Answer> {
  try {
    return await sendOnce(url, headers, body, timeoutMs);
  } catch (error) {
    if (!(error instanceof StaleConnectionError) || !repeatable) throw error;
    return sendOnce(url, headers, body, timeoutMs);
  }
}

class StaleConnectionError extends NetworkError {}

function sendOnce(url: URL, headers: Record<string, string | number>, body: string | Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (transport === undefined) {
      reject(new NetworkError(`unsupported protocol ${url.protocol}`));
      return;
    }
    const req = transport.request(url, { method: 'POST', headers, agent: agents[url.protocol as 'http:' | 'https:'] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => reject(new NetworkError(error.message)));
    });
    // The whole exchange, not just the connection: a Slack that accepts and never answers counts too.
    const timer = setTimeout(() => req.destroy(new NetworkError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof NetworkError) reject(error);
      else if (req.reusedSocket && error.code === 'ECONNRESET') reject(new StaleConnectionError(error.message));
      else reject(new NetworkError(error.message));
    });
    req.end(body);
  });
}

/** A Web API argument as @slack/web-api encodes it: objects and arrays as JSON, the rest as text. */
function formBody(args: Record<string, unknown>): string {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    fields[key] = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
  return stringify(fields);
}

/** Runs `once` until it answers or the tries run out; a SlackCallError it throws ends it at once. */
async function withRetries(name: string, retries: number, once: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 0; ; attempt += 1) {
    let failure: SlackCallError;
    try {
      const answer = await once();
      if (answer.status === 429) {
        const seconds = Number(answer.retryAfter);
        throw new SlackCallError(name, 'rate_limited', 'rate_limited', Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1_000);
      }
      if (answer.status >= 200 && answer.status < 300) return answer;
      failure = new SlackCallError(name, `http_${answer.status}`, answer.status >= 500 ? 'transient' : 'permanent');
    } catch (error) {
      if (error instanceof SlackCallError) throw error;
      failure = new SlackCallError(name, 'network', 'transient', undefined, { cause: error });
    }
    if (attempt >= retries) throw failure;
    await sleep(backoffMs(attempt));
  }
}

export function createSlackApi(settings: SlackApiSettings): SlackApi {
  const authorization = `Bearer ${settings.token}`;
  return {
    async call<T>(method: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
      const url = new URL(method, settings.apiUrl);
      const body = formBody(args);
      const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': USER_AGENT, authorization, 'content-length': Buffer.byteLength(body) };
      const retries = options.retries ?? settings.retries;
      const answer = await withRetries(method, retries, () => send(url, headers, body, options.timeoutMs ?? settings.timeoutMs, retries > 0));
      if (answer.status !== 200) throw new SlackCallError(method, `http_${answer.status}`, 'permanent');
      let parsed: { ok?: unknown; error?: unknown };
      try {
        parsed = JSON.parse(answer.body) as { ok?: unknown; error?: unknown };
      } catch (cause) {
        throw new SlackCallError(method, 'invalid_response', 'transient', undefined, { cause });
      }
      if (typeof parsed !== 'object' || parsed === null) throw new SlackCallError(method, 'invalid_response', 'transient');
      if (parsed.ok === true) return parsed as T;
      const code = typeof parsed.error === 'string' && parsed.error !== '' ? parsed.error : 'unknown_error';
      throw new SlackCallError(method, code, TRANSIENT_PLATFORM_ERRORS.has(code) ? 'transient' : 'permanent', undefined, { cause: { data: parsed } });
    },
    async post(name, url, body, contentType, options = {}) {
      let target: URL;
      try {
        target = new URL(url);
      } catch (cause) {
        throw new SlackCallError(name, 'invalid_url', 'permanent', undefined, { cause });
      }
      const headers = { 'content-type': contentType, 'user-agent': USER_AGENT, 'content-length': Buffer.byteLength(body) };
      const retries = options.retries ?? 0;
      await withRetries(name, retries, () => send(target, headers, body, options.timeoutMs ?? settings.timeoutMs, retries > 0));
    },
  };
}
