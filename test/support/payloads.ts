import slashCommand from '../fixtures/slack/slash-command.json' with { type: 'json' };
import blockActions from '../fixtures/slack/block-actions.json' with { type: 'json' };
import viewSubmission from '../fixtures/slack/view-submission.json' with { type: 'json' };
import eventCallback from '../fixtures/slack/event-callback.json' with { type: 'json' };

/**
 * Payload builders on top of real payload shapes (test/fixtures/slack). Each returns the raw
 * HTTP body exactly as Slack would send it, ready to be signed.
 */

export interface Who {
  team?: string;
  user?: string;
}

export function slashCommandBody(text: string, who: Who & { responseUrl?: string; triggerId?: string; channel?: string; channelName?: string } = {}): string {
  const team = who.team ?? 'T0TEST';
  const user = who.user ?? 'U0ALICE';
  const payload: Record<string, string> = {
    ...slashCommand,
    team_id: team,
    user_id: user,
    user_name: user.toLowerCase(),
    text,
    channel_id: who.channel ?? slashCommand.channel_id,
    channel_name: who.channelName ?? slashCommand.channel_name,
    response_url: who.responseUrl ?? slashCommand.response_url,
    trigger_id: who.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
  };
  return new URLSearchParams(payload).toString();
}

export interface ActionSpec {
  action_id: string;
  block_id?: string;
  value?: string;
  type?: string;
  selected_option?: { value: string; text?: { type: 'plain_text'; text: string } };
}

export function blockActionsBody(
  actions: ActionSpec[],
  who: Who & {
    responseUrl?: string;
    channel?: string;
    messageTs?: string;
    view?: Record<string, unknown>;
    container?: Record<string, unknown>;
    /** The clicker's home workspace when it is not the message's (Slack Connect, Enterprise Grid). */
    userTeam?: string;
  } = {},
): string {
  const team = who.team ?? 'T0TEST';
  const user = who.user ?? 'U0ALICE';
  const channel = who.channel ?? 'C0GENERAL';
  const messageTs = who.messageTs ?? blockActions.message.ts;
  const payload: Record<string, unknown> = {
    ...blockActions,
    user: { ...blockActions.user, id: user, team_id: who.userTeam ?? team },
    team: { ...blockActions.team, id: team },
    channel: { ...blockActions.channel, id: channel },
    container: who.container ?? { ...blockActions.container, channel_id: channel, message_ts: messageTs },
    message: { ...blockActions.message, ts: messageTs },
    response_url: who.responseUrl ?? blockActions.response_url,
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    actions: actions.map((a) => ({
      type: a.type ?? 'button',
      block_id: a.block_id ?? 'block',
      action_ts: '1700000000.000200',
      ...a,
    })),
  };
  if (who.view !== undefined) {
    payload.view = { ...viewSubmission.view, team_id: team, app_installed_team_id: team, ...who.view };
    payload.container = { type: 'view', view_id: (who.view.id as string | undefined) ?? viewSubmission.view.id };
    delete payload.message;
    delete payload.channel;
  }
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface ViewSpec {
  callback_id: string;
  private_metadata?: string;
  /** state.values: block_id -> action_id -> value object (as Slack sends it). */
  values?: Record<string, Record<string, Record<string, unknown>>>;
  id?: string;
  blocks?: unknown[];
}

export function viewSubmissionBody(view: ViewSpec, who: Who = {}): string {
  const team = who.team ?? 'T0TEST';
  const user = who.user ?? 'U0ALICE';
  const payload = {
    ...viewSubmission,
    team: { ...viewSubmission.team, id: team },
    user: { ...viewSubmission.user, id: user, team_id: team },
    view: {
      ...viewSubmission.view,
      id: view.id ?? viewSubmission.view.id,
      team_id: team,
      app_installed_team_id: team,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata ?? '',
      blocks: view.blocks ?? [],
      state: { values: view.values ?? {} },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function eventBody(event: Record<string, unknown>, who: Who = {}): string {
  const team = who.team ?? 'T0TEST';
  return JSON.stringify({
    ...eventCallback,
    team_id: team,
    authorizations: [{ ...eventCallback.authorizations[0], team_id: team }],
    event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event: { event_ts: '1700000000.000100', ...event },
  });
}

/**
 * A block_suggestion (a type-ahead select asking for options) from an element in a modal, as
 * Slack sends it to the options load URL: the typed text in `value`, the view it sits in.
 */
export function blockSuggestionBody(spec: { action_id: string; block_id?: string; value: string; callback_id?: string }, who: Who = {}): string {
  const team = who.team ?? 'T0TEST';
  const user = who.user ?? 'U0ALICE';
  const payload = {
    type: 'block_suggestion',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    container: { type: 'view', view_id: viewSubmission.view.id },
    api_app_id: viewSubmission.api_app_id,
    token: viewSubmission.token,
    action_id: spec.action_id,
    block_id: spec.block_id ?? 'block',
    value: spec.value,
    team: { id: team, domain: 'peerloop-test' },
    enterprise: null,
    is_enterprise_install: false,
    view: { ...viewSubmission.view, team_id: team, app_installed_team_id: team, callback_id: spec.callback_id ?? viewSubmission.view.callback_id, state: { values: {} } },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
