import { ErrorCode, WebClient, type UsersInfoResponse, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { z } from 'zod';
import type { MessageContent, ViewJson } from './blocks/types.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { toBoltLogger, type Logger } from '../logger.js';
import type { ServiceDeps } from '../services/context.js';
import { memberDmChannels, type DmChannelStore, type MemberProfile } from '../services/members.js';
import { getSettings } from '../services/workspace-settings.js';
import { createSendBudget, type SendBudget } from '../services/send-budget.js';
import { createPacer, type CapFor } from './pacing.js';
import { MISSING_SCOPE_ERRORS, SlackCallError } from './slack-errors.js';
import { createSlackApi, TRANSIENT_PLATFORM_ERRORS, type SlackApi } from './web-api.js';
import { FILE_VERIFY_SKEW_MS, findPosted, findUploaded, nextPostMetadata, oldestTs, VERIFY_MAX_PAGES, type JobMessageMetadata, type SendAttempt } from './send-attempt.js';

/** What conversations.info says about a channel, as far as Peerloop reads it. */
const ChannelInfo = z.object({ is_member: z.boolean().optional(), is_mpim: z.boolean().optional(), name: z.string().optional() });

/** Any error of @slack/web-api's client (Bolt's, and auth.test at start-up), or anything thrown while calling Slack, as one SlackCallError with its kind. */
export function toSlackCallError(method: string, error: unknown): SlackCallError {
  if (error instanceof SlackCallError) return error;
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case ErrorCode.PlatformError: {
      const slackCode = (error as WebAPIPlatformError).data.error;
      return new SlackCallError(method, slackCode, TRANSIENT_PLATFORM_ERRORS.has(slackCode) ? 'transient' : 'permanent', undefined, { cause: error });
    }
    case ErrorCode.RateLimitedError:
      return new SlackCallError(method, 'rate_limited', 'rate_limited', (error as WebAPIRateLimitedError).retryAfter * 1000, { cause: error });
    case ErrorCode.HTTPError: {
      const status = (error as WebAPIHTTPError).statusCode;
      return new SlackCallError(method, `http_${status}`, status >= 500 ? 'transient' : 'permanent', undefined, { cause: error });
    }
    case ErrorCode.RequestError:
      return new SlackCallError(method, 'network', 'transient', undefined, { cause: error });
    default:
      return new SlackCallError(method, error instanceof Error ? error.message : 'unknown', 'transient', undefined, { cause: error });
  }
}

/**
 * The one place that talks to the Slack Web API. Listeners and jobs call these verbs and get
 * either the result or a SlackCallError whose `kind` says whether to retry.
 *
 * Retry policy (the SDK default retries for about 30 minutes, far too long for a bot that must
 * answer a click): each call gets a 10 s timeout and at most 2 quick retries (0.25 s, then up to
 * 2 s) for 5xx and network errors. A 429 is never waited out inside a call, because the SDK would
 * pause its whole queue (every workspace) for Retry-After; it surfaces as `rate_limited` with the
 * wait, and the caller (the job scheduler) reschedules.
 *
 * Pacing (see pacing.ts): a send that carries a `jobKey` is a scheduled send. It takes a slot in
 * its workspace's messages-per-minute window, is refused (rate_limited, without calling Slack)
 * while that workspace is over the cap, inside a 429's Retry-After, or within Slack's
 * one-message-per-second gap of its channel. Interactive replies (no jobKey: a click's card
 * update, an ephemeral note, a modal) are counted in the window but never held back: a person
 * is waiting for them, they come one per click, and Slack meters chat.update / views.* in their
 * own buckets, so queueing them behind a batch of reminders would only make the app feel broken.
 *
 * The verbs take the builders' plain JSON (blocks/types.ts) and hand it to the SDK here, once.
 */
