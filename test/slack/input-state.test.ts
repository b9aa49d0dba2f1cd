import { describe, expect, it } from 'vitest';
import { readAnyInput, readChoices, readInput, type InputKind } from '../../src/slack/blocks/input-state.js';

/** Each element type as Slack sends it filled in, blank, and in shapes Slack never sends. */
const CASES: [Exclude<InputKind, 'options'>, Record<string, unknown>, string, Record<string, unknown>, Record<string, unknown>[]][] = [
  ['text', { type: 'plain_text_input', value: 'SQL' }, 'SQL', { type: 'plain_text_input', value: null }, [{ type: 'plain_text_input', value: 3 }, { type: 'number_input', value: { n: 3 } }, { type: 'datepicker', selected_date: '2026-11-01' }]],
  ['date', { type: 'datepicker', selected_date: '2026-11-01' }, '2026-11-01', { type: 'datepicker', selected_date: null }, [{ type: 'datepicker', selected_date: 20261101 }, { type: 'plain_text_input', value: '2026-11-01' }]],
  ['time', { type: 'timepicker', selected_time: '09:00' }, '09:00', { type: 'timepicker', selected_time: null }, [{ type: 'timepicker', selected_time: 900 }]],
  ['user', { type: 'users_select', selected_user: 'U0BOB' }, 'U0BOB', { type: 'users_select', selected_user: null }, [{ type: 'users_select', selected_user: { id: 'U0BOB' } }, { type: 'conversations_select', selected_conversation: 'U0BOB' }]],
  ['conversation', { type: 'conversations_select', selected_conversation: 'C0GENERAL' }, 'C0GENERAL', { type: 'conversations_select', selected_conversation: null }, [{ type: 'conversations_select', selected_conversation: ['C0GENERAL'] }]],
  ['option', { type: 'static_select', selected_option: { value: 'pods', text: { type: 'plain_text', text: 'Pods' } } }, 'pods', { type: 'static_select', selected_option: null }, [{ type: 'static_select', selected_option: 'pods' }, { type: 'static_select', selected_option: { value: 4 } }, { type: 'radio_buttons', selected_option: {} }]],
];

describe('reading one input element', () => {
  it.each(CASES)('%s: the value, blank as undefined, and every wrong shape refused', (kind, filled, value, blank, wrong) => {
    expect(readInput(filled, kind)).toEqual({ ok: true, value });
    expect(readInput(blank, kind)).toEqual({ ok: true, value: undefined });
    expect(readInput(undefined, kind)).toEqual({ ok: true, value: undefined });
    for (const state of [...wrong, 'a string', 7, ['a list']]) {
      const read = readInput(state, kind);
      expect(read.ok, JSON.stringify(state)).toBe(false);
      if (!read.ok) expect(read.message).toMatch(/could not be read/);
    }
  });

  it('checkboxes: the ticked values, none as an empty list, anything else refused', () => {
    expect(readChoices({ type: 'checkboxes', selected_options: [{ value: 'U1' }, { value: 'U2' }] })).toEqual({ ok: true, value: ['U1', 'U2'] });
    expect(readChoices({ type: 'checkboxes', selected_options: [] })).toEqual({ ok: true, value: [] });
    for (const state of [{ type: 'checkboxes', selected_options: { value: 'U1' } }, { type: 'checkboxes', selected_options: ['U1'] }, { type: 'static_select', selected_options: [] }]) {
      expect(readChoices(state).ok, JSON.stringify(state)).toBe(false);
    }
  });

  it('a form mixing text inputs and selects reads either, by the type Slack sends, and refuses other elements', () => {
    expect(readAnyInput({ type: 'static_select', selected_option: { value: '3' } })).toEqual({ ok: true, value: '3' });
    expect(readAnyInput({ type: 'number_input', value: '120' })).toEqual({ ok: true, value: '120' });
    expect(readAnyInput({ value: 'Europe/Berlin' })).toEqual({ ok: true, value: 'Europe/Berlin' });
    expect(readAnyInput({ type: 'datepicker', selected_date: '2026-11-01' })).toMatchObject({ ok: false });
    expect(readAnyInput({ type: 'made_up', value: 'x' })).toMatchObject({ ok: false });
    expect(readAnyInput({ type: 'number_input', value: 120 })).toMatchObject({ ok: false });
  });
});
