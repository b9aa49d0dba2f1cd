import { describe, expect, it } from 'vitest';
import { parsePeerCommand } from '../../src/slack/command.js';

describe('session subcommand arguments', () => {
  it('reads a session number, with or without #', () => {
    expect(parsePeerCommand('join 42')).toEqual({ ok: true, command: { name: 'join', number: 42, rest: null } });
    expect(parsePeerCommand('LEAVE #7')).toEqual({ ok: true, command: { name: 'leave', number: 7, rest: null } });
  });

  it('keeps the cancel reason as typed', () => {
    expect(parsePeerCommand('cancel 3 Sick today, sorry <!here>')).toEqual({ ok: true, command: { name: 'cancel', number: 3, rest: 'Sick today, sorry <!here>' } });
    expect(parsePeerCommand('cancel 3')).toEqual({ ok: true, command: { name: 'cancel', number: 3, rest: null } });
  });

  it.each([
    ['join abc', /`abc` is not a session number/],
    ['join 0', /is not a session number/],
    ['join -4', /is not a session number/],
    ['join 4.5', /is not a session number/],
    ['join 99999999999', /is not a session number/],
    ['join 4 5', /is not a session number/],
    ['edit', /Which session\?/],
    ['cancel', /Which session\?/],
    ['attended   ', /Which session\?/],
  ])('%s is refused with a specific message', (text, message) => {
    const parsed = parsePeerCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && parsed.reason === 'invalid') expect(parsed.message).toMatch(message);
    else throw new Error('expected an invalid-argument result');
  });

  it('escapes what was typed in the message', () => {
    const parsed = parsePeerCommand('join <!channel>');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && parsed.reason === 'invalid') expect(parsed.message).not.toContain('<!channel>');
  });

  it('list takes nothing or "mine"', () => {
    expect(parsePeerCommand('list')).toEqual({ ok: true, command: { name: 'list', mine: false } });
    expect(parsePeerCommand('list mine')).toEqual({ ok: true, command: { name: 'list', mine: true } });
    expect(parsePeerCommand('list yours')).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
