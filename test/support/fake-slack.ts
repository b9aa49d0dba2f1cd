import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketMode } from './fake-socket-mode.js';

/**
 * A local Slack Web API. It answers the methods Peerloop calls with the shapes Slack documents,
 * records every call, and can be scripted per method to answer `ok:false`, HTTP 429 with
 * Retry-After, a 5xx, or to answer late. It also receives `response_url` posts and file uploads.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, any>;
  token: string | undefined;
  at: number;
}

export interface ResponsePost {
  id: string;
  body: Record<string, any>;
}

/** One scripted answer. With none of status/error/body, the method's normal answer is sent. */
export interface ScriptedReply {
  /** HTTP status (429 or 5xx). */
  status?: number;
  /** Seconds for the Retry-After header (with status 429). */
  retryAfter?: number;
  /** Answer `{ ok: false, error }`. */
  error?: string;
  /** Answer exactly this JSON. */
  body?: Record<string, unknown>;
  /** Wait this long before answering. */
  delayMs?: number;
  /**
   * With `status`: do the work first (a post is stored) and then answer with that status, as when
   * Slack accepted a message but the answer was lost (a 5xx from a proxy, a dropped connection).
   */
  afterProcessing?: boolean;
}

/** A message as Slack keeps it in a conversation (what conversations.history and replies return). */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text?: string;
  blocks?: unknown;
  thread_ts?: string;
  bot_id: string;
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
  files?: { id: string; name?: string; title?: string }[];
}

export interface FakeUser {
  id: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  deleted?: boolean;
  is_bot?: boolean;
  /** A Workflow Builder bot: Slack sets this instead of is_bot. */
  is_workflow_bot?: boolean;
  /** The person's home workspace; another one than T0TEST is a Slack Connect guest. */
  team_id?: string;
}