export interface Messenger {
  readonly client: WebClient;
  postMessage(teamId: string, args: PostMessageInput, meta?: CallMeta): Promise<{ channel: string; ts: string }>;
  updateMessage(teamId: string, args: MessageContent & { channel: string; ts: string }, meta?: CallMeta): Promise<void>;
  /** Deletes one of the bot's own messages (chat:write allows that). */
  deleteMessage(teamId: string, channel: string, ts: string): Promise<void>;
  postEphemeral(teamId: string, args: MessageContent & { channel: string; user: string }, meta?: CallMeta): Promise<void>;
  /** Opens (or reuses) the DM channel with a person and posts there. */
  sendDm(teamId: string, userId: string, message: MessageContent, meta?: CallMeta): Promise<{ channel: string; ts: string }>;
  /** Uploads a file into the person's DM (an .ics); the same stale-channel recovery as sendDm. */
  uploadFileToDm(teamId: string, userId: string, file: Omit<UploadFileInput, 'channelId'>, meta?: CallMeta): Promise<{ channel: string; fileIds: string[] }>;
  /**
   * Several files in one DM message (each file's bytes go up through files.getUploadURLExternal,
   * then one files.completeUploadExternal shares them all, so they arrive together or not at all).
   */
  uploadFilesToDm(teamId: string, userId: string, upload: UploadFilesInput, meta?: CallMeta): Promise<{ channel: string; fileIds: string[] }>;
  openView(teamId: string, args: { trigger_id: string; view: ViewJson }): Promise<{ viewId: string }>;
  /** `hash` makes Slack refuse the update if the view changed since it was read. */
  updateView(teamId: string, args: { view_id: string; hash?: string; view: ViewJson }): Promise<void>;
  publishHome(teamId: string, args: { user_id: string; view: ViewJson }): Promise<void>;
  /**
   * users.info as a profile. `quick`: one try with a short timeout, for a caller that must still
   * ack within Slack's 3 s (a person's first interaction).
   */
  fetchProfile(teamId: string, userId: string, options?: { quick?: boolean }): Promise<MemberProfile>;
  /**
   * Whether an account is a bot or deactivated (users.info), and the name it goes by; a session
   * host must be a person. An id Slack does not know fails with SlackCallError `user_not_found`.
   */
  fetchAccountKind(teamId: string, userId: string): Promise<{ isBot: boolean; deleted: boolean; name: string | null }>;
  /**
   * users.info as a profile plus what decides whether the account can be matched: a bot,
   * deactivated, or from another workspace (a Slack Connect guest: `homeTeamId` is not ours).
   */
  fetchAccount(teamId: string, userId: string): Promise<{ profile: MemberProfile; isBot: boolean; deleted: boolean; homeTeamId: string | null }>;
  /**
   * Every member of a channel (conversations.members, following the cursor to the end). Slack
   * answers channel_not_found for a private channel the bot is not in, and not_in_channel for
   * some public ones: both permanent.
   */
  listChannelMembers(teamId: string, channelId: string, meta?: CallMeta): Promise<string[]>;
  /** conversations.info: whether the bot is a member of the channel (a private one it is not in is channel_not_found), and its name. */
  fetchChannelMembership(teamId: string, channelId: string): Promise<{ isMember: boolean; isMpim: boolean; name: string | null }>;
  /**
   * Opens (or finds again) the group DM of these people and the bot: conversations.open with
   * 2 to 8 users makes a multi-person DM (mpim:write). Never cached: a group is opened once per
   * match and its id is stored on the group's row.
   */
  openGroupDm(teamId: string, userIds: readonly string[], meta?: CallMeta): Promise<string>;
  /** Posts to a response_url (slash command or interaction); used for replies after ack. */
  respond(responseUrl: string, body: Record<string, unknown>): Promise<void>;
  /** Uploads a file into a channel or DM (Slack's three steps: get an upload URL, upload, complete). */
  uploadFile(teamId: string, file: UploadFileInput, meta?: CallMeta): Promise<{ fileIds: string[] }>;
}

/** A message to a channel; link previews are off unless asked for (cards carry their own details). */
export interface PostMessageInput extends MessageContent {
  channel: string;
  /** Posts in the thread under this message. */
  thread_ts?: string;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
}

