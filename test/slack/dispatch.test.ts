import { describe, expect, it } from 'vitest';
import { createRoutingTable } from '../../src/slack/listeners/dispatch.js';
import { captureLogs } from '../support/logs.js';
import { nonEmpty, workspaceRows } from '../support/rows.js';
import { useTestApp } from '../support/use-test-app.js';

describe('createRoutingTable', () => {
  const a = async () => {};
  const b = async () => {};
  it('finds exact ids first, then patterns, and nothing for unknown ids', () => {
    const table = createRoutingTable([
      { id: 'vote_1', handler: a },
      { id: /^vote_\d$/, handler: b },
    ]);
    expect(table.find('vote_1')).toBe(a);
    expect(table.find('vote_4')).toBe(b);
    expect(table.find('other')).toBeUndefined();
  });

  it('refuses two listeners for one id', () => {
    expect(() => createRoutingTable([{ id: 'x', handler: a }, { id: 'x', handler: b }])).toThrow(/two listeners/);
  });
});

describe('payloads nobody listens for', () => {
  const logs = captureLogs('info');
  const t = useTestApp({ logger: logs.logger, resetFake: true });
  const noListener = () => logs.matching('no listener for this');
  const slackWrites = () => t.fake.calls.filter((c) => /^(chat|views|conversations|files)\./.test(c.method));
  /** What the payload left behind: only who sent it (the actor is recorded before any listener runs). */
  const stored = () => nonEmpty(workspaceRows(t.database, 'T0TEST'));

  it('acknowledges a click on an unknown button so Slack shows no error, and changes nothing', async () => {
    const res = await t.action({ action_id: 'retired_button', value: '1' });
    expect(res.status).toBe(200);
    // An empty ack: no listener answered in it, on the response_url or in Slack.
    expect(res.text).toBe('');
    await t.settled();
    expect(slackWrites()).toHaveLength(0);
    expect(t.fake.responses).toHaveLength(0);
    expect(stored()).toEqual({ workspaces: 1, members: 1 });
    // The fallback ran, and said so: no listener was found for the id.
    expect(noListener()).toEqual([expect.objectContaining({ level: 'warn', actionId: 'retired_button', msg: 'no listener for this action' })]);
  });

  it('acknowledges an unknown view submission', async () => {
    const before = noListener().length;
    const res = await t.submitView({ callback_id: 'retired_modal' });
    expect(res.status).toBe(200);
    // An empty ack closes the modal; a listener refusing it would answer with response_action.
    expect(res.text).toBe('');
    await t.settled();
    expect(slackWrites()).toHaveLength(0);
    expect(stored()).toEqual({ workspaces: 1, members: 1 });
    expect(noListener().slice(before)).toEqual([expect.objectContaining({ level: 'warn', callbackId: 'retired_modal', msg: 'no listener for this view' })]);
  });
});
