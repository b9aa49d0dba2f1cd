import { blockActionsBody, eventBody, slashCommandBody, viewSubmissionBody } from './payloads.js';

/**
 * Signed payloads of the wrong shape (issue 12, item 5), each with what Peerloop must answer:
 * `ack` (200 with nothing done, where Slack only expects an ack) or `refuse` (400, and a warn
 * line whose `problem` is the given text). Built from the real shapes in test/fixtures/slack,
 * so each differs from a good payload by its one fault. The person is one Peerloop has never
 * seen: any payload that got as far as a listener would record them.
 */

export const STRANGER = 'U0STRANGER';
export const TEAM = 'T0TEST';

export type PayloadKind = 'command' | 'interactive' | 'events';

export interface MalformedCase {
  name: string;
  kind: PayloadKind;
  /** The payload as Slack's JSON (Socket Mode carries it as is). */
  payload: unknown;
  /** The HTTP body when it cannot be derived from `payload` (a repeated form field); such cases are HTTP only. */
  httpBody?: string;
  expect: { answer: 'refuse'; problem: string } | { answer: 'ack'; log: { level: string; msg: RegExp } };
}

const who = { user: STRANGER, team: TEAM };
const interaction = (body: string) => JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, unknown>;
const without = <T extends Record<string, unknown>>(value: T, ...keys: string[]) => Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));

const command = Object.fromEntries(new URLSearchParams(slashCommandBody('help', who)));
const click = interaction(blockActionsBody([{ action_id: 'session_join', value: '1' }], who));
const submission = interaction(viewSubmissionBody({ callback_id: 'session_schedule' }, who));
const homeOpened = JSON.parse(eventBody({ type: 'app_home_opened', user: STRANGER, channel: 'D0STRANGER', tab: 'home' }, { team: TEAM })) as Record<string, unknown>;

const refuse = (problem: string) => ({ answer: 'refuse', problem }) as const;

