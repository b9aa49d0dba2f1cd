import { ErrorCode, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';

/**
 * Every failed Web API call is reduced to one of three kinds, which decide what happens next:
 * - permanent: retrying cannot help (the channel is gone, the person left); record and stop.
 * - rate_limited: Slack said 429; wait `retryAfterMs`, then try again.
 * - transient: 5xx, network or timeout; retry a bounded number of times with backoff.
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

/** Slack errors that a later retry may cure; everything else ok:false is permanent. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

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

/** Errors meaning the bot cannot post in a channel until someone invites it. */
export const NOT_IN_CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);
