import { WebClient, type ChatPostMessageArguments, type ChatUpdateArguments, type ChatPostEphemeralArguments, type ViewsOpenArguments, type ViewsUpdateArguments, type ViewsPublishArguments } from '@slack/web-api';
import type { Config } from '../config.js';
import { toBoltLogger, type Logger } from '../logger.js';
import type { MemberProfile } from '../services/members.js';
import { SlackCallError, toSlackCallError } from './slack-errors.js';

/**
 * The one place that talks to the Slack Web API. Listeners and jobs call these verbs and get
 * either the result or a SlackCallError whose `kind` says whether to retry.
 *
 * Retry policy (the SDK default retries for about 30 minutes, far too long for a bot that must
 * answer a click): each call gets a 10 s timeout and at most 2 quick retries (0.25 s, then up to
 * 2 s) for 5xx and network errors. A 429 is never waited out inside a call, because the SDK would
 * pause its whole queue (every workspace) for Retry-After; it surfaces as `rate_limited` with the
 * wait, and the caller (the job scheduler) reschedules.
 */
export interface Messenger {
  readonly client: WebClient;
  postMessage(teamId: string, args: ChatPostMessageArguments, meta?: CallMeta): Promise<{ channel: string; ts: string }>;
  updateMessage(teamId: string, args: ChatUpdateArguments, meta?: CallMeta): Promise<void>;
  postEphemeral(teamId: string, args: ChatPostEphemeralArguments, meta?: CallMeta): Promise<void>;
  /** Opens (or reuses) the DM channel with a person and posts there. */
  sendDm(teamId: string, userId: string, args: Omit<ChatPostMessageArguments, 'channel'>, meta?: CallMeta): Promise<{ channel: string; ts: string }>;
  openDmChannel(teamId: string, userId: string): Promise<string>;
  openView(teamId: string, args: ViewsOpenArguments): Promise<{ viewId: string }>;
  updateView(teamId: string, args: ViewsUpdateArguments): Promise<void>;
  publishHome(teamId: string, args: ViewsPublishArguments): Promise<void>;
  fetchProfile(teamId: string, userId: string): Promise<MemberProfile>;
  /** Posts to a response_url (slash command or interaction); used for replies after ack. */
  respond(responseUrl: string, body: Record<string, unknown>): Promise<void>;
}

/** Logged with every attempt, so a job's sends can be traced by its key. */
export interface CallMeta {
  jobKey?: string;
}

export const SLACK_CALL_TIMEOUT_MS = 10_000;
export const SLACK_CALL_RETRIES = { retries: 2, factor: 4, minTimeout: 250, maxTimeout: 2_000, randomize: true } as const;

export function createWebClient(config: Config, logger: Logger): WebClient {
  return new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: SLACK_CALL_RETRIES,
    rejectRateLimitedCalls: true,
    logger: toBoltLogger(logger),
  });
}

export function createMessenger(config: Config, logger: Logger, client: WebClient = createWebClient(config, logger)): Messenger {
  const log = logger.child({ component: 'messenger' });
  // DM channel ids never change for a (workspace, person) pair; caching saves a call per DM.
  const dmChannels = new Map<string, string>();

  async function call<T>(teamId: string, method: string, run: () => Promise<T>, meta: CallMeta = {}): Promise<T> {
    try {
      const result = await run();
      log.debug({ teamId, method, jobKey: meta.jobKey }, 'slack call ok');
      return result;
    } catch (error) {
      const failure = toSlackCallError(method, error);
      log.warn({ teamId, method, jobKey: meta.jobKey, code: failure.code, kind: failure.kind, retryAfterMs: failure.retryAfterMs }, 'slack call failed');
      throw failure;
    }
  }

  async function openDmChannel(teamId: string, userId: string): Promise<string> {
    const cacheKey = `${teamId}:${userId}`;
    const cached = dmChannels.get(cacheKey);
    if (cached !== undefined) return cached;
    const res = await call(teamId, 'conversations.open', () => client.conversations.open({ users: userId }));
    const channel = res.channel?.id;
    if (channel === undefined) throw new SlackCallError('conversations.open', 'no_channel', 'permanent');
    dmChannels.set(cacheKey, channel);
    return channel;
  }

  async function postMessage(teamId: string, args: ChatPostMessageArguments, meta?: CallMeta) {
    const res = await call(teamId, 'chat.postMessage', () => client.chat.postMessage(args), meta);
    return { channel: res.channel ?? String(args.channel), ts: res.ts ?? '' };
  }

  return {
    client,
    postMessage,
    async updateMessage(teamId, args, meta) {
      await call(teamId, 'chat.update', () => client.chat.update(args), meta);
    },
    async postEphemeral(teamId, args, meta) {
      await call(teamId, 'chat.postEphemeral', () => client.chat.postEphemeral(args), meta);
    },
    openDmChannel,
    async sendDm(teamId, userId, args, meta) {
      const channel = await openDmChannel(teamId, userId);
      return postMessage(teamId, { ...args, channel } as ChatPostMessageArguments, meta);
    },
    async openView(teamId, args) {
      const res = await call(teamId, 'views.open', () => client.views.open(args));
      return { viewId: res.view?.id ?? '' };
    },
    async updateView(teamId, args) {
      await call(teamId, 'views.update', () => client.views.update(args));
    },
    async publishHome(teamId, args) {
      await call(teamId, 'views.publish', () => client.views.publish(args));
    },
    async fetchProfile(teamId, userId) {
      const res = await call(teamId, 'users.info', () => client.users.info({ user: userId }));
      const user = res.user;
      return {
        name: user?.profile?.display_name || user?.real_name || user?.name || null,
        timeZone: user?.tz ?? null,
        isSlackAdmin: Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner),
      };
    },
    async respond(responseUrl, body) {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(SLACK_CALL_TIMEOUT_MS),
      });
      if (!res.ok) throw new SlackCallError('response_url', `http_${res.status}`, res.status >= 500 ? 'transient' : 'permanent');
    },
  };
}