export const MALFORMED_CASES: readonly MalformedCase[] = [
  // Slash commands (form-encoded over HTTP).
  { name: 'a slash command with two text fields', kind: 'command', payload: command, httpBody: `${slashCommandBody('help', who)}&text=list`, expect: refuse('form field "text" appears 2 times') },
  { name: 'a slash command without user_id', kind: 'command', payload: without(command, 'user_id'), expect: refuse('slash command: user_id is missing') },
  { name: 'a slash command without team_id', kind: 'command', payload: without(command, 'team_id'), expect: refuse('slash command: team_id is missing') },
  { name: 'a slash command that is not /peer', kind: 'command', payload: { ...command, command: '/other' }, expect: refuse('slash command: unknown command "/other"') },
  { name: 'a form with neither command nor payload', kind: 'command', payload: { token: 'x', team_id: TEAM }, expect: refuse('the payload has no event, command or interaction type') },

  // Interactivity (`payload=` JSON in a form over HTTP).
  { name: 'an interaction that is JSON null', kind: 'interactive', payload: null, expect: refuse('the payload is null, not an object') },
  { name: 'an interaction that is an array', kind: 'interactive', payload: [click], expect: refuse('the payload is an array, not an object') },
  { name: 'an interaction that is a number', kind: 'interactive', payload: 42, expect: refuse('the payload is a number, not an object') },
  { name: 'an empty interaction {}', kind: 'interactive', payload: {}, expect: refuse('the payload has no event, command or interaction type') },
  { name: 'block_actions with actions: []', kind: 'interactive', payload: { ...click, actions: [] }, expect: refuse('block_actions: actions is empty') },
  { name: 'block_actions without user', kind: 'interactive', payload: without(click, 'user'), expect: refuse('block_actions: user is missing') },
  {
    name: 'block_actions without team',
    kind: 'interactive',
    payload: { ...without(click, 'team'), user: { id: STRANGER, name: 'stranger' } },
    expect: refuse('block_actions: no workspace (team.id and user.team_id are both missing)'),
  },
  { name: 'block_actions with channel: null', kind: 'interactive', payload: { ...click, channel: null }, expect: refuse('block_actions: channel should be an object, not null') },
  { name: 'view_submission without view', kind: 'interactive', payload: without(submission, 'view'), expect: refuse('view_submission: view is missing') },
  { name: 'view_submission without user', kind: 'interactive', payload: without(submission, 'user'), expect: refuse('view_submission: user is missing') },
  {
    name: 'view_closed',
    kind: 'interactive',
    // As Slack documents it: the view, who closed it, and whether the whole stack was cleared.
    payload: { ...submission, type: 'view_closed', is_cleared: false },
    expect: { answer: 'ack', log: { level: 'debug', msg: /view_closed acknowledged/ } },
  },
  { name: 'an unknown interaction type', kind: 'interactive', payload: { ...click, type: 'foo' }, expect: refuse('unknown interaction type "foo"') },
  {
    name: 'a global shortcut Peerloop does not declare',
    kind: 'interactive',
    payload: { type: 'shortcut', callback_id: 'other_shortcut', trigger_id: 'trigger-1', team: { id: TEAM, domain: 'peerloop-test' }, user: { id: STRANGER, team_id: TEAM } },
    expect: refuse('shortcut: unknown callback_id "other_shortcut"'),
  },

  // Events API (JSON).
  { name: 'an event body that is JSON null', kind: 'events', payload: null, expect: refuse('the payload is null, not an object') },
  { name: 'an event body that is an array', kind: 'events', payload: [homeOpened], expect: refuse('the payload is an array, not an object') },
  { name: 'an event body that is a number', kind: 'events', payload: 7, expect: refuse('the payload is a number, not an object') },
  { name: 'an empty event body {}', kind: 'events', payload: {}, expect: refuse('the payload has no event, command or interaction type') },
  {
    name: 'app_rate_limited',
    kind: 'events',
    // Slack's documented payload: no inner event.
    payload: { token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', type: 'app_rate_limited', team_id: TEAM, minute_rate_limited: 1518467820, api_app_id: 'A0PEERLOOP' },
    expect: { answer: 'ack', log: { level: 'warn', msg: /rate-limiting the events/ } },
  },
  { name: 'an event that is a string', kind: 'events', payload: { ...homeOpened, event: 'app_home_opened' }, expect: refuse('event_callback: event should be an object, not a string') },
  { name: 'event_callback without event', kind: 'events', payload: without(homeOpened, 'event'), expect: refuse('event_callback: event is missing') },
  { name: 'an event without a type', kind: 'events', payload: { ...homeOpened, event: { user: STRANGER, tab: 'home' } }, expect: refuse('event_callback: event.type is missing') },
  {
    name: 'an event with channel: null',
    kind: 'events',
    payload: { ...homeOpened, event: { type: 'app_home_opened', user: STRANGER, channel: null, tab: 'home' } },
    expect: refuse('event_callback: event.channel should be a string or an object, not null'),
  },
  {
    name: 'an event without a workspace',
    kind: 'events',
    payload: without(homeOpened, 'team_id', 'authorizations'),
    expect: refuse('event_callback: no workspace (team_id and authorizations are both missing)'),
  },
  {
    name: 'app_home_opened without user',
    kind: 'events',
    payload: { ...homeOpened, event: { type: 'app_home_opened', channel: 'D0STRANGER', tab: 'home' } },
    expect: refuse('event_callback: event.user is missing (app_home_opened is about a person)'),
  },
];

/** The HTTP body Slack would send for a case, and its content type. */
export function httpRequestFor(c: MalformedCase): { body: string; contentType: string } {
  if (c.httpBody !== undefined) return { body: c.httpBody, contentType: 'application/x-www-form-urlencoded' };
  switch (c.kind) {
    case 'command':
      return { body: new URLSearchParams(c.payload as Record<string, string>).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'interactive':
      return { body: new URLSearchParams({ payload: JSON.stringify(c.payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'events':
      return { body: JSON.stringify(c.payload), contentType: 'application/json' };
  }
}

/** The Socket Mode envelope type that carries a kind of payload. */
export const ENVELOPE_TYPES = { command: 'slash_commands', interactive: 'interactive', events: 'events_api' } as const;
