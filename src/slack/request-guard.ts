import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { verifySlackRequest } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { COMMAND, SCHEDULE_SHORTCUT } from './ids.js';

/*
 * Every payload Slack sends is checked here, after its signature and before Bolt sees it.
 * Bolt 5.1 trusts the shape of a signed payload, and a malformed one (measured over HTTP):
 * - JSON `null` (as the body or as `payload=`): its HTTPReceiver reads `body.ssl_check` outside
 *   any try, so the request hangs with no answer and the process gets an unhandled rejection;
 * - an array, a number, `{}`, `app_rate_limited`, `event_callback` without `event`, `view_closed`,
 *   an unknown interaction type, command or shortcut, `actions: []`, a slash command without
 *   user_id or team_id or with two `text` fields: nothing calls ack(), so after 3 s its
 *   unhandled-request timer answers 404 (Slack has shown the person an error by then);
 * - no `user`, no `view`, an event that is a string, `channel: null`: a TypeError inside
 *   App.processEvent before the ack, answered 500.
 * Over Socket Mode the SDK reads `payload.event.type` of every events_api envelope before Bolt,
 * so an envelope without an event was an unhandled rejection and never acknowledged.
 *
 * So a payload is classified here the way Bolt classifies it (helpers.getTypeAndConversation:
 * event, then command, then options, actions, shortcut, view), and checked for the fields Bolt
 * and Peerloop's listeners read without checking. Answers: 200 with nothing done where Slack
 * only expects an ack (`app_rate_limited`, `view_closed`), else 400 and a warn line naming the
 * fault. Well-formed payloads go on to Bolt untouched.
 */

/** How a payload reaches Peerloop: a Socket Mode envelope type names it; over HTTP any goes. */
export type PayloadKind = 'events' | 'command' | 'interactive' | 'handshake';

const KIND_NAMES: Readonly<Record<PayloadKind, string>> = { events: 'an Events API payload', command: 'a slash command', interactive: 'an interaction', handshake: 'a handshake' };
const ENVELOPE_NAMES: Readonly<Record<PayloadKind, string>> = { events: 'an events_api envelope', command: 'a slash_commands envelope', interactive: 'an interactive envelope', handshake: 'a handshake' };

export type Screening =
  | { verdict: 'pass'; kind: PayloadKind }
  /** Slack expects only an ack: answer 200 and do nothing else. */
  | { verdict: 'ack'; kind: PayloadKind; level: 'warn' | 'debug'; message: string; fields: Record<string, unknown> }
  | { verdict: 'refuse'; problem: string };

const describe = (input: unknown): string =>
  input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input === 'object' ? 'an object' : typeof input === 'string' ? 'a string' : `a ${typeof input}`;

