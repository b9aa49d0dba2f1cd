import { describe, expect, it } from 'vitest';
import { screenPayload } from '../../src/slack/request-guard.js';
import { blockActionsBody, blockSuggestionBody, eventBody, slashCommandBody, viewSubmissionBody } from '../support/payloads.js';

/**
 * The guard must not refuse what Slack really sends: the unusual but legitimate shapes (org-wide
 * installs, Slack Connect, events whose user or channel is an object) pass. The malformed ones
 * are in test/e2e/malformed-payloads.test.ts, over HTTP.
 */

const interaction = (body: string) => JSON.parse(new URLSearchParams(body).get('payload')!) as Record<string, unknown>;
const event = (e: Record<string, unknown>) => JSON.parse(eventBody(e)) as Record<string, unknown>;
const pass = (kind: string) => ({ verdict: 'pass', kind });

describe('screenPayload lets real payloads through', () => {
  it('the payloads the tests send', () => {
    expect(screenPayload(Object.fromEntries(new URLSearchParams(slashCommandBody('help'))))).toEqual(pass('command'));
    expect(screenPayload(interaction(blockActionsBody([{ action_id: 'session_join', value: '1' }])))).toEqual(pass('interactive'));
    expect(screenPayload(interaction(viewSubmissionBody({ callback_id: 'session_schedule' })))).toEqual(pass('interactive'));
    expect(screenPayload(interaction(blockSuggestionBody({ action_id: 'skills_teach', value: 'Ko' })))).toEqual(pass('interactive'));
    expect(screenPayload(event({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0', tab: 'home' }))).toEqual(pass('events'));
    expect(screenPayload(event({ type: 'app_uninstalled' }))).toEqual(pass('events'));
    expect(screenPayload({ type: 'url_verification', challenge: 'c', token: 't' })).toEqual(pass('handshake'));
  });

  it('an org-wide install (team: null) names the workspace in user.team_id', () => {
    const click = interaction(blockActionsBody([{ action_id: 'session_join', value: '1' }]));
    expect(screenPayload({ ...click, team: null })).toEqual(pass('interactive'));
  });

  it('a modal opened in another workspace of a Slack Connect channel names it in view.app_installed_team_id', () => {
    const submission = interaction(viewSubmissionBody({ callback_id: 'session_schedule' }));
    expect(screenPayload({ ...submission, team: null, user: { id: 'U0ALICE' } })).toEqual(pass('interactive'));
  });

  it('a click in a modal has no channel', () => {
    const click = interaction(blockActionsBody([{ action_id: 'session_format_select' }], { view: { callback_id: 'session_schedule' } }));
    expect(click.channel).toBeUndefined();
    expect(screenPayload(click)).toEqual(pass('interactive'));
  });

  it('events whose user or channel is an object, and authorizations with a null team', () => {
    expect(screenPayload(event({ type: 'user_change', user: { id: 'U0ALICE', name: 'alice' } }))).toEqual(pass('events'));
    expect(screenPayload(event({ type: 'channel_created', channel: { id: 'C1', creator: 'U0ALICE' } }))).toEqual(pass('events'));
    expect(screenPayload({ ...event({ type: 'tokens_revoked' }), authorizations: [{ team_id: null, enterprise_id: 'E1' }] })).toEqual(pass('events'));
  });

  it('over Socket Mode, the envelope must carry the kind it says', () => {
    const command = Object.fromEntries(new URLSearchParams(slashCommandBody('help')));
    expect(screenPayload(command, 'command')).toEqual(pass('command'));
    expect(screenPayload(command, 'interactive')).toEqual({ verdict: 'refuse', problem: 'an interactive envelope holds a slash command' });
  });
});
