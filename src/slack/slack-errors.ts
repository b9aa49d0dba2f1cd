import { z } from 'zod';

/**
 * Every failed Web API call is reduced to one of three kinds, which decide what happens next:
 * - permanent: retrying cannot help (the channel is gone, the person left); record and stop.
 * - rate_limited: Slack said 429; wait `retryAfterMs`, then try again.
 * - transient: 5xx, network or timeout; retry a bounded number of times with backoff.
 * The messenger (the only user of the Web API client) turns the client's errors into these.
 */
export type SlackFailureKind = 'permanent' | 'transient' | 'rate_limited';

export class SlackCallError extends Error {
  constructor(
    readonly method: string,
    /** Slack's error code (`channel_not_found`), or `http_500`, `network`, `rate_limited`. */
    readonly code: string,
    readonly kind: SlackFailureKind,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`${method} failed: ${code}`, options);
    this.name = 'SlackCallError';
  }
}

/** Errors meaning the bot cannot post in a channel until someone invites it. */
export const NOT_IN_CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Errors meaning the app's token lacks a permission: nothing works until the app is reinstalled. */
export const MISSING_SCOPE_ERRORS = new Set(['missing_scope', 'not_allowed_token_type']);

const NeededScope = z.object({ data: z.object({ needed: z.string().regex(/^[a-z][a-z:._,-]{0,99}$/) }) });

/** The permission Slack says is missing (its `needed` field), else `fallback`. */
export function neededScope(error: SlackCallError, fallback: string): string {
  const parsed = NeededScope.safeParse(error.cause);
  return parsed.success ? parsed.data.data.needed : fallback;
}