/** A value from the payload, quoted and cut short for a log line. */
const quoted = (value: unknown) => JSON.stringify(String(value).slice(0, 40));
const fault = (expected: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is missing' : `should be ${expected}, not ${describe(issue.input)}`);
const text = () => z.string({ error: fault('a string') });
const id = () => text().min(1, 'is empty');
// Loose: Slack adds fields over time, and only the ones named here are read unchecked.
const object = <Shape extends z.core.$ZodLooseShape>(shape: Shape) => z.looseObject(shape, { error: fault('an object') });

// Bolt reads `channel.id` whenever `channel` is present, and `user.team_id` when `team` is null.
const interactionBase = {
  user: object({ id: id(), team_id: id().optional() }),
  team: object({ id: id() }).nullable().optional(),
  channel: object({}).optional(),
};

const Interactions = {
  block_actions: object({
    ...interactionBase,
    actions: z.array(object({ action_id: text() }), { error: fault('an array') }).min(1, 'is empty'),
    view: object({}).optional(),
  }),
  view_submission: object({
    ...interactionBase,
    view: object({ id: id(), callback_id: text(), state: object({ values: object({}) }) }),
  }),
  block_suggestion: object({ ...interactionBase, action_id: text(), value: text(), view: object({}).optional() }),
  shortcut: object({ ...interactionBase, callback_id: text(), trigger_id: id() }),
} as const;
type InteractionType = keyof typeof Interactions;

const SlashCommand = object({
  command: text(),
  text: text().optional(),
  team_id: id(),
  user_id: id(),
  channel_id: id(),
  trigger_id: id(),
  response_url: text(),
});

// Bolt's getTypeAndConversation and buildSource use `in` on channel, item and subteam and read
// `user.id` when user is an object: each must be an object (or a string where Slack sends one).
const EventCallback = object({
  type: z.literal('event_callback', { error: (issue) => (issue.input === undefined ? 'is missing' : `should be "event_callback", not ${quoted(issue.input)}`) }),
  team_id: id().optional(),
  authorizations: z.array(object({ team_id: id().nullable().optional() }), { error: fault('an array') }).optional(),
  event: object({
    type: id(),
    user: z.union([text(), object({})], { error: fault('a string or an object') }).optional(),
    channel: z.union([text(), object({})], { error: fault('a string or an object') }).optional(),
    item: object({}).optional(),
    subteam: object({}).optional(),
  }),
});

/** Events whose listener acts for a person (the actor), so `event.user` must name one. */
const EVENTS_ABOUT_A_PERSON = new Set(['app_home_opened']);

function firstProblem(error: z.ZodError, what: string): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return `${what}: ${path === '' ? '' : `${path} `}${issue.message}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks one parsed payload. `expected` is the kind its Socket Mode envelope announced (the SDK
 * reads an events_api payload's event before Bolt does); over HTTP any kind goes.
 */
export function screenPayload(body: unknown, expected?: PayloadKind): Screening {
  const screening = classify(body);
  if (expected !== undefined && screening.verdict !== 'refuse' && screening.kind !== expected) {
    return { verdict: 'refuse', problem: `${ENVELOPE_NAMES[expected]} holds ${KIND_NAMES[screening.kind]}` };
  }
  return screening;
}

function classify(body: unknown): Screening {
  if (!isRecord(body)) return { verdict: 'refuse', problem: `the payload is ${describe(body)}, not an object` };
  // Bolt's HTTP receiver answers these itself, before any listener.
  if (body.ssl_check === '1' || body.type === 'url_verification') return { verdict: 'pass', kind: 'handshake' };
  if (body.event !== undefined || body.type === 'event_callback') return checkEvent(body);
  if (body.type === 'app_rate_limited') {
    return {
      verdict: 'ack',
      kind: 'events',
      level: 'warn',
      // Slack's documented reason: more than 30,000 events an hour from one workspace.
      message: 'Slack is rate-limiting the events it sends Peerloop for this workspace (over 30,000 an hour); events are dropped until the limit lifts',
      fields: { teamId: body.team_id, minuteRateLimited: body.minute_rate_limited },
    };
  }
  if (body.command !== undefined) return checkCommand(body);
  if (typeof body.type === 'string') return checkInteraction(body, body.type);
  return { verdict: 'refuse', problem: 'the payload has no event, command or interaction type' };
}

function checkEvent(body: Record<string, unknown>): Screening {
  const parsed = EventCallback.safeParse(body);
  if (!parsed.success) return { verdict: 'refuse', problem: firstProblem(parsed.error, 'event_callback') };
  const { authorizations, team_id: teamId, event } = parsed.data;
  if ((authorizations?.[0]?.team_id ?? teamId) === undefined) return { verdict: 'refuse', problem: 'event_callback: no workspace (team_id and authorizations are both missing)' };
  if (EVENTS_ABOUT_A_PERSON.has(event.type) && (typeof event.user !== 'string' || event.user === '')) {
    return { verdict: 'refuse', problem: `event_callback: event.user is missing (${event.type} is about a person)` };
  }
  return { verdict: 'pass', kind: 'events' };
}

function checkCommand(body: Record<string, unknown>): Screening {
  const parsed = SlashCommand.safeParse(body);
  if (!parsed.success) return { verdict: 'refuse', problem: firstProblem(parsed.error, 'slash command') };
  // Peerloop's manifest declares only /peer; another command would go unanswered.
  if (parsed.data.command !== COMMAND) return { verdict: 'refuse', problem: `slash command: unknown command ${quoted(parsed.data.command)}` };
  return { verdict: 'pass', kind: 'command' };
}

function checkInteraction(body: Record<string, unknown>, type: string): Screening {
  if (type === 'view_closed') {
    // Slack sends it only for modals opened with notify_on_close, which Peerloop never sets.
    return { verdict: 'ack', kind: 'interactive', level: 'debug', message: 'view_closed acknowledged; Peerloop keeps nothing open for a modal', fields: {} };
  }
  if (!Object.hasOwn(Interactions, type)) return { verdict: 'refuse', problem: `unknown interaction type ${quoted(type)}` };
  // Bolt tells options from actions by `name` and `actions` before it looks at the type.
  if ((body.name !== undefined && type !== 'block_suggestion') || (body.actions !== undefined && type !== 'block_actions')) {
    return { verdict: 'refuse', problem: `${type}: unexpected ${body.name !== undefined ? 'name' : 'actions'} field` };
  }
  const parsed = Interactions[type as InteractionType].safeParse(body);
  if (!parsed.success) return { verdict: 'refuse', problem: firstProblem(parsed.error, type) };
  const { user, team } = parsed.data;
  const view = 'view' in parsed.data && isRecord(parsed.data.view) ? parsed.data.view : undefined;
  const workspace = [view?.app_installed_team_id, team?.id, user.team_id, view?.team_id].find((v) => typeof v === 'string' && v !== '');
  if (workspace === undefined) return { verdict: 'refuse', problem: `${type}: no workspace (team.id and user.team_id are both missing)` };
  if (type === 'shortcut' && body.callback_id !== SCHEDULE_SHORTCUT) return { verdict: 'refuse', problem: `shortcut: unknown callback_id ${quoted(body.callback_id)}` };
  return { verdict: 'pass', kind: 'interactive' };
}

/** Bolt parses a body as a form only for this exact content type, and as JSON otherwise. */
const FORM = 'application/x-www-form-urlencoded';

/** A form body as Bolt parses it (HTTPModuleFunctions.parseHTTPRequestBody), or why it cannot be used. */
function parseBody(contentType: string | undefined, raw: string): { body: unknown } | { problem: string } {
  if (contentType === FORM) {
    const fields = parseForm(raw);
    // node:querystring turns a repeated field into an array, which no listener expects.
    for (const [name, value] of Object.entries(fields)) {
      if (Array.isArray(value)) return { problem: `form field ${quoted(name)} appears ${value.length} times` };
    }
    return { body: typeof fields.payload === 'string' ? JSON.parse(fields.payload) : fields };
  }
  return { body: JSON.parse(raw) };
}

export interface RequestGuardOptions {
  signingSecret: string;
  logger: Logger;
  /** Larger bodies are refused with 413, as Bolt would. */
  bodyLimit: number;
  /** Bolt's endpoint (POST only); every other request goes straight to Bolt. */
  path: string;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps Bolt's HTTP request listener, which must be built with `signatureVerification: false`:
 * the signature is checked here, first, with Bolt's own verifySlackRequest, and answered as Bolt
 * answered it (413 past the body limit, 200 for ssl_check, 401 with Bolt's warn line for any
 * request it cannot verify), so an unsigned request learns nothing about the shape checks.
 * Only then is the payload checked. Bolt reuses the body read here (it keeps `req.rawBody`).
 * Checking the signature once, here, keeps the ack's cost what it was: Bolt no longer hashes
 * the body nor parses a form for ssl_check, and the routing test and the shape check cost about
 * 3 µs a request (bench `ack`).
 */
export function guardSlackRequests(bolt: Listener, options: RequestGuardOptions): Listener {
  const { signingSecret, logger, bodyLimit, path } = options;
  return (req, res) => {
    // Bolt's own routing test (HTTPReceiver.unboundRequestListener), so both agree on what is its endpoint.
    if (req.method?.toUpperCase() !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== path) {
      bolt(req, res);
      return;
    }
    screenRequest(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'the request guard failed');
      if (!res.headersSent) answer(res, 500);
    });
  };

  async function screenRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, bodyLimit);
    if (raw === 'too_large') {
      logger.warn({ limit: bodyLimit }, `Request body exceeded the maximum allowed size (limit: ${bodyLimit} bytes)`);
      answer(res, 413);
      return;
    }
    if (raw === 'aborted') return;
    // Kept where the signature hint (signature-hint.ts) looks for it.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    const textBody = raw.toString();
    const contentType = req.headers['content-type'];
    const unsigned = signatureFault(req, textBody, signingSecret);
    if (unsigned !== undefined) {
      // Slack's ssl_check is not signed; Bolt answers it with an empty 200 whatever else the body holds.
      if (contentType === FORM && parseForm(textBody).ssl_check === '1') {
        answer(res, 200);
        return;
      }
      // Bolt's own line and answer for a request it cannot verify.
      logger.warn(`Failed to parse and verify the request data: ${unsigned}`);
      answer(res, 401);
      return;
    }
    let parsed: { body: unknown } | { problem: string };
    try {
      parsed = parseBody(contentType, textBody);
    } catch {
      // Bolt answers 400 "Malformed request body", as before.
      bolt(req, res);
      return;
    }
    const screening = 'problem' in parsed ? ({ verdict: 'refuse', problem: parsed.problem } as const) : screenPayload(parsed.body);
    if (screening.verdict === 'pass') return bolt(req, res);
    report(logger, screening, 'http');
    if (screening.verdict === 'ack') answer(res, 200);
    else answer(res, 400, `Malformed Slack payload: ${screening.problem}\n`);
  }
}

function report(logger: Logger, screening: Exclude<Screening, { verdict: 'pass' }>, transport: 'http' | 'socket'): void {
  if (screening.verdict === 'ack') logger[screening.level]({ ...screening.fields, transport }, screening.message);
  else logger.warn({ problem: screening.problem, transport }, `Refused a malformed Slack payload: ${screening.problem}`);
}

function answer(res: ServerResponse, status: number, body?: string): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/** Why the request is not Slack's (Bolt's verifySlackRequest: signature, and a timestamp at most 5 minutes old), or undefined. */
function signatureFault(req: IncomingMessage, body: string, signingSecret: string): string | undefined {
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string') return 'header x-slack-signature is missing';
  if (typeof timestamp !== 'string') return 'header x-slack-request-timestamp is missing';
  try {
    verifySlackRequest({ signingSecret, body, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) } });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The whole body, or 'too_large' past `limit` bytes (the rest is left unread: the server drains it). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve('too_large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'too_large' | 'aborted') => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
      req.off('close', onFail);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done('too_large');
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    // `close` before `end`: the client went away mid-body.
    const onFail = () => done('aborted');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFail);
    req.on('close', onFail);
  });
}

/** Socket Mode envelope types and the payload kind each carries. */
const ENVELOPE_KINDS: Readonly<Record<string, PayloadKind>> = { events_api: 'events', slash_commands: 'command', interactive: 'interactive' };

/**
 * For Socket Mode: given a raw message from Slack, returns the envelope_id to acknowledge with
 * nothing done when its payload must not reach the SDK and Bolt (there is no 400 on a socket:
 * the ack stops Slack's retries, and the warn line says what was wrong); undefined otherwise.
 */
export function createEnvelopeScreen(logger: Logger): (message: string) => string | undefined {
  return (message) => {
    let envelope: unknown;
    try {
      envelope = JSON.parse(message);
    } catch {
      return undefined; // the SDK logs and ignores it
    }
    if (!isRecord(envelope) || typeof envelope.envelope_id !== 'string' || typeof envelope.type !== 'string') return undefined;
    const expected = ENVELOPE_KINDS[envelope.type];
    if (expected === undefined) return undefined;
    const screening = screenPayload(envelope.payload, expected);
    if (screening.verdict === 'pass') return undefined;
    report(logger, screening, 'socket');
    return envelope.envelope_id;
  };
}
