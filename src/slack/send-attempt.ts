import { z } from 'zod';

/**
 * What makes a scheduled post safe to repeat. Every message a job posts carries Slack message
 * metadata naming the job and which of its posts it is (event_type `peerloop_job`). When an
 * earlier attempt may have reached Slack without its result being recorded (its process was
 * killed mid-send, or the post timed out), the next attempt first reads the conversation since
 * that attempt began and, if the post is there, takes it instead of posting again. So a message
 * Slack accepted is never posted twice, and one it never got is always posted.
 */

/** The metadata event type on every message a job posts. */
export const JOB_MESSAGE_EVENT = 'peerloop_job';

/**
 * Slack's clock and ours may differ a little; the look back starts this much earlier. A post is
 * matched by its job's metadata, so looking further back costs nothing; a file has no metadata
 * and is matched by name and title, so its look back starts only a little before the attempt.
 */
export const VERIFY_SKEW_MS = 60_000;
export const FILE_VERIFY_SKEW_MS = 10_000;
/** Pages of 200 messages read at most when looking for an earlier post (a busy channel). */
export const VERIFY_MAX_PAGES = 5;

export interface SendAttempt {
  /** Posts of an earlier attempt since this time (ms) may have reached Slack; null: none can have. */
  readonly verifySince: number | null;
  /** Before each post: throws JobNotHeldError when the job's lease has run out (this process missed its heartbeats), so nothing may be posted; else the lease lasts past the post. */
  assertHeld(): void;
  /** How many posts this attempt made so far in each conversation (and thread): numbers each post. */
  readonly posts: Map<string, number>;
  /**
   * Set once a post of this attempt may be in Slack: Slack accepted it, or its outcome is unknown
   * (a timeout, a 5xx, a dropped connection). Not for a post held back by pacing or refused (429,
   * ok:false): those are certainly not there.
   */
  postSent: boolean;
}

/**
 * This process no longer holds the job: its lease ran out (it missed its heartbeats), and another
 * process may take it over or has. Not a Slack error, so no flow mistakes it for Slack refusing the
 * post (a flow that records a refusal only acts on SlackCallError); the scheduler leaves the job
 * to whoever holds it.
 */
export class JobNotHeldError extends Error {
  constructor(readonly jobKey: string) {
    super(`job ${jobKey} is no longer held by this process; nothing was sent`);
    this.name = 'JobNotHeldError';
  }
}

/** The metadata of the next post of this attempt into `channel` (and `threadTs`), counting it. */
export function nextPostMetadata(attempt: SendAttempt, jobKey: string, channel: string, threadTs: string | undefined): JobMessageMetadata {
  const where = `${channel}/${threadTs ?? ''}`;
  const part = (attempt.posts.get(where) ?? 0) + 1;
  attempt.posts.set(where, part);
  return { event_type: JOB_MESSAGE_EVENT, event_payload: { job: jobKey, part } };
}

export interface JobMessageMetadata {
  event_type: typeof JOB_MESSAGE_EVENT;
  event_payload: { job: string; part: number };
}

const HistoryMessage = z.object({
  ts: z.string(),
  metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** The ts of the message in `messages` that carries exactly this metadata, if any. */
export function findPosted(messages: unknown, metadata: JobMessageMetadata): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const raw of messages) {
    const message = HistoryMessage.safeParse(raw);
    if (!message.success || message.data.metadata?.event_type !== JOB_MESSAGE_EVENT) continue;
    const payload = message.data.metadata.event_payload;
    if (payload?.job === metadata.event_payload.job && payload?.part === metadata.event_payload.part) return message.data.ts;
  }
  return undefined;
}

/** Slack's `oldest` for the look back: seconds, as Slack writes a message ts. */
export function oldestTs(verifySince: number, skewMs = VERIFY_SKEW_MS): string {
  return (Math.max(0, verifySince - skewMs) / 1000).toFixed(6);
}

const FileMessage = z.object({ files: z.array(z.object({ id: z.string(), name: z.string().optional(), title: z.string().optional() })) });

/** The id of a file in `messages` with this name (and title, when given): an upload an interrupted attempt made. */
export function findUploaded(messages: unknown, file: { filename: string; title?: string }): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const raw of messages) {
    const message = FileMessage.safeParse(raw);
    if (!message.success) continue;
    const found = message.data.files.find((f) => f.name === file.filename && (file.title === undefined || f.title === file.title));
    if (found !== undefined) return found.id;
  }
  return undefined;
}