export type Handler = (args: Record<string, any>, call: RecordedCall) => Record<string, unknown>;

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responses: ResponsePost[] = [];
  /** Files POSTed to an upload URL; `bytes` is the file itself (unwrapped from multipart when the SDK sends that). */
  readonly uploads: { id: string; bytes: Buffer; filename?: string }[] = [];
  readonly users = new Map<string, FakeUser>();
  /** users.info for a user not in `users` answers with this zone. */
  defaultTimeZone = 'UTC';
  /** When set, tokens other than this one get invalid_auth. */
  validToken: string | undefined = 'xoxb-test-token';
  /** The app-level token apps.connections.open accepts (Socket Mode). */
  validAppToken = 'xapp-test-token';
  /** Socket Mode: the WebSocket the app connects to after apps.connections.open. */
  readonly socketMode = new FakeSocketMode();

  private server: Server | undefined;
  private baseUrl = '';
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private readonly persistent = new Map<string, ScriptedReply>();
  private readonly handlers = new Map<string, Handler>();
  private tsCounter = 0;
  private idCounter = 0;
  /** Channels where chat.postMessage answers not_in_channel until someone invites the bot. */
  readonly channelsWithoutBot = new Set<string>();
  /** conversations.info describes these ids as group DMs (is_mpim, an mpdm- name). */
  readonly mpims = new Set<string>();
  /** conversations.members: each channel's member ids, in order (paged by `membersPageSize`). */
  readonly channelMembers = new Map<string, string[]>();
  /** Page size conversations.members uses (Slack's limit argument is honoured when smaller). */
  membersPageSize = 2;
  /** Group DMs opened (conversations.open with 2+ users): id -> the users, as asked. */
  readonly groupDms = new Map<string, string[]>();
  /** conversations.open answers this error for any group that includes one of these users. */
  readonly refuseGroupsWith = new Map<string, string>();
  /** Conversation ids Slack no longer knows (e.g. after an org migration): posts and file shares there fail with channel_not_found. */
  readonly goneChannels = new Set<string>();
  /** Uploads' file names, by file id (files.getUploadURLExternal). */
  private readonly fileNames = new Map<string, string>();
  /** Every message chat.postMessage accepted (and every file share), by conversation, oldest first. */
  readonly messages = new Map<string, StoredMessage[]>();
  /**
   * When set, message ts are read from this clock (milliseconds), as Slack stamps them with the
   * time it got them; otherwise they count up from 1700000000 (fixed, for tests that compare ts).
   */
  tsClock: (() => number) | undefined;

  constructor() {
    this.installDefaultHandlers();
  }

  get url(): string {
    return this.baseUrl;
  }

  /** What SLACK_API_URL should be. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.serve(req, res);
    });
    this.socketMode.attach(this.server);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (this.server === undefined) return;
    this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Answers the next calls to `method` with these replies, in order, then normally again. */
  script(method: string, ...replies: ScriptedReply[]): this {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...replies]);
    return this;
  }

  /** Answers every call to `method` with `reply` until `clearScripts()`. */
  always(method: string, reply: ScriptedReply): this {
    this.persistent.set(method, reply);
    return this;
  }

  /** Replaces the normal answer of a method. */
  onMethod(method: string, handler: Handler): this {
    this.handlers.set(method, handler);
    return this;
  }

  /** Wraps a method's normal answer (it runs after any scripted delay): `around` may act, then calls `normal` or answers itself. */
  intercept(method: string, around: (args: Record<string, any>, call: RecordedCall, normal: Handler) => Record<string, unknown>): this {
    const normal = this.handlers.get(method);
    if (normal === undefined) throw new Error(`no handler for ${method}`);
    this.handlers.set(method, (args, call) => around(args, call, normal));
    return this;
  }

  clearScripts(): void {
    this.scripts.clear();
    this.persistent.clear();
  }

  /** Forgets recorded calls and scripts (users and handlers stay). */
  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.uploads.length = 0;
    this.goneChannels.clear();
    this.groupDms.clear();
    this.mpims.clear();
    this.refuseGroupsWith.clear();
    this.messages.clear();
    this.clearScripts();
  }

  /** The messages accepted in a conversation (top level and thread replies), oldest first. */
  messagesIn(channel: string): StoredMessage[] {
    return this.messages.get(channel) ?? [];
  }

  setUser(user: FakeUser): this {
    this.users.set(user.id, user);
    return this;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The chat.postMessage calls into the person's DM channel (see dmChannel), in order. */
  dmsTo(userId: string): RecordedCall[] {
    const channel = dmChannel(userId);
    return this.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
  }

  /** A response_url that points here; posts to it land in `responses`. */
  responseUrl(id = `r${++this.idCounter}`): string {
    return `${this.baseUrl}/response/${id}`;
  }

  /** Waits (polling, at most `timeoutMs`) until `check` returns a truthy value, and returns it. */
  async waitFor<T>(check: () => T | undefined | false | null, description = 'condition', timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) {
        const seen = this.calls.map((c) => c.method).join(', ') || 'none';
        throw new Error(`timed out waiting for ${description}; Slack calls seen: ${seen}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Waits until `method` has been called at least `count` times; returns those calls. */
  async waitForCalls(method: string, count = 1, timeoutMs = 5000): Promise<RecordedCall[]> {
    return this.waitFor(() => {
      const calls = this.callsTo(method);
      return calls.length >= count ? calls : undefined;
    }, `${count} call(s) to ${method}`, timeoutMs);
  }

  async waitForResponse(count = 1, timeoutMs = 5000): Promise<ResponsePost[]> {
    return this.waitFor(() => (this.responses.length >= count ? this.responses : undefined), `${count} response_url post(s)`, timeoutMs);
  }

  nextTs(): string {
    this.tsCounter += 1;
    if (this.tsClock !== undefined) {
      // Seconds and microseconds like Slack's; the counter keeps two messages in one millisecond apart.
      const ms = this.tsClock();
      return `${Math.floor(ms / 1000)}.${String(((ms % 1000) * 1000 + (this.tsCounter % 1000)) % 1_000_000).padStart(6, '0')}`;
    }
    return `1700000000.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(8, '0')}`;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const requestUrl = new URL(req.url ?? '/', 'http://localhost');
    const path = requestUrl.pathname;

    if (path.startsWith('/response/')) {
      this.responses.push({ id: path.slice('/response/'.length), body: safeJson(raw.toString('utf8')) });
      return send(res, 200, 'ok', 'text/plain');
    }
    if (path.startsWith('/upload/')) {
      const filename = requestUrl.searchParams.get('name') ?? undefined;
      this.uploads.push({ id: path.slice('/upload/'.length), bytes: await uploadedFile(raw, req.headers['content-type']), ...(filename === undefined ? {} : { filename }) });
      return send(res, 200, 'OK - 1', 'text/plain');
    }
    if (!path.startsWith('/api/')) return send(res, 404, 'not found', 'text/plain');

    const method = path.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
    const call: RecordedCall = { method, args, token, at: Date.now() };
    this.calls.push(call);

    const queued = this.scripts.get(method);
    const scripted = queued !== undefined && queued.length > 0 ? queued.shift() : this.persistent.get(method);
    if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    if (scripted?.afterProcessing === true) {
      try {
        this.handlers.get(method)?.(args, call);
      } catch {
        // The answer is the scripted status either way.
      }
    }
    if (scripted?.status !== undefined) {
      const headers: Record<string, string> = {};
      if (scripted.retryAfter !== undefined) headers['retry-after'] = String(scripted.retryAfter);
      const body = scripted.status === 429 ? { ok: false, error: 'ratelimited' } : { ok: false, error: 'internal_error' };
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      return;
    }
    if (scripted?.error !== undefined) return sendJson(res, { ok: false, error: scripted.error });
    if (scripted?.body !== undefined) return sendJson(res, scripted.body);

    if (token === undefined) return sendJson(res, { ok: false, error: 'not_authed' });
    // Only an app-level token may open a Socket Mode connection, and it may do nothing else.
    if (method === 'apps.connections.open') {
      if (!token.startsWith('xapp-')) return sendJson(res, { ok: false, error: 'not_allowed_token_type' });
      if (token !== this.validAppToken) return sendJson(res, { ok: false, error: 'invalid_auth' });
      return sendJson(res, { ok: true, url: this.socketMode.newConnectionUrl(this.baseUrl) });
    }
    if (token.startsWith('xapp-')) return sendJson(res, { ok: false, error: 'not_allowed_token_type' });
    if (this.validToken !== undefined && token !== this.validToken) return sendJson(res, { ok: false, error: 'invalid_auth' });

    const handler = this.handlers.get(method);
    if (handler === undefined) return sendJson(res, { ok: false, error: 'unknown_method' });
    try {
      return sendJson(res, handler(args, call));
    } catch (error) {
      return sendJson(res, { ok: false, error: error instanceof Error ? error.message : 'fake_error' });
    }
  }

  private installDefaultHandlers(): void {
    this.handlers.set('auth.test', () => ({
      ok: true,
      url: 'https://peerloop-test.slack.com/',
      team: 'Peerloop Test',
      user: 'peerloop',
      team_id: 'T0TEST',
      user_id: 'UBOT0000',
      bot_id: 'BBOT0000',
    }));
    this.handlers.set('users.info', (args) => {
      const id = String(args.user);
      const known = this.users.get(id);
      if (known === undefined && !/^[UW]/.test(id)) return { ok: false, error: 'user_not_found' };
      const user = known ?? { id, name: id.toLowerCase(), real_name: `Person ${id}`, tz: this.defaultTimeZone };
      const tz = user.tz ?? this.defaultTimeZone;
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: (user as FakeUser).team_id ?? 'T0TEST',
          name: user.name ?? user.id.toLowerCase(),
          real_name: user.real_name ?? user.name ?? user.id,
          deleted: user.deleted ?? false,
          is_bot: user.is_bot ?? false,
          is_workflow_bot: (user as FakeUser).is_workflow_bot ?? false,
          is_admin: user.is_admin ?? false,
          is_owner: user.is_owner ?? false,
          is_primary_owner: false,
          tz,
          tz_label: tz,
          tz_offset: 0,
          profile: { display_name: user.name ?? '', real_name: user.real_name ?? user.id },
        },
      };
    });
    this.handlers.set('chat.postMessage', (args) => {
      const channel = String(args.channel);
      if (this.goneChannels.has(channel)) return { ok: false, error: 'channel_not_found' };
      if (this.channelsWithoutBot.has(channel)) return { ok: false, error: 'not_in_channel' };
      const ts = this.nextTs();
      const message: StoredMessage = { type: 'message', ts, text: args.text, blocks: args.blocks, bot_id: 'BBOT0000' };
      if (args.thread_ts !== undefined) message.thread_ts = String(args.thread_ts);
      if (isMetadata(args.metadata)) message.metadata = args.metadata;
      this.messages.set(channel, [...this.messagesIn(channel), message]);
      return { ok: true, channel, ts, message };
    });
    // History and replies: newest first, `oldest`/`latest` exclusive (inclusive with `inclusive`),
    // cursor paging; metadata only with include_all_metadata, as Slack does for other apps' events.
    const page = (args: Record<string, any>, messages: StoredMessage[]) => {
      const oldest = Number(args.oldest ?? 0);
      const latest = args.latest === undefined ? Infinity : Number(args.latest);
      const inclusive = args.inclusive === true || args.inclusive === 'true';
      const inRange = messages.filter((m) => {
        const ts = Number(m.ts);
        return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
      });
      const newestFirst = [...inRange].reverse();
      const start = args.cursor === undefined || args.cursor === '' ? 0 : Number(String(args.cursor).replace('page:', ''));
      if (!Number.isInteger(start) || start < 0) return { ok: false, error: 'invalid_cursor' };
      const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 999);
      const shown = newestFirst.slice(start, start + limit).map((m) => {
        if (args.include_all_metadata === true || args.include_all_metadata === 'true') return m;
        const { metadata: _hidden, ...rest } = m;
        return rest;
      });
      const more = start + limit < newestFirst.length;
      return { ok: true, messages: shown, has_more: more, response_metadata: { next_cursor: more ? `page:${start + limit}` : '' } };
    };
    this.handlers.set('conversations.history', (args) => {
      const channel = String(args.channel);
      if (this.goneChannels.has(channel)) return { ok: false, error: 'channel_not_found' };
      return page(args, this.messagesIn(channel).filter((m) => m.thread_ts === undefined));
    });
    this.handlers.set('conversations.replies', (args) => {
      const channel = String(args.channel);
      if (this.goneChannels.has(channel)) return { ok: false, error: 'channel_not_found' };
      const parent = this.messagesIn(channel).find((m) => m.ts === String(args.ts));
      if (parent === undefined) return { ok: false, error: 'thread_not_found' };
      return page(args, [parent, ...this.messagesIn(channel).filter((m) => m.thread_ts === parent.ts)]);
    });
    this.handlers.set('chat.update', (args) => ({ ok: true, channel: args.channel, ts: args.ts, text: args.text, message: { text: args.text, blocks: args.blocks } }));
    this.handlers.set('chat.postEphemeral', () => ({ ok: true, message_ts: this.nextTs() }));
    this.handlers.set('chat.delete', (args) => ({ ok: true, channel: args.channel, ts: args.ts }));
    this.handlers.set('chat.getPermalink', (args) => ({ ok: true, channel: args.channel, permalink: `https://peerloop-test.slack.com/archives/${args.channel}/p${String(args.message_ts).replace('.', '')}` }));
    this.handlers.set('conversations.open', (args) => {
      const users = String(args.users ?? '').split(',').filter(Boolean);
      if (users.length === 0) return { ok: false, error: 'users_list_not_supplied' };
      if (users.length > 8) return { ok: false, error: 'too_many_users' };
      if (users.length === 1) return { ok: true, channel: { id: dmChannel(users[0]!) } };
      const refused = users.map((u) => this.refuseGroupsWith.get(u)).find((e) => e !== undefined);
      if (refused !== undefined) return { ok: false, error: refused };
      // The same people (in any order) get the same group DM back, as Slack resumes an existing one.
      const id = groupDmChannel(users);
      this.groupDms.set(id, users);
      return { ok: true, channel: { id } };
    });
    this.handlers.set('conversations.members', (args) => {
      const channel = String(args.channel);
      if (this.channelsWithoutBot.has(channel) || !this.channelMembers.has(channel)) return { ok: false, error: 'channel_not_found' };
      const all = this.channelMembers.get(channel)!;
      const start = args.cursor === undefined || args.cursor === '' ? 0 : Number(String(args.cursor).replace('page:', ''));
      if (!Number.isInteger(start) || start < 0) return { ok: false, error: 'invalid_cursor' };
      const size = Math.min(this.membersPageSize, Number(args.limit ?? this.membersPageSize) || this.membersPageSize);
      const end = start + size;
      return { ok: true, members: all.slice(start, end), response_metadata: { next_cursor: end < all.length ? `page:${end}` : '' } };
    });
    this.handlers.set('conversations.info', (args) =>
      this.mpims.has(String(args.channel))
        ? { ok: true, channel: { id: args.channel, name: `mpdm-a--b--c-1`, is_mpim: true, is_member: true } }
        : { ok: true, channel: { id: args.channel, name: `channel-${String(args.channel).toLowerCase()}`, is_member: !this.channelsWithoutBot.has(String(args.channel)) } },
    );
    const viewAnswer = (args: Record<string, any>) => ({ ok: true, view: { id: args.view_id ?? this.nextId('V'), ...(args.view as object), hash: this.nextId('h') } });
    this.handlers.set('views.open', (args) => (args.trigger_id ? viewAnswer(args) : { ok: false, error: 'invalid_trigger_id' }));
    this.handlers.set('views.push', (args) => (args.trigger_id ? viewAnswer(args) : { ok: false, error: 'invalid_trigger_id' }));
    this.handlers.set('views.update', viewAnswer);
    this.handlers.set('views.publish', viewAnswer);
    this.handlers.set('files.getUploadURLExternal', (args) => {
      const id = this.nextId('F');
      this.fileNames.set(id, String(args.filename));
      return { ok: true, upload_url: `${this.baseUrl}/upload/${id}?name=${encodeURIComponent(String(args.filename))}`, file_id: id };
    });
    this.handlers.set('files.completeUploadExternal', (args) => {
      if (args.channel_id !== undefined && this.goneChannels.has(String(args.channel_id))) return { ok: false, error: 'channel_not_found' };
      const files = (args.files as { id: string; title?: string }[]).map((f) => ({ id: f.id, title: f.title }));
      if (args.channel_id !== undefined) {
        // Sharing puts a message in the conversation (or thread) carrying the files, as Slack does.
        const channel = String(args.channel_id);
        const message: StoredMessage = { type: 'message', ts: this.nextTs(), text: args.initial_comment, bot_id: 'BBOT0000', files: files.map((f) => ({ ...f, name: this.fileNames.get(f.id) })) };
        if (args.thread_ts !== undefined) message.thread_ts = String(args.thread_ts);
        this.messages.set(channel, [...this.messagesIn(channel), message]);
      }
      return { ok: true, files };
    });
  }
}