export interface UploadFileInput {
  channelId: string;
  filename: string;
  content: string | Buffer;
  title?: string;
  initialComment?: string;
  /** Shares the file as a reply in this message's thread (the digest's chart under the digest). */
  threadTs?: string;
}

export interface UploadFilesInput {
  files: { filename: string; content: string | Buffer; title?: string }[];
  initialComment?: string;
}

/** Logged with every attempt, so a job's sends can be traced by its key. */
export interface CallMeta {
  /** Set by jobs: marks the send as scheduled, so it is paced (see above). */
  jobKey?: string;
  /**
   * Set by the scheduler for a job's run (with jobKey): each post carries the job's metadata, is
   * made only while the job is still held, and after an interrupted attempt is looked for before
   * it is posted again (send-attempt.ts).
   */
  attempt?: SendAttempt;
}

export interface MessengerOptions {
  /** How calls reach Slack (default: HTTP to config.slack.apiUrl, web-api.ts); the jobs benchmark answers in-process. */
  api?: SlackApi;
  /** The clock pacing and Retry-After pauses follow (the app's injected clock). */
  clock?: Clock;
  /** The workspace's messages-per-minute cap; undefined means no cap. */
  capFor?: CapFor;
  /** Where DM channel ids outlive the process (members.dm_channel_id); they are also kept in memory. */
  dmChannelStore?: DmChannelStore;
  /** Where the send window and 429 pauses are kept: the database's, shared by every process (default: this process only). */
  sendBudget?: SendBudget;
}

export const SLACK_CALL_TIMEOUT_MS = 10_000;
export const SLACK_CALL_RETRIES = { retries: 2, factor: 4, minTimeout: 250, maxTimeout: 2_000, randomize: true } as const;


type SlackUser = NonNullable<UsersInfoResponse['user']>;

/** The parts of Slack's answers the messenger reads (the Web API reference's field names). */
interface OpenedConversation {
  channel?: { id?: string };
}
interface MessagePage {
  messages?: unknown;
  response_metadata?: { next_cursor?: string };
}
interface UploadTarget {
  upload_url?: string;
  file_id?: string;
}
interface CompletedUpload {
  files?: { id?: string }[];
}

/** What Peerloop reads from a users.info answer: the profile it stores, and what kind of account it is. */
function toAccount(userId: string, user: SlackUser | undefined) {
  return {
    profile: {
      name: user?.profile?.display_name || user?.real_name || user?.name || null,
      timeZone: user?.tz ?? null,
      isSlackAdmin: Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner),
    },
    // Slackbot is not flagged is_bot by users.info, nor is a Workflow Builder bot (is_workflow_bot),
    // but neither can host or be matched. (is_app_user is not one of these: it marks a person who
    // has authorised the calling app.)
    isBot: Boolean(user?.is_bot) || Boolean(user?.is_workflow_bot) || userId === 'USLACKBOT',
    deleted: Boolean(user?.deleted),
    homeTeamId: user?.team_id ?? null,
  };
}

/** A lookup made before an ack gets this long, once: the ack must leave within Slack's 3 s. */
export const QUICK_CALL_TIMEOUT_MS = 1_200;

export function createWebClient(config: Config, logger: Logger): WebClient {
  return new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: SLACK_CALL_RETRIES,
    rejectRateLimitedCalls: true,
    logger: toBoltLogger(logger),
  });
}

