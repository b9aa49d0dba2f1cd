import { Agent, request } from 'node:http';
import { signRequest } from '../../test/support/sign.js';
import type { ReplyLog } from './children.js';
import { nowUs } from '../servers/protocol.js';

/** One request to /slack/events, unsigned: the load generator signs it just before sending. */
export interface BenchRequest {
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /**
   * Where the reply the person sees arrives when the ack body does not carry it: a key of the
   * fake Slack's reply log (`response:<id>`, see bench/servers/fake-slack.ts), or 'ack' when the
   * ack itself is what they see (a modal closing). Undefined: the ack body must carry it.
   */
  reply?: string;
  /** Something else the person sees later, timed apart (a Join's card update: `update:<channel>:<ts>`). */
  card?: string;
}

/** One request as sent: when (µs of nowUs()), its HTTP answer, and where its reply goes. */
export interface RequestSample {
  /** When it was meant to go (open loop) or went (closed loop). */
  sentUs: number;
  /** When the last byte of the ack arrived; undefined when it failed. */
  ackUs: number | undefined;
  /** The ack's body carries a message for the person (a slash command answered in the ack). */
  ackCarriesReply: boolean;
  reply: string | undefined;
  card: string | undefined;
}

/** An ack body that shows the person something: a message's text or blocks (not `{}` or a modal's clear). */
function carriesMessage(body: string): boolean {
  if (body === '') return false;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return typeof parsed.text === 'string' || Array.isArray(parsed.blocks);
  } catch {
    return true; // plain text answers are shown as they are
  }
}

/** Modal answers that keep the form open with errors: the submission was refused. */
function isRefusal(body: string): boolean {
  return body.includes('"response_action":"errors"');
}

/** Signs and sends one request; returns its sample (ackUs undefined and an error message when it failed). */
export async function sendSigned(port: number, path: string, agent: Agent, spec: BenchRequest, sentUs = nowUs()): Promise<{ sample: RequestSample; error?: string }> {
  const headers = {
    'content-type': spec.contentType,
    'content-length': String(Buffer.byteLength(spec.body)),
    ...signRequest(spec.body),
  };
  const sample: RequestSample = { sentUs, ackUs: undefined, ackCarriesReply: false, reply: spec.reply, card: spec.card };
  try {
    const { status, body } = await send(port, path, agent, headers, spec.body);
    if (status !== 200) return { sample, error: `HTTP ${status}` };
    if (isRefusal(body)) return { sample, error: `refused: ${body.slice(0, 200)}` };
    sample.ackUs = nowUs();
    sample.ackCarriesReply = carriesMessage(body);
    return { sample };
  } catch (error) {
    return { sample, error: error instanceof Error ? error.message : String(error) };
  }
}

export interface ReplyTimes {
  /** Request to reply on screen, in ms, for every request whose reply arrived. */
  replyMs: number[];
  /** Request to card update, in ms, for requests that name one and whose update arrived. */
  cardMs: number[];
  /** Acked requests whose reply has not arrived. */
  missing: number;
  /** Acked requests whose reply was in the ack body. */
  inAck: number;
}

/**
 * Matches each acked request to the reply the person saw: the ack when its body carried the
 * message (or the request says the ack is it), else the first arrival of its reply key after it
 * was sent. Without a reply log (the bare app) the ack is all there is.
 */
export function replyTimes(samples: readonly RequestSample[], log: ReplyLog | undefined): ReplyTimes {
  const out: ReplyTimes = { replyMs: [], cardMs: [], missing: 0, inAck: 0 };
  for (const s of samples) {
    if (s.ackUs === undefined) continue;
    if (s.ackCarriesReply || s.reply === 'ack' || s.reply === undefined || log === undefined) {
      out.inAck += s.ackCarriesReply ? 1 : 0;
      out.replyMs.push((s.ackUs - s.sentUs) / 1000);
    } else {
      const at = log.firstAt(s.reply, s.sentUs);
      if (at === undefined) out.missing += 1;
      else out.replyMs.push((Math.max(at, s.ackUs) - s.sentUs) / 1000);
    }
    if (s.card !== undefined && log !== undefined) {
      const at = log.firstAt(s.card, s.sentUs);
      if (at !== undefined) out.cardMs.push((at - s.sentUs) / 1000);
    }
  }
  return out;
}

/** What a request factory may need to know about the server it targets. */
export interface RequestTarget {
  /**
   * Where response_url should point: the fake Slack inside the server, so replies sent after
   * the ack never leave the machine. Undefined for servers without one (the bare app never replies).
   */
  responseUrlBase: string | undefined;
  /** Unique to one run of requests, so response_url ids (and their replies) never repeat across runs. */
  tag: string;
}

let tags = 0;
/** A target with a fresh tag. */
export function createTarget(responseUrlBase: string | undefined): RequestTarget {
  tags += 1;
  return { responseUrlBase, tag: `r${tags}` };
}

export type RequestFactory = (index: number, target: RequestTarget) => BenchRequest;

export interface LoadOptions {
  port: number;
  /** Reused across rounds so connections stay warm; maxSockets should equal `concurrency`. */
  agent: Agent;
  count: number;
  concurrency: number;
  requestFor: RequestFactory;
  target: RequestTarget;
  path?: string;
}

export interface LoadResult {
  /** Latency of every successful (HTTP 200) request, in ms, in completion order. */
  latenciesMs: number[];
  /** Every request, in completion order (failed ones with ackUs undefined). */
  samples: RequestSample[];
  /** Wall time of the whole batch, in ms. */
  elapsedMs: number;
  errors: number;
  /** The first few failures, to say what went wrong. */
  errorSamples: string[];
}

export function createAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/**
 * Sends `count` signed requests with at most `concurrency` in flight and times each one from
 * just before the request is written to the last byte of the response.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { port, agent, count, concurrency, requestFor, target, path = '/slack/events' } = options;
  const latenciesMs: number[] = [];
  const samples: RequestSample[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;

  const recordError = (message: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(message);
  };

  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      const spec = requestFor(index, target);
      const { sample, error } = await sendSigned(port, path, agent, spec);
      samples.push(sample);
      if (error === undefined) latenciesMs.push((sample.ackUs! - sample.sentUs) / 1000);
      else recordError(error);
    }
  }

  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { latenciesMs, samples, elapsedMs, errors, errorSamples };
}

function send(port: number, path: string, agent: Agent, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
      // The body must be read to its end before the socket can serve the next request.
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export function percentile(sortedAsc: readonly number[], p: number): number {
  if (sortedAsc.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1]!;
}