/** The DM channel the fake's conversations.open gives for one person: D123 for U123. */
export function dmChannel(userId: string): string {
  return `D${userId.slice(1)}`;
}

/** The group DM the fake's conversations.open gives for these people: one id per set of people. */
export function groupDmChannel(userIds: readonly string[]): string {
  return `G${[...userIds].sort().map((u) => u.slice(1)).join('')}`;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  return new FakeSlack().start();
}

/** @slack/web-api's filesUploadV2 posts multipart/form-data with one `file` part; Slack also accepts a raw body. */
async function uploadedFile(raw: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType?.startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const part = [...form.values()].find((v) => typeof v !== 'string');
  return part === undefined || typeof part === 'string' ? raw : Buffer.from(await part.arrayBuffer());
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The Web API takes form bodies (nested values JSON-encoded, as the SDK sends them) or JSON. */
function isMetadata(value: unknown): value is StoredMessage['metadata'] {
  return typeof value === 'object' && value !== null && typeof (value as { event_type?: unknown }).event_type === 'string';
}

function parseArgs(raw: Buffer, contentType: string | undefined): Record<string, any> {
  const text = raw.toString('utf8');
  if (contentType?.includes('application/json')) return safeJson(text);
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value, value) : value;
  }
  return args;
}

function safeJson(text: string, fallback: any = {}): any {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function sendJson(res: ServerResponse, body: unknown): void {
  send(res, 200, JSON.stringify(body), 'application/json; charset=utf-8');
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