export function createMessenger(config: Config, logger: Logger, options: MessengerOptions = {}): Messenger {
  // Bolt's authorize and the start-up token check use @slack/web-api; the messenger's calls do not (web-api.ts says why).
  const client = createWebClient(config, logger);
  const api = options.api ?? createSlackApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, timeoutMs: SLACK_CALL_TIMEOUT_MS, retries: SLACK_CALL_RETRIES.retries });
  /** Reads, updates and views: repeating them is harmless, so a network error or 5xx is tried again twice. */
  const request = <T>(method: string, args: Record<string, unknown>) => api.call<T>(method, args);
  // Posting a message or a file is not idempotent: after a timeout or a 5xx Slack may already
  // have it, and an automatic retry would post it twice. These calls are never retried here; a
  // scheduled one is retried by the scheduler's backoff, an interactive one fails with a message.
  const posting = <T>(method: string, args: Record<string, unknown>) => api.call<T>(method, args, { retries: 0 });
  const log = logger.child({ component: 'messenger' });
  const pacer = createPacer(options.clock ?? systemClock, options.capFor ?? (() => undefined), options.sendBudget);
  // DM channel ids never change for a (workspace, person) pair; caching saves a call per DM.
  const dmChannels = new Map<string, string>();

  async function call<T>(teamId: string, method: string, run: () => Promise<T>, meta: CallMeta = {}, channel?: string): Promise<T> {
    if (meta.jobKey !== undefined) {
      const slot = pacer.reserve(teamId, method, channel);
      if (!slot.ok) {
        log.debug({ teamId, method, jobKey: meta.jobKey, reason: slot.reason, waitMs: slot.waitMs }, 'scheduled send held back by pacing');
        throw new SlackCallError(method, slot.reason, 'rate_limited', slot.waitMs);
      }
    } else if (channel !== undefined) {
      pacer.note(teamId, channel);
    }
    try {
      const result = await run();
      log.debug({ teamId, method, jobKey: meta.jobKey }, 'slack call ok');
      return result;
    } catch (error) {
      const failure = toSlackCallError(method, error);
      if (failure.kind === 'rate_limited') pacer.pause(teamId, method, failure.retryAfterMs ?? 1_000);
      log.warn({ teamId, method, jobKey: meta.jobKey, code: failure.code, kind: failure.kind, retryAfterMs: failure.retryAfterMs }, 'slack call failed');
      throw failure;
    }
  }

  async function openDmChannel(teamId: string, userId: string, meta?: CallMeta): Promise<string> {
    const cacheKey = `${teamId}:${userId}`;
    const known = dmChannels.get(cacheKey) ?? options.dmChannelStore?.get(teamId, userId);
    if (known !== undefined) {
      dmChannels.set(cacheKey, known);
      return known;
    }
    const res = await call(teamId, 'conversations.open', () => request<OpenedConversation>('conversations.open', { users: userId }), meta);
    const channel = res.channel?.id;
    if (channel === undefined) throw new SlackCallError('conversations.open', 'no_channel', 'permanent');
    dmChannels.set(cacheKey, channel);
    options.dmChannelStore?.set(teamId, userId, channel);
    return channel;
  }

  function forgetDmChannel(teamId: string, userId: string): void {
    dmChannels.delete(`${teamId}:${userId}`);
    options.dmChannelStore?.set(teamId, userId, null);
  }

  async function postMessage(teamId: string, args: PostMessageInput, meta?: CallMeta) {
    const attempt = meta?.attempt;
    let metadata: JobMessageMetadata | undefined;
    if (attempt !== undefined && meta?.jobKey !== undefined) {
      metadata = nextPostMetadata(attempt, meta.jobKey, args.channel, args.thread_ts);
      if (attempt.verifySince !== null) {
        const ts = await lookBack(teamId, args.channel, args.thread_ts, oldestTs(attempt.verifySince), meta.jobKey, (messages) => findPosted(messages, metadata!));
        if (ts !== undefined) {
          log.info({ teamId, jobKey: meta.jobKey, channel: args.channel, ts }, 'earlier attempt had posted this message; not posting it again');
          return { channel: args.channel, ts };
        }
      }
      attempt.assertHeld();
    }
    const message = metadata === undefined ? args : { ...args, metadata };
    const res = await sending(attempt, () => call(teamId, 'chat.postMessage', () => posting<{ channel?: string; ts?: string }>('chat.postMessage', { ...message }), meta, args.channel));
    return { channel: res.channel ?? args.channel, ts: res.ts ?? '' };
  }

  /**
   * Runs a post or an upload of a job's attempt and notes whether it may now be in Slack: it was
   * accepted, or its outcome is unknown (timeout, network, 5xx). A refusal (429, ok:false, our
   * own pacing) leaves nothing behind, so the retry need not look for it.
   */
  async function sending<T>(attempt: SendAttempt | undefined, send: () => Promise<T>): Promise<T> {
    try {
      const result = await send();
      if (attempt !== undefined) attempt.postSent = true;
      return result;
    } catch (error) {
      if (attempt !== undefined && (!(error instanceof SlackCallError) || error.kind === 'transient')) attempt.postSent = true;
      throw error;
    }
  }

  /**
   * Looks for what an interrupted attempt may have sent: the conversation (or thread) from
   * `oldest` on, read a page at a time until `find` recognises Peerloop's own message (by its
   * metadata, or a file by its name); nothing read is kept or logged. Returns what `find` gave,
   * or undefined when it is not there. A transient failure throws (the job waits and looks
   * again); a missing scope (an install from before the history scopes) or a conversation Slack
   * refuses is logged and the send goes ahead, as it did before verification.
   */
  async function lookBack(teamId: string, channel: string, threadTs: string | undefined, oldest: string, jobKey: string, find: (messages: unknown) => string | undefined): Promise<string | undefined> {
    const method = threadTs === undefined ? 'conversations.history' : 'conversations.replies';
    let cursor: string | undefined;
    try {
      for (let page = 0; page < VERIFY_MAX_PAGES; page += 1) {
        const common = { channel, oldest, limit: 200, include_all_metadata: true, ...(cursor === undefined ? {} : { cursor }) };
        const res = await call(teamId, method, () => request<MessagePage>(method, threadTs === undefined ? common : { ...common, ts: threadTs }));
        const found = find(res.messages);
        if (found !== undefined) return found;
        cursor = res.response_metadata?.next_cursor || undefined;
        if (cursor === undefined) return undefined;
      }
      log.warn({ teamId, jobKey, pages: VERIFY_MAX_PAGES }, 'earlier post not found in the pages read; posting');
      return undefined;
    } catch (error) {
      if (!(error instanceof SlackCallError) || error.kind !== 'permanent') throw error;
      const reason = MISSING_SCOPE_ERRORS.has(error.code) ? 'reinstall Peerloop to grant the history scopes in manifest.yml' : 'the conversation could not be read';
      log.warn({ teamId, jobKey, code: error.code, method }, `could not check for an earlier post (${reason}); posting, which may repeat it`);
      return undefined;
    }
  }

  /**
   * Runs `send` in the person's DM channel. A remembered channel Slack no longer knows
   * (channel_not_found) is asked for again, once, and `send` runs there: Slack refused the first
   * try, so nothing can arrive twice. DMs and calendar files both go through here.
   */
  async function inDm<T>(teamId: string, userId: string, meta: CallMeta | undefined, send: (channel: string) => Promise<T>): Promise<T> {
    const channel = await openDmChannel(teamId, userId, meta);
    try {
      return await send(channel);
    } catch (error) {
      if (!(error instanceof SlackCallError && error.code === 'channel_not_found')) throw error;
      forgetDmChannel(teamId, userId);
      const fresh = await openDmChannel(teamId, userId, meta);
      if (fresh === channel) throw error;
      return send(fresh);
    }
  }

  /**
   * After an interrupted attempt of a job, looks for the file in its conversation (by name and
   * title) so it is not shared again. Returns the id of the file found, if any.
   */
  async function findEarlierUpload(teamId: string, file: UploadFileInput, meta: CallMeta | undefined): Promise<string | undefined> {
    const attempt = meta?.attempt;
    if (attempt === undefined || attempt.verifySince === null) return undefined;
    const jobKey = meta?.jobKey ?? '';
    const id = await lookBack(teamId, file.channelId, file.threadTs, oldestTs(attempt.verifySince, FILE_VERIFY_SKEW_MS), jobKey, (messages) => findUploaded(messages, file));
    if (id !== undefined) log.info({ teamId, jobKey, channel: file.channelId, fileId: id }, 'earlier attempt had uploaded this file; not uploading it again');
    return id;
  }

  /** Slack's first two upload steps: an upload URL for the file, then its bytes; not yet in any conversation. */
  async function stageFile(teamId: string, file: { filename: string; content: string | Buffer; title?: string }): Promise<{ id: string; title?: string }> {
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    const target = await call(teamId, 'files.getUploadURLExternal', () => posting<UploadTarget>('files.getUploadURLExternal', { filename: file.filename, length: bytes.length }));
    if (target.upload_url === undefined || target.file_id === undefined) throw new SlackCallError('files.getUploadURLExternal', 'invalid_response', 'transient');
    const uploadUrl = target.upload_url;
    await call(teamId, 'files.upload', () => api.post('files.upload', uploadUrl, bytes, 'application/octet-stream'));
    return { id: target.file_id, ...(file.title === undefined ? {} : { title: file.title }) };
  }

  /**
   * One file into a conversation, in Slack's three steps (what files.uploadV2 does), run here so a
   * job's attempt can check it still holds the job right before the last step: only
   * files.completeUploadExternal puts the file in the conversation, and it is one call, so the
   * same fence as a post holds (see send-attempt.ts). The bytes' upload is not paced; the share is.
   */
  async function uploadFile(teamId: string, file: UploadFileInput, meta?: CallMeta): Promise<{ fileIds: string[] }> {
    const earlier = await findEarlierUpload(teamId, file, meta);
    if (earlier !== undefined) return { fileIds: [earlier] };
    const { id: fileId } = await stageFile(teamId, file);
    meta?.attempt?.assertHeld();
    const res = await sending(meta?.attempt, () =>
      call(
        teamId,
        'files.completeUploadExternal',
        () =>
          posting<CompletedUpload>('files.completeUploadExternal', {
            files: [{ id: fileId, ...(file.title === undefined ? {} : { title: file.title }) }],
            channel_id: file.channelId,
            ...(file.threadTs === undefined ? {} : { thread_ts: file.threadTs }),
            ...(file.initialComment === undefined ? {} : { initial_comment: file.initialComment }),
          }),
        meta,
        file.channelId,
      ),
    );
    const fileIds = (res.files ?? []).map((f) => f.id ?? '').filter(Boolean);
    return { fileIds: fileIds.length > 0 ? fileIds : [fileId] };
  }

  /** Several files shared in one message: each file's bytes go up, then one completeUploadExternal shares them all. */
  async function uploadFiles(teamId: string, channelId: string, upload: UploadFilesInput, meta?: CallMeta): Promise<{ fileIds: string[] }> {
    const staged: { id: string; title?: string }[] = [];
    for (const file of upload.files) staged.push(await stageFile(teamId, file));
    const res = await call(
      teamId,
      'files.completeUploadExternal',
      () =>
        posting<CompletedUpload>('files.completeUploadExternal', {
          files: staged,
          channel_id: channelId,
          ...(upload.initialComment === undefined ? {} : { initial_comment: upload.initialComment }),
        }),
      meta,
      channelId,
    );
    const fileIds = (res.files ?? []).map((f) => f.id ?? '').filter(Boolean);
    return { fileIds: fileIds.length > 0 ? fileIds : staged.map((f) => f.id) };
  }

  return {
    client,
    postMessage,
    async updateMessage(teamId, args, meta) {
      await call(teamId, 'chat.update', () => request('chat.update', { ...args }), meta);
    },
    async deleteMessage(teamId, channel, ts) {
      await call(teamId, 'chat.delete', () => request('chat.delete', { channel, ts }));
    },
    async postEphemeral(teamId, args, meta) {
      await call(teamId, 'chat.postEphemeral', () => request('chat.postEphemeral', { ...args }), meta);
    },
    // A scheduled DM's open is paced too: it waits out a 429 on conversations.open.
    sendDm: (teamId, userId, message, meta) => inDm(teamId, userId, meta, (channel) => postMessage(teamId, { ...message, channel }, meta)),
    uploadFileToDm: (teamId, userId, file, meta) =>
      inDm(teamId, userId, meta, async (channel) => ({ channel, ...(await uploadFile(teamId, { ...file, channelId: channel }, meta)) })),
    uploadFilesToDm: (teamId, userId, upload, meta) => inDm(teamId, userId, meta, async (channel) => ({ channel, ...(await uploadFiles(teamId, channel, upload, meta)) })),
    async openView(teamId, args) {
      const res = await call(teamId, 'views.open', () => request<{ view?: { id?: string } }>('views.open', { ...args }));
      return { viewId: res.view?.id ?? '' };
    },
    async updateView(teamId, args) {
      await call(teamId, 'views.update', () => request('views.update', { ...args }));
    },
    async publishHome(teamId, args) {
      await call(teamId, 'views.publish', () => request('views.publish', { ...args }));
    },
    async fetchProfile(teamId, userId, lookup = {}) {
      const res = await call(teamId, 'users.info', () => api.call<UsersInfoResponse>('users.info', { user: userId }, lookup.quick === true ? { retries: 0, timeoutMs: QUICK_CALL_TIMEOUT_MS } : {}));
      return toAccount(userId, res.user).profile;
    },
    async fetchAccountKind(teamId, userId) {
      const res = await call(teamId, 'users.info', () => request<UsersInfoResponse>('users.info', { user: userId }));
      const { isBot, deleted, profile } = toAccount(userId, res.user);
      return { isBot, deleted, name: profile.name };
    },
    async fetchAccount(teamId, userId) {
      const res = await call(teamId, 'users.info', () => request<UsersInfoResponse>('users.info', { user: userId }));
      return toAccount(userId, res.user);
    },
    async listChannelMembers(teamId, channelId, meta) {
      const members: string[] = [];
      let cursor: string | undefined;
      // Slack pages at up to 1,000; a cap on pages keeps a runaway cursor from looping forever.
      for (let page = 0; page < 100; page += 1) {
        const res = await call(teamId, 'conversations.members', () => request<{ members?: string[]; response_metadata?: { next_cursor?: string } }>('conversations.members', { channel: channelId, limit: 500, ...(cursor === undefined ? {} : { cursor }) }), meta);
        members.push(...(res.members ?? []));
        cursor = res.response_metadata?.next_cursor || undefined;
        if (cursor === undefined) break;
      }
      return [...new Set(members)];
    },
    async fetchChannelMembership(teamId, channelId) {
      const res = await call(teamId, 'conversations.info', () => request<{ channel?: unknown }>('conversations.info', { channel: channelId }));
      const channel = ChannelInfo.safeParse(res.channel);
      if (!channel.success) throw new SlackCallError('conversations.info', 'invalid_response', 'transient');
      const name = channel.data.name ?? null;
      return { isMember: channel.data.is_member === true, isMpim: channel.data.is_mpim === true || (name ?? '').startsWith('mpdm-'), name };
    },
    async openGroupDm(teamId, userIds, meta) {
      // Posting nothing, so it is not paced by channel; a scheduled one still waits out a 429.
      const res = await call(teamId, 'conversations.open', () => request<OpenedConversation>('conversations.open', { users: userIds.join(',') }), meta);
      const channel = res.channel?.id;
      if (channel === undefined) throw new SlackCallError('conversations.open', 'no_channel', 'permanent');
      return channel;
    },
    async respond(responseUrl, body) {
      await api.post('response_url', responseUrl, JSON.stringify(body), 'application/json');
    },
    uploadFile,
  };
}

/**
 * The messenger as the app runs it (main.ts, and the tests and benchmarks that mirror it): paced
 * to each workspace's messages-per-minute setting through the database (one cap and one 429 pause
 * for every process on the file), DM channels kept on member rows.
 */
export function createAppMessenger(config: Config, logger: Logger, deps: ServiceDeps): Messenger {
  return createMessenger(config, logger, {
    clock: deps.clock,
    capFor: (teamId) => getSettings(deps, teamId).messagesPerMinute,
    dmChannelStore: memberDmChannels(deps),
    sendBudget: createSendBudget(deps),
  });
}
