import { describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { createPacer } from '../../src/slack/pacing.js';

describe('pacer', () => {
  it('keeps each workspace under its messages-per-minute cap over any 60 seconds', () => {
    const clock = createSettableClock(Date.UTC(2026, 0, 1));
    const pacer = createPacer(clock, (team) => (team === 'T1' ? 3 : undefined));
    expect(['D1', 'D2', 'D3'].map((channel) => pacer.reserve('T1', 'chat.postMessage', channel).ok)).toEqual([true, true, true]);
    const held = pacer.reserve('T1', 'chat.postMessage', 'D4');
    expect(held).toEqual({ ok: false, waitMs: 60_000, reason: 'workspace_cap' });
    // Another workspace, with no cap, is not affected.
    expect(pacer.reserve('T2', 'chat.postMessage', 'D1').ok).toBe(true);
    clock.advance(59_999);
    expect(pacer.reserve('T1', 'chat.postMessage', 'D4').ok).toBe(false);
    clock.advance(1);
    expect(pacer.reserve('T1', 'chat.postMessage', 'D4').ok).toBe(true);
  });

  it('counts interactive replies in the window but never refuses them', () => {
    const clock = createSettableClock(0);
    const pacer = createPacer(clock, () => 2);
    pacer.note('T1', 'C1');
    pacer.note('T1', 'C2');
    pacer.note('T1', 'C3');
    expect(pacer.reserve('T1', 'chat.postMessage', 'D1')).toMatchObject({ ok: false, reason: 'workspace_cap' });
  });

  it('pauses one method of one workspace for Retry-After, and nothing else', () => {
    const clock = createSettableClock(0);
    const pacer = createPacer(clock, () => undefined);
    pacer.pause('T1', 'chat.postMessage', 2_000);
    expect(pacer.reserve('T1', 'chat.postMessage', 'D1')).toEqual({ ok: false, waitMs: 2_000, reason: 'rate_limited' });
    expect(pacer.reserve('T1', 'chat.update', 'D1').ok).toBe(true);
    expect(pacer.reserve('T2', 'chat.postMessage', 'D1').ok).toBe(true);
    clock.advance(2_000);
    expect(pacer.reserve('T1', 'chat.postMessage', 'D2').ok).toBe(true);
  });

  it('spaces scheduled messages to one channel a second apart', () => {
    const clock = createSettableClock(0);
    const pacer = createPacer(clock, () => undefined);
    expect(pacer.reserve('T1', 'chat.postMessage', 'C1').ok).toBe(true);
    expect(pacer.reserve('T1', 'chat.postMessage', 'C1')).toEqual({ ok: false, waitMs: 1_000, reason: 'channel_busy' });
    expect(pacer.reserve('T1', 'chat.postMessage', 'C2').ok).toBe(true);
    clock.advance(1_000);
    expect(pacer.reserve('T1', 'chat.postMessage', 'C1').ok).toBe(true);
  });
});
