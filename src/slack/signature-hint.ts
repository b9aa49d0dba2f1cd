import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidSlackRequest } from '@slack/bolt';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/**
 * Bolt answers a request whose signature does not match with 401 and a warning that never says
 * which setting is wrong. A wrong SLACK_SIGNING_SECRET makes every request from Slack fail that
 * way, so this names the setting and where to copy it, at most once a minute (a busy workspace
 * would otherwise repeat it on every click).
 */
export const SIGNING_SECRET_HINT =
  'Slack requests are being refused: their signature does not match SLACK_SIGNING_SECRET. Copy the Signing Secret again from Basic Information > App Credentials of the same Slack app whose Request URL points here (not the Client Secret or the Verification Token), put it in SLACK_SIGNING_SECRET, and restart Peerloop (.env is read only at start-up).';

export const SIGNING_SECRET_HINT_EVERY_MS = 60_000;

export interface SignatureHintOptions {
  signingSecret: string;
  clock: Clock;
  logger: Logger;
}

/** Returns an observer to call for every request handed to Bolt's HTTP receiver. */
export function createSignatureHint(options: SignatureHintOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { signingSecret, clock, logger } = options;
  let lastWarnedAt: number | undefined;
  let refusedSince = 0;
  return (req, res) => {
    res.once('finish', () => {
      if (res.statusCode !== 401 || !signedWithAnotherSecret(req, signingSecret)) return;
      refusedSince += 1;
      const now = clock.now();
      if (lastWarnedAt !== undefined && now - lastWarnedAt < SIGNING_SECRET_HINT_EVERY_MS) return;
      logger.warn({ setting: 'SLACK_SIGNING_SECRET', refusedRequests: refusedSince }, SIGNING_SECRET_HINT);
      lastWarnedAt = now;
      refusedSince = 0;
    });
  };
}

/**
 * True when the request carries a well-formed Slack signature that our secret does not produce.
 * Bolt also answers 401 for a stale timestamp (a clock problem) and for requests with no
 * signature at all (scanners, not Slack): those say nothing about the secret.
 */
function signedWithAnotherSecret(req: IncomingMessage, signingSecret: string): boolean {
  const signature = req.headers['x-slack-signature'];
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  // Bolt keeps the body it read on the request.
  const rawBody = (req as IncomingMessage & { rawBody?: unknown }).rawBody;
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature) || !Number.isInteger(timestamp) || !Buffer.isBuffer(rawBody)) return false;
  return !isValidSlackRequest({
    signingSecret,
    body: rawBody.toString(),
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
    // Judged at the request's own time: staleness is not what this check is about.
    nowMilliseconds: timestamp * 1000,
  });
}
