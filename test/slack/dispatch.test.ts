import { describe, expect, it } from 'vitest';
import { createRoutingTable } from '../../src/slack/listeners/dispatch.js';
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
  const t = useTestApp();

  it('acknowledges a click on an unknown button so Slack shows no error, and changes nothing', async () => {
    const res = await t.action({ action_id: 'retired_button', value: '1' });
    expect(res.status).toBe(200);
    expect(t.fake.calls.filter((c) => /^(chat|views|conversations|files)\./.test(c.method))).toHaveLength(0);
  });

  it('acknowledges an unknown view submission', async () => {
    const res = await t.submitView({ callback_id: 'retired_modal' });
    expect(res.status).toBe(200);
  });
});
